// The derived encryption schema on its own: overlays over a parsed schema, set/remove along
// paths, Unknown fields, arrays of documents, and the limits that keep hostile input cheap.
#include <gtest/gtest.h>

#include "analysis/pipeline_schema.h"
#include "pipeline_test_util.h"

namespace cryptd::analysis::test {
namespace {

using Kind = schema::PathInfo::Kind;

class PipelineSchemaTest : public ::testing::Test {
  protected:
    std::shared_ptr<const schema::EncryptionSchema> parsed =
        schema::EncryptionSchema::parse(bson::Doc::fromJson(standardSchemaJson()).view(), true);
    const schema::SchemaNode* root = &parsed->root();
    SchemaArena arena;

    Kind kindAt(const schema::SchemaNode* r, const char* path) {
        return DerivedSchema(r).resolve(FieldPath::parse(path)).kind;
    }
};

TEST_F(PipelineSchemaTest, SetOverridesOnePathAndKeepsTheRest) {
    const schema::ResolvedEncryption* ssn = parsed->resolve(FieldPath::parse("ssn")).encryption;
    const schema::SchemaNode* r =
        arena.set(root, FieldPath::parse("copy.inner"), arena.encrypted(ssn, false));
    EXPECT_EQ(kindAt(r, "copy.inner"), Kind::Encrypted);
    EXPECT_EQ(kindAt(r, "copy"), Kind::PrefixOfEncrypted);
    EXPECT_EQ(kindAt(r, "ssn"), Kind::Encrypted);
    EXPECT_EQ(kindAt(r, "insurance.policyNumber"), Kind::Encrypted);
    EXPECT_EQ(kindAt(r, "other"), Kind::NotEncrypted);
    // The parsed schema is untouched.
    EXPECT_EQ(kindAt(root, "copy.inner"), Kind::NotEncrypted);
    // Overwriting with nothing encrypted.
    const schema::SchemaNode* r2 = arena.set(r, FieldPath::parse("ssn"), nullptr);
    EXPECT_EQ(kindAt(r2, "ssn"), Kind::NotEncrypted);
    EXPECT_EQ(kindAt(r2, "age"), Kind::Encrypted);
    // Setting below a ciphertext makes it a document.
    const schema::SchemaNode* r3 = arena.set(root, FieldPath::parse("ssn.x"), nullptr);
    EXPECT_EQ(kindAt(r3, "ssn"), Kind::NotEncrypted);
    EXPECT_EQ(kindAt(r3, "ssn.x"), Kind::NotEncrypted);
    EXPECT_EQ(kindAt(root, "ssn.x"), Kind::BelowEncrypted);
}

TEST_F(PipelineSchemaTest, RemoveDropsOnlyThatPath) {
    const schema::SchemaNode* r = arena.remove(root, FieldPath::parse("insurance.policyNumber"));
    EXPECT_EQ(kindAt(r, "insurance.policyNumber"), Kind::NotEncrypted);
    EXPECT_EQ(kindAt(r, "ssn"), Kind::Encrypted);
    // Below a ciphertext there is nothing to remove.
    EXPECT_EQ(arena.remove(root, FieldPath::parse("ssn.x")), root);
    // Removing everything encrypted prunes the document to "nothing encrypted".
    const schema::SchemaNode* none = nullptr;
    EXPECT_EQ(arena.remove(none, FieldPath::parse("a")), nullptr);
    EXPECT_EQ(arena.document(nullptr, true, {{"a", nullptr}}), nullptr);
}

TEST_F(PipelineSchemaTest, UnknownFieldsAreRejectedWhenResolved) {
    const schema::SchemaNode* r =
        arena.set(root, FieldPath::parse("x"), arena.unknown("it is mixed"));
    EXPECT_TRUE(DerivedSchema(r).requiresEncryption());
    expectError([&] { kindAt(r, "x"); }, ErrorCode::BadValue,
                "Cannot determine whether field 'x' is encrypted after the previous pipeline "
                "stages (it is mixed)");
    expectError([&] { kindAt(r, "x.y"); }, ErrorCode::BadValue, "field 'x.y'");
    EXPECT_EQ(kindAt(r, "ssn"), Kind::Encrypted);
    // A path to a document holding an unknown field cannot be compared as a whole either.
    const schema::SchemaNode* nested =
        arena.set(root, FieldPath::parse("a.b"), arena.unknown("it is mixed"));
    expectError([&] { kindAt(nested, "a"); }, ErrorCode::BadValue,
                "contains fields whose encryption cannot be determined");
    // An unknown root: nothing can be resolved.
    expectError([&] { kindAt(arena.unknown("root"), "a"); }, ErrorCode::BadValue, "(root)");
}

TEST_F(PipelineSchemaTest, ArraysOfDocumentsAndElementwiseCiphertexts) {
    const schema::SchemaNode* matches = arena.arrayOf(root);
    EXPECT_TRUE(isArrayOfDocuments(matches));
    EXPECT_EQ(kindAt(matches, "ssn"), Kind::Encrypted);  // filters look through arrays
    const schema::SchemaNode* r = arena.set(nullptr, FieldPath::parse("m"), matches);
    EXPECT_EQ(kindAt(r, "m.insurance.policyNumber"), Kind::Encrypted);
    // An overlay of an array keeps being an array.
    EXPECT_TRUE(isArrayOfDocuments(arena.set(matches, FieldPath::parse("extra"), nullptr)));
    EXPECT_TRUE(isArrayOfDocuments(arena.remove(matches, FieldPath::parse("ssn"))));
    const schema::ResolvedEncryption* ssn = parsed->resolve(FieldPath::parse("ssn")).encryption;
    EXPECT_TRUE(isElementwise(arena.encrypted(ssn, true)));
    EXPECT_FALSE(isElementwise(arena.encrypted(ssn, false)));
    EXPECT_EQ(arena.arrayOf(nullptr), nullptr);
    // Ciphertext below a ciphertext has no schema.
    expectError([&] { arena.encrypted(ssn, false)->child("x"); }, ErrorCode::BadValue,
                "below an encrypted value");
}

TEST_F(PipelineSchemaTest, LongPathsAreRefusedNotRecursedInto) {
    std::string path = "a";
    for (int i = 0; i < 300; ++i) path += ".a";
    expectError([&] { arena.set(root, FieldPath::parse(path), nullptr); }, ErrorCode::BadValue,
                "has more than 200 parts");
    expectError([&] { arena.remove(root, FieldPath::parse(path)); }, ErrorCode::BadValue,
                "has more than 200 parts");
    expectPipelineError(R"([{"$set": {")" + path + R"(": 1}}])", ErrorCode::BadValue,
                        "has more than 200 parts");
}

TEST(PipelineLimitsTest, WideStagesResolveEveryField) {
    // Thousands of computed fields: each later path is looked up by hash, the last one too.
    std::string group = R"({"$group": {"_id": null)";
    for (int i = 0; i < 5000; ++i) {
        group += ", \"f" + std::to_string(i) +
                 (i % 2 ? R"(": {"$first": "$ssn"})" : R"(": {"$sum": 1})");
    }
    group += "}}";
    bson::Doc reply = bson::Doc::fromJson(frontDoorJson(
        aggregateCommand("[" + group + R"(, {"$match": {"f4999": "1", "f4998": 2}}])")));
    bson::View pipeline = reply.view().find("result")->document().find("pipeline")->document();
    bson::Doc expected = bson::Doc::fromJson(R"({"$and": [{"f4999": {"$eq": )" + markA(R"("1")") +
                                             R"(}}, {"f4998": {"$eq": 2}}]})");
    bson::View match = (*++pipeline.begin()).document().find("$match")->document();
    EXPECT_EQ(match.toJson(), expected.toJson());
}

TEST(PipelineLimitsTest, NestedSubPipelinesAreBounded) {
    std::string pipeline = "[]";
    for (int i = 0; i < 25; ++i) {
        pipeline = R"([{"$lookup": {"from": "c", "as": "m", "pipeline": )" + pipeline + "}}]";
    }
    expectPipelineError(pipeline, ErrorCode::BadValue,
                        "Maximum number of nested sub-pipelines exceeded. Limit is 20");
    expectPipelineError(R"([{"$lookup": {"from": "c", "as": "m", "let": {"CURRENT": "$a"},
                             "pipeline": []}}])",
                        ErrorCode::BadValue, "Cannot rebind $$CURRENT");
    expectError([] { frontDoorJson(aggregateCommand("[]", R"(, "let": {"ROOT": 1})")); },
                ErrorCode::BadValue, "Cannot rebind $$ROOT");
}

}  // namespace
}  // namespace cryptd::analysis::test
