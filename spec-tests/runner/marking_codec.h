#pragma once
// Intent-to-encrypt markings (BSON binary subtype 6): byte 0 is the blob subtype (0 = FLE1
// placeholder, 3 = QE placeholder), the rest is one BSON document (contract §3). Cases write them
// decoded as {"$$marking": {...}}; this file turns them into bytes and back, and renders replies
// readably so a failure message never shows base64.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/bson.h"

namespace cryptd::spec {

inline constexpr uint8_t kFle1Placeholder = 0;
inline constexpr uint8_t kFle2Placeholder = 3;

struct DecodedMarking {
    uint8_t blobSubtype;
    bson::Doc payload;
};

// Payload bytes of a subtype-6 binary for `payload` with the given first byte.
std::vector<uint8_t> encodeMarking(uint8_t blobSubtype, bson::View payload);

// Decodes a subtype-6 binary; nullopt when it is not blob-subtype + one valid document.
std::optional<DecodedMarking> decodeMarking(const uint8_t* data, uint32_t len);

// Checks an FLE1 placeholder against libmongocrypt's parser rules (contract §3.1): fields a
// (int32 1|2), exactly one of ki (UUID) / ka (string), v; nothing else. Returns the problem.
std::optional<std::string> fle1PlaceholderProblem(bson::View payload);

// Copy of `doc` where every {"$$marking": {...}} (byte 0) or {"$$fle2Marking": {...}} (byte 3)
// is replaced by the encoded binary. Throws std::runtime_error on a malformed marking spec.
bson::Doc encodeMarkingsIn(bson::View doc);

// Copy of `doc` where every decodable subtype-6 binary becomes {"$$marking": {...}} (or
// "$$fle2Marking"), for messages.
bson::Doc decodeMarkingsIn(bson::View doc);

// Relaxed Extended JSON of `doc` with markings decoded.
std::string readableJson(bson::View doc);

// Every subtype-6 binary in `doc`, depth-first, with its dotted path.
struct FoundMarking {
    std::string path;
    std::optional<DecodedMarking> decoded;  // nullopt when not decodable
};
std::vector<FoundMarking> findMarkings(bson::View doc, const std::string& basePath = "");

}  // namespace cryptd::spec
