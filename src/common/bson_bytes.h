#pragma once
// Byte-level helpers shared by the BSON reader, writer and validator: little-endian loads, the
// frame check every document passes first, and the word-at-a-time zero-byte test used to scan
// keys. No libbson, no allocation.

#include <cstddef>
#include <cstdint>

namespace cryptd::bson {

// Little-endian int32 at p (BSON's length headers); one load on little-endian machines.
inline uint32_t loadLE32(const uint8_t* p) {
    return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

// A document's frame, as bson_init_static checks it: at least 5 bytes, at most INT32_MAX, the
// length header equal to len and a terminating zero. Says nothing about the elements.
inline bool isFramed(const uint8_t* data, size_t len) {
    return data != nullptr && len >= 5 && len <= INT32_MAX && loadLE32(data) == len &&
           data[len - 1] == 0;
}

// The high bit of each zero byte of w set (exact for the lowest zero byte; bytes above it may
// show false hits), all others clear: nonzero when w holds a zero byte.
inline uint64_t zeroByteMask(uint64_t w) {
    return (w - 0x0101010101010101ull) & ~w & 0x8080808080808080ull;
}

}  // namespace cryptd::bson
