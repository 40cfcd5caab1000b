#pragma once
// A 16-byte UUID (BSON binary subtype 4), as keyIds carry.

#include <array>
#include <cstdint>
#include <string>

namespace cryptd {

struct Uuid {
    std::array<uint8_t, 16> bytes{};

    // "6c512f5e-09bc-434f-b6db-c42eee30c6b1"
    std::string toString() const {
        static constexpr char hex[] = "0123456789abcdef";
        std::string out;
        out.reserve(36);
        for (size_t i = 0; i < bytes.size(); ++i) {
            if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
            out += hex[bytes[i] >> 4];
            out += hex[bytes[i] & 0xF];
        }
        return out;
    }
    bool operator==(const Uuid&) const = default;
};

}  // namespace cryptd
