// The document walker, driven through insert (and replacement updates in update_walker_test).
#include <gtest/gtest.h>

#include "analysis_test_util.h"

namespace cryptd::analysis::test {
namespace {

std::string mark(int a, const std::string& keyField, const std::string& value) {
    return R"({"$marking": {"a": )" + std::to_string(a) + ", " + keyField + R"(, "v": )" + value +
           "}}";
}
const std::string kiA = std::string(R"("ki": ")") + kUuidAString + "\"";
const std::string kiB = std::string(R"("ki": ")") + kUuidBString + "\"";

std::string insertResult(const std::string& documents) {
    bson::Doc reply =
        analyzeDoc(withStandardSchema(R"({"insert": "c", "documents": )" + documents + "}"));
    return expandMarkings(reply.view()).view().find("result")->document().toJson();
}

void expectInsertError(const std::string& documents, const std::string& substring) {
    expectAnalyzeError(withStandardSchema(R"({"insert": "c", "documents": )" + documents + "}"),
                       ErrorCode::BadValue, substring);
}

TEST(DocumentWalkerTest, MarksTopLevelAndNestedFields) {
    EXPECT_EQ(
        insertResult(R"([{"_id": 1, "ssn": "123", "name": "n", "secret": {"x": [1, 2.5]},
                               "insurance": {"policyNumber": "p", "provider": "q"}}])"),
        normalized(R"({"insert": "c", "documents": [{"_id": 1, "ssn": )" +
                   mark(1, kiA, R"("123")") + R"(, "name": "n", "secret": )" +
                   mark(2, kiB, R"({"x": [1, 2.5]})") + R"(, "insurance": {"policyNumber": )" +
                   mark(1, kiA, R"("p")") + R"(, "provider": "q"}}]})"));
}

TEST(DocumentWalkerTest, EveryDocumentIsMarkedAndFlagsAreSet) {
    bson::Doc reply = analyzeDoc(withStandardSchema(
        R"({"insert": "c", "documents": [{"ssn": "1"}, {"a": 1}, {"age": 3}], "ordered": true, "lsid": {"id": 1}, "$db": "db"})"));
    EXPECT_EQ(expandMarkings(reply.view()).toJson(),
              normalized(R"({"hasEncryptionPlaceholders": true, "schemaRequiresEncryption": true,
                 "result": {"insert": "c", "documents": [{"ssn": )" +
                         mark(1, kiA, R"("1")") + R"(}, {"a": 1}, {"age": )" + mark(1, kiB, "3") +
                         R"(}], "ordered": true, "lsid": {"id": 1}}})"));
}

TEST(DocumentWalkerTest, NoEncryptedFieldMeansNoPlaceholders) {
    bson::Doc reply = analyzeDoc(withStandardSchema(R"({"insert": "c", "documents": [{"a": 1}]})"));
    EXPECT_FALSE(reply.view().find("hasEncryptionPlaceholders")->boolean());
    EXPECT_TRUE(reply.view().find("schemaRequiresEncryption")->boolean());
}

TEST(DocumentWalkerTest, JsonPointerKeyIdResolvesToKeyAltName) {
    EXPECT_EQ(insertResult(R"([{"altName": "Sharlene", "byName": "x", "detByName": "y"}])"),
              normalized(R"({"insert": "c", "documents": [{"altName": "Sharlene", "byName": )" +
                         mark(2, R"("ka": "Sharlene")", R"("x")") + R"(, "detByName": )" +
                         mark(1, R"("ka": "Sharlene")", R"("y")") + "}]}"));
    expectInsertError(R"([{"byName": "x"}])", "does not resolve to a field of the document");
    expectInsertError(R"([{"byName": "x", "altName": 5}])", "must resolve to a string, found int");
}

TEST(DocumentWalkerTest, TypeRules) {
    expectInsertError(R"([{"ssn": 5}])", "Cannot encrypt element of type: int");
    expectInsertError(R"([{"ssn": ["a"]}])", "Cannot encrypt element of type: array");
    expectInsertError(R"([{"secret": null}])", "Cannot encrypt element of type: null");
    expectInsertError(R"([{"secret": {"$minKey": 1}}])", "Cannot encrypt element of type: minKey");
    expectInsertError(R"([{"secret": {"$timestamp": {"t": 0, "i": 0}}}])",
                      "A command that inserts cannot supply Timestamp(0, 0) for an encrypted");
    EXPECT_NO_THROW(insertResult(R"([{"secret": {"$timestamp": {"t": 1, "i": 0}}}])"));
}

TEST(DocumentWalkerTest, ArraysAndScalarsAlongEncryptedPaths) {
    expectInsertError(R"([{"insurance": [{"policyNumber": "p"}]}])",
                      "Cannot encrypt fields below an array");
    EXPECT_EQ(insertResult(R"([{"insurance": "none"}])"),
              normalized(R"({"insert": "c", "documents": [{"insurance": "none"}]})"));
}

TEST(DocumentWalkerTest, EncryptedIdIsRefusedOnInsert) {
    // badQueries.yml "an insert with encrypted field on _id errors": with or without an _id.
    std::string schema =
        std::string(R"({"bsonType": "object", "properties": {"_id": {"encrypt": {"keyId": [)") +
        kUuidA + R"(], "algorithm": ")" + kDet + R"(", "bsonType": "string"}}}})";
    for (const char* docs : {R"([{"a": 1}])", R"([{"_id": "x"}])"}) {
        std::string cmd = std::string(R"({"insert": "c", "documents": )") + docs +
                          R"(, "jsonSchema": )" + schema + R"(, "isRemoteSchema": false})";
        expectAnalyzeError(cmd, ErrorCode::BadValue,
                           "Invalid schema containing the 'encrypt' keyword.");
    }
}

TEST(DocumentWalkerTest, MalformedInsertsRejected) {
    expectAnalyzeError(withStandardSchema(R"({"insert": "c", "documents": {"a": 1}})"),
                       ErrorCode::TypeMismatch, "expected type 'array'");
    expectAnalyzeError(withStandardSchema(R"({"insert": "c", "documents": [1]})"),
                       ErrorCode::TypeMismatch, "expected type 'object'");
    expectAnalyzeError(withStandardSchema(R"({"insert": "c"})"), ErrorCode::FailedToParse,
                       "'insert.documents' is missing");
    expectAnalyzeError(withStandardSchema(R"({"insert": "c", "documents": [], "bogus": 1})"),
                       ErrorCode::Location40415, "BSON field 'insert.bogus' is an unknown field.");
}

}  // namespace
}  // namespace cryptd::analysis::test
