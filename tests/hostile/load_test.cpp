// Load and faults against the real daemon: a thousand connections at once, clients vanishing in
// the middle of messages, --maxConns, SIGTERM while requests are in flight, and memory that stays
// flat over many commands.

#include <signal.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "hostile/hostile_fixture.h"

namespace cryptd::test::hostile {
namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kUnderAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kUnderAddressSanitizer = true;
#else
constexpr bool kUnderAddressSanitizer = false;
#endif
#else
constexpr bool kUnderAddressSanitizer = false;
#endif

using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

bson::Doc json(const std::string& text) {
    return bson::Doc::fromJson(text);
}

// Sets this process's soft RLIMIT_NOFILE (clamped to the hard limit); returns the old soft one.
rlim_t setSoftFileLimit(rlim_t wanted) {
    rlimit lim{};
    getrlimit(RLIMIT_NOFILE, &lim);
    rlim_t old = lim.rlim_cur;
    lim.rlim_cur = std::min(wanted, lim.rlim_max);
    setrlimit(RLIMIT_NOFILE, &lim);
    return old;
}

rlim_t hardFileLimit() {
    rlimit lim{};
    getrlimit(RLIMIT_NOFILE, &lim);
    return lim.rlim_max;
}

// "Max open files" soft limit of a running process, from /proc/<pid>/limits.
long softFileLimitOf(int pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/limits");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("Max open files", 0) == 0) {
            return std::strtol(line.c_str() + std::string("Max open files").size(), nullptr, 10);
        }
    }
    return -1;
}

int64_t currentConnections(int port) {
    Client c = Client::tcp(port);
    if (!c.send(wire::opMsg(1, json(R"({"serverStatus": 1, "$db": "admin"})")))) return -1;
    auto msg = c.receive();
    if (!msg) return -1;
    auto body = replyBody(*msg);
    if (!body) return -1;
    auto conns = body->view().find("connections");
    if (!conns || !conns->isDocument()) return -1;
    auto current = conns->document().find("current");
    return current && current->isNumber() ? current->asInt64() : -1;
}

// Waits until serverStatus reports `expected` open connections (the asking one included).
bool connectionsSettleAt(int port, int64_t expected, milliseconds timeout = milliseconds(10000)) {
    auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
        if (currentConnections(port) == expected) return true;
        std::this_thread::sleep_for(milliseconds(50));
    }
    return false;
}

// True once no TCP socket of `pid` has unread received bytes (rx_queue in /proc/net/tcp).
bool daemonReadEverything(int pid, milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
        std::set<std::string> inodes;
        std::error_code ec;
        for (const auto& e :
             std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec)) {
            std::error_code lec;
            std::string t = std::filesystem::read_symlink(e.path(), lec).string();
            if (t.rfind("socket:[", 0) == 0) inodes.insert(t.substr(8, t.size() - 9));
        }
        std::ifstream in("/proc/net/tcp");
        std::string line;
        std::getline(in, line);
        unsigned long unread = 0;
        while (std::getline(in, line)) {
            std::istringstream f(line);
            std::string sl, local, remote, st, queues, timer, retr, uid, to, inode;
            f >> sl >> local >> remote >> st >> queues >> timer >> retr >> uid >> to >> inode;
            if (!inodes.count(inode)) continue;
            unread += std::stoul(queues.substr(queues.find(':') + 1), nullptr, 16);
        }
        if (unread == 0) return true;
        std::this_thread::sleep_for(milliseconds(20));
    }
    return false;
}

// Spawns a daemon the way a user shell would: with the common default soft limit of 1024 open
// files, whatever this test process raised its own limit to.
std::unique_ptr<DaemonProcess> spawnWithDefaultFileLimit(std::vector<std::string> args = {}) {
    rlim_t old = setSoftFileLimit(1024);
    auto d = std::make_unique<DaemonProcess>(std::move(args));
    setSoftFileLimit(old);
    return d;
}

class LoadTest : public ::testing::Test {
  protected:
    void SetUp() override {
        // This process holds a thousand client sockets.
        setSoftFileLimit(hardFileLimit());
    }
    void start(std::vector<std::string> args = {}) {
        daemon_ = spawnWithDefaultFileLimit(std::move(args));
        ASSERT_TRUE(daemon_->waitUntilReady()) << daemon_->log();
    }
    void expectStillServing() {
        std::string why;
        EXPECT_TRUE(helloWorks(daemon_->port(), &why)) << why << "\n" << daemon_->log();
    }
    void TearDown() override {
        if (daemon_) {
            EXPECT_EQ(daemon_->stop(), 0) << daemon_->log();
        }
    }
    std::unique_ptr<DaemonProcess> daemon_;
};

TEST_F(LoadTest, ServesOneThousandConcurrentConnections) {
    start({"--quiet"});
    constexpr int kClients = 1000;
    ASSERT_GE(hardFileLimit(), rlim_t(kClients + 64)) << "hard RLIMIT_NOFILE too low to test";
    std::vector<Client> clients;
    clients.reserve(kClients);
    for (int i = 0; i < kClients; ++i) clients.push_back(Client::tcp(daemon_->port()));
    // All requests first, then all replies: the daemon holds every connection at once.
    for (int i = 0; i < kClients; ++i) {
        ASSERT_TRUE(clients[i].send(wire::opMsg(i + 1, json(R"({"hello": 1, "$db": "admin"})"))))
            << "client " << i;
    }
    EXPECT_GE(currentConnections(daemon_->port()), kClients + 1);
    for (int i = 0; i < kClients; ++i) {
        auto reply = clients[i].receive(milliseconds(10000));
        ASSERT_TRUE(reply) << "client " << i << " got no reply\n" << daemon_->log();
        EXPECT_EQ(wire::readInt32(*reply, 8), i + 1);
    }
    clients.clear();
    EXPECT_TRUE(connectionsSettleAt(daemon_->port(), 1));
    expectStillServing();
}

// The daemon should raise its own soft RLIMIT_NOFILE to the hard limit at start (as many servers
// do), so a default shell limit of 1024 does not cap it at ~1000 clients. Not done yet: see
// SECURITY.md ("Known gaps"). Enable once src/app raises the limit.
TEST_F(LoadTest, DISABLED_RaisesItsOwnOpenFileLimit) {
    start();
    long soft = softFileLimitOf(daemon_->pid());
    long wanted = static_cast<long>(std::min<rlim_t>(hardFileLimit(), 65536));
    EXPECT_GE(soft, wanted) << "the daemon runs with a soft open-file limit of " << soft;
}

TEST_F(LoadTest, ClientsDisconnectingMidMessageLeaveNothingBehind) {
    start({"--quiet"});
    int port = daemon_->port();
    long rssBefore = residentKiB(daemon_->pid());
    std::mt19937 rng(8);
    bson::Builder big;
    big.appendUtf8("insert", "c");
    big.appendArray("documents", [](bson::Builder& docs) {
        char key[16];
        for (uint32_t i = 0; i < 200; ++i) {
            docs.appendDocument(bson::arrayKey(i, key), [](bson::Builder& d) {
                d.appendUtf8("ssn", "123-45-6789");
                d.appendUtf8("name", std::string(100, 'n'));
            });
        }
    });
    big.appendDocument("jsonSchema", ssnSchema().view());
    big.appendBool("isRemoteSchema", false);
    big.appendUtf8("$db", "test");
    Bytes request = wire::opMsg(1, big.finish());
    for (int i = 0; i < 400; ++i) {
        Client c = Client::tcp(port);
        // Cut anywhere: inside the header, inside the body, or after the whole message (the
        // reply then has nobody to go to).
        size_t cut = std::uniform_int_distribution<size_t>(1, request.size())(rng);
        c.send(std::span<const uint8_t>(request.data(), cut));
        if (i % 2 == 0) {
            c.reset();
        } else {
            c.close();
        }
    }
    EXPECT_TRUE(connectionsSettleAt(port, 1)) << "connections left open after their clients left";
    long rssAfter = residentKiB(daemon_->pid());
    EXPECT_LT(rssAfter - rssBefore, 64 * 1024) << rssBefore << " KiB -> " << rssAfter << " KiB";
    expectStillServing();
}

TEST_F(LoadTest, MaxConnsIsHonouredWithAClearLogLine) {
    start({"--maxConns", "5"});
    int port = daemon_->port();
    std::vector<Client> held;
    for (int i = 0; i < 5; ++i) {
        held.push_back(Client::tcp(port));
        ASSERT_TRUE(held.back().send(wire::opMsg(1, json(R"({"ping": 1, "$db": "admin"})"))));
        ASSERT_TRUE(held.back().receive()) << "connection " << i << " within the limit";
    }
    Client extra = Client::tcp(port);  // the kernel accepts; the daemon closes it at once
    extra.send(wire::opMsg(1, json(R"({"ping": 1, "$db": "admin"})")));
    EXPECT_FALSE(extra.receive(milliseconds(2000)));
    auto line = daemon_->waitForLog(22942);
    ASSERT_TRUE(line) << daemon_->log();
    EXPECT_NE(line->find("too many open connections"), std::string::npos) << *line;
    // Freeing a slot lets the next client in.
    held.pop_back();
    auto deadline = Clock::now() + seconds(5);
    std::string why;
    bool served = false;
    while (!served && Clock::now() < deadline) {
        served = helloWorks(port, &why, milliseconds(1000));
        if (!served) std::this_thread::sleep_for(milliseconds(50));
    }
    EXPECT_TRUE(served) << why;
}

TEST_F(LoadTest, SigtermUnderLoadFinishesInFlightReplies) {
    start();
    int port = daemon_->port();
    // Requests that take the engine a while each: inserts of 5,000 marked documents.
    bson::Builder b;
    b.appendUtf8("insert", "c");
    b.appendArray("documents", [](bson::Builder& docs) {
        char key[16];
        for (uint32_t i = 0; i < 5'000; ++i) {
            docs.appendDocument(bson::arrayKey(i, key),
                                [](bson::Builder& d) { d.appendUtf8("ssn", "123-45-6789"); });
        }
    });
    b.appendDocument("jsonSchema", ssnSchema().view());
    b.appendBool("isRemoteSchema", false);
    b.appendUtf8("$db", "test");
    Bytes request = wire::opMsg(1, b.finish());
    // Calibrate on this machine and build (release, sanitizers, a loaded box): enough requests
    // to keep the analysis pool busy for ~1.5 s after SIGTERM, well within the 5 s grace.
    // The fastest of three (the first also parses and caches the schema).
    auto one = Clock::duration::max();
    {
        Client c = Client::tcp(port);
        for (int i = 0; i < 3; ++i) {
            auto t0 = Clock::now();
            ASSERT_TRUE(c.send(request));
            ASSERT_TRUE(c.receive(milliseconds(15000)));
            one = std::min(one, Clock::now() - t0);
        }
    }
    one = std::max(one, Clock::duration(milliseconds(1)));
    int clientsWanted = static_cast<int>(milliseconds(3000) / one);
    const int kClients = std::clamp(clientsWanted, 4, 300);
    std::vector<Client> clients;
    for (int i = 0; i < kClients; ++i) clients.push_back(Client::tcp(port));
    for (auto& c : clients) ASSERT_TRUE(c.send(request));
    // "In flight" = received by the daemon: wait until the kernel holds no unread request bytes
    // for it (they are then parsed and queued for the analysis pool), then stop it at once.
    ASSERT_TRUE(daemonReadEverything(daemon_->pid(), milliseconds(20000))) << daemon_->log();
    auto signalled = Clock::now();
    daemon_->signal(SIGTERM);
    int replies = 0;
    for (int i = 0; i < kClients; ++i) {
        auto msg = clients[i].receive(milliseconds(15000));
        if (!msg) {
            ADD_FAILURE() << "client " << i << ": no complete reply";
            continue;
        }
        auto body = replyBody(*msg);
        ASSERT_TRUE(body) << "client " << i << ": a truncated or invalid reply";
        EXPECT_TRUE(isOkReply(*body)) << body->toJson().substr(0, 300);
        ++replies;
        EXPECT_TRUE(clients[i].closedByPeer()) << "connection left open after shutdown";
    }
    EXPECT_EQ(replies, kClients) << "requests received before SIGTERM went unanswered\n"
                                 << daemon_->log();
    auto code = daemon_->waitForExit(seconds(15));
    ASSERT_TRUE(code) << "daemon still running after SIGTERM\n" << daemon_->log();
    EXPECT_EQ(*code, 0) << daemon_->log();
    // It really was busy: answering them took a good part of the estimated work after SIGTERM.
    auto afterSignal = Clock::now() - signalled;
    EXPECT_GT(afterSignal, one * kClients / 8)
        << kClients << " requests of ~" << std::chrono::duration_cast<milliseconds>(one).count()
        << " ms each";
    // New connections are refused once it is gone; the pid file is left empty.
    EXPECT_FALSE(Client::tryTcp("127.0.0.1", port).has_value());
    std::ifstream pid(daemon_->pidFilePath());
    std::string content((std::istreambuf_iterator<char>(pid)), std::istreambuf_iterator<char>());
    EXPECT_TRUE(content.empty()) << content;
    daemon_.reset();
}

// Memory stays flat over many commands: a leak of a few dozen bytes per command shows here.
// CRYPTD_LOAD_COMMANDS scales it: the default (100,000) keeps `make test` short; run it with
// 1000000 for the full check (flat at ~6 MB RSS when last measured, see tests/hostile/README.md).
// Under AddressSanitizer the RSS check is skipped (its quarantine holds freed memory on purpose;
// LeakSanitizer checks leaks at exit instead).
TEST_F(LoadTest, ManyCommandsKeepMemoryFlat) {
    start({"--quiet"});
    int port = daemon_->port();
    long total = 100'000;
    if (const char* env = std::getenv("CRYPTD_LOAD_COMMANDS")) total = std::atol(env);
    constexpr int kConnections = 4;
    // A mix: analysed find and insert with a schema (schema cache hits), plus pings. moreToCome
    // means no replies: the client streams, the daemon's reading is the only limit.
    std::vector<Bytes> mix;
    std::string schema = ssnSchemaJson();
    mix.push_back(wire::opMsg(1,
                              json(R"({"find": "c", "filter": {"ssn": "123-45-6789", "x": 1},
        "isRemoteSchema": false, "$db": "test", "jsonSchema": )" +
                                   schema + "}"),
                              2));
    mix.push_back(wire::opMsg(2,
                              json(R"({"insert": "c", "documents": [{"ssn": "1", "y": [1, 2]}],
        "isRemoteSchema": false, "$db": "test", "jsonSchema": )" +
                                   schema + "}"),
                              2));
    mix.push_back(wire::opMsg(3, json(R"({"ping": 1, "$db": "admin"})"), 2));
    mix.push_back(wire::opMsg(4, json(R"({"frobnicate": 1, "$db": "test"})"), 2));
    Bytes batch;
    constexpr int kPerBatch = 1000;
    for (int i = 0; i < kPerBatch; ++i)
        batch.insert(batch.end(), mix[i % mix.size()].begin(), mix[i % mix.size()].end());
    std::vector<Client> clients;
    for (int i = 0; i < kConnections; ++i) clients.push_back(Client::tcp(port));
    Bytes hello = wire::opMsg(99, json(R"({"hello": 1, "$db": "admin"})"));
    // Sends `batches` per connection, then one request with a reply on each: the reply arrives
    // after every earlier request on that connection was handled.
    auto run = [&](long batches) {
        for (long b = 0; b < batches; ++b) {
            for (auto& c : clients) ASSERT_TRUE(c.send(batch, milliseconds(30000)));
        }
        for (auto& c : clients) {
            ASSERT_TRUE(c.send(hello));
            ASSERT_TRUE(c.receive(milliseconds(60000))) << daemon_->log();
        }
    };
    long batches = std::max<long>(2, total / (kPerBatch * kConnections));
    // Warm up (allocator pools, schema cache, thread stacks), then measure the rest.
    long warm = std::max<long>(1, batches / 10);
    run(warm);
    long rssWarm = residentKiB(daemon_->pid());
    auto started = Clock::now();
    run(batches - warm);
    double secs = std::chrono::duration<double>(Clock::now() - started).count();
    long rssEnd = residentKiB(daemon_->pid());
    long commands = batches * kPerBatch * kConnections;
    RecordProperty("commands", std::to_string(commands));
    RecordProperty("rss_warm_kib", std::to_string(rssWarm));
    RecordProperty("rss_end_kib", std::to_string(rssEnd));
    std::printf("%ld commands; RSS after warm-up %ld KiB, at the end %ld KiB; %.0f commands/s\n",
                commands, rssWarm, rssEnd, (commands - warm * kPerBatch * kConnections) / secs);
    if (kUnderAddressSanitizer) {
        expectStillServing();
        GTEST_SKIP() << "RSS is not meaningful under AddressSanitizer";
    }
    EXPECT_LT(rssEnd - rssWarm, 4 * 1024) << "RSS grew from " << rssWarm << " KiB to " << rssEnd
                                          << " KiB over " << commands << " commands";
    expectStillServing();
}

}  // namespace
}  // namespace cryptd::test::hostile
