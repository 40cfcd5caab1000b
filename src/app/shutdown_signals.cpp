#include "app/shutdown_signals.h"

#include <csignal>
#include <cstring>
#include <string>

namespace cryptd::app {

ShutdownSignals::ShutdownSignals(server::Server& server, server::Logger& logger)
    : signals_(server.ioContext(), SIGINT, SIGTERM), server_(server), logger_(logger) {
    wait();
}

void ShutdownSignals::wait() {
    signals_.async_wait([this](const boost::system::error_code& ec, int signo) {
        if (ec) return;
        log(logger_, server::Severity::kInfo, server::Component::kControl, "SignalHandler", 23377,
            "Received signal", [&](bson::Builder& a) {
                a.appendInt32("signal", signo);
                a.appendUtf8("error", strsignal(signo));
            });
        server_.requestShutdown(signo == SIGTERM ? "SIGTERM" : "SIGINT");
        wait();  // a second signal is logged too; shutdown is already under way
    });
}

}  // namespace cryptd::app
