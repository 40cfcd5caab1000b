#pragma once
// SIGTERM and SIGINT begin a clean shutdown (exit 0), handled on the server's io_context so
// no work happens inside a signal handler.

#include <boost/asio/signal_set.hpp>

#include "server/log.h"
#include "server/server.h"

namespace cryptd::app {

class ShutdownSignals {
  public:
    ShutdownSignals(server::Server& server, server::Logger& logger);

  private:
    void wait();

    boost::asio::signal_set signals_;
    server::Server& server_;
    server::Logger& logger_;
};

}  // namespace cryptd::app
