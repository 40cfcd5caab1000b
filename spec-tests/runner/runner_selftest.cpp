// The runner must be able to fail: these tests feed it known differences and check it reports
// them at the right dotted path.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "bson_matcher.h"
#include "marking_codec.h"
#include "outcome.h"
#include "query_normalizer.h"
#include "spec_case.h"

namespace cryptd::spec {
namespace {

bson::Doc J(const char* json) {
    return encodeMarkingsIn(bson::Doc::fromJson(json).view());
}

constexpr const char* kUuid = R"({"$uuid": "12345678-1234-9876-1234-123456789012"})";

std::string marking(const std::string& v) {
    return std::string(R"({"$$marking": {"a": 1, "ki": )") + kUuid + R"(, "v": )" + v + "}}";
}

TEST(MarkingCodec, EncodesAndDecodesFle1Placeholder) {
    auto doc = J(("{\"x\": " + marking("\"457-55-5462\"") + "}").c_str());
    auto x = doc.view().find("x");
    ASSERT_TRUE(x);
    ASSERT_EQ(x->type(), BSON_TYPE_BINARY);
    auto bin = x->binary();
    EXPECT_EQ(bin.subtype, BSON_SUBTYPE_ENCRYPTED);
    EXPECT_EQ(bin.data[0], 0);
    auto decoded = decodeMarking(bin.data, bin.len);
    ASSERT_TRUE(decoded);
    EXPECT_FALSE(fle1PlaceholderProblem(decoded->payload.view()));
    EXPECT_EQ(decoded->payload.view().find("v")->utf8(), "457-55-5462");
    EXPECT_NE(readableJson(doc.view()).find("$$marking"), std::string::npos);
}

TEST(MarkingCodec, MatchesTheLibmongocryptExampleBytes) {
    // test/example/mongocryptd-reply.json: {a: 1, ki: UUID("6161...61"), v: "457-55-5462"}.
    auto doc = J(
        R"({"m": {"$$marking": {"a": 1, "ki": {"$binary": {"base64": "YWFhYWFhYWFhYWFhYWFhYQ==", "subType": "04"}}, "v": "457-55-5462"}}})");
    auto want = bson::Doc::fromJson(
        R"({"m": {"$binary": {"base64": "ADgAAAAQYQABAAAABWtpABAAAAAEYWFhYWFhYWFhYWFhYWFhYQJ2AAwAAAA0NTctNTUtNTQ2MgAA", "subType": "06"}}})");
    EXPECT_TRUE(doc.view() == want.view());
}

TEST(MarkingCodec, RejectsWhatLibmongocryptRejects) {
    EXPECT_TRUE(fle1PlaceholderProblem(bson::Doc::fromJson(R"({"a": 1, "v": 1})").view()));
    EXPECT_TRUE(fle1PlaceholderProblem(J(R"({"a": 3, "ka": "x", "v": 1})").view()));
    EXPECT_TRUE(fle1PlaceholderProblem(J(R"({"a": 1, "ka": "x", "v": 1, "iv": 1})").view()));
    EXPECT_FALSE(fle1PlaceholderProblem(J(R"({"a": 2, "ka": "x", "v": 1})").view()));
}

TEST(Matcher, ReportsPlaintextWhereAMarkingWasDue) {
    auto want = J(("{\"filter\": {\"ssn\": {\"$eq\": " + marking("\"1\"") + "}}}").c_str());
    auto got = J(R"({"filter": {"ssn": {"$eq": "1"}}})");
    auto m = firstDifference(want.view(), got.view(), {}, "result");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->path, "result.filter.ssn");
    EXPECT_NE(m->message.find("PLAINTEXT"), std::string::npos) << m->message;
}

TEST(Matcher, MarkingValueTypesAreStrict) {
    auto want = J(("{\"f\": " + marking("1") + "}").c_str());
    auto got = J(("{\"f\": " + marking("{\"$numberLong\": \"1\"}") + "}").c_str());
    auto m = firstDifference(want.view(), got.view());
    ASSERT_TRUE(m);
    EXPECT_EQ(m->path, "f.$$marking.v");
}

TEST(Matcher, NumbersOutsideMarkingsCompareByValue) {
    EXPECT_FALSE(
        firstDifference(J(R"({"n": 1})").view(), J(R"({"n": {"$numberLong": "1"}})").view()));
    EXPECT_FALSE(firstDifference(J(R"({"n": 1})").view(), J(R"({"n": 1.0})").view()));
    EXPECT_TRUE(firstDifference(J(R"({"n": 1})").view(), J(R"({"n": 2})").view()));
    MatchOptions strict;
    strict.strictNumberTypes = true;
    EXPECT_TRUE(firstDifference(J(R"({"n": 1})").view(), J(R"({"n": 1.0})").view(), strict));
}

TEST(Matcher, KeyOrderIgnoredExtraAndMissingFieldsReported) {
    EXPECT_FALSE(firstDifference(J(R"({"a": 1, "b": 2})").view(), J(R"({"b": 2, "a": 1})").view()));
    auto extra =
        firstDifference(J(R"({"a": {"b": 1}})").view(), J(R"({"a": {"b": 1, "c": 2}})").view());
    ASSERT_TRUE(extra);
    EXPECT_EQ(extra->path, "a.c");
    auto missing =
        firstDifference(J(R"({"a": [1, {"b": 1}]})").view(), J(R"({"a": [1, {}]})").view());
    ASSERT_TRUE(missing);
    EXPECT_EQ(missing->path, "a.1.b");
    auto len = firstDifference(J(R"({"a": [1]})").view(), J(R"({"a": [1, 2]})").view());
    ASSERT_TRUE(len);
    EXPECT_EQ(len->path, "a");
    EXPECT_TRUE(firstDifference(J(R"({"a": "x"})").view(), J(R"({"a": 1})").view()));
}

TEST(Matcher, SpecialMatchers) {
    EXPECT_FALSE(firstDifference(J(R"({"t": {"$$type": "date"}})").view(),
                                 J(R"({"t": {"$date": "2020-01-01T00:00:00Z"}})").view()));
    EXPECT_TRUE(firstDifference(J(R"({"t": {"$$type": "date"}})").view(), J(R"({"t": 1})").view()));
    EXPECT_FALSE(firstDifference(J(R"({"x": {"$$exists": false}})").view(), J(R"({})").view()));
    EXPECT_TRUE(
        firstDifference(J(R"({"x": {"$$exists": false}})").view(), J(R"({"x": 1})").view()));
}

TEST(Normalizer, QuerySugarIsEquivalent) {
    EXPECT_FALSE(
        firstDifference(J(R"({"q": {"a": 1}})").view(), J(R"({"q": {"a": {"$eq": 1}}})").view()));
    EXPECT_FALSE(
        firstDifference(J(R"({"q": {"a": 1, "b": 2}})").view(),
                        J(R"({"q": {"$and": [{"a": {"$eq": 1}}, {"b": {"$eq": 2}}]}})").view()));
    EXPECT_FALSE(firstDifference(J(R"({"q": {"a": {"$ne": 1}}})").view(),
                                 J(R"({"q": {"a": {"$not": {"$eq": 1}}}})").view()));
    // Still different meanings stay different.
    EXPECT_TRUE(
        firstDifference(J(R"({"q": {"a": 1}})").view(), J(R"({"q": {"a": {"$ne": 1}}})").view()));
    EXPECT_TRUE(firstDifference(J(R"({"q": {"$and": [{"a": 1}, {"a": 2}]}})").view(),
                                J(R"({"q": {"a": 2}})").view()));
    MatchOptions exact;
    exact.normalizeQueries = false;
    EXPECT_TRUE(firstDifference(J(R"({"a": 1})").view(), J(R"({"a": {"$eq": 1}})").view(), exact));
}

TEST(Outcome, ContractInvariants) {
    auto good = J(("{\"hasEncryptionPlaceholders\": true, \"schemaRequiresEncryption\": true, "
                   "\"result\": {\"find\": \"c\", \"filter\": {\"s\": " +
                   marking("\"x\"") + "}}}")
                      .c_str());
    EXPECT_FALSE(contractViolation(good.view()));
    auto lying = J(
        R"({"hasEncryptionPlaceholders": true, "schemaRequiresEncryption": true, "result": {"find": "c"}})");
    EXPECT_TRUE(contractViolation(lying.view()));
    auto echoed = J(
        R"({"hasEncryptionPlaceholders": false, "schemaRequiresEncryption": false, "result": {"find": "c", "jsonSchema": {}}})");
    EXPECT_TRUE(contractViolation(echoed.view()));
    auto misspelled = J(
        R"({"hasEncryptedPlaceholders": false, "schemaRequiresEncryption": false, "result": {}})");
    EXPECT_TRUE(contractViolation(misspelled.view()));
}

TEST(Outcome, ErrorRepliesNeedTheStandardShape) {
    auto ok = outcomeFromReply(
        J(R"({"ok": 0, "errmsg": "no", "code": 59, "codeName": "CommandNotFound"})").view());
    ASSERT_TRUE(ok.error);
    EXPECT_EQ(ok.error->code, 59);
    auto bad = outcomeFromReply(J(R"({"ok": 0, "errmsg": "no"})").view());
    ASSERT_TRUE(bad.error);
    EXPECT_EQ(bad.error->code, -1);
    ExpectedError want;
    want.code = 59;
    want.errmsgContains = {"no such command"};
    EXPECT_TRUE(errorMismatch(want, *ok.error));
}

TEST(CaseFormat, LoadsIncludesAndRejectsUnknownFields) {
    namespace fs = std::filesystem;
    fs::path root = fs::temp_directory_path() / ("spec-selftest-" + std::to_string(::getpid()));
    fs::create_directories(root / "cases" / "f");
    fs::create_directories(root / "schemas");
    std::ofstream(root / "schemas" / "s.json") << R"({"bsonType": "object"})";
    std::ofstream(root / "cases" / "f" / "ok.json")
        << R"({"description": "d", "command": {"find": "c", "jsonSchema": {"$$include": "schemas/s.json"}},
              "expect": {"result": {"find": "c"}}})";
    std::ofstream(root / "cases" / "f" / "typo.json")
        << R"({"description": "d", "command": {"find": "c"}, "expext": {}})";
    auto c = loadSpecCase(root, root / "cases" / "f" / "ok.json");
    EXPECT_EQ(c.id, "f/ok");
    auto js = c.command.view().find("jsonSchema");
    ASSERT_TRUE(js && js->isDocument());
    EXPECT_EQ(js->document().find("bsonType")->utf8(), "object");
    EXPECT_THROW(loadSpecCase(root, root / "cases" / "f" / "typo.json"), std::runtime_error);
    EXPECT_EQ(listSpecCases(root).size(), 2u);
    EXPECT_EQ(testNameFor("find/eq-x"), "find__eq_x");
    fs::remove_all(root);
}

}  // namespace
}  // namespace cryptd::spec
