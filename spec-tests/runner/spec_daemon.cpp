#include "spec_daemon.h"

#include <cstdlib>
#include <memory>
#include <mutex>
#include <stdexcept>

#include "support/daemon_process.h"

namespace cryptd::spec {

namespace {

struct Shared {
    std::unique_ptr<test::DaemonProcess> daemon;
    std::string uri;
    std::string startError;
    std::unique_ptr<WireClient> client;
};

Shared& shared() {
    // mongoc's atexit cleanup is registered first so it runs last. `s` is destroyed before it:
    // the client first, then the daemon (its destructor kills it).
    ensureMongocInitialized();
    static Shared s;
    return s;
}

void start(Shared& s) {
    if (const char* env = std::getenv("CRYPTD_SPEC_DAEMON_URI"); env && *env) {
        s.uri = env;
        return;
    }
    try {
        s.daemon = std::make_unique<test::DaemonProcess>();
        if (!s.daemon->waitUntilReady()) {
            s.startError = "the daemon " + test::DaemonProcess::defaultBinary() +
                           " did not become ready:\n" + s.daemon->log();
            return;
        }
        s.uri = "mongodb://127.0.0.1:" + std::to_string(s.daemon->port()) +
                "/?serverSelectionTimeoutMS=5000&connectTimeoutMS=5000";
    } catch (const std::exception& e) {
        s.startError = std::string("cannot start the daemon: ") + e.what();
    }
}

}  // namespace

std::string sharedDaemonUri() {
    static std::once_flag once;
    auto& s = shared();
    std::call_once(once, [&] { start(s); });
    if (s.uri.empty()) throw std::runtime_error(s.startError);
    return s.uri;
}

WireClient& sharedDaemonClient() {
    auto& s = shared();
    std::string uri = sharedDaemonUri();
    if (!s.client) s.client = std::make_unique<WireClient>(uri);
    return *s.client;
}

}  // namespace cryptd::spec
