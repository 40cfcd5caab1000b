#pragma once
// The reference material beside the repository (../shared: libmongocrypt fixtures, drivers' spec
// tests, documentation seeds). A plain clone has none of it, so tests that read it skip, saying
// what is missing, and run whenever it is present. CRYPTD_SHARED_DIR is set by CMake (cache
// variable of the same name).

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace cryptd::test {

inline std::filesystem::path sharedPath(const std::string& relative) {
    return std::filesystem::path(CRYPTD_SHARED_DIR) / relative;
}

}  // namespace cryptd::test

// Skips the current test (one line) unless ../shared/<relative> exists.
#define CRYPTD_SKIP_WITHOUT_SHARED(relative)                                                \
    do {                                                                                    \
        if (!std::filesystem::exists(::cryptd::test::sharedPath(relative))) {               \
            GTEST_SKIP() << "needs " << ::cryptd::test::sharedPath(relative).string()       \
                         << " (reference material beside the repository), which is absent"; \
        }                                                                                   \
    } while (0)
