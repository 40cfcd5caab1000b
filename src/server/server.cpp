#include "server/server.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "server/idle_watchdog.h"

namespace cryptd::server {

Server::Server(ServerOptions options, ServerInfo info, AnalysisRoute analysis, Logger& logger)
    : core_(std::make_unique<ServerCore>(std::move(options), std::move(info), std::move(analysis),
                                         logger)),
      listeners_(std::make_unique<Listeners>(*core_)) {
    core_->closeListeners = [this] { listeners_->close(); };
}

Server::~Server() {
    // Analysis still running finishes before the io_context (and the coroutines waiting on
    // it) go away.
    core_->pool.join();
    core_->tearingDown = true;
    listeners_.reset();
}

void Server::listen() {
    listeners_->bind();
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
    listeners_->start();
    asio::co_spawn(core_->io, idleWatchdog(*core_), asio::detached);
    core_->noteActivity();
    core_->io.run();
    listeners_->close();
    core_->pool.join();
    return {core_->stopCause == StopCause::kIdle, core_->stopDetail};
}

void Server::requestShutdown(std::string_view reason) {
    core_->requestShutdown(StopCause::kRequested, std::string(reason));
}

}  // namespace cryptd::server
