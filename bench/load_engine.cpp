#include "load_engine.h"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <exception>
#include <memory>
#include <thread>

#include "wire_client.h"
#include "workload.h"

namespace cryptd::bench {

namespace {

using Clock = std::chrono::steady_clock;

// A phase with no reply for this long is reported as stalled instead of hanging the bench.
constexpr int kStallMs = 20'000;

struct Conn {
    int fd = -1;
    int32_t requestId = 0;
    size_t op = 0;
    Clock::time_point sentAt;
    std::vector<uint8_t> out;  // unsent tail of a partial write
    std::vector<uint8_t> in;
    size_t have = 0;
};

// One client thread: its connections, its own copies of the messages (requestIDs are patched
// per send), its own statistics.
class Worker {
  public:
    Worker(std::vector<int> fds, const std::vector<Operation>& mix,
           const std::vector<size_t>& schedule, uint64_t total)
        : schedule_(schedule), remaining_(total), total_(total) {
        for (const auto& op : mix) {
            messages_.push_back(encodeOpMsg(op.command.view(), 0));
            expectOk_.push_back(op.expectOk);
            OpStats s;
            s.name = op.name;
            s.latencyNs.reserve(total / std::max<size_t>(mix.size(), 1) + 16);
            stats_.push_back(std::move(s));
        }
        conns_.resize(fds.size());
        for (size_t i = 0; i < fds.size(); ++i) {
            conns_[i].fd = fds[i];
            conns_[i].in.resize(64 * 1024);
        }
    }

    void run() {
        epoll_ = epoll_create1(EPOLL_CLOEXEC);
        if (epoll_ < 0) throw WireError(std::string("epoll_create1: ") + strerror(errno));
        try {
            loop();
        } catch (...) {
            ::close(epoll_);
            throw;
        }
        ::close(epoll_);
    }

    std::vector<OpStats>& stats() { return stats_; }

  private:
    void loop() {
        for (size_t i = 0; i < conns_.size(); ++i) {
            epoll_event ev{};
            ev.events = EPOLLIN;
            ev.data.u64 = i;
            if (epoll_ctl(epoll_, EPOLL_CTL_ADD, conns_[i].fd, &ev) != 0) {
                throw WireError(std::string("epoll_ctl: ") + strerror(errno));
            }
        }
        for (auto& c : conns_) issue(c);
        std::vector<epoll_event> events(std::max<size_t>(conns_.size(), 1));
        while (completed_ < total_) {
            int n = epoll_wait(epoll_, events.data(), static_cast<int>(events.size()), kStallMs);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) throw WireError(std::string("epoll_wait: ") + strerror(errno));
            if (n == 0) {
                throw WireError("no reply for " + std::to_string(kStallMs / 1000) + " s after " +
                                std::to_string(completed_) + " of " + std::to_string(total_) +
                                " requests");
            }
            for (int i = 0; i < n; ++i) {
                Conn& c = conns_[events[static_cast<size_t>(i)].data.u64];
                if (events[static_cast<size_t>(i)].events & EPOLLOUT) flush(c);
                if (events[static_cast<size_t>(i)].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
                    receive(c);
                }
            }
        }
        for (auto& c : conns_) epoll_ctl(epoll_, EPOLL_CTL_DEL, c.fd, nullptr);
    }

    void issue(Conn& c) {
        if (remaining_ == 0) return;
        --remaining_;
        c.op = schedule_[next_++ % schedule_.size()];
        std::vector<uint8_t>& msg = messages_[c.op];
        setRequestId(msg, ++c.requestId);
        c.have = 0;
        c.sentAt = Clock::now();
        ssize_t n = ::send(c.fd, msg.data(), msg.size(), MSG_NOSIGNAL);
        if (n < 0 && errno != EAGAIN && errno != EINTR) {
            throw WireError(std::string("send: ") + strerror(errno));
        }
        size_t sent = n > 0 ? static_cast<size_t>(n) : 0;
        if (sent < msg.size()) {
            c.out.assign(msg.begin() + static_cast<ptrdiff_t>(sent), msg.end());
            watch(c, EPOLLIN | EPOLLOUT);
        }
    }

    void flush(Conn& c) {
        while (!c.out.empty()) {
            ssize_t n = ::send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
            if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
            if (n < 0) throw WireError(std::string("send: ") + strerror(errno));
            c.out.erase(c.out.begin(), c.out.begin() + n);
        }
        watch(c, EPOLLIN);
    }

    void watch(Conn& c, uint32_t events) {
        epoll_event ev{};
        ev.events = events;
        ev.data.u64 = static_cast<uint64_t>(&c - conns_.data());
        epoll_ctl(epoll_, EPOLL_CTL_MOD, c.fd, &ev);
    }

    void receive(Conn& c) {
        for (;;) {
            size_t need = c.have >= kHeaderBytes ? messageLength(c.in.data()) : kHeaderBytes;
            if (need > c.in.size()) c.in.resize(need);
            if (c.have == need && need > kHeaderBytes) break;
            ssize_t n = ::recv(c.fd, c.in.data() + c.have, c.in.size() - c.have, 0);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && errno == EAGAIN) return;
            if (n == 0) throw WireError("the daemon closed a connection");
            if (n < 0) throw WireError(std::string("recv: ") + strerror(errno));
            c.have += static_cast<size_t>(n);
            if (c.have >= kHeaderBytes && c.have >= messageLength(c.in.data())) break;
        }
        size_t len = messageLength(c.in.data());
        if (c.have > len) throw WireError("more bytes than one reply on a connection");
        auto elapsed = Clock::now() - c.sentAt;
        OpStats& s = stats_[c.op];
        s.latencyNs.push_back(static_cast<uint32_t>(std::min<int64_t>(
            std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count(), UINT32_MAX)));
        ++s.requests;
        bson::View body = decodeReply(c.in.data(), len, c.requestId);
        if (replyOk(body) != expectOk_[c.op]) {
            if (s.unexpected++ == 0) s.firstUnexpected = body.toJson();
        }
        ++completed_;
        issue(c);
    }

    std::vector<size_t> schedule_;
    std::vector<std::vector<uint8_t>> messages_;
    std::vector<bool> expectOk_;
    std::vector<OpStats> stats_;
    std::vector<Conn> conns_;
    uint64_t remaining_;
    uint64_t total_;
    uint64_t completed_ = 0;
    uint64_t next_ = 0;
    int epoll_ = -1;
};

}  // namespace

uint64_t PhaseResult::requests() const {
    uint64_t n = 0;
    for (const auto& s : ops) n += s.requests;
    return n;
}

double percentileUs(std::vector<uint32_t> latencies, double p) {
    if (latencies.empty()) return 0;
    auto rank = static_cast<size_t>(p * static_cast<double>(latencies.size() - 1) + 0.5);
    std::nth_element(latencies.begin(), latencies.begin() + static_cast<ptrdiff_t>(rank),
                     latencies.end());
    return latencies[rank] / 1000.0;
}

LoadEngine::LoadEngine(const Endpoint& endpoint, size_t connections, size_t threads)
    : threads_(std::max<size_t>(1, std::min(threads, std::max<size_t>(connections, 1)))) {
    bson::Doc hello = helloCommand();
    try {
        for (size_t i = 0; i < connections; ++i) {
            int fd = endpoint.unixPath.empty() ? connectTcp(endpoint.host, endpoint.port)
                                               : connectUnix(endpoint.unixPath);
            fds_.push_back(fd);
            BlockingClient client(fd);
            bson::View reply = client.run(hello.view());
            client.release();
            if (!replyOk(reply)) throw WireError("hello failed: " + reply.toJson());
            ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
        }
    } catch (...) {
        for (int fd : fds_) ::close(fd);
        throw;
    }
}

LoadEngine::~LoadEngine() {
    for (int fd : fds_) ::close(fd);
}

PhaseResult LoadEngine::run(const std::vector<Operation>& mix, const std::vector<unsigned>& weights,
                            uint64_t total) {
    std::vector<size_t> schedule;
    for (size_t i = 0; i < mix.size(); ++i) {
        unsigned w = i < weights.size() ? weights[i] : 1;
        for (unsigned k = 0; k < w; ++k) schedule.push_back(i);
    }
    if (schedule.empty()) throw WireError("empty command mix");

    std::vector<std::unique_ptr<Worker>> workers;
    for (size_t t = 0; t < threads_; ++t) {
        std::vector<int> mine;
        for (size_t i = t; i < fds_.size(); i += threads_) mine.push_back(fds_[i]);
        uint64_t share = total / threads_ + (t < total % threads_ ? 1 : 0);
        workers.push_back(std::make_unique<Worker>(std::move(mine), mix, schedule, share));
    }

    auto start = Clock::now();
    if (workers.size() == 1) {
        workers[0]->run();
    } else {
        std::vector<std::exception_ptr> errors(workers.size());
        std::vector<std::thread> running;
        for (size_t t = 0; t < workers.size(); ++t) {
            running.emplace_back([&, t] {
                try {
                    workers[t]->run();
                } catch (...) {
                    errors[t] = std::current_exception();
                }
            });
        }
        for (auto& th : running) th.join();
        for (auto& e : errors) {
            if (e) std::rethrow_exception(e);
        }
    }
    PhaseResult result;
    result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    for (size_t i = 0; i < mix.size(); ++i) {
        OpStats merged;
        merged.name = mix[i].name;
        for (auto& w : workers) {
            OpStats& s = w->stats()[i];
            merged.requests += s.requests;
            if (merged.unexpected == 0 && s.unexpected > 0)
                merged.firstUnexpected = s.firstUnexpected;
            merged.unexpected += s.unexpected;
            merged.latencyNs.insert(merged.latencyNs.end(), s.latencyNs.begin(), s.latencyNs.end());
        }
        result.ops.push_back(std::move(merged));
    }
    return result;
}

uint64_t raiseFileLimit(uint64_t needed) {
    rlimit lim{};
    if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return 0;
    if (lim.rlim_cur < needed) {
        lim.rlim_cur = std::min<rlim_t>(needed, lim.rlim_max);
        setrlimit(RLIMIT_NOFILE, &lim);
        getrlimit(RLIMIT_NOFILE, &lim);
    }
    return lim.rlim_cur;
}

}  // namespace cryptd::bench
