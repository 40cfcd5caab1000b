// Malformed and unusual wire traffic against the real daemon: each bad connection is closed or
// answered, and the daemon goes on serving others.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "raw_socket.h"
#include "support/daemon_process.h"
#include "support/wire_builder.h"

namespace cryptd::test {
namespace {

bson::Doc json(const char* text) {
    return bson::Doc::fromJson(text);
}

class WireRobustnessTest : public ::testing::Test {
  protected:
    void SetUp() override { ASSERT_TRUE(daemon_.waitUntilReady()) << daemon_.log(); }
    void TearDown() override { EXPECT_EQ(daemon_.stop(), 0) << daemon_.log(); }

    RawSocket connect() { return RawSocket::tcp(daemon_.port()); }

    static bson::Doc roundTrip(RawSocket& s, const std::vector<uint8_t>& request) {
        EXPECT_TRUE(s.send(request));
        auto reply = s.receive();
        if (!reply) {
            ADD_FAILURE() << "no reply";
            return {};
        }
        return wire::replyBody(*reply);
    }

    // A fresh connection still gets a proper hello.
    void expectStillServing() {
        RawSocket s = connect();
        auto reply = roundTrip(s, wire::opMsg(99, json(R"({"hello": 1, "$db": "admin"})")));
        auto iscryptd = reply.view().find("iscryptd");
        ASSERT_TRUE(iscryptd.has_value()) << reply.toJson();
        EXPECT_TRUE(iscryptd->boolean());
    }

    DaemonProcess daemon_;
};

TEST_F(WireRobustnessTest, JunkBytesCloseTheConnection) {
    RawSocket s = connect();
    std::string http = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
    ASSERT_TRUE(s.send(std::vector<uint8_t>(http.begin(), http.end())));
    EXPECT_TRUE(s.closedByPeer());
    expectStillServing();
    EXPECT_TRUE(daemon_.waitForLog(9100002).has_value()) << daemon_.log();
}

TEST_F(WireRobustnessTest, ATruncatedFrameNeitherBlocksOthersNorSurvivesItsEnd) {
    RawSocket s = connect();
    auto msg = wire::opMsg(1, json(R"({"ping": 1, "$db": "admin"})"));
    msg.resize(msg.size() / 2);
    ASSERT_TRUE(s.send(msg));
    expectStillServing();  // while the half message waits
    s.shutdownWrite();
    EXPECT_TRUE(s.closedByPeer());
    expectStillServing();
}

TEST_F(WireRobustnessTest, ATwoGigabyteLengthIsRefusedAtOnce) {
    RawSocket s = connect();
    std::vector<uint8_t> header;
    wire::putInt32(header, 0x7FFFFFFF);
    wire::putInt32(header, 1);
    wire::putInt32(header, 0);
    wire::putInt32(header, 2013);
    ASSERT_TRUE(s.send(header));
    EXPECT_TRUE(s.closedByPeer(std::chrono::seconds(2)));
    expectStillServing();
}

TEST_F(WireRobustnessTest, AnUnknownOpcodeClosesTheConnection) {
    RawSocket s = connect();
    auto msg = wire::opMsg(1, json(R"({"ping": 1})"));
    wire::patchInt32(msg, 12, 9999);
    ASSERT_TRUE(s.send(msg));
    EXPECT_TRUE(s.closedByPeer());
    expectStillServing();
}

TEST_F(WireRobustnessTest, ABadChecksumClosesTheConnection) {
    RawSocket s = connect();
    auto msg = wire::opMsg(1, json(R"({"ping": 1, "$db": "admin"})"), 0, {}, true);
    msg[msg.size() - 1] ^= 0xFF;
    ASSERT_TRUE(s.send(msg));
    EXPECT_TRUE(s.closedByPeer());
    expectStillServing();
}

TEST_F(WireRobustnessTest, AChecksummedRequestGetsAChecksummedReply) {
    RawSocket s = connect();
    ASSERT_TRUE(s.send(wire::opMsg(5, json(R"({"ping": 1, "$db": "admin"})"), 0, {}, true)));
    auto reply = s.receive();
    ASSERT_TRUE(reply);
    EXPECT_EQ(wire::readInt32(*reply, 8), 5);
    EXPECT_EQ(wire::readInt32(*reply, 16) & 1, 1);
    EXPECT_EQ(static_cast<uint32_t>(wire::readInt32(*reply, reply->size() - 4)),
              wire::crc32cBitwise(reply->data(), reply->size() - 4));
}

TEST_F(WireRobustnessTest, LegacyOpQueryHandshakeGetsAnOpReply) {
    RawSocket s = connect();
    ASSERT_TRUE(
        s.send(wire::opQuery(3, "admin.$cmd", json(R"({"isMaster": 1, "helloOk": true})"))));
    auto reply = s.receive();
    ASSERT_TRUE(reply);
    EXPECT_EQ(wire::readInt32(*reply, 12), 1);  // OP_REPLY
    EXPECT_EQ(wire::readInt32(*reply, 8), 3);
    auto body = wire::replyBody(*reply);
    EXPECT_TRUE(body.view().find("ismaster")->boolean());
    EXPECT_TRUE(body.view().find("helloOk")->boolean());
    EXPECT_EQ(body.view().find("maxWireVersion")->type(), BSON_TYPE_INT32);
    // The same connection then speaks OP_MSG, as drivers do after the handshake.
    auto ping = roundTrip(s, wire::opMsg(4, json(R"({"ping": 1, "$db": "admin"})")));
    EXPECT_EQ(ping.view().find("ok")->dbl(), 1.0);
}

TEST_F(WireRobustnessTest, MoreToComeGetsNoReply) {
    RawSocket s = connect();
    ASSERT_TRUE(s.send(wire::opMsg(1, json(R"({"ping": 1, "$db": "admin"})"), 1u << 1)));
    ASSERT_TRUE(s.send(wire::opMsg(2, json(R"({"hello": 1, "$db": "admin"})"))));
    auto reply = s.receive();
    ASSERT_TRUE(reply);
    EXPECT_EQ(wire::readInt32(*reply, 8), 2);  // the first reply answers the second request
}

TEST_F(WireRobustnessTest, CommandErrorsKeepTheConnectionOpen) {
    RawSocket s = connect();
    auto error = roundTrip(s, wire::opMsg(1, json(R"({"frobnicate": 1, "$db": "test"})")));
    EXPECT_EQ(error.view().find("ok")->dbl(), 0.0);
    EXPECT_EQ(error.view().find("code")->int32(), 59);
    EXPECT_EQ(error.view().find("codeName")->utf8(), "CommandNotFound");
    EXPECT_EQ(error.view().find("errmsg")->utf8(), "no such command: 'frobnicate'");
    auto ping = roundTrip(s, wire::opMsg(2, json(R"({"ping": 1, "$db": "admin"})")));
    EXPECT_EQ(ping.view().find("ok")->dbl(), 1.0);
}

TEST_F(WireRobustnessTest, DocumentSequencesAndNoopCompressionAreAccepted) {
    RawSocket s = connect();
    auto doc = json(R"({"x": 1})");
    auto seq = roundTrip(s, wire::opMsg(1, json(R"({"ping": 1, "$db": "admin"})"), 0,
                                        {{"documents", {&doc, &doc}}}));
    EXPECT_EQ(seq.view().find("ok")->dbl(), 1.0);
    auto compressed =
        roundTrip(s, wire::opCompressed(2, wire::opMsg(2, json(R"({"ping": 1, "$db": "a"})"))));
    EXPECT_EQ(compressed.view().find("ok")->dbl(), 1.0);
}

TEST_F(WireRobustnessTest, ServesManyConnectionsAtOnce) {
    std::vector<RawSocket> sockets;
    for (int i = 0; i < 64; ++i) sockets.push_back(connect());
    for (size_t i = 0; i < sockets.size(); ++i) {
        ASSERT_TRUE(sockets[i].send(
            wire::opMsg(static_cast<int32_t>(i + 1), json(R"({"hello": 1, "$db": "admin"})"))));
    }
    for (size_t i = 0; i < sockets.size(); ++i) {
        auto reply = sockets[i].receive();
        ASSERT_TRUE(reply) << "connection " << i;
        EXPECT_EQ(wire::readInt32(*reply, 8), static_cast<int32_t>(i + 1));
    }
}

TEST_F(WireRobustnessTest, TheUnixSocketSpeaksTheSameProtocol) {
    ASSERT_FALSE(daemon_.socketPath().empty()) << daemon_.log();
    RawSocket s = RawSocket::unixSocket(daemon_.socketPath());
    auto reply = roundTrip(s, wire::opMsg(1, json(R"({"hello": 1, "$db": "admin"})")));
    EXPECT_TRUE(reply.view().find("iscryptd")->boolean());
}

}  // namespace
}  // namespace cryptd::test
