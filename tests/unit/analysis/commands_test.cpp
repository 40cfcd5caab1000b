// One test group per command: what is analyzed, what is echoed, what is rejected.
#include <gtest/gtest.h>

#include "analysis_test_util.h"

namespace cryptd::analysis::test {
namespace {

std::string markA(const std::string& value) {
    return std::string(R"({"$marking": {"a": 1, "ki": ")") + kUuidAString + R"(", "v": )" + value +
           "}}";
}

std::string reply(bool placeholders, bool requiresEnc, const std::string& result) {
    return normalized(std::string(R"({"hasEncryptionPlaceholders": )") +
                      (placeholders ? "true" : "false") + R"(, "schemaRequiresEncryption": )" +
                      (requiresEnc ? "true" : "false") + R"(, "result": )" + result + "}");
}

TEST(FindCommandTest, EchoesOptionsAndChecksSortProjection) {
    std::string cmd = withStandardSchema(
        R"({"find": "c", "filter": {"ssn": "1"}, "projection": {"ssn": 1, "a": 0},
        "sort": {"a": 1}, "limit": 1, "lsid": {"id": 1}, "txnNumber": 2, "readConcern": {"level": "local"}, "$db": "db"})");
    EXPECT_EQ(
        analyzeJson(cmd),
        reply(
            true, true,
            R"({"find": "c", "filter": {"ssn": {"$eq": )" + markA(R"("1")") +
                R"(}}, "projection": {"ssn": 1, "a": 0}, "sort": {"a": 1}, "limit": 1, "lsid": {"id": 1}, "txnNumber": 2,
           "readConcern": {"level": "local"}})"));
    expectAnalyzeError(withStandardSchema(R"({"find": "c", "sort": {"ssn": 1}})"),
                       ErrorCode::BadValue, "Sorting on an encrypted field is not supported");
    expectAnalyzeError(
        withStandardSchema(R"({"find": "c", "projection": {"x": {"$concat": ["$ssn", "a"]}}})"),
        ErrorCode::BadValue, "projection reading encrypted data is not supported");
    expectAnalyzeError(withStandardSchema(R"({"find": "c", "projection": {"ssn": {"$slice": 1}}})"),
                       ErrorCode::BadValue,
                       "Projection operators and positional projection are not supported");
    expectAnalyzeError(withStandardSchema(R"({"find": "c", "min": {"ssn": "a"}})"),
                       ErrorCode::BadValue, "index bounds on encrypted fields are not supported");
    expectAnalyzeError(withStandardSchema(R"({"find": "c", "filter": 1})"), ErrorCode::TypeMismatch,
                       "expected type 'object'");
    expectAnalyzeError(withStandardSchema(R"({"find": "c", "unknownOption": 1})"),
                       ErrorCode::Location40415,
                       "BSON field 'find.unknownOption' is an unknown field.");
}

TEST(CountCommandTest, QueryIsMarked) {
    EXPECT_EQ(analyzeJson(withStandardSchema(
                  R"({"count": "c", "query": {"ssn": {"$in": ["1"]}}, "limit": 5})")),
              reply(true, true,
                    R"({"count": "c", "query": {"ssn": {"$in": [)" + markA(R"("1")") +
                        R"(]}}, "limit": 5})"));
}

TEST(DistinctCommandTest, KeyRulesAndQuery) {
    EXPECT_EQ(analyzeJson(
                  withStandardSchema(R"({"distinct": "c", "key": "ssn", "query": {"ssn": "1"}})")),
              reply(true, true,
                    R"({"distinct": "c", "key": "ssn", "query": {"ssn": {"$eq": )" +
                        markA(R"("1")") + "}}}"));
    expectAnalyzeError(
        withStandardSchema(R"({"distinct": "c", "key": "detByName"})"), ErrorCode::BadValue,
        "The distinct key is not allowed to be marked for encryption with a non-UUID keyId");
    expectAnalyzeError(withStandardSchema(R"({"distinct": "c", "key": "secret"})"),
                       ErrorCode::BadValue,
                       "Cannot query on fields encrypted with the randomized encryption");
    expectAnalyzeError(withStandardSchema(R"({"distinct": "c", "key": "ssn.x"})"),
                       ErrorCode::BadValue, "inside encrypted field 'ssn'");
    expectAnalyzeError(withStandardSchema(R"({"distinct": "c"})"), ErrorCode::FailedToParse,
                       "'distinct.key' is missing");
}

TEST(DeleteCommandTest, EachStatementFilterIsMarked) {
    EXPECT_EQ(
        analyzeJson(withStandardSchema(
            R"({"delete": "c", "deletes": [{"q": {"ssn": "1"}, "limit": 1}, {"q": {"a": 1}, "limit": 0}]})")),
        reply(true, true,
              R"({"delete": "c", "deletes": [{"q": {"ssn": {"$eq": )" + markA(R"("1")") +
                  R"(}}, "limit": 1}, {"q": {"a": {"$eq": 1}}, "limit": 0}]})"));
    expectAnalyzeError(
        withStandardSchema(R"({"delete": "c", "deletes": [{"q": {"secret": 1}, "limit": 1}]})"),
        ErrorCode::BadValue, "Cannot query on fields encrypted with the randomized encryption");
}

// mongocryptd re-serializes each update statement with multi and upsert (false when absent),
// keeping the other fields (drivers' spec test legacy/updateMany.json).
TEST(UpdateCommandTest, StatementsCarryMultiAndUpsert) {
    EXPECT_EQ(analyzeJson(withStandardSchema(
                  R"({"update": "c", "updates": [{"q": {"ssn": "1"}, "u": {"$set": {"a": 1}}},
                {"q": {}, "u": {"a": 2}, "upsert": 1, "collation": {"locale": "fr"}},
                {"q": {}, "u": {"$set": {"a": 3}}, "multi": true, "upsert": false}], "ordered": true})")),
              reply(true, true,
                    R"({"update": "c", "updates": [{"q": {"ssn": {"$eq": )" + markA(R"("1")") +
                        R"(}}, "u": {"$set": {"a": 1}}, "multi": false, "upsert": false},
                  {"q": {}, "u": {"a": 2}, "upsert": true, "collation": {"locale": "fr"},
                   "multi": false},
                  {"q": {}, "u": {"$set": {"a": 3}}, "multi": true, "upsert": false}],
                  "ordered": true})"));
    // Without a schema too: the statement is re-serialized all the same.
    EXPECT_EQ(analyzeJson(R"({"update": "c", "updates": [{"q": {}, "u": {"a": 1}}],
                             "jsonSchema": {}, "isRemoteSchema": false})"),
              reply(false, false,
                    R"({"update": "c", "updates": [{"q": {}, "u": {"a": 1}, "multi": false,
                        "upsert": false}]})"));
    expectAnalyzeError(
        withStandardSchema(R"({"update": "c", "updates": [{"q": {}, "u": {}, "multi": "yes"}]})"),
        ErrorCode::TypeMismatch,
        "BSON field 'update.updates.multi' is the wrong type 'string', expected type 'bool'");
}

TEST(FindAndModifyCommandTest, QueryUpdateSortFields) {
    EXPECT_EQ(analyzeJson(withStandardSchema(
                  R"({"findAndModify": "c", "query": {"ssn": "1"}, "update": {"$set": {"ssn": "2"}},
        "new": true, "fields": {"ssn": 1}, "sort": {"a": -1}})")),
              reply(true, true,
                    R"({"findAndModify": "c", "query": {"ssn": {"$eq": )" + markA(R"("1")") +
                        R"(}}, "update": {"$set": {"ssn": )" + markA(R"("2")") +
                        R"(}}, "new": true, "fields": {"ssn": 1}, "sort": {"a": -1}})"));
    expectAnalyzeError(
        withStandardSchema(
            R"({"findAndModify": "c", "query": {}, "update": {"$inc": {"age": 1}}})"),
        ErrorCode::BadValue, "$inc and $mul not allowed on encrypted values");
    expectAnalyzeError(
        withStandardSchema(
            R"({"findAndModify": "c", "query": {}, "remove": true, "sort": {"ssn": 1}})"),
        ErrorCode::BadValue, "Sorting on an encrypted field");
}

TEST(ExplainCommandTest, WrapsCommandsAndDefaultsVerbosity) {
    EXPECT_EQ(analyzeJson(withStandardSchema(
                  R"({"explain": {"find": "c", "filter": {"ssn": "1"}}, "lsid": {"id": 1}})")),
              reply(true, true,
                    R"({"explain": {"find": "c", "filter": {"ssn": {"$eq": )" + markA(R"("1")") +
                        R"(}}}, "verbosity": "allPlansExecution", "lsid": {"id": 1}})"));
    EXPECT_EQ(
        analyzeJson(withStandardSchema(
            R"({"explain": {"count": "c", "query": {"a": 1}}, "verbosity": "queryPlanner"})")),
        reply(
            false, true,
            R"({"explain": {"count": "c", "query": {"a": {"$eq": 1}}}, "verbosity": "queryPlanner"})"));
    expectAnalyzeError(withStandardSchema(R"({"explain": {"insert": "c", "documents": []}})"),
                       ErrorCode::CommandNotSupported, "explain of 'insert' is not supported");
    expectAnalyzeError(withStandardSchema(R"({"explain": {"create": "c"}})"),
                       ErrorCode::CommandNotSupported, "explain of 'create' is not supported");
    expectAnalyzeError(
        withStandardSchema(R"({"explain": {"find": "c", "filter": {"ssn": {"$gt": "1"}}}})"),
        ErrorCode::BadValue, "Invalid match expression operator on encrypted field");
}

TEST(CreateCollModCommandTest, ValidatorSchemaIsCheckedAndEchoed) {
    std::string validator = R"({"$jsonSchema": )" + standardSchemaJson() + "}";
    std::string cmd = R"({"create": "c", "validator": )" + validator + R"(, "jsonSchema": )" +
                      standardSchemaJson() + R"(, "isRemoteSchema": true})";
    EXPECT_EQ(analyzeJson(cmd),
              reply(false, true, R"({"create": "c", "validator": )" + validator + "}"));
    // An invalid encryption schema inside the validator is rejected by the schema rules.
    std::string bad =
        R"({"collMod": "c", "validator": {"$jsonSchema": {"properties": {"a": {"encrypt": 1}}}}, "jsonSchema": {}, "isRemoteSchema": true})";
    expectAnalyzeError(bad, ErrorCode::TypeMismatch, "'encrypt' must be an object");
    std::string compare = R"({"collMod": "c", "validator": {"$jsonSchema": )" +
                          standardSchemaJson() +
                          R"(, "ssn": "x"}, "jsonSchema": {}, "isRemoteSchema": true})";
    expectAnalyzeError(compare, ErrorCode::BadValue,
                       "Comparison to encrypted fields not supported");
    expectAnalyzeError(withStandardSchema(R"({"create": "v", "viewOn": "c", "pipeline": []})"),
                       ErrorCode::BadValue,
                       "Views on collections with encrypted fields are not supported yet");
    expectAnalyzeError(
        R"({"create": "c", "encryptedFields": {"fields": []}, "jsonSchema": {}, "isRemoteSchema": true})",
        ErrorCode::NotImplemented, "Queryable Encryption is not supported yet");
}

TEST(CreateIndexesCommandTest, EchoedWhenNoEncryptedComparison) {
    std::string cmd = withStandardSchema(
        R"({"createIndexes": "c", "indexes": [{"key": {"ssn": 1}, "name": "s"}]})");
    EXPECT_EQ(analyzeJson(cmd),
              reply(false, true,
                    R"({"createIndexes": "c", "indexes": [{"key": {"ssn": 1}, "name": "s"}]})"));
}

TEST(FrontDoorTest, SchemaArgumentsAndUnsupportedForms) {
    expectAnalyzeError(
        R"({"find": "c", "filter": {}, "encryptionInformation": {"type": 1, "schema": {}}})",
        ErrorCode::NotImplemented, "Queryable Encryption is not supported yet");
    expectAnalyzeError(R"({"find": "c", "csfleEncryptionSchemas": {}})",
                       ErrorCode::CommandNotSupported, "'csfleEncryptionSchemas'");
    expectAnalyzeError(R"({"find": "c", "isRemoteSchema": true})", ErrorCode::FailedToParse,
                       "'find.jsonSchema' is missing");
    expectAnalyzeError(R"({"find": "c", "jsonSchema": {}})", ErrorCode::FailedToParse,
                       "'find.isRemoteSchema' is missing");
    expectAnalyzeError(R"({"find": "c", "jsonSchema": 1, "isRemoteSchema": true})",
                       ErrorCode::TypeMismatch, "jsonSchema");
    expectError([] { analyzeCommand(bson::Doc::fromJson(R"({"bulkWrite": 1})").view(), nullptr); },
                ErrorCode::CommandNotFound, "no such command: 'bulkWrite'");
}

TEST(FrontDoorTest, EmptySchemaEchoesWithoutPlaceholders) {
    EXPECT_EQ(
        analyzeJson(
            R"({"insert": "c", "documents": [{"ssn": "1"}], "jsonSchema": {}, "isRemoteSchema": true, "$db": "d"})"),
        reply(false, false, R"({"insert": "c", "documents": [{"ssn": "1"}]})"));
}

}  // namespace
}  // namespace cryptd::analysis::test
