// The front door: registry lookup, schema arguments, schema cache, reply shape.
#include "analysis/analyzer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "analysis_test_util.h"

namespace cryptd::analysis::test {
namespace {

TEST(AnalyzerTest, HandlesExactlyTheRegisteredCommands) {
    Analyzer a;
    for (const char* name :
         {"find", "count", "distinct", "insert", "update", "delete", "findAndModify",
          "findandmodify", "explain", "create", "collMod", "createIndexes", "aggregate"}) {
        EXPECT_TRUE(a.handles(name)) << name;
    }
    for (const char* name : {"bulkWrite", "Find", "isMaster", "ping", ""}) {
        EXPECT_FALSE(a.handles(name)) << name;
    }
    expectError([&] { a.analyze(bson::Doc::fromJson(R"({"bulkWrite": 1})").view()); },
                ErrorCode::CommandNotFound, "no such command: 'bulkWrite'");
    expectError([&] { a.analyze(bson::Doc().view()); }, ErrorCode::CommandNotFound,
                "no such command");
}

TEST(AnalyzerTest, ReplyShapeAndOrder) {
    Analyzer a;
    bson::Doc cmd = bson::Doc::fromJson(
        withStandardSchema(R"({"find": "c", "filter": {"ssn": "1"}, "$db": "db"})"));
    bson::Doc reply = a.analyze(cmd.view());
    std::vector<std::string> keys;
    for (bson::Element e : reply.view()) keys.emplace_back(e.key());
    EXPECT_EQ(keys, (std::vector<std::string>{"hasEncryptionPlaceholders",
                                              "schemaRequiresEncryption", "result"}));
    EXPECT_TRUE(reply.view().find("hasEncryptionPlaceholders")->boolean());
    EXPECT_FALSE(reply.view().find("result")->document().find("$db").has_value());
    EXPECT_FALSE(reply.view().find("result")->document().find("jsonSchema").has_value());
    EXPECT_TRUE(bson::isValid(reply.data(), reply.size()));
}

TEST(AnalyzerTest, SchemaErrorsSurface) {
    Analyzer a;
    bson::Doc cmd = bson::Doc::fromJson(
        R"({"find": "c", "filter": {}, "jsonSchema": {"properties": {"a": {"encrypt": 1}}}, "isRemoteSchema": true})");
    expectError([&] { a.analyze(cmd.view()); }, ErrorCode::TypeMismatch,
                "'encrypt' must be an object");
}

// One Analyzer serves all connections.
TEST(AnalyzerTest, ConcurrentUseGivesTheSameAnswers) {
    Analyzer a;
    bson::Doc cmd = bson::Doc::fromJson(
        withStandardSchema(R"({"insert": "c", "documents": [{"ssn": "1", "age": 3}]})"));
    std::string expected = a.analyze(cmd.view()).toCanonicalJson();
    std::vector<std::thread> threads;
    std::atomic<int> mismatches{0};
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 200; ++i) {
                if (a.analyze(cmd.view()).toCanonicalJson() != expected) ++mismatches;
            }
        });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(mismatches.load(), 0);
}

}  // namespace
}  // namespace cryptd::analysis::test
