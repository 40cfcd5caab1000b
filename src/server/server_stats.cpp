#include "server/server_stats.h"

namespace cryptd::server {

ServerStats::ServerStats() : started_(std::chrono::steady_clock::now()) {}

void ServerStats::connectionOpened() {
    ++current_;
    ++totalCreated_;
}

void ServerStats::connectionClosed() {
    --current_;
}

void ServerStats::connectionRejected() {
    ++rejected_;
}

void ServerStats::commandRun(std::string_view name, bool known, bool failed) {
    std::string_view key = known ? name : std::string_view("<UNKNOWN>");
    std::lock_guard lock(mutex_);
    auto it = commands_.find(key);
    if (it == commands_.end()) it = commands_.emplace(std::string(key), Count{}).first;
    ++it->second.total;
    if (failed) ++it->second.failed;
}

bson::Doc ServerStats::commandCounts() const {
    std::lock_guard lock(mutex_);
    bson::Builder b;
    for (const auto& [name, count] : commands_) {
        // Plain copies into the lambda: clang 14 cannot capture structured bindings.
        int64_t total = count.total;
        int64_t failed = count.failed;
        b.appendDocument(name, [total, failed](bson::Builder& c) {
            c.appendInt64("total", total);
            c.appendInt64("failed", failed);
        });
    }
    return b.finish();
}

}  // namespace cryptd::server
