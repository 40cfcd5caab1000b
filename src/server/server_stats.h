#pragma once
// Counters behind serverStatus: connections and per-command totals. Thread-safe (commands are
// counted and connections opened/closed on the I/O and dispatch threads).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "common/bson.h"

namespace cryptd::server {

class ServerStats {
  public:
    ServerStats();

    void connectionOpened();
    void connectionClosed();
    void connectionRejected();
    int64_t currentConnections() const { return current_.load(); }
    int64_t totalConnections() const { return totalCreated_.load(); }
    int64_t rejectedConnections() const { return rejected_.load(); }

    // `name` must be a command the server knows; anything else is counted as "<UNKNOWN>" so a
    // client cannot grow the table without bound.
    void commandRun(std::string_view name, bool known, bool failed);
    // {<name>: {total: int64, failed: int64}, ...} sorted by name.
    bson::Doc commandCounts() const;

    std::chrono::steady_clock::time_point startedAt() const { return started_; }

  private:
    struct Count {
        int64_t total = 0;
        int64_t failed = 0;
    };

    const std::chrono::steady_clock::time_point started_;
    std::atomic<int64_t> current_{0};
    std::atomic<int64_t> totalCreated_{0};
    std::atomic<int64_t> rejected_{0};
    mutable std::mutex mutex_;
    std::map<std::string, Count, std::less<>> commands_;
};

}  // namespace cryptd::server
