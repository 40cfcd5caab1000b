#pragma once
// Command line and config file, compatible with mongocryptd/mongod: the same option names, the
// same YAML keys (net.port, processManagement.*, systemLog.*, setParameter), the command line
// winning over the file. Bad options throw OptionsError (the caller prints it and exits 2).

#include <stdexcept>
#include <string>
#include <vector>

#include "common/bson.h"
#include "server/server_options.h"

namespace cryptd::app {

class OptionsError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct AppOptions {
    server::ServerOptions server;
    std::string pidFilePath;  // absolute; default <cwd>/mongocryptd.pid
    std::string logPath;      // empty: stdout
    bool logAppend = false;
    bool quiet = false;
    int verbosity = 0;  // -v... / systemLog.verbosity / setParameter logLevel
    bool fork = false;
    bool help = false;
    bool version = false;
    bool healthcheck = false;  // probe a running daemon instead of serving
    bool enableTestCommands = false;
    // Accepted for compatibility but without effect here (e.g. --bind_ip): logged at startup.
    std::vector<std::string> ignored;
    std::vector<std::string> argv;
    // The options that were set, nested as in the config file, e.g. {net: {port: 0}}: logged
    // (21951) and returned by getCmdLineOpts.
    bson::Doc parsed;
};

// argv[0] is the program name. Reads the --config/-f file when given.
AppOptions parseOptions(int argc, const char* const argv[]);

// The --help text.
std::string helpText();

}  // namespace cryptd::app
