#pragma once
// Reads a mongod-style YAML config file and turns it into command-line tokens
// ("--port=27021", "--nounixsocket", "--setParameter=logLevel=1"), so the file and the command
// line go through one parser and the command line wins. Throws OptionsError.

#include <string>
#include <vector>

namespace cryptd::app {

std::vector<std::string> configFileTokens(const std::string& path);
// Same, from YAML text (tests).
std::vector<std::string> configTextTokens(const std::string& yaml);

}  // namespace cryptd::app
