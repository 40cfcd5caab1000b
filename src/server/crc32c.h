#pragma once
// CRC-32C (Castagnoli), the checksum of OP_MSG's checksumPresent flag.

#include <cstdint>
#include <span>

namespace cryptd::server {

uint32_t crc32c(std::span<const uint8_t> bytes, uint32_t crc = 0);

}  // namespace cryptd::server
