#pragma once
// What this runner cannot or does not check, each with its reason, and where cryptd deliberately
// differs from mongocryptd. Everything else in a legacy spec file runs.

#include <optional>
#include <string>

#include "common/bson.h"

namespace cryptd::speclegacy {

struct LibraryInfo {
    int major = 0;
    int minor = 0;
    std::string version;  // e.g. "1.20.2"
};

// Queryable Encryption analysis (the fle2v2-* files) is not built in cryptd yet: flip this when it
// is, and the same runner feeds encrypted_fields as collinfo (libmongocrypt >= 1.8 only).
inline constexpr bool kQueryableEncryptionBuilt = false;

// Why a test of `file` (stem) is skipped with this libmongocrypt, or nullopt when it runs.
std::optional<std::string> skipReason(const std::string& file, bson::View test,
                                      const LibraryInfo& lib);

// A test where cryptd refuses what mongocryptd accepts, on purpose: the test asserts our error.
struct Deviation {
    const char* file;
    const char* description;
    const char* errorContains;  // the error cryptd must give instead
    const char* reason;
};
const Deviation* deviationFor(const std::string& file, const std::string& description);

// An expected error that only the server raises (the encryption side succeeds): the runner then
// checks that the command was encrypted and sent, not the error text.
bool isServerSideError(const std::string& errorContains);

}  // namespace cryptd::speclegacy
