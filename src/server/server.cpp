#include "server/server.h"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <thread>

#include "server/idle_watchdog.h"

namespace cryptd::server {

namespace {
// One per CPU, at most 4. Measured on 2 cores with the client on the same machine (64
// connections): a second I/O thread raised find throughput from ~62k to ~71k req/s and insert
// from ~48k to ~69k, though bare ping fell from ~115k to ~94k (more switching between threads).
int ioThreadCount(int configured) {
    if (configured > 0) return configured;
    auto cpus = static_cast<int>(std::thread::hardware_concurrency());
    return std::clamp(cpus, 1, 4);
}

}  // namespace

Server::Server(ServerOptions options, ServerInfo info, AnalysisRoute analysis, Logger& logger)
    : core_(std::make_unique<ServerCore>(std::move(options), std::move(info), std::move(analysis),
                                         logger)),
      listeners_(std::make_unique<Listeners>(*core_)) {
    core_->closeListeners = [this] { listeners_->close(); };
    for (int i = 1; i < ioThreadCount(core_->options.ioThreads); ++i) {
        core_->workerIo.push_back(std::make_unique<asio::io_context>(1));
    }
}

Server::~Server() {
    stopWorkers();
    // Analysis still running finishes before the io_contexts (and the coroutines waiting on
    // them) go away.
    core_->pool.join();
    core_->tearingDown = true;
    listeners_.reset();
    // Connections a forced stop left behind are destroyed with their contexts, before the
    // state they touch.
    core_->workerIo.clear();
}

void Server::listen() {
    listeners_->bind();
}

void Server::stopWorkers() {
    for (auto& io : core_->workerIo) io->stop();
    for (auto& t : workers_) t.join();
    workers_.clear();
}

Server::Stop Server::run() {
    for (const auto& address : listeners_->addresses()) {
        log(core_->logger, Severity::kInfo, Component::kNetwork, "listener", 23015, "Listening on",
            [&](bson::Builder& a) { a.appendUtf8("address", address); });
    }
    log(core_->logger, Severity::kInfo, Component::kNetwork, "listener", 23016,
        "Waiting for connections", [&](bson::Builder& a) {
            a.appendInt32("port", listeners_->port());
            a.appendUtf8("ssl", "off");
        });
    for (auto& io : core_->workerIo) {
        workers_.emplace_back([context = io.get()] {
            auto guard = asio::make_work_guard(*context);  // idle until a connection comes
            context->run();
        });
    }
    listeners_->start();
    asio::co_spawn(core_->io, idleWatchdog(*core_), asio::detached);
    core_->noteActivity();
    core_->io.run();
    listeners_->close();
    // The main context stops once every connection has ended (or the grace period forced
    // them): the workers have nothing left to serve.
    stopWorkers();
    core_->pool.join();
    return {core_->stopCause == StopCause::kIdle, core_->stopDetail};
}

void Server::requestShutdown(std::string_view reason) {
    core_->requestShutdown(StopCause::kRequested, std::string(reason));
}

}  // namespace cryptd::server
