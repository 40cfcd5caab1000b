// Every problem, not just the first, and never a clean verdict the daemon would not give.

#include <gtest/gtest.h>

#include <fstream>

#include "check/input_shape.h"
#include "check/json_document.h"
#include "check/problem_finder.h"
#include "check_test_util.h"
#include "common/error.h"
#include "schema/encryption_schema.h"

namespace cryptd::check {
namespace {

constexpr const char* kKey = R"([{"$uuid": "6c512f5e-09bc-434f-b6db-c42eee30c6b1"}])";

std::string det(const std::string& type) {
    return std::string(R"({"encrypt": {"keyId": )") + kKey +
           R"(, "algorithm": "AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic", "bsonType": ")" + type +
           R"("}})";
}

std::vector<std::string> rules(const FinderResult& r) {
    std::vector<std::string> out;
    for (const auto& p : r.problems) out.push_back(p.rule + "@" + p.schemaPath);
    return out;
}

TEST(ProblemFinder, CleanSchemaHasNoProblems) {
    auto doc = bson::Doc::fromJson(R"({"bsonType": "object", "properties": {"a": )" +
                                   det("string") + "}}");
    auto r = findSchemaProblems(doc.view(), false);
    EXPECT_TRUE(r.problems.empty());
    EXPECT_FALSE(r.incomplete);
}

TEST(ProblemFinder, ReportsIndependentErrorsInDifferentFields) {
    auto doc = bson::Doc::fromJson(R"({"bsonType": "object", "properties": {)"
                                   R"("a": )" +
                                   det("double") + R"(, "b": )" + det("string") +
                                   R"(, "c": {"encrypt": {"algorithm": "nope"}},)"
                                   R"("d": {"bsonType": "object", "propertys": {},)"
                                   R"(      "properties": {"e": )" +
                                   det("bool") + "}}}}");
    auto r = findSchemaProblems(doc.view(), false);
    EXPECT_EQ(rules(r), (std::vector<std::string>{
                            "deterministic-type@properties.a.encrypt.bsonType",
                            "bad-algorithm@properties.c.encrypt.algorithm",
                            "unknown-keyword@properties.d.propertys",
                            "deterministic-type@properties.d.properties.e.encrypt.bsonType"}));
    EXPECT_FALSE(r.incomplete);
}

TEST(ProblemFinder, FirstProblemIsExactlyTheParsersError) {
    auto doc = bson::Doc::fromJson(R"({"properties": {"x": {"encrypt": {"bsonType": "string"}}},)"
                                   R"( "required": ["x"]})");
    auto r = findSchemaProblems(doc.view(), false);
    ASSERT_FALSE(r.problems.empty());
    try {
        schema::EncryptionSchema::parse(doc.view(), false);
        FAIL() << "the parser accepted it";
    } catch (const Error& e) {
        EXPECT_EQ(r.problems.front().errmsg, e.reason());
        EXPECT_EQ(r.problems.front().code, e.numericCode());
    }
    // Both the missing options and the remote-only keyword are reported.
    EXPECT_EQ(r.problems.size(), 2u);
}

TEST(ProblemFinder, ConsequencesOfABrokenEncryptMetadataAreNotReported) {
    // The metadata is broken: its children lose their inherited keyId, which is not news...
    auto doc = bson::Doc::fromJson(
        R"({"bsonType": "object", "encryptMetadata": {"keyId": "nope", "algorithm": "AEAD_AES_256_CBC_HMAC_SHA_512-Random"},)"
        R"( "properties": {"a": {"encrypt": {}}, "b": {"encrypt": {}},)"
        // ...but a real, independent problem further down still is.
        R"( "c": {"encrypt": {"bsonType": "minKey", "keyId": )" +
        std::string(kKey) + R"(, "algorithm": "AEAD_AES_256_CBC_HMAC_SHA_512-Random"}}}})");
    auto r = findSchemaProblems(doc.view(), false);
    EXPECT_EQ(rules(r), (std::vector<std::string>{"keyid-pointer@encryptMetadata.keyId",
                                                  "type-never-encryptable@properties.c.encrypt."
                                                  "bsonType"}));
    // a and b may have problems of their own behind the missing options: say so.
    EXPECT_TRUE(r.incomplete);
}

TEST(ProblemFinder, ARemovedBsonTypeDoesNotBlameEncryptMetadata) {
    auto doc = bson::Doc::fromJson(
        R"({"bsonType": "objet", "encryptMetadata": {"algorithm": "AEAD_AES_256_CBC_HMAC_SHA_512-Random"},)"
        R"( "properties": {"a": {"encrypt": {"keyId": )" +
        std::string(kKey) + "}}}}");
    auto r = findSchemaProblems(doc.view(), false);
    EXPECT_EQ(rules(r), (std::vector<std::string>{"unknown-type-alias@bsonType"}));
}

TEST(ProblemFinder, DuplicatesPointAtTheRepeatedKey) {
    auto doc = bson::Doc::fromJson(R"({"properties": {"a": {}}, "properties": {"b": {}}})");
    auto r = findSchemaProblems(doc.view(), false);
    ASSERT_EQ(r.problems.size(), 1u);
    EXPECT_EQ(r.problems[0].rule, "duplicate-keyword");
    EXPECT_TRUE(r.problems[0].lastOccurrence);
}

TEST(ProblemFinder, DottedPatternsAndNamesResolveAgainstTheDocument) {
    auto doc = bson::Doc::fromJson(R"({"bsonType": "object", "patternProperties": {)"
                                   R"("^a\\.b$": )" +
                                   det("double") + "}}");
    auto r = findSchemaProblems(doc.view(), false);
    ASSERT_EQ(r.problems.size(), 1u);
    EXPECT_TRUE(r.problems[0].where.exact);
    EXPECT_EQ(r.problems[0].where.segments,
              (Segments{"patternProperties", "^a\\.b$", "encrypt", "bsonType"}));
}

TEST(ProblemFinder, StopsAtTheLimitAndSaysSo) {
    std::string props;
    for (int i = 0; i < 30; ++i)
        props += (i ? "," : "") + ("\"f" + std::to_string(i) + "\": ") + det("bool");
    auto doc = bson::Doc::fromJson(R"({"bsonType": "object", "properties": {)" + props + "}}");
    auto all = findSchemaProblems(doc.view(), false);
    EXPECT_EQ(all.problems.size(), 30u);
    EXPECT_FALSE(all.incomplete);
    auto some = findSchemaProblems(doc.view(), false, 10);
    EXPECT_EQ(some.problems.size(), 10u);
    EXPECT_TRUE(some.incomplete);
}

TEST(ProblemFinder, AmbiguousFieldsAreFoundAfterAClean) {
    auto doc = bson::Doc::fromJson(
        R"({"bsonType": "object", "properties": {"ssn": {"bsonType": "string"}},)"
        R"( "patternProperties": {"^ss": )" +
        det("string") + "}}");
    ASSERT_TRUE(findSchemaProblems(doc.view(), false).problems.empty());
    auto parsed = schema::EncryptionSchema::parse(doc.view(), false);
    auto amb = findAmbiguousFields(doc.view(), *parsed);
    ASSERT_EQ(amb.size(), 1u);
    EXPECT_EQ(amb[0].rule, "ambiguous-encryption");
    EXPECT_EQ(amb[0].schemaPath, "properties.ssn");
}

// The honesty property over every fixture: the finder is clean exactly when the parser accepts,
// and its first problem is the parser's own error.
TEST(ProblemFinder, AgreesWithTheParserOnEveryFixture) {
    size_t clean = 0, broken = 0;
    for (const std::string dir : {"", "broken"}) {
        for (const auto& path : test::fixtures(dir)) {
            SCOPED_TRACE(path.string());
            std::ifstream none;
            std::optional<JsonDocument> json;
            try {
                json.emplace(JsonDocument::load(path.string(), none));
            } catch (const InputError&) {
                continue;  // unreadable fixtures are tested elsewhere
            }
            for (bool remote : {false, true}) {
                auto split = splitInput(json->doc.view(), ShapeOptions{std::nullopt, remote});
                for (const auto& unit : split.units) {
                    auto found = findSchemaProblems(unit.schema, unit.remote);
                    std::optional<std::string> parserError;
                    try {
                        schema::EncryptionSchema::parse(unit.schema, unit.remote);
                    } catch (const Error& e) {
                        parserError = e.reason();
                    }
                    EXPECT_EQ(found.problems.empty(), !parserError);
                    if (parserError) {
                        ASSERT_FALSE(found.problems.empty());
                        EXPECT_EQ(found.problems.front().errmsg, *parserError);
                        ++broken;
                    } else {
                        ++clean;
                    }
                }
            }
        }
    }
    EXPECT_GT(clean, 5u);
    EXPECT_GT(broken, 40u);
}

}  // namespace
}  // namespace cryptd::check
