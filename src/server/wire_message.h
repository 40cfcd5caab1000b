#pragma once
// MongoDB wire protocol: pure functions over bytes, no sockets. All integers are little-endian.
//
//   header (16 bytes)   int32 messageLength (whole message, header included)
//                       int32 requestID | int32 responseTo | int32 opCode
//
//   OP_MSG (2013)       uint32 flagBits   bit 0 checksumPresent, bit 1 moreToCome,
//                                         bit 16 exhaustAllowed; other bits 0-15 are "required"
//                                         and must be 0
//                       sections...       kind 0: one BSON body
//                                         kind 1: int32 size, cstring identifier, BSON docs...
//                       [uint32 CRC-32C]  over every preceding byte, when checksumPresent
//
//   OP_QUERY (2004)     int32 flags | cstring "<db>.$cmd" | int32 skip | int32 return |
//                       BSON query [| BSON fieldSelector]       (legacy handshake only)
//   OP_REPLY (1)        int32 responseFlags | int64 cursorID | int32 startingFrom |
//                       int32 numberReturned | BSON documents
//   OP_COMPRESSED(2012) int32 originalOpcode | int32 uncompressedSize | uint8 compressorId |
//                       compressed message body (without header)
//
// A request that breaks these rules throws FramingError: the connection that sent it is closed
// (its byte stream cannot be trusted any more). Command-level problems are not found here.

#include <array>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/bson.h"
#include "common/bson_validate.h"

namespace cryptd::server::wire {

inline constexpr int32_t kMaxMessageSizeBytes = 48'000'000;
inline constexpr int32_t kMaxBsonObjectSize = 16 * 1024 * 1024;
// Replies may exceed a user document a little (MongoDB's BSONObjMaxInternalSize).
inline constexpr int32_t kMaxReplySize = kMaxBsonObjectSize + 16 * 1024;
// Deeper documents are refused before anything recurses into them (MongoDB's default limit is
// 200 for user documents; the command wrapper adds a few levels).
inline constexpr int kMaxBsonDepth = 220;
inline constexpr size_t kHeaderSize = 16;

enum class OpCode : int32_t {
    kReply = 1,
    kQuery = 2004,
    kCompressed = 2012,
    kMsg = 2013,
};

inline constexpr uint32_t kChecksumPresent = 1u << 0;
inline constexpr uint32_t kMoreToCome = 1u << 1;
inline constexpr uint32_t kExhaustAllowed = 1u << 16;

class FramingError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct Header {
    int32_t messageLength = 0;
    int32_t requestId = 0;
    int32_t responseTo = 0;
    int32_t opCode = 0;
};

// Reads the first 16 bytes and checks what can be checked before reading the rest: a length in
// [16 + 1, kMaxMessageSizeBytes] and an opcode we accept as a request. Throws FramingError.
Header parseHeader(std::span<const uint8_t> bytes);

enum class Protocol { kOpMsg, kOpQuery };

struct Request {
    Protocol protocol = Protocol::kOpMsg;
    int32_t requestId = 0;
    // The command: OP_MSG body with kind-1 sequences folded in as arrays; for OP_QUERY the query
    // (unwrapped from $query) with `$db` set from the namespace. It views the message bytes when
    // they hold it as is (an OP_MSG with one body section, nearly every request): those must then
    // outlive the Request. Otherwise, and after detach(), it views `storage`.
    bson::View body;
    bson::Doc storage;
    bool moreToCome = false;       // OP_MSG: the client expects no reply
    bool checksumPresent = false;  // reply with a checksum too
    bool compressed = false;       // arrived inside OP_COMPRESSED

    // Copies the body into `storage` if it views the message bytes, so it outlives them.
    void detach();
};

// Parses one whole message (header included). Throws FramingError. The Request may view the
// message bytes (see Request::body), hence no overload for a temporary buffer.
Request parseRequest(std::span<const uint8_t> message);
Request parseRequest(std::vector<uint8_t>&& message) = delete;

// The bytes around a reply body (header, flags or OP_REPLY fields; the checksum when the request
// carried one), so the body is written from where it was built, in one gathered write.
struct ReplyFrame {
    std::array<uint8_t, kHeaderSize + 20> head{};  // OP_REPLY's is the longest
    size_t headSize = 0;
    std::array<uint8_t, 4> tail{};
    size_t tailSize = 0;
};
ReplyFrame frameReply(const Request& request, int32_t requestId, bson::View body);

// The reply to `request`, in its protocol (OP_MSG -> OP_MSG, OP_QUERY -> OP_REPLY), as one buffer.
std::vector<uint8_t> serializeReply(const Request& request, int32_t requestId, bson::View body);
std::vector<uint8_t> serializeOpMsg(int32_t requestId, int32_t responseTo, uint32_t flags,
                                    bson::View body);
std::vector<uint8_t> serializeOpReply(int32_t requestId, int32_t responseTo, bson::View body);

// The checks every incoming document passes (common/bson_validate.h): structure, key UTF-8,
// nesting no deeper than `maxDepth`, and array keys "0", "1", ... in order (libbson cannot
// re-encode arrays keyed otherwise). One pass, no recursion.
bson::Validation checkDocument(const uint8_t* data, size_t len, int maxDepth = kMaxBsonDepth);

}  // namespace cryptd::server::wire
