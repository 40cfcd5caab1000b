// The legacy runner's own parts, without the spec files: the matching rules and the operation
// table.

#include <gtest/gtest.h>

#include "driver_ops.h"
#include "legacy_match.h"

namespace cryptd::speclegacy {
namespace {

bson::Doc J(const char* json) {
    return bson::Doc::fromJson(json);
}

TEST(LegacyMatch, ExtraFieldsAllowedAtAnyDepth) {
    EXPECT_FALSE(legacyMismatch(J(R"({"a": {"b": 1}})").view(),
                                J(R"({"a": {"b": 1, "c": 2}, "lsid": 1})").view()));
}

TEST(LegacyMatch, MissingFieldAndWrongValueReported) {
    auto m = legacyMismatch(J(R"({"a": {"b": 1}})").view(), J(R"({"a": {"c": 1}})").view());
    ASSERT_TRUE(m);
    EXPECT_NE(m->find("a.b"), std::string::npos) << *m;
    EXPECT_TRUE(legacyMismatch(J(R"({"a": "x"})").view(), J(R"({"a": "y"})").view()));
}

TEST(LegacyMatch, ArraysKeepTheirLength) {
    EXPECT_TRUE(legacyMismatch(J(R"({"a": [1]})").view(), J(R"({"a": [1, 2]})").view()));
    EXPECT_FALSE(
        legacyMismatch(J(R"({"a": [{"b": 1}]})").view(), J(R"({"a": [{"b": 1, "c": 1}]})").view()));
}

TEST(LegacyMatch, NumbersByValue) {
    EXPECT_FALSE(
        legacyMismatch(J(R"({"a": 1})").view(), J(R"({"a": {"$numberLong": "1"}})").view()));
    EXPECT_TRUE(legacyMismatch(J(R"({"a": 1})").view(), J(R"({"a": 2.5})").view()));
}

TEST(LegacyMatch, TypeAndUnsetOrMatches) {
    const char* bin = R"({"a": {"$binary": {"base64": "AAAA", "subType": "06"}}})";
    EXPECT_FALSE(legacyMismatch(J(R"({"a": {"$$type": "binData"}})").view(), J(bin).view()));
    EXPECT_TRUE(legacyMismatch(J(R"({"a": {"$$type": "binData"}})").view(),
                               J(R"({"a": "plaintext"})").view()));
    EXPECT_FALSE(legacyMismatch(J(R"({"a": {"$$type": ["int", "long"]}})").view(),
                                J(R"({"a": {"$numberLong": "5"}})").view()));
    EXPECT_FALSE(legacyMismatch(J(R"({"a": {"$$unsetOrMatches": 1}})").view(), J("{}").view()));
    EXPECT_TRUE(
        legacyMismatch(J(R"({"a": {"$$unsetOrMatches": 1}})").view(), J(R"({"a": 2})").view()));
    EXPECT_TRUE(legacyMismatch(J(R"({"a": {"$$type": "binData"}})").view(), J("{}").view()));
}

TEST(DriverOps, UpdateWithoutOperatorsRefusedBeforeSending) {
    auto op = J(R"({"name": "updateOne", "arguments": {"filter": {}, "update": {"x": 1}}})");
    EXPECT_THROW(translateOperation(op.view(), "db", "c"), ClientValidationError);
    auto rep = J(
        R"({"name": "replaceOne", "arguments": {"filter": {}, "replacement": {"$set": {"x": 1}}}})");
    EXPECT_THROW(translateOperation(rep.view(), "db", "c"), ClientValidationError);
}

TEST(DriverOps, BulkWriteBatchesConsecutiveKinds) {
    auto op = J(R"({"name": "bulkWrite", "arguments": {"requests": [
        {"name": "insertOne", "arguments": {"document": {"_id": 1}}},
        {"name": "insertOne", "arguments": {"document": {"_id": 2}}},
        {"name": "updateOne", "arguments": {"filter": {"_id": 1}, "update": {"$set": {"a": 1}}}},
        {"name": "deleteOne", "arguments": {"filter": {"_id": 2}}}]}})");
    auto out = translateOperation(op.view(), "db", "c");
    ASSERT_EQ(out.commands.size(), 3u);
    EXPECT_FALSE(legacyMismatch(
        J(R"({"insert": "c", "documents": [{"_id": 1}, {"_id": 2}], "ordered": true})").view(),
        out.commands[0].command.view()));
    EXPECT_FALSE(legacyMismatch(
        J(R"({"update": "c", "updates": [{"q": {"_id": 1}, "u": {"$set": {"a": 1}}, "multi": false, "upsert": false}]})")
            .view(),
        out.commands[1].command.view()));
    EXPECT_FALSE(
        legacyMismatch(J(R"({"delete": "c", "deletes": [{"q": {"_id": 2}, "limit": 1}]})").view(),
                       out.commands[2].command.view()));
}

TEST(DriverOps, UnknownOperationIsAnError) {
    auto op = J(R"({"name": "watch", "arguments": {}})");
    EXPECT_THROW(translateOperation(op.view(), "db", "c"), std::invalid_argument);
}

}  // namespace
}  // namespace cryptd::speclegacy
