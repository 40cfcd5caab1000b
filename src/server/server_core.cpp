#include "server/server_core.h"

#include <boost/asio/post.hpp>

namespace cryptd::server {

namespace {
// In-flight replies get this long to finish before their sockets are closed anyway (a client
// that stops reading must not hold the daemon up forever).
constexpr auto kShutdownGrace = std::chrono::seconds(5);
}  // namespace

void ServerCore::requestShutdown(StopCause cause, std::string detail) {
    asio::post(io, [this, cause, detail = std::move(detail)]() mutable {
        beginShutdown(cause, std::move(detail));
    });
}

void ServerCore::beginShutdown(StopCause cause, std::string detail) {
    if (stopping) return;
    stopping = true;
    stopCause = cause;
    stopDetail = std::move(detail);
    if (closeListeners) closeListeners();
    {
        // Under the lock: a slot cannot go away while its close is asked for (close only posts
        // to the connection's own thread, so this never waits on a connection).
        std::lock_guard lock(connectionsMutex);
        for (auto& [id, slot] : connections) slot->close(false);
        if (connections.empty()) {
            io.stop();
            return;
        }
    }
    graceTimer_ = std::make_unique<asio::steady_timer>(io, kShutdownGrace);
    graceTimer_->async_wait([this](const boost::system::error_code& ec) {
        if (ec) return;
        std::lock_guard lock(connectionsMutex);
        for (auto& [id, slot] : connections) slot->close(true);
    });
}

void ServerCore::connectionEnded() {
    if (tearingDown) return;
    noteActivity();
    if (!stopping) return;
    std::lock_guard lock(connectionsMutex);
    if (connections.empty()) io.stop();  // io_context::stop is thread-safe
}

asio::io_context& ServerCore::nextConnectionContext() {
    size_t n = workerIo.size() + 1;
    size_t i = nextContext_++ % n;
    return i == 0 ? io : *workerIo[i - 1];
}

}  // namespace cryptd::server
