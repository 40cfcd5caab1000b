#include "app/option_table.h"

#include <algorithm>
#include <array>

#include "common/name_table.h"

namespace cryptd::app {

namespace {

using K = OptionKind;

// The mongod/mongocryptd general options that make sense for a loopback analysis daemon, plus
// --idleShutdownTimeoutSecs. Grouped as --help prints them.
constexpr std::array kOptions = {
    OptionSpec{"help", 'h', "", K::kSwitch, "show this usage information"},
    OptionSpec{"version", 0, "", K::kSwitch, "show version information"},
    OptionSpec{"healthcheck", 0, "", K::kSwitch,
               "send hello to the daemon on --port (localhost) and exit 0 when it answers "
               "iscryptd: true, 1 otherwise (for container HEALTHCHECKs)"},
    OptionSpec{"config", 'f', "", K::kString, "configuration file (YAML, mongod's keys)"},
    OptionSpec{"port", 0, "net.port", K::kInt,
               "TCP port on 127.0.0.1 (default 27020; 0 picks a free port, logged as id 23016)"},
    OptionSpec{"ipv6", 0, "net.ipv6", K::kSwitch, "also listen on ::1"},
    OptionSpec{"bind_ip", 0, "net.bindIp", K::kIgnoredString,
               "ignored: mongocryptd listens on localhost only"},
    OptionSpec{"bind_ip_all", 0, "net.bindIpAll", K::kIgnoredSwitch,
               "ignored: mongocryptd listens on localhost only"},
    OptionSpec{"maxConns", 0, "net.maxIncomingConnections", K::kInt,
               "maximum simultaneous connections (default 1000000)"},
    OptionSpec{"ioThreads", 0, "", K::kInt,
               "threads serving connections (default: one per CPU, at most 4; cryptd only)"},
    OptionSpec{"unixSocketPrefix", 0, "net.unixDomainSocket.pathPrefix", K::kString,
               "directory of the unix socket mongocryptd.sock (default /tmp)"},
    OptionSpec{"nounixsocket", 0, "net.unixDomainSocket.enabled", K::kSwitch,
               "do not listen on a unix socket", true},
    OptionSpec{"filePermissions", 0, "net.unixDomainSocket.filePermissions", K::kString,
               "permissions of the unix socket file, octal (default 0700)"},
    OptionSpec{"pidfilepath", 0, "processManagement.pidFilePath", K::kString,
               "pid and lock file (default ./mongocryptd.pid); a second daemon on the same "
               "file exits with code 48"},
    OptionSpec{"idleShutdownTimeoutSecs", 0, "processManagement.idleShutdownTimeoutSecs", K::kInt,
               "exit (code 12) after this many seconds without connections or commands "
               "(default 0 = never)"},
    OptionSpec{"fork", 0, "processManagement.fork", K::kSwitch,
               "run in the background once listening (needs --logpath)"},
    OptionSpec{"timeZoneInfo", 0, "processManagement.timeZoneInfo", K::kIgnoredString,
               "ignored: no time zone data is needed"},
    OptionSpec{"logpath", 0, "systemLog.path", K::kString, "log file (default: stdout)"},
    OptionSpec{"logappend", 0, "systemLog.logAppend", K::kSwitch,
               "append to the log file instead of renaming the old one"},
    OptionSpec{"quiet", 0, "systemLog.quiet", K::kSwitch,
               "quieter log (no connection accepted/ended lines)"},
    OptionSpec{"verbose", 'v', "systemLog.verbosity", K::kVerbosity,
               "more verbose log (-v, -vv ... -vvvvv)"},
    OptionSpec{"syslog", 0, "", K::kUnsupported, "not supported: use --logpath"},
    OptionSpec{"setParameter", 0, "setParameter", K::kSetParameter,
               "name=value (enableTestCommands, logLevel, diagnosticDataCollectionEnabled)"},
};

// Name and YAML-path indexes into kOptions (which keeps --help order). Built at compile time, so
// two options with the same name or the same YAML path do not compile.
struct OptionKey {
    std::string_view name;
    const OptionSpec* spec;
};

constexpr NameTable<OptionKey, kOptions.size()> kByName{[] {
    std::array<OptionKey, kOptions.size()> keys{};
    for (size_t i = 0; i < kOptions.size(); ++i) keys[i] = {kOptions[i].name, &kOptions[i]};
    return keys;
}()};

constexpr size_t kYamlPathCount = static_cast<size_t>(std::count_if(
    kOptions.begin(), kOptions.end(), [](const OptionSpec& o) { return !o.yamlPath.empty(); }));

constexpr NameTable<OptionKey, kYamlPathCount> kByYamlPath{[] {
    std::array<OptionKey, kYamlPathCount> keys{};
    size_t n = 0;
    for (const OptionSpec& o : kOptions) {
        if (!o.yamlPath.empty()) keys[n++] = {o.yamlPath, &o};
    }
    return keys;
}()};

}  // namespace

std::span<const OptionSpec> optionTable() {
    return kOptions;
}

const OptionSpec* findOptionByYamlPath(std::string_view path) {
    const OptionKey* k = kByYamlPath.find(path);
    return k ? k->spec : nullptr;
}

const OptionSpec* findOption(std::string_view name) {
    const OptionKey* k = kByName.find(name);
    return k ? k->spec : nullptr;
}

}  // namespace cryptd::app
