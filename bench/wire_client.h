#pragma once
// A minimal MongoDB wire client for the benchmarks, written from the protocol description (not
// from the server's own framing code, so a bug there cannot hide here): OP_MSG with one kind-0
// section and no checksum, as drivers send commands.
//
//   header  int32 messageLength | int32 requestID | int32 responseTo | int32 opCode (2013)
//   body    uint32 flagBits (0) | uint8 kind (0) | BSON command

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/bson.h"

namespace cryptd::bench {

inline constexpr size_t kHeaderBytes = 16;
inline constexpr int32_t kOpMsg = 2013;

class WireError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

std::vector<uint8_t> encodeOpMsg(bson::View command, int32_t requestId);
// Rewrites the requestID of an encoded message (the load generator reuses its messages).
void setRequestId(std::vector<uint8_t>& message, int32_t requestId);
// messageLength of a header; throws WireError when it is out of range.
size_t messageLength(const uint8_t* header);
// Checks a whole reply message and returns its body (borrowing `data`). Throws WireError.
bson::View decodeReply(const uint8_t* data, size_t len, int32_t expectedResponseTo);
// The reply's `ok` is 1 (any numeric type).
bool replyOk(bson::View body);

// Connected socket, TCP_NODELAY set like drivers do, 30 s send/receive timeouts (a blocking
// client never hangs on a daemon that does not answer). Throws WireError on failure.
int connectTcp(const std::string& host, int port);
int connectUnix(const std::string& path);

// One blocking connection: send a command, wait for its whole reply.
class BlockingClient {
  public:
    explicit BlockingClient(int fd) : fd_(fd) {}
    BlockingClient(BlockingClient&& o) noexcept : fd_(o.fd_), reply_(std::move(o.reply_)) {
        o.fd_ = -1;
    }
    BlockingClient(const BlockingClient&) = delete;
    BlockingClient& operator=(const BlockingClient&) = delete;
    ~BlockingClient();

    // The reply body, valid until the next call.
    bson::View run(bson::View command);
    // Same, for an already encoded message (its requestID must be `requestId`).
    bson::View send(const std::vector<uint8_t>& message, int32_t requestId);
    int fd() const { return fd_; }
    // Gives up the socket without closing it.
    int release() {
        int fd = fd_;
        fd_ = -1;
        return fd;
    }

  private:
    int fd_;
    int32_t nextRequestId_ = 1;
    std::vector<uint8_t> reply_;
};

}  // namespace cryptd::bench
