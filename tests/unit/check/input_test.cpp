// Input shapes (schemaMap, $jsonSchema, collection options) and unreadable inputs.

#include <gtest/gtest.h>

#include <fstream>

#include "check/input_shape.h"
#include "check/json_document.h"
#include "check_test_util.h"
#include "support/shared_dir.h"

namespace cryptd::check {
namespace {

JsonDocument loadText(const std::string& text) {
    std::istringstream in(text);
    return JsonDocument::load("-", in);
}

TEST(InputShape, SchemaMapGivesOneLocalUnitPerNamespace) {
    auto json = loadText(R"({"a.b": {"bsonType": "object"}, "c.d.e": {}})");
    auto split = splitInput(json.doc.view(), {});
    EXPECT_EQ(split.shape, Shape::kSchemaMap);
    ASSERT_EQ(split.units.size(), 2u);
    EXPECT_EQ(split.units[0].ns, "a.b");
    EXPECT_EQ(split.units[1].ns, "c.d.e");
    EXPECT_FALSE(split.units[0].remote);
    EXPECT_EQ(split.units[1].base, (Segments{"c.d.e"}));
    EXPECT_TRUE(split.problems.empty());
}

TEST(InputShape, SchemaMapKeysMustBeNamespacesAndValuesObjects) {
    auto json = loadText(R"({"a.b": {}, "bsonType": "object", ".x": {}, "a.b": {}, "c.d": 1})");
    auto split = splitInput(json.doc.view(), {});
    std::vector<std::string> rules;
    for (const auto& p : split.problems) rules.push_back(p.rule + ":" + p.ns);
    EXPECT_EQ(rules,
              (std::vector<std::string>{"bad-namespace:bsonType", "bad-namespace:.x",
                                        "duplicate-namespace:a.b", "schema-not-object:c.d"}));
    EXPECT_EQ(split.units.size(), 1u);
}

TEST(InputShape, BareJsonSchemaIsLocalUnlessRemote) {
    auto json = loadText(R"({"bsonType": "object", "properties": {}})");
    auto local = splitInput(json.doc.view(), {});
    EXPECT_EQ(local.shape, Shape::kJsonSchema);
    ASSERT_EQ(local.units.size(), 1u);
    EXPECT_FALSE(local.units[0].remote);
    EXPECT_EQ(local.units[0].ns, "");
    auto remote = splitInput(json.doc.view(), ShapeOptions{"db.c", true});
    EXPECT_TRUE(remote.units[0].remote);
    EXPECT_EQ(remote.units[0].ns, "db.c");
}

TEST(InputShape, CollectionOptionsAreRemote) {
    auto json = loadText(R"({"validator": {"$jsonSchema": {"required": ["a"]}}})");
    auto split = splitInput(json.doc.view(), {});
    EXPECT_EQ(split.shape, Shape::kCollectionOptions);
    ASSERT_EQ(split.units.size(), 1u);
    EXPECT_TRUE(split.units[0].remote);
    EXPECT_FALSE(split.units[0].validatorHasSiblings);
    EXPECT_EQ(split.units[0].base, (Segments{"validator", "$jsonSchema"}));
}

TEST(InputShape, ListCollectionsEntryFromTheCorpus) {
    CRYPTD_SKIP_WITHOUT_SHARED("corpus/libmongocrypt");
    // libmongocrypt's own collinfo fixtures, used in place.
    std::string dir = std::string(CRYPTD_SHARED_DIR) + "/corpus/libmongocrypt/test/";
    std::ifstream none;
    auto plain = JsonDocument::load(dir + "example/collection-info.json", none);
    auto split = splitInput(plain.doc.view(), {});
    EXPECT_EQ(split.shape, Shape::kCollectionOptions);
    ASSERT_EQ(split.units.size(), 1u);
    EXPECT_EQ(split.units[0].ns, "test");
    EXPECT_TRUE(split.units[0].remote);
    EXPECT_FALSE(split.units[0].validatorHasSiblings);
    auto siblings = JsonDocument::load(dir + "data/collinfo-siblings.json", none);
    auto s2 = splitInput(siblings.doc.view(), {});
    ASSERT_EQ(s2.units.size(), 1u);
    EXPECT_TRUE(s2.units[0].validatorHasSiblings);
    // A create command carries the options too.
    auto create = JsonDocument::load(dir + "data/schema-broker/create-with-jsonSchema.json", none);
    auto s3 = splitInput(create.doc.view(), {});
    ASSERT_EQ(s3.units.size(), 1u);
    EXPECT_EQ(s3.units[0].ns, "coll");
}

TEST(InputShape, BareValidatorAndValidatorWithoutSchema) {
    auto bare = loadText(R"({"$jsonSchema": {"bsonType": "object"}})");
    auto s1 = splitInput(bare.doc.view(), {});
    EXPECT_EQ(s1.shape, Shape::kCollectionOptions);
    ASSERT_EQ(s1.units.size(), 1u);
    EXPECT_EQ(s1.units[0].base, (Segments{"$jsonSchema"}));
    auto none = loadText(R"({"validator": {"a": {"$gt": 1}}})");
    auto s2 = splitInput(none.doc.view(), {});
    EXPECT_TRUE(s2.units.empty());
    EXPECT_TRUE(s2.problems.empty());
    auto wrong = loadText(R"({"validator": {"$jsonSchema": []}})");
    auto s3 = splitInput(wrong.doc.view(), {});
    ASSERT_EQ(s3.problems.size(), 1u);
    EXPECT_EQ(s3.problems[0].rule, "schema-not-object");
}

struct Unreadable {
    const char* text;
    const char* message;
    int line;  // 0: no location expected
};

TEST(JsonDocument, UnreadableInputsSayWhyAndWhere) {
    for (const Unreadable& u : std::vector<Unreadable>{
             {"", "empty", 0},
             {"  \n ", "empty", 0},
             {"[1, 2]", "not a JSON object", 1},
             {"\n\n  \"x\"", "not a JSON object", 3},
             {"{\n  \"a\": 1,\n  \"b\": tru\n}", "invalid Extended JSON", 3},
             {"{\"a\": {}}\n{\"b\": 1}", "unexpected text after", 2},
             {"{\"k\": [UUID(\"zz\")]}", "invalid Extended JSON", 0},
         }) {
        SCOPED_TRACE(u.text);
        try {
            loadText(u.text);
            FAIL() << "loaded";
        } catch (const InputError& e) {
            EXPECT_NE(std::string(e.what()).find(u.message), std::string::npos) << e.what();
            EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << e.what();
            if (u.line) {
                ASSERT_TRUE(e.location);
                EXPECT_EQ(e.location->line, u.line);
            }
        }
    }
}

TEST(JsonDocument, ByteOrderMarkIsSkipped) {
    auto json = loadText("\xEF\xBB\xBF{\"a.b\": {}}");
    EXPECT_TRUE(json.doc.view().find("a.b"));
    EXPECT_EQ(json.locator.find({"a.b"})->column, 2);
}

TEST(JsonDocument, MissingFileIsUnreadable) {
    std::istringstream in;
    EXPECT_THROW(JsonDocument::load(test::testdata("does-not-exist.json"), in), InputError);
}

TEST(JsonDocument, CanonicalAndRelaxedAndShellFormsLoadTheSameSchema) {
    std::istringstream none;
    auto canonical = JsonDocument::load(test::testdata("medco_inherited_canonical.json"), none);
    auto shell = JsonDocument::load(test::testdata("medco_inherited_shell.json"), none);
    auto fromShell = shell.doc.view().find("MedCo.patients");
    ASSERT_TRUE(fromShell);
    EXPECT_TRUE(canonical.doc.view() == fromShell->document());
}

}  // namespace
}  // namespace cryptd::check
