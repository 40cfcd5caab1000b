#pragma once
// What this daemon claims to speak: the engine's compatible version
// (analysis/compatible_version.h), so the daemon and the in-process library (src/crypt_shared)
// advertise the same release.

#include "analysis/compatible_version.h"

namespace cryptd::server {

using analysis::kCompatibleServerVersion;
using analysis::kMaxWireVersion;
using analysis::kMinWireVersion;

}  // namespace cryptd::server
