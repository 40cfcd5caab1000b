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
    // Copy: closing a socket may end its connection, which erases its slot.
    auto open = connections;
    for (auto& [id, slot] : open) {
        if (!slot->busy) slot->close();
    }
    if (connections.empty()) {
        io.stop();
        return;
    }
    graceTimer_ = std::make_unique<asio::steady_timer>(io, kShutdownGrace);
    graceTimer_->async_wait([this](const boost::system::error_code& ec) {
        if (ec) return;
        auto left = connections;
        for (auto& [id, slot] : left) slot->close();
    });
}

void ServerCore::connectionEnded() {
    if (tearingDown) return;
    noteActivity();
    if (stopping && connections.empty()) io.stop();
}

}  // namespace cryptd::server
