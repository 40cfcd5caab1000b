#pragma once
// Builds raw wire messages for tests, independently of src/server (its own encoder and its own
// bitwise CRC-32C), so parser bugs are not mirrored by the test inputs.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/bson.h"

namespace cryptd::test::wire {

inline void putInt32(std::vector<uint8_t>& out, int32_t v) {
    auto u = static_cast<uint32_t>(v);
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(u >> (8 * i)));
}

inline void patchInt32(std::vector<uint8_t>& out, size_t at, int32_t v) {
    auto u = static_cast<uint32_t>(v);
    for (size_t i = 0; i < 4; ++i) out[at + i] = static_cast<uint8_t>(u >> (8 * i));
}

inline int32_t readInt32(const std::vector<uint8_t>& in, size_t at) {
    uint32_t u = 0;
    for (size_t i = 0; i < 4; ++i) u |= uint32_t(in[at + i]) << (8 * i);
    return static_cast<int32_t>(u);
}

inline uint32_t crc32cBitwise(const uint8_t* data, size_t len) {
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < len; ++i) {
        crc ^= data[i];
        for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1u)));
    }
    return ~crc;
}

inline void putDoc(std::vector<uint8_t>& out, const bson::Doc& doc) {
    out.insert(out.end(), doc.data(), doc.data() + doc.size());
}

inline std::vector<uint8_t> header(int32_t requestId, int32_t opCode) {
    std::vector<uint8_t> out;
    putInt32(out, 0);
    putInt32(out, requestId);
    putInt32(out, 0);
    putInt32(out, opCode);
    return out;
}

using Sequence = std::pair<std::string, std::vector<const bson::Doc*>>;

// OP_MSG with one body and optional kind-1 sequences; `checksum` sets flag bit 0 and appends it.
inline std::vector<uint8_t> opMsg(int32_t requestId, const bson::Doc& body, uint32_t flags = 0,
                                  const std::vector<Sequence>& sequences = {},
                                  bool checksum = false) {
    if (checksum) flags |= 1u;
    std::vector<uint8_t> out = header(requestId, 2013);
    putInt32(out, static_cast<int32_t>(flags));
    out.push_back(0);
    putDoc(out, body);
    for (const auto& [name, docs] : sequences) {
        out.push_back(1);
        size_t sizeAt = out.size();
        putInt32(out, 0);
        out.insert(out.end(), name.begin(), name.end());
        out.push_back(0);
        for (const bson::Doc* d : docs) putDoc(out, *d);
        patchInt32(out, sizeAt, static_cast<int32_t>(out.size() - sizeAt));
    }
    patchInt32(out, 0, static_cast<int32_t>(out.size() + (checksum ? 4 : 0)));
    if (checksum) putInt32(out, static_cast<int32_t>(crc32cBitwise(out.data(), out.size())));
    return out;
}

// Legacy OP_QUERY on `ns` (e.g. "admin.$cmd"), as drivers send their first handshake.
inline std::vector<uint8_t> opQuery(int32_t requestId, const std::string& ns,
                                    const bson::Doc& query) {
    std::vector<uint8_t> out = header(requestId, 2004);
    putInt32(out, 0);  // flags
    out.insert(out.end(), ns.begin(), ns.end());
    out.push_back(0);
    putInt32(out, 0);   // numberToSkip
    putInt32(out, -1);  // numberToReturn
    putDoc(out, query);
    patchInt32(out, 0, static_cast<int32_t>(out.size()));
    return out;
}

// OP_COMPRESSED around a whole message built above (its header is dropped).
inline std::vector<uint8_t> opCompressed(int32_t requestId, const std::vector<uint8_t>& inner,
                                         uint8_t compressorId = 0) {
    std::vector<uint8_t> out = header(requestId, 2012);
    putInt32(out, readInt32(inner, 12));
    putInt32(out, static_cast<int32_t>(inner.size() - 16));
    out.push_back(compressorId);
    out.insert(out.end(), inner.begin() + 16, inner.end());
    patchInt32(out, 0, static_cast<int32_t>(out.size()));
    return out;
}

// The body of an OP_MSG reply (kind 0 right after the flags) or of an OP_REPLY.
inline bson::Doc replyBody(const std::vector<uint8_t>& msg) {
    int32_t opCode = readInt32(msg, 12);
    size_t at = opCode == 1 ? 36 : 21;
    return bson::Doc::copyOf(msg.data() + at, static_cast<size_t>(readInt32(msg, at)));
}

}  // namespace cryptd::test::wire
