#pragma once
// What this daemon claims to speak. libmongocrypt gates features on maxWireVersion (17 = 6.0:
// create/createIndexes analysis; 26 = 8.1: csfleEncryptionSchemas; 27 = 8.2: mixed QE + CSFLE),
// so it is raised only when the analysis engine really supports what the version promises.

#include <cstdint>

namespace cryptd::server {

inline constexpr int32_t kMinWireVersion = 0;
inline constexpr int32_t kMaxWireVersion = 26;
// The MongoDB release matching kMaxWireVersion, reported as buildInfo.version (tools compare it).
inline constexpr const char* kCompatibleServerVersion = "8.1.0";

}  // namespace cryptd::server
