#pragma once
// cryptd's own version (the project version) and the commit it was configured from.

namespace cryptd::app {

inline constexpr const char* kVersion = CRYPTD_VERSION;
inline constexpr const char* kGitVersion = CRYPTD_GIT_VERSION;

}  // namespace cryptd::app
