// Clients that misbehave in time rather than in bytes: one that trickles a message a byte at a
// time, one that never reads its replies. Neither may hold up anybody else, and neither may hold
// a connection (and its memory) forever.

#include <chrono>
#include <cstring>
#include <thread>

#include "hostile/hostile_fixture.h"

namespace cryptd::test::hostile {
namespace {

using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

class SlowClientTest : public HostileDaemonTest {};

Bytes helloMessage() {
    return wire::opMsg(1, bson::Doc::fromJson(R"({"hello": 1, "$db": "admin"})"));
}

// `n` hello requests back to back, for clients that send without reading.
Bytes helloBurst(int n) {
    Bytes hello = helloMessage();
    Bytes burst;
    for (int i = 0; i < n; ++i) burst.insert(burst.end(), hello.begin(), hello.end());
    return burst;
}

// The daemon's bound on receiving one message once it has begun (server/connection.cpp), plus
// slack for a loaded machine.
constexpr auto kMessageDeadline = seconds(10);
constexpr auto kSlack = seconds(5);

TEST_F(SlowClientTest, ATricklingClientBlocksNobodyAndIsTimedOut) {
    Client slow = connect();
    Bytes hello = helloMessage();
    auto started = Clock::now();
    bool closed = false;
    size_t sent = 0;
    // One byte a second. The message is never finished within the daemon's deadline.
    while (Clock::now() - started < kMessageDeadline + kSlack) {
        if (sent + 1 < hello.size()) {
            if (!slow.send(std::span<const uint8_t>(hello.data() + sent, 1))) {
                closed = true;
                break;
            }
            ++sent;
        }
        // Others are served meanwhile, promptly.
        auto before = Clock::now();
        std::string why;
        ASSERT_TRUE(helloWorks(port(), &why, milliseconds(2000))) << why;
        EXPECT_LT(Clock::now() - before, seconds(2));
        if (slow.closedByPeer(milliseconds(1000))) {
            closed = true;
            break;
        }
    }
    auto elapsed = std::chrono::duration_cast<seconds>(Clock::now() - started).count();
    EXPECT_TRUE(closed) << "a client trickling one byte a second was still connected after "
                        << elapsed << " s (" << sent << " bytes sent)";
    // Not before it had a fair chance: a few bytes in a few seconds is not yet a timeout.
    EXPECT_GE(elapsed, 2) << "closed too early";
    expectStillServing();
}

TEST_F(SlowClientTest, AnIdleConnectionBetweenMessagesIsKept) {
    // Drivers keep pooled connections open and silent; only a started message has a deadline.
    Client c = connect();
    Bytes hello = helloMessage();
    ASSERT_TRUE(c.send(hello));
    ASSERT_TRUE(c.receive());
    EXPECT_FALSE(c.closedByPeer(milliseconds(1500)));
    ASSERT_TRUE(c.send(hello));
    EXPECT_TRUE(c.receive());
}

TEST_F(SlowClientTest, PipelinedRequestsAreAnsweredInOrder) {
    // Many requests in one write: the daemon reads them into one buffer and must answer each,
    // in order, not just the first.
    Client c = connect();
    Bytes burst;
    constexpr int kRequests = 200;
    for (int id = 1; id <= kRequests; ++id) {
        Bytes ping = wire::opMsg(id, bson::Doc::fromJson(R"({"ping": 1, "$db": "admin"})"));
        burst.insert(burst.end(), ping.begin(), ping.end());
    }
    ASSERT_TRUE(c.send(burst));
    for (int id = 1; id <= kRequests; ++id) {
        auto reply = c.receive();
        ASSERT_TRUE(reply) << "no reply " << id;
        int32_t responseTo = 0;
        std::memcpy(&responseTo, reply->data() + 8, 4);
        EXPECT_EQ(responseTo, id);
        auto body = replyBody(*reply);
        ASSERT_TRUE(body);
        EXPECT_TRUE(body->view().find("ok")->truthy());
    }
}

TEST_F(SlowClientTest, AStalledMessageBehindAWholeOneIsTimedOut) {
    // One whole request and the first bytes of the next, in one write, then silence: the first
    // is answered and the second's deadline runs from the bytes already received.
    Client c = connect();
    Bytes hello = helloMessage();
    Bytes both = hello;
    both.insert(both.end(), hello.begin(), hello.begin() + 20);
    auto started = Clock::now();
    ASSERT_TRUE(c.send(both));
    ASSERT_TRUE(c.receive());
    EXPECT_TRUE(c.closedByPeer(kMessageDeadline + kSlack));
    EXPECT_GE(Clock::now() - started, kMessageDeadline - seconds(1)) << "closed too early";
    expectStillServing();
}

TEST_F(SlowClientTest, AClientThatNeverReadsBlocksNobody) {
    // A small receive buffer so the daemon's writes back up quickly.
    Client greedy = Client::tcp(port(), 4096);
    Bytes burst = helloBurst(2000);
    // Keep pushing requests without reading; the daemon must stop reading too (backpressure),
    // so our sends eventually stall instead of the daemon buffering without bound.
    size_t rounds = 0;
    bool stalled = false;
    for (; rounds < 200; ++rounds) {
        if (!greedy.send(burst, milliseconds(500))) {
            stalled = true;
            break;
        }
    }
    EXPECT_TRUE(stalled) << "the daemon kept reading " << rounds * burst.size()
                         << " bytes of requests whose replies nobody read";
    // Others are still served while the greedy client sits there.
    for (int i = 0; i < 5; ++i) {
        std::string why;
        EXPECT_TRUE(helloWorks(port(), &why, milliseconds(2000))) << why;
    }
    long rss = residentKiB(daemon_->pid());
    EXPECT_LT(rss, 512 * 1024) << "daemon RSS " << rss << " KiB with one stuck client";
    greedy.close();
    expectStillServing();
}

TEST_F(SlowClientTest, AClientThatNeverReadsDoesNotHoldUpShutdown) {
    Client greedy = Client::tcp(port(), 4096);
    Bytes burst = helloBurst(2000);
    for (int i = 0; i < 50 && greedy.send(burst, milliseconds(300)); ++i) {
    }
    auto started = Clock::now();
    EXPECT_EQ(daemon_->stop(seconds(15)), 0) << daemon_->log();
    EXPECT_LT(Clock::now() - started, seconds(10));
    daemon_.reset();
}

}  // namespace
}  // namespace cryptd::test::hostile
