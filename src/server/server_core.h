#pragma once
// State shared by the listeners, connections and idle watchdog of one Server (internal header).
// Fields marked "I/O thread" are touched only from the io_context's thread, so need no lock.

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "server/dispatcher.h"
#include "server/log.h"
#include "server/server_options.h"
#include "server/server_stats.h"

namespace cryptd::server {

namespace asio = boost::asio;

enum class StopCause { kRequested, kIdle };

struct ServerCore {
    ServerCore(ServerOptions opts, ServerInfo serverInfo, AnalysisRoute analysis, Logger& log)
        : options(std::move(opts)),
          info(std::move(serverInfo)),
          dispatcher(std::move(analysis)),
          logger(log),
          lastActivity(std::chrono::steady_clock::now()),
          pool(static_cast<size_t>(std::max(1, options.dispatchThreads))) {}

    const ServerOptions options;
    const ServerInfo info;
    const Dispatcher dispatcher;
    ServerStats stats;
    Logger& logger;

    // One entry per open connection (I/O thread). `close` cancels its socket; `busy` is true
    // while a complete request is being answered, which a shutdown lets finish.
    struct Slot {
        bool busy = false;
        std::function<void()> close;
    };
    std::map<int64_t, Slot*> connections;
    std::atomic<int64_t> nextConnectionId{1};
    std::atomic<int32_t> nextRequestId{1};

    std::chrono::steady_clock::time_point lastActivity;  // I/O thread
    bool stopping = false;                               // I/O thread
    StopCause stopCause = StopCause::kRequested;         // I/O thread
    std::string stopDetail;                              // I/O thread
    bool tearingDown = false;  // set by ~Server: coroutine frames are being destroyed

    // Any connection opened/closed or request received postpones idle shutdown (I/O thread).
    void noteActivity() { lastActivity = std::chrono::steady_clock::now(); }

    // Thread-safe: stop accepting, close idle connections, let in-flight replies finish.
    void requestShutdown(StopCause cause, std::string detail);
    // I/O thread: called when a connection ends; stops the io_context once all are gone.
    void connectionEnded();

    std::function<void()> closeListeners;  // set by the listener set (I/O thread)

    // Declared after the state above so they are destroyed first: coroutine frames still
    // pending in `io` (after a forced stop) touch that state when they are destroyed.
    asio::thread_pool pool;  // runs dispatch (analysis is CPU work) off the I/O thread
    asio::io_context io{1};

  private:
    void beginShutdown(StopCause cause, std::string detail);
    std::unique_ptr<asio::steady_timer> graceTimer_;  // destroyed before `io`
};

}  // namespace cryptd::server
