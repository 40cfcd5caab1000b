// The front door: registry lookup, schema arguments, schema cache, reply shape.
#include "analysis/analyzer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "analysis/command_registry.h"
#include "analysis/namespace_schemas.h"
#include "analysis_test_util.h"
#include "schema/encryption_schema.h"

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

// The front door (schema cache, each thread's memo, analyzeCheckedCommand) answers like the plain
// sequence: registry lookup, readSchemaSource, NamespaceSchemas::read or parse, analyzeCommand
// (reply bytes, or error code and message).
std::string outcome(const std::function<bson::Doc()>& run) {
    try {
        return "reply " + run().toCanonicalJson();
    } catch (const Error& e) {
        return "error " + std::to_string(static_cast<int>(e.code())) + " " + e.reason();
    }
}

bson::Doc referenceAnalyze(bson::View command) {
    std::string_view name = command.firstKey();
    if (!CommandRegistry::instance().find(name)) failNoSuchCommand(name);
    SchemaSource source = readSchemaSource(command, name);
    auto parse = [](bson::View s, bool remote) {
        return schema::EncryptionSchema::parse(s, remote);
    };
    if (source.namespaces) {
        NamespaceSchemas multi = NamespaceSchemas::read(command, name, source, parse);
        return analyzeCommand(command, multi.primary(), &multi);
    }
    auto parsed =
        schema::EncryptionSchema::parse(source.single.jsonSchema, source.single.isRemoteSchema);
    return analyzeCommand(command, parsed.get());
}

TEST(AnalyzerTest, FrontDoorAnswersLikeTheStepByStepAnalysis) {
    std::string schema = standardSchemaJson();
    std::string namespaces = R"("csfleEncryptionSchemas": {"db.c": {"jsonSchema": )" + schema +
                             R"(, "isRemoteSchema": true}})";
    std::string lookupSelf =
        R"({"aggregate": "c", "pipeline": [{"$lookup": {"from": {"db": "db", "coll": "c"},
            "as": "x", "localField": "age", "foreignField": "age"}}], "cursor": {})";
    const std::vector<std::string> commands = {
        withStandardSchema(R"({"find": "c", "filter": {"ssn": "1"}, "$db": "db"})"),
        withStandardSchema(R"({"insert": "c", "documents": [{"ssn": "1"}], "$db": "db"})"),
        withStandardSchema(R"({"find": "c", "filter": {"ssn": "1"}})"),
        // Only the first $db counts, and only when it is a string.
        withStandardSchema(lookupSelf + R"(, "$db": "db"})"),
        withStandardSchema(lookupSelf + R"(, "$db": 1, "$db": "db"})"),
        withStandardSchema(lookupSelf + R"(, "$db": "other", "$db": "db"})"),
        withStandardSchema(lookupSelf + "}"),
        // Malformed schema arguments, alone and together: the first one is reported.
        R"({"find": "c", "filter": {}, "$db": "db"})",
        R"({"find": "c", "filter": {}, "jsonSchema": {}})",
        R"({"find": "c", "filter": {}, "isRemoteSchema": true})",
        R"({"find": "c", "filter": {}, "jsonSchema": [], "isRemoteSchema": true})",
        R"({"find": "c", "filter": {}, "jsonSchema": {}, "isRemoteSchema": 1})",
        R"({"find": "c", "jsonSchema": {}, "isRemoteSchema": true, "jsonSchema": {}})",
        R"({"find": "c", "jsonSchema": {}, "isRemoteSchema": true, "isRemoteSchema": false})",
        R"({"find": "c", "isRemoteSchema": "x", "jsonSchema": {}, "jsonSchema": {}})",
        R"({"find": "c", "jsonSchema": {}, "isRemoteSchema": true, "encryptionInformation": {}})",
        R"({"find": "c", "encryptionInformation": {}, "jsonSchema": 1})",
        R"({"find": "c", "jsonSchema": {"properties": {"a": {"encrypt": 1}}}, "isRemoteSchema": false})",
        // csfleEncryptionSchemas: NamespaceSchemas::read decides, whatever else is there.
        R"({"aggregate": "c", "pipeline": [{"$match": {"ssn": "1"}}], "cursor": {}, "$db": "db", )" +
            namespaces + "}",
        R"({"aggregate": "c", "pipeline": [], "cursor": {}, "jsonSchema": 1, "$db": "db", )" +
            namespaces + "}",
        R"({"find": "c", "filter": {}, "$db": "db", )" + namespaces + "}",
        R"({"find": "c", "filter": {}, "encryptionInformation": {}, )" + namespaces + "}",
        R"({"bulkWrite": 1, "jsonSchema": {}, "isRemoteSchema": true})",
        "{}",
    };
    Analyzer a;
    for (const std::string& json : commands) {
        bson::Doc cmd = bson::Doc::fromJson(json);
        std::string expected = outcome([&] { return referenceAnalyze(cmd.view()); });
        EXPECT_EQ(outcome([&] { return a.analyze(cmd.view()); }), expected) << json;
        // A second time: from the schema cache.
        EXPECT_EQ(outcome([&] { return a.analyze(cmd.view()); }), expected) << json;
    }
}

}  // namespace
}  // namespace cryptd::analysis::test

namespace cryptd::analysis::test {
namespace {

// readSchemaSource: Queryable Encryption is refused first, wherever it sits (top level or inside
// explain's command), then the first malformed schema argument in field order, then a missing one.
TEST(SchemaSourceTest, RefusalsInOrder) {
    auto read = [](const std::string& json) {
        bson::Doc cmd = bson::Doc::fromJson(json);
        readSchemaSource(cmd.view(), cmd.view().firstKey());
    };
    const std::string qe = "Queryable Encryption is not supported yet: '";
    expectError([&] { read(R"({"find": "c", "jsonSchema": 1, "encryptionInformation": {}})"); },
                ErrorCode::NotImplemented, qe + "find' carries 'encryptionInformation'");
    expectError(
        [&] {
            read(R"({"explain": {"find": "c", "encryptionInformation": {}}, "jsonSchema": {},
                     "isRemoteSchema": true})");
        },
        ErrorCode::NotImplemented, qe + "explain' carries 'encryptionInformation'");
    expectError(
        [&] { read(R"({"find": "c", "isRemoteSchema": 1, "jsonSchema": {}, "jsonSchema": {}})"); },
        ErrorCode::TypeMismatch, "BSON field 'find.isRemoteSchema' is the wrong type 'int'");
    expectError(
        [&] {
            read(R"({"find": "c", "jsonSchema": {}, "jsonSchema": 1, "isRemoteSchema": true})");
        },
        ErrorCode::BadValue, "'find' carries 'jsonSchema' more than once");
    expectError([&] { read(R"({"find": "c", "jsonSchema": {}})"); }, ErrorCode::FailedToParse,
                "BSON field 'find.isRemoteSchema' is missing");
    // csfleEncryptionSchemas: handed on as it is, whatever else is wrong (NamespaceSchemas
    // decides).
    bson::Doc multi = bson::Doc::fromJson(
        R"({"aggregate": "c", "jsonSchema": 1, "csfleEncryptionSchemas": {}, "$db": "d"})");
    SchemaSource s = readSchemaSource(multi.view(), "aggregate");
    ASSERT_TRUE(s.namespaces.has_value());
    EXPECT_EQ(s.namespacesCopies, 1);
    EXPECT_TRUE(s.haveSchema);
    EXPECT_EQ(s.db, "d");
    // One-collection callers refuse it.
    expectError([&] { readSchemaArguments(multi.view(), "aggregate"); },
                ErrorCode::CommandNotSupported, "'csfleEncryptionSchemas' (several collections'");
}

}  // namespace
}  // namespace cryptd::analysis::test
