#include "server/crc32c.h"

#include <gtest/gtest.h>

#include <string_view>
#include <vector>

#include "support/wire_builder.h"

namespace cryptd::server {
namespace {

std::span<const uint8_t> bytes(std::string_view s) {
    return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

TEST(Crc32cTest, MatchesTheStandardCheckValue) {
    // The CRC-32C check value from the catalogue of parametrised CRC algorithms.
    EXPECT_EQ(crc32c(bytes("123456789")), 0xE3069283u);
    EXPECT_EQ(crc32c(bytes("")), 0u);
}

TEST(Crc32cTest, AgreesWithAnIndependentBitwiseImplementation) {
    std::vector<uint8_t> data(1000);
    for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 7 + 3);
    EXPECT_EQ(crc32c(data), test::wire::crc32cBitwise(data.data(), data.size()));
}

TEST(Crc32cTest, CanBeComputedInPieces) {
    auto whole = crc32c(bytes("hello, world"));
    auto first = crc32c(bytes("hello, "));
    EXPECT_EQ(crc32c(bytes("world"), first), whole);
}

}  // namespace
}  // namespace cryptd::server
