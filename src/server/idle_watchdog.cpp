#include "server/idle_watchdog.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace cryptd::server {

asio::awaitable<void> idleWatchdog(ServerCore& core) {
    const auto timeout = core.options.idleShutdownTimeout;
    if (timeout.count() <= 0) co_return;
    asio::steady_timer timer(core.io);
    while (!core.stopping) {
        auto now = std::chrono::steady_clock::now();
        const bool none = core.connectionCount() == 0;
        if (none && now - core.lastActivity() >= timeout) {
            log(core.logger, Severity::kInfo, Component::kControl, "idleWatchdog", 9100004,
                "Mongocryptd has not received a command in the expected timeout window, exiting",
                [&](bson::Builder& a) {
                    a.appendInt64("idleShutdownTimeoutSecs", timeout.count());
                });
            core.requestShutdown(StopCause::kIdle, "idle shutdown timeout");
            co_return;
        }
        // Open connections keep it alive: look again a tenth of the timeout later, as the real
        // watchdog ticks, so the exit comes about one timeout after the last one closes.
        auto tick = std::max<std::chrono::steady_clock::duration>(timeout / 10,
                                                                  std::chrono::milliseconds(50));
        timer.expires_at(none ? core.lastActivity() + timeout : now + tick);
        co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
}

}  // namespace cryptd::server
