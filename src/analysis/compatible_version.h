#pragma once
// The MongoDB release whose query analysis this engine answers for. Every front end reads it from
// here: the daemon's hello (maxWireVersion) and buildInfo, mongo_crypt_v1_get_version() of the
// in-process library. libmongocrypt gates features on it (wire 17 = 6.0: create/createIndexes
// analysis; 26 = 8.1: csfleEncryptionSchemas; 27 = 8.2: mixed QE + CSFLE), so it is raised only
// when the engine really supports what the version promises.

#include <cstdint>

namespace cryptd::analysis {

inline constexpr int32_t kMinWireVersion = 0;
inline constexpr int32_t kMaxWireVersion = 26;

// The release matching kMaxWireVersion: buildInfo.version and mongo_crypt_v1_get_version().
inline constexpr uint16_t kCompatibleMajor = 8, kCompatibleMinor = 1, kCompatiblePatch = 0;
inline constexpr const char* kCompatibleServerVersion = "8.1.0";

// mongo_crypt_v1's encoding: four 16-bit words, major.minor.patch.reserved (8.1.0 =
// 0x0008000100000000).
inline constexpr uint64_t kCompatibleVersionWords = (uint64_t{kCompatibleMajor} << 48) |
                                                    (uint64_t{kCompatibleMinor} << 32) |
                                                    (uint64_t{kCompatiblePatch} << 16);

}  // namespace cryptd::analysis
