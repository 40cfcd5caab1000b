// The update walker and its operator table, driven through update and findAndModify.
#include <gtest/gtest.h>

#include "analysis_test_util.h"

namespace cryptd::analysis::test {
namespace {

std::string markA(const std::string& value) {
    return std::string(R"({"$marking": {"a": 1, "ki": ")") + kUuidAString + R"(", "v": )" + value +
           "}}";
}

// result.updates[0].u for one update statement {q: {}, u: <u>, ...extra}.
std::string updateOf(const std::string& u, const std::string& extra = "") {
    bson::Doc reply = analyzeDoc(
        withStandardSchema(R"({"update": "c", "updates": [{"q": {}, "u": )" + u + extra + "}]}"));
    bson::Doc expanded = expandMarkings(reply.view());
    auto statement =
        expanded.view().find("result")->document().find("updates")->document().find("0");
    return statement->document().find("u")->document().toJson();
}

void expectUpdateError(const std::string& u, const std::string& substring,
                       ErrorCode code = ErrorCode::BadValue, const std::string& extra = "") {
    expectAnalyzeError(
        withStandardSchema(R"({"update": "c", "updates": [{"q": {}, "u": )" + u + extra + "}]}"),
        code, substring);
}

TEST(UpdateWalkerTest, SetMarksEncryptedValues) {
    EXPECT_EQ(
        updateOf(
            R"({"$set": {"ssn": "1", "a": 2, "insurance": {"policyNumber": "p"}, "insurance.policyNumber": "q"}})"),
        normalized(R"({"$set": {"ssn": )" + markA(R"("1")") +
                   R"(, "a": 2, "insurance": {"policyNumber": )" + markA(R"("p")") +
                   R"(}, "insurance.policyNumber": )" + markA(R"("q")") + "}}"));
    EXPECT_EQ(updateOf(R"({"$setOnInsert": {"ssn": "1"}})"),
              normalized(R"({"$setOnInsert": {"ssn": )" + markA(R"("1")") + "}}"));
    expectUpdateError(R"({"$set": {"ssn": 1}})", "Cannot encrypt element of type: int");
    expectUpdateError(R"({"$set": {"ssn.x": "1"}})", "cannot write inside encrypted field 'ssn'");
    expectUpdateError(R"({"$set": {"insurance": [1]}})", "Cannot encrypt fields below an array");
    expectUpdateError(R"({"$set": {"byName": "x"}})",
                      "A non-static (JSONPointer) keyId is not supported");
}

TEST(UpdateWalkerTest, UnsetAndRename) {
    EXPECT_EQ(updateOf(R"({"$unset": {"ssn": ""}})"), normalized(R"({"$unset": {"ssn": ""}})"));
    EXPECT_EQ(updateOf(R"({"$rename": {"ssn": "ssn2", "a": "b"}})"),
              normalized(R"({"$rename": {"ssn": "ssn2", "a": "b"}})"));
    expectUpdateError(
        R"({"$rename": {"ssn": "age"}})",
        "$rename between two encrypted fields must have the same metadata or both be unencrypted");
    expectUpdateError(
        R"({"$rename": {"ssn": "plain"}})",
        "$rename between two encrypted fields must have the same metadata or both be unencrypted");
    expectUpdateError(R"({"$rename": {"insurance": "other"}})",
                      "$rename between two encrypted fields must have the same metadata");
}

TEST(UpdateWalkerTest, OperatorsThatReadTheStoredValueAreRejected) {
    const std::pair<const char*, const char*> cases[] = {
        {R"({"$inc": {"age": 1}})", "$inc and $mul not allowed on encrypted values"},
        {R"({"$mul": {"age": 2}})", "$inc and $mul not allowed on encrypted values"},
        {R"({"$min": {"age": 2}})", "$max and $min not allowed on encrypted values"},
        {R"({"$max": {"age": 2}})", "$max and $min not allowed on encrypted values"},
        {R"({"$currentDate": {"ssn": true}})", "$currentDate not allowed on encrypted values"},
        {R"({"$addToSet": {"ssn": "x"}})", "$addToSet not allowed on encrypted values"},
        {R"({"$push": {"ssn": "x"}})", "$push not allowed on encrypted values"},
        {R"({"$pop": {"ssn": 1}})", "$pop not allowed on encrypted values"},
        {R"({"$pull": {"ssn": "x"}})", "$pull not allowed on encrypted values"},
        {R"({"$pullAll": {"ssn": ["x"]}})", "$pullAll not allowed on encrypted values"},
        {R"({"$push": {"insurance": {"policyNumber": "x"}}})",
         "$push not allowed on encrypted values"},
    };
    for (const auto& [u, msg] : cases) expectUpdateError(u, msg);
    // The same operators on unencrypted fields pass unchanged.
    EXPECT_EQ(updateOf(R"({"$inc": {"n": 1}, "$push": {"arr": {"a": 1}}})"),
              normalized(R"({"$inc": {"n": 1}, "$push": {"arr": {"a": 1}}})"));
}

TEST(UpdateWalkerTest, PositionalAndArrayFilterUpdates) {
    expectUpdateError(R"({"$set": {"insurance.$": "x"}})",
                      "Cannot encrypt fields below '$' positional update operator");
    expectUpdateError(R"({"$set": {"insurance.$[i].policyNumber": "x"}})",
                      "Array update operations not allowed on encrypted values",
                      ErrorCode::BadValue, R"(, "arrayFilters": [{"i.a": 1}])");
    EXPECT_EQ(updateOf(R"({"$set": {"arr.$[i].x": 1, "arr.$.y": 2}})",
                       R"(, "arrayFilters": [{"i.a": 1}])"),
              normalized(R"({"$set": {"arr.$[i].x": 1, "arr.$.y": 2}})"));
}

TEST(UpdateWalkerTest, ReplacementDocumentsAreMarkedLikeInserts) {
    EXPECT_EQ(updateOf(R"({"ssn": "1", "a": 1})"),
              normalized(R"({"ssn": )" + markA(R"("1")") + R"(, "a": 1})"));
    expectUpdateError(R"({"byName": "x", "altName": "k"})",
                      "A non-static (JSONPointer) keyId is not supported");
    expectUpdateError(R"({"secret": {"$timestamp": {"t": 0, "i": 0}}})",
                      "A command that inserts cannot supply Timestamp(0, 0) for an encrypted");
}

TEST(UpdateWalkerTest, PipelineAndUnknownModifiers) {
    expectUpdateError(R"([{"$set": {"a": 1}}])", "Pipeline-style updates are not supported yet");
    expectUpdateError(R"({"$foo": {"a": 1}})", "Unknown modifier: $foo", ErrorCode::FailedToParse);
    expectUpdateError(R"({"$set": 1})", "Modifiers operate on fields", ErrorCode::FailedToParse);
    // Without encryption a pipeline update passes unchanged.
    std::string cmd =
        R"({"update": "c", "updates": [{"q": {}, "u": [{"$set": {"a": 1}}]}], "jsonSchema": {}, "isRemoteSchema": true})";
    EXPECT_NO_THROW(analyzeDoc(cmd));
}

TEST(UpdateWalkerTest, FilterOfEachStatementIsMarked) {
    std::string cmd = withStandardSchema(
        R"({"update": "c", "updates": [{"q": {"ssn": "1"}, "u": {"$set": {"a": 1}}, "upsert": true, "multi": false}], "ordered": true})");
    EXPECT_EQ(
        analyzeJson(cmd),
        normalized(
            R"({"hasEncryptionPlaceholders": true, "schemaRequiresEncryption": true,
                "result": {"update": "c", "updates": [{"q": {"ssn": {"$eq": )" +
            markA(R"("1")") +
            R"(}}, "u": {"$set": {"a": 1}}, "upsert": true, "multi": false}], "ordered": true}})"));
    expectAnalyzeError(
        withStandardSchema(R"({"update": "c", "updates": [{"q": {}, "u": {}, "bogus": 1}]})"),
        ErrorCode::Location40415, "BSON field 'update.updates.bogus' is an unknown field.");
}

}  // namespace
}  // namespace cryptd::analysis::test
