#pragma once
// The daemon's network side: listeners, connections, dispatch, idle watchdog.
//
//   Server server(options, info, AnalysisRoute::to(analyzer), logger);
//   server.listen();            // binds (throws ListenError); port() is known afterwards
//   ... write the pidfile ...
//   Server::Stop stop = server.run();   // logs 23015/23016, serves until shutdown
//
// requestShutdown() may be called from any thread (signal handlers post it; the shutdown
// command calls it): listeners close, idle connections close, in-flight replies are written,
// the socket file is removed, then run() returns.

#include <boost/asio/io_context.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "server/dispatcher.h"
#include "server/listener.h"
#include "server/log.h"
#include "server/server_core.h"
#include "server/server_options.h"

namespace cryptd::server {

class Server {
  public:
    Server(ServerOptions options, ServerInfo info, AnalysisRoute analysis, Logger& logger);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    void listen();
    int port() const { return listeners_->port(); }
    const std::string& socketPath() const { return listeners_->socketPath(); }

    struct Stop {
        bool idle = false;   // the idle watchdog ended it
        std::string reason;  // "SIGTERM", "shutdown command", "idle shutdown timeout"
    };
    Stop run();

    void requestShutdown(std::string_view reason);
    boost::asio::io_context& ioContext() { return core_->io; }

  private:
    void stopWorkers();

    std::unique_ptr<ServerCore> core_;
    std::unique_ptr<Listeners> listeners_;
    std::vector<std::thread> workers_;  // run core_->workerIo during run()
};

}  // namespace cryptd::server
