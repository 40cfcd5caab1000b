#pragma once
// --idleShutdownTimeoutSecs: with no open connection and no activity (connection opened or
// closed, request received) for the timeout, log why and shut down (the app exits with 12).
// Stricter than the real one, which only counts new connections: any command also keeps the
// daemon alive, as users expect of a keep-alive ping.

#include <boost/asio/awaitable.hpp>

#include "server/server_core.h"

namespace cryptd::server {

asio::awaitable<void> idleWatchdog(ServerCore& core);

}  // namespace cryptd::server
