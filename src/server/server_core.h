#pragma once
// State shared by the listeners, connections and idle watchdog of one Server (internal header).
// Threads: the main I/O thread runs `io` (listeners, idle watchdog, shutdown); connections run on
// the contexts in `connectionIo` (the main one among them), so everything they touch here is
// atomic or behind `connectionsMutex`. Fields marked "main I/O thread" need no lock.

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

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
          pool(static_cast<size_t>(std::max(1, options.dispatchThreads))) {
        noteActivity();
    }

    const ServerOptions options;
    const ServerInfo info;
    const Dispatcher dispatcher;
    ServerStats stats;
    Logger& logger;

    // One entry per open connection. `close(force)` asks the connection's own thread to close
    // its socket: unless forced, not while `busy` (a complete request is being answered, which a
    // shutdown lets finish). Guarded by connectionsMutex; a Slot lives until its connection
    // erases it.
    struct Slot {
        std::atomic<bool> busy{false};
        std::function<void(bool force)> close;
    };
    std::mutex connectionsMutex;
    std::map<int64_t, Slot*> connections;
    std::atomic<int64_t> nextConnectionId{1};
    std::atomic<int32_t> nextRequestId{1};
    size_t connectionCount() {
        std::lock_guard lock(connectionsMutex);
        return connections.size();
    }

    std::atomic<int64_t> lastActivityNs;          // steady_clock, any thread
    std::atomic<bool> stopping{false};            // set on the main I/O thread
    StopCause stopCause = StopCause::kRequested;  // main I/O thread
    std::string stopDetail;                       // main I/O thread
    std::atomic<bool> tearingDown{false};  // set by ~Server: coroutine frames are being destroyed

    // Any connection opened/closed or request received postpones idle shutdown.
    void noteActivity() {
        lastActivityNs.store(std::chrono::steady_clock::now().time_since_epoch().count(),
                             std::memory_order_relaxed);
    }
    std::chrono::steady_clock::time_point lastActivity() const {
        return std::chrono::steady_clock::time_point(
            std::chrono::steady_clock::duration(lastActivityNs.load(std::memory_order_relaxed)));
    }

    // Thread-safe: stop accepting, close idle connections, let in-flight replies finish.
    void requestShutdown(StopCause cause, std::string detail);
    // Any thread: called when a connection ends; stops the main io_context once all are gone.
    void connectionEnded();
    // Main I/O thread: the context the next accepted connection runs on (round robin).
    asio::io_context& nextConnectionContext();

    std::function<void()> closeListeners;  // set by the listener set (I/O thread)

    // Declared after the state above so they are destroyed first: coroutine frames still
    // pending in `io` (after a forced stop) touch that state when they are destroyed.
    asio::thread_pool pool;  // runs dispatch of big messages off the I/O threads
    // The extra connection threads' contexts (ioThreads - 1), run by Server::run.
    std::vector<std::unique_ptr<asio::io_context>> workerIo;
    asio::io_context io{1};

  private:
    void beginShutdown(StopCause cause, std::string detail);
    std::unique_ptr<asio::steady_timer> graceTimer_;  // destroyed before `io`
    size_t nextContext_ = 0;                          // main I/O thread
};

}  // namespace cryptd::server
