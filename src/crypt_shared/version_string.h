#pragma once
// mongo_crypt_v1_get_version_str(): names cryptd, its version and the MongoDB release whose query
// analysis it answers for (the one get_version() encodes), built at compile time so the string is
// static storage with no constructor. libmongocrypt shows it in its error messages.

#include <array>
#include <cstddef>
#include <initializer_list>

#include "analysis/compatible_version.h"

namespace cryptd::crypt_shared {

namespace detail {
constexpr size_t length(const char* s) {
    size_t n = 0;
    while (s[n]) ++n;
    return n;
}
constexpr std::array<char, 128> joined(std::initializer_list<const char*> parts) {
    std::array<char, 128> out{};
    size_t n = 0;
    for (const char* p : parts) {
        for (size_t i = 0; p[i] && n + 1 < out.size(); ++i) out[n++] = p[i];
    }
    return out;
}
}  // namespace detail

// e.g. "mongo_crypt_v1-cryptd-0.1.0+mongodb-8.1.0"
inline constexpr std::array<char, 128> kVersionString = detail::joined(
    {"mongo_crypt_v1-cryptd-", CRYPTD_VERSION, "+mongodb-", analysis::kCompatibleServerVersion});
static_assert(detail::length(kVersionString.data()) + 1 < kVersionString.size());

}  // namespace cryptd::crypt_shared
