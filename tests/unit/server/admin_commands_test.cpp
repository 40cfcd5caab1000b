#include "server/admin_commands.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "common/error.h"
#include "server/wire_version.h"

namespace cryptd::server {
namespace {

bson::Doc json(const char* text) {
    return bson::Doc::fromJson(text);
}

struct Fixture {
    ServerOptions options;
    ServerInfo info{
        "0.1.0", "abc123",
        json(R"({"argv": ["mongocryptd", "--port", "0"], "parsed": {"net": {"port": 0}}})")};
    ServerStats stats;
    NullLogger logger;
    std::vector<std::string> shutdownReasons;

    CommandContext ctx() {
        return {
            7, "conn7", "127.0.0.1:5000", info, options, stats, logger, [this](std::string_view r) {
                shutdownReasons.emplace_back(r);
            }};
    }
    bson::Doc run(const char* command) {
        auto cmd = json(command);
        const AdminCommand* c = findAdminCommand(commandName(cmd));
        EXPECT_NE(c, nullptr) << command;
        return c->run(ctx(), cmd.view());
    }
    static std::string_view commandName(const bson::Doc& d) { return d.view().firstKey(); }
};

TEST(AdminCommandsTest, TableIsSortedAndHasTheHandshakeAliases) {
    auto table = adminCommands();
    EXPECT_TRUE(std::is_sorted(table.begin(), table.end(),
                               [](const auto& a, const auto& b) { return a.name < b.name; }));
    for (const char* name : {"hello", "isMaster", "ismaster", "ping", "buildInfo", "buildinfo",
                             "getCmdLineOpts", "shutdown", "endSessions", "serverStatus"}) {
        EXPECT_NE(findAdminCommand(name), nullptr) << name;
    }
    EXPECT_EQ(findAdminCommand("HELLO"), nullptr);  // command names are case-sensitive
    EXPECT_EQ(findAdminCommand("find"), nullptr);   // analysis commands are not admin ones
}

TEST(AdminCommandsTest, HelloSaysCryptdWithInt32WireVersions) {
    Fixture f;
    auto reply = f.run(R"({"hello": 1, "helloOk": true, "maxTimeMS": 5, "$db": "admin"})");
    auto v = reply.view();
    EXPECT_TRUE(v.find("isWritablePrimary")->boolean());
    EXPECT_FALSE(v.find("ismaster"));
    EXPECT_TRUE(v.find("iscryptd")->boolean());
    ASSERT_EQ(v.find("maxWireVersion")->type(), BSON_TYPE_INT32);
    EXPECT_EQ(v.find("maxWireVersion")->int32(), kMaxWireVersion);
    EXPECT_EQ(v.find("minWireVersion")->int32(), 0);
    EXPECT_EQ(v.find("maxBsonObjectSize")->int32(), 16777216);
    EXPECT_EQ(v.find("maxMessageSizeBytes")->int32(), 48000000);
    EXPECT_EQ(v.find("maxWriteBatchSize")->int32(), 100000);
    EXPECT_EQ(v.find("localTime")->type(), BSON_TYPE_DATE_TIME);
    EXPECT_FALSE(v.find("readOnly")->boolean());
    EXPECT_EQ(v.find("connectionId")->int32(), 7);
    EXPECT_TRUE(v.find("helloOk")->boolean());
    EXPECT_FALSE(v.find("setName"));  // no replica set: drivers see a Standalone
    EXPECT_FALSE(v.find("compression"));
}

TEST(AdminCommandsTest, IsMasterIsTheLegacyShapeAndHelloOkOnlyWhenAsked) {
    Fixture f;
    for (const char* cmd : {R"({"isMaster": 1})", R"({"ismaster": 1})"}) {
        auto v = f.run(cmd);
        EXPECT_TRUE(v.view().find("ismaster")->boolean());
        EXPECT_FALSE(v.view().find("isWritablePrimary"));
        EXPECT_FALSE(v.view().find("helloOk"));
        EXPECT_TRUE(v.view().find("iscryptd")->boolean());
    }
}

TEST(AdminCommandsTest, BuildInfoReportsTheCompatibleVersion) {
    Fixture f;
    auto v = f.run(R"({"buildInfo": 1})");
    EXPECT_EQ(v.view().find("version")->utf8(), kCompatibleServerVersion);
    EXPECT_EQ(v.view().find("cryptdVersion")->utf8(), "0.1.0");
    EXPECT_EQ(v.view().find("gitVersion")->utf8(), "abc123");
    // versionArray spells the same version: "8.1.0" -> [8, 1, 0, 0].
    std::string spelled;
    for (auto e : v.view().find("versionArray")->document()) {
        ASSERT_EQ(e.type(), BSON_TYPE_INT32);
        spelled += (spelled.empty() ? "" : ".") + std::to_string(e.int32());
    }
    EXPECT_EQ(spelled, std::string(kCompatibleServerVersion) + ".0");
}

TEST(AdminCommandsTest, GetCmdLineOptsReturnsWhatTheAppParsed) {
    Fixture f;
    EXPECT_EQ(f.run(R"({"getCmdLineOpts": 1})").view().toCanonicalJson(),
              f.info.cmdLineOpts.view().toCanonicalJson());
}

TEST(AdminCommandsTest, ShutdownOnlyOnTheAdminDatabase) {
    Fixture f;
    try {
        f.run(R"({"shutdown": 1, "$db": "test"})");
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::Unauthorized);
    }
    EXPECT_TRUE(f.shutdownReasons.empty());
    f.run(R"({"shutdown": 1, "force": true, "$db": "admin"})");
    EXPECT_EQ(f.shutdownReasons, std::vector<std::string>{"shutdown command"});
}

TEST(AdminCommandsTest, ServerStatusReportsConnectionsAndUptime) {
    Fixture f;
    f.options.maxConns = 10;
    f.stats.connectionOpened();
    f.stats.connectionOpened();
    f.stats.connectionClosed();
    auto v = f.run(R"({"serverStatus": 1})");
    auto c = v.view().find("connections")->document();
    EXPECT_EQ(c.find("current")->int32(), 1);
    EXPECT_EQ(c.find("available")->int32(), 9);
    EXPECT_EQ(c.find("totalCreated")->int64(), 2);
    EXPECT_GE(v.view().find("uptime")->dbl(), 0.0);
    EXPECT_EQ(v.view().find("process")->utf8(), "mongocryptd");
}

TEST(AdminCommandsTest, EndSessionsAndPingAnswerEmpty) {
    Fixture f;
    EXPECT_TRUE(f.run(R"({"endSessions": [{"id": 1}]})").view().empty());
    EXPECT_TRUE(f.run(R"({"ping": 1})").view().empty());
}

}  // namespace
}  // namespace cryptd::server
