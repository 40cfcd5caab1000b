#pragma once
// Runs a real client's script (pymongo, node) against a daemon started for it: the script gets
// the daemon's TCP port and unix socket path as its last two arguments, prints one line per check
// and exits 0 when every check passed. Reports through gtest assertions.

#include <string>
#include <vector>

namespace cryptd::e2e {

void runClientScript(std::vector<std::string> argv, std::vector<std::string> env = {});

}  // namespace cryptd::e2e
