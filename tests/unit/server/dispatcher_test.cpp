#include "server/dispatcher.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "analysis/analyzer.h"
#include "common/error.h"

namespace cryptd::server {
namespace {

bson::Doc json(const char* text) {
    return bson::Doc::fromJson(text);
}

// A dispatcher plus everything a command context needs, with a scripted analysis engine.
struct Fixture {
    ServerOptions options;
    ServerInfo info{"0.1.0", "abc123", json(R"({"argv": ["mongocryptd"], "parsed": {}})")};
    ServerStats stats;
    NullLogger logger;
    std::vector<std::string> shutdownReasons;
    std::vector<std::string> analyzed;  // canonical JSON of each command the engine received

    CommandContext ctx() {
        return {
            7, "conn7", "127.0.0.1:5000", info, options, stats, logger, [this](std::string_view r) {
                shutdownReasons.emplace_back(r);
            }};
    }

    // Handles "find" (returns an analysis body), "insert" (throws a command error) and
    // "delete" (throws something that is not cryptd::Error).
    AnalysisRoute scripted() {
        return {[](std::string_view name) {
                    return name == "find" || name == "insert" || name == "delete" ||
                           name == "hello";
                },
                [this](bson::View command) -> bson::Doc {
                    analyzed.push_back(command.toCanonicalJson());
                    auto name = command.firstKey();
                    if (name == "insert") fail(ErrorCode::FailedToParse, "bad schema");
                    if (name == "delete") throw std::runtime_error("boom");
                    return json(R"({"hasEncryptionPlaceholders": false,
                                    "schemaRequiresEncryption": false, "result": {"find": "c"}})");
                }};
    }
};

void expectError(const bson::Doc& reply, int code, const std::string& codeName,
                 const std::string& errmsg) {
    auto v = reply.view();
    ASSERT_TRUE(v.find("ok"));
    EXPECT_EQ(v.find("ok")->type(), BSON_TYPE_DOUBLE);
    EXPECT_EQ(v.find("ok")->dbl(), 0.0);
    EXPECT_EQ(v.find("code")->int32(), code);
    EXPECT_EQ(v.find("codeName")->utf8(), codeName);
    EXPECT_EQ(v.find("errmsg")->utf8(), errmsg);
}

TEST(DispatcherTest, UnknownCommandIsCommandNotFound) {
    Fixture f;
    Dispatcher d(f.scripted());
    expectError(d.dispatch(json(R"({"frobnicate": 1, "$db": "test"})").view(), f.ctx()), 59,
                "CommandNotFound", "no such command: 'frobnicate'");
    expectError(d.dispatch(bson::View(), f.ctx()), 59, "CommandNotFound", "no such command: ''");
}

TEST(DispatcherTest, AnalysisCommandsGetTheWholeBodyAndOkAppended) {
    Fixture f;
    Dispatcher d(f.scripted());
    auto cmd = json(R"({"find": "c", "filter": {}, "jsonSchema": {}, "isRemoteSchema": true,
                        "$db": "test", "lsid": {"id": 1}})");
    auto reply = d.dispatch(cmd.view(), f.ctx());
    ASSERT_EQ(f.analyzed.size(), 1u);
    EXPECT_EQ(f.analyzed[0], cmd.view().toCanonicalJson());  // nothing stripped
    EXPECT_EQ(reply.view().toCanonicalJson(),
              json(R"({"hasEncryptionPlaceholders": false, "schemaRequiresEncryption": false,
                       "result": {"find": "c"}, "ok": {"$numberDouble": "1.0"}})")
                  .view()
                  .toCanonicalJson());
}

TEST(DispatcherTest, AnOkInTheBodyIsReplacedNotDuplicated) {
    Fixture f;
    AnalysisRoute withOwnOk{[](std::string_view name) { return name == "find"; },
                            [](bson::View) { return json(R"({"a": 1, "ok": 0, "b": 2})"); }};
    Dispatcher d(withOwnOk);
    auto reply = d.dispatch(json(R"({"find": "c"})").view(), f.ctx());
    EXPECT_EQ(reply.view().toCanonicalJson(),
              json(R"({"a": 1, "b": 2, "ok": {"$numberDouble": "1.0"}})").view().toCanonicalJson());
}

TEST(DispatcherTest, CommandErrorsBecomeErrorReplies) {
    Fixture f;
    Dispatcher d(f.scripted());
    expectError(d.dispatch(json(R"({"insert": "c"})").view(), f.ctx()), 9, "FailedToParse",
                "bad schema");
}

TEST(DispatcherTest, OtherExceptionsBecomeInternalError) {
    Fixture f;
    Dispatcher d(f.scripted());
    auto reply = d.dispatch(json(R"({"delete": "c"})").view(), f.ctx());
    EXPECT_EQ(reply.view().find("code")->int32(), 1);
    EXPECT_EQ(reply.view().find("codeName")->utf8(), "InternalError");
    EXPECT_NE(std::string(reply.view().find("errmsg")->utf8()).find("boom"), std::string::npos);
}

TEST(DispatcherTest, AdminTableWinsOverTheAnalysisRegistry) {
    Fixture f;
    Dispatcher d(f.scripted());  // claims "hello" too
    auto reply = d.dispatch(json(R"({"hello": 1})").view(), f.ctx());
    EXPECT_TRUE(f.analyzed.empty());
    EXPECT_TRUE(reply.view().find("iscryptd")->boolean());
}

TEST(DispatcherTest, RoutesToTheRealAnalyzerRegistry) {
    Fixture f;
    analysis::Analyzer analyzer;
    Dispatcher d(AnalysisRoute::to(analyzer));
    // Whatever the registry holds today, a name it does not handle is CommandNotFound.
    ASSERT_FALSE(analyzer.handles("noSuchAnalysisCommand"));
    expectError(d.dispatch(json(R"({"noSuchAnalysisCommand": 1})").view(), f.ctx()), 59,
                "CommandNotFound", "no such command: 'noSuchAnalysisCommand'");
    auto ping = d.dispatch(json(R"({"ping": 1, "$db": "admin"})").view(), f.ctx());
    EXPECT_EQ(ping.view().find("ok")->dbl(), 1.0);
}

TEST(DispatcherTest, CountsCommandsForServerStatus) {
    Fixture f;
    Dispatcher d(f.scripted());
    d.dispatch(json(R"({"ping": 1})").view(), f.ctx());
    d.dispatch(json(R"({"ping": 1})").view(), f.ctx());
    d.dispatch(json(R"({"insert": "c"})").view(), f.ctx());
    d.dispatch(json(R"({"whatever1": 1})").view(), f.ctx());
    d.dispatch(json(R"({"whatever2": 1})").view(), f.ctx());
    auto status = d.dispatch(json(R"({"serverStatus": 1})").view(), f.ctx());
    auto commands = status.view().find("metrics")->document().find("commands")->document();
    EXPECT_EQ(commands.find("ping")->document().find("total")->int64(), 2);
    EXPECT_EQ(commands.find("ping")->document().find("failed")->int64(), 0);
    EXPECT_EQ(commands.find("insert")->document().find("failed")->int64(), 1);
    // Unknown names share one counter, so clients cannot grow the table.
    EXPECT_EQ(commands.find("<UNKNOWN>")->document().find("total")->int64(), 2);
    EXPECT_FALSE(commands.find("whatever1"));
}

}  // namespace
}  // namespace cryptd::server
