#pragma once
// The daemon's own commands (hello, ping, buildInfo, ...), looked up in one table. Everything
// not in this table goes to the analysis engine or is CommandNotFound (see dispatcher.h).

#include <cstdint>
#include <functional>
#include <span>
#include <string_view>

#include "common/bson.h"
#include "server/log.h"
#include "server/server_options.h"
#include "server/server_stats.h"

namespace cryptd::server {

// What an admin command may look at or trigger; built per request by the connection.
struct CommandContext {
    int64_t connectionId = 0;
    std::string_view connectionName;  // "conn12", the log context
    std::string_view remote;          // "127.0.0.1:53412" or the socket path
    const ServerInfo& info;
    const ServerOptions& options;
    ServerStats& stats;
    Logger& logger;
    // Begins a clean shutdown once the current replies are written (thread-safe).
    std::function<void(std::string_view reason)> requestShutdown;
};

// Returns the reply body without `ok`; throws cryptd::Error for a command error.
using AdminHandler = bson::Doc (*)(const CommandContext& ctx, bson::View command);

struct AdminCommand {
    std::string_view name;
    AdminHandler run;
    std::string_view help;
};

// The table in name order (sorted at compile time; aliases are separate rows).
std::span<const AdminCommand> adminCommands();
// nullptr when `name` is not an admin command. Case-sensitive, with explicit aliases.
const AdminCommand* findAdminCommand(std::string_view name);

}  // namespace cryptd::server
