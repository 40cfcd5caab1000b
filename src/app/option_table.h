#pragma once
// Every option the daemon accepts, in one table: command-line name, config-file (YAML) path,
// kind and help. Both the command line and the config file are parsed through it.

#include <span>
#include <string_view>

namespace cryptd::app {

enum class OptionKind {
    kInt,
    kString,
    kSwitch,         // --flag; YAML true/false
    kVerbosity,      // -v, -vv, --verbose=vvv; YAML systemLog.verbosity: <n>
    kSetParameter,   // --setParameter name=value (repeatable); YAML setParameter: {name: value}
    kIgnoredString,  // accepted for compatibility, no effect (logged at startup)
    kIgnoredSwitch,
    kUnsupported,  // recognised, refused with a clear message
};

struct OptionSpec {
    std::string_view name;      // long command-line name
    char shortName;             // 0 when none
    std::string_view yamlPath;  // "" when command-line only
    OptionKind kind;
    std::string_view help;
    bool invertedInYaml = false;  // --nounixsocket <-> net.unixDomainSocket.enabled: false
};

std::span<const OptionSpec> optionTable();
const OptionSpec* findOptionByYamlPath(std::string_view path);
const OptionSpec* findOption(std::string_view name);

}  // namespace cryptd::app
