#pragma once
// Closed-loop load over many connections: each connection has exactly one request in flight and
// sends the next as soon as the reply is complete, so latency is measured without queueing in
// the client. One epoll loop per client thread, non-blocking sockets, messages encoded once.
// Every reply is checked (OP_MSG framing, responseTo, `ok`); unexpected replies are counted and
// the first one is kept for the report.

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/bson.h"

namespace cryptd::bench {

struct Endpoint {
    std::string host = "127.0.0.1";
    int port = 0;
    std::string unixPath;  // used instead of host:port when set
};

struct Operation {
    Operation(std::string n, bson::Doc c, bool ok = true)
        : name(std::move(n)), command(std::move(c)), expectOk(ok) {}
    Operation(const Operation& o)
        : name(o.name), command(o.command.clone()), expectOk(o.expectOk) {}
    Operation(Operation&&) = default;
    Operation& operator=(const Operation& o) {
        if (this != &o) *this = Operation(o);
        return *this;
    }
    Operation& operator=(Operation&&) = default;

    std::string name;
    bson::Doc command;
    bool expectOk = true;  // false: an error reply is the expected answer (error paths)
};

struct OpStats {
    std::string name;
    uint64_t requests = 0;
    uint64_t unexpected = 0;          // replies whose `ok` was not what the operation expects
    std::string firstUnexpected;      // that reply, as JSON
    std::vector<uint32_t> latencyNs;  // one per request
};

struct PhaseResult {
    double seconds = 0;        // wall time of the phase
    std::vector<OpStats> ops;  // in the order of the mix
    uint64_t requests() const;
};

// p in [0, 1]; sorts a copy. Microseconds.
double percentileUs(std::vector<uint32_t> latencies, double p);

class LoadEngine {
  public:
    // Opens `connections` connections (each sends a `hello` first, as drivers do), spread over
    // `threads` client threads. Throws WireError when a connection fails.
    LoadEngine(const Endpoint& endpoint, size_t connections, size_t threads = 1);
    LoadEngine(const LoadEngine&) = delete;
    LoadEngine& operator=(const LoadEngine&) = delete;
    ~LoadEngine();

    // Sends `total` requests; request k uses mix[schedule[k % schedule.size()]], where the
    // schedule repeats each operation `weight` times (so a mix is interleaved, not phased).
    PhaseResult run(const std::vector<Operation>& mix, const std::vector<unsigned>& weights,
                    uint64_t total);
    size_t connections() const { return fds_.size(); }

  private:
    std::vector<int> fds_;
    size_t threads_;
};

// Raises the soft RLIMIT_NOFILE to at least `needed` (up to the hard limit). Returns the limit
// now in effect; the caller reports when it is still below `needed`.
uint64_t raiseFileLimit(uint64_t needed);

}  // namespace cryptd::bench
