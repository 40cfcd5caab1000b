// Parsing the common shapes, encryptMetadata inheritance and path resolution.

#include "schema/encryption_schema.h"

#include <gtest/gtest.h>

#include "schema_test_util.h"

namespace cryptd::schema::test {
namespace {

std::string encrypt(std::string_view algorithm, std::string_view bsonType,
                    std::string_view uuid = kUuidA) {
    std::string out = R"({"encrypt": {"keyId": [)" + uuidJson(uuid) + R"(], "algorithm": ")" +
                      std::string(algorithm) + "\"";
    if (!bsonType.empty()) out += R"(, "bsonType": )" + std::string(bsonType);
    return out + "}}";
}

PathInfo resolve(const EncryptionSchema& s, std::string_view dotted) {
    return s.resolve(FieldPath::parse(dotted));
}

TEST(EncryptionSchema, EmptySchemaRequiresNothing) {
    auto s = parseJson("{}");
    EXPECT_FALSE(s->requiresEncryption());
    EXPECT_FALSE(s->root().containsEncryption());
    EXPECT_EQ(s->root().child("a"), nullptr);
    EXPECT_EQ(resolve(*s, "a.b").kind, PathInfo::Kind::NotEncrypted);
    EXPECT_TRUE(s->encryptedPaths().empty());
}

TEST(EncryptionSchema, SchemaWithoutEncryptIsNotRequired) {
    auto s = parseJson(R"({"bsonType": "object", "properties": {"a": {"bsonType": "string"},
        "b": {"bsonType": "object", "properties": {"c": {"bsonType": "int"}}}}})");
    EXPECT_FALSE(s->requiresEncryption());
    EXPECT_EQ(resolve(*s, "b.c").kind, PathInfo::Kind::NotEncrypted);
}

TEST(EncryptionSchema, DeterministicFieldResolves) {
    auto s = parseJson(R"({"bsonType": "object", "properties": {"ssn": )" +
                       encrypt(kDet, "\"string\"") + "}}");
    ASSERT_TRUE(s->requiresEncryption());
    const SchemaNode* ssn = s->root().child("ssn");
    ASSERT_NE(ssn, nullptr);
    const ResolvedEncryption* enc = ssn->encryption();
    ASSERT_NE(enc, nullptr);
    EXPECT_EQ(enc->algorithm, Algorithm::Deterministic);
    ASSERT_TRUE(enc->keyId.isUuid());
    EXPECT_EQ(enc->keyId.uuid(), uuidOf(kUuidA));
    EXPECT_EQ(enc->bsonTypes, std::vector<bson_type_t>{BSON_TYPE_UTF8});
    EXPECT_EQ(enc->schemaPath, "properties.ssn.encrypt");
    EXPECT_TRUE(enc->allowsType(BSON_TYPE_UTF8));
    EXPECT_FALSE(enc->allowsType(BSON_TYPE_INT32));
    EXPECT_TRUE(ssn->containsEncryption());

    EXPECT_EQ(s->root().child("other"), nullptr);
    auto info = resolve(*s, "ssn");
    EXPECT_EQ(info.kind, PathInfo::Kind::Encrypted);
    EXPECT_EQ(info.encryption, enc);
    EXPECT_EQ(resolve(*s, "other").kind, PathInfo::Kind::NotEncrypted);
}

TEST(EncryptionSchema, RandomWithoutBsonTypeAllowsAnyType) {
    auto s = parseJson(R"({"properties": {"r": )" + encrypt(kRnd, "") + "}}");
    const auto* enc = s->root().child("r")->encryption();
    ASSERT_NE(enc, nullptr);
    EXPECT_EQ(enc->algorithm, Algorithm::Random);
    EXPECT_TRUE(enc->bsonTypes.empty());
    EXPECT_TRUE(enc->allowsType(BSON_TYPE_DOCUMENT));
}

TEST(EncryptionSchema, RandomBsonTypeArrayAndNumberAlias) {
    auto s =
        parseJson(R"({"properties": {"r": )" + encrypt(kRnd, R"(["string", "number"])") + "}}");
    const auto* enc = s->root().child("r")->encryption();
    ASSERT_NE(enc, nullptr);
    EXPECT_EQ(enc->bsonTypes,
              (std::vector<bson_type_t>{BSON_TYPE_UTF8, BSON_TYPE_INT32, BSON_TYPE_INT64,
                                        BSON_TYPE_DOUBLE, BSON_TYPE_DECIMAL128}));
}

TEST(EncryptionSchema, JsonPointerKeyId) {
    auto s = parseJson(R"({"properties": {"p": {"encrypt": {"keyId": "/altName",
        "algorithm": ")" +
                       std::string(kRnd) + R"(", "bsonType": "string"}}}})");
    const auto* enc = s->root().child("p")->encryption();
    ASSERT_NE(enc, nullptr);
    ASSERT_FALSE(enc->keyId.isUuid());
    EXPECT_EQ(enc->keyId.jsonPointer(), "/altName");
}

TEST(EncryptionSchema, NestedObjectsAndPathKinds) {
    auto s = parseJson(R"({"bsonType": "object", "properties": {"a": {"bsonType": "object",
        "properties": {"b": {"bsonType": "object", "properties": {"c": )" +
                       encrypt(kDet, "\"int\"") + R"(, "d": {"bsonType": "string"}}}}},
        "x": {"bsonType": "string"}}})");
    EXPECT_EQ(resolve(*s, "a").kind, PathInfo::Kind::PrefixOfEncrypted);
    EXPECT_EQ(resolve(*s, "a.b").kind, PathInfo::Kind::PrefixOfEncrypted);
    auto c = resolve(*s, "a.b.c");
    EXPECT_EQ(c.kind, PathInfo::Kind::Encrypted);
    ASSERT_NE(c.encryption, nullptr);
    EXPECT_EQ(c.encryption->schemaPath, "properties.a.properties.b.properties.c.encrypt");
    EXPECT_EQ(resolve(*s, "a.b.d").kind, PathInfo::Kind::NotEncrypted);
    EXPECT_EQ(resolve(*s, "a.z").kind, PathInfo::Kind::NotEncrypted);
    EXPECT_EQ(resolve(*s, "x").kind, PathInfo::Kind::NotEncrypted);
    EXPECT_EQ(resolve(*s, "x.y").kind, PathInfo::Kind::NotEncrypted);

    auto below = resolve(*s, "a.b.c.e.f");
    EXPECT_EQ(below.kind, PathInfo::Kind::BelowEncrypted);
    EXPECT_EQ(below.encryption, c.encryption);
    EXPECT_EQ(below.encryptedPrefixLength, 3u);

    // Node-level queries agree with resolve().
    const SchemaNode* a = s->root().child("a");
    ASSERT_NE(a, nullptr);
    EXPECT_TRUE(a->containsEncryption());
    EXPECT_EQ(a->encryption(), nullptr);
    EXPECT_EQ(s->root().child("x"), nullptr);  // pruned: nothing encrypted below it
}

TEST(EncryptionSchema, ChildOfEncryptedNodeThrows) {
    auto s = parseJson(R"({"properties": {"ssn": )" + encrypt(kDet, "\"string\"") + "}}");
    const SchemaNode* ssn = s->root().child("ssn");
    ASSERT_NE(ssn, nullptr);
    EXPECT_THROW(ssn->child("x"), Error);
}

TEST(EncryptionSchema, MetadataInheritedFromNearestAncestorPerOption) {
    // algorithm comes from the root, keyId from the nearer `inner` (each option independently).
    auto s = parseJson(R"({"bsonType": "object",
        "encryptMetadata": {"algorithm": ")" +
                       std::string(kDet) + R"(", "keyId": [)" + uuidJson(kUuidA) + R"(]},
        "properties": {
          "top": {"encrypt": {"bsonType": "string"}},
          "inner": {"bsonType": "object", "encryptMetadata": {"keyId": [)" +
                       uuidJson(kUuidB) + R"(]},
            "properties": {
              "f": {"encrypt": {"bsonType": "string"}},
              "g": {"encrypt": {"algorithm": ")" +
                       std::string(kRnd) + R"("}}}}}})");
    const auto* top = resolve(*s, "top").encryption;
    ASSERT_NE(top, nullptr);
    EXPECT_EQ(top->algorithm, Algorithm::Deterministic);
    EXPECT_EQ(top->keyId.uuid(), uuidOf(kUuidA));

    const auto* f = resolve(*s, "inner.f").encryption;
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(f->algorithm, Algorithm::Deterministic);
    EXPECT_EQ(f->keyId.uuid(), uuidOf(kUuidB));

    const auto* g = resolve(*s, "inner.g").encryption;
    ASSERT_NE(g, nullptr);
    EXPECT_EQ(g->algorithm, Algorithm::Random);
    EXPECT_EQ(g->keyId.uuid(), uuidOf(kUuidB));
    EXPECT_TRUE(g->bsonTypes.empty());  // bsonType is never inherited
}

TEST(EncryptionSchema, EncryptOverridesMetadata) {
    auto s = parseJson(R"({"bsonType": "object",
        "encryptMetadata": {"algorithm": ")" +
                       std::string(kDet) + R"(", "keyId": [)" + uuidJson(kUuidA) + R"(]},
        "properties": {"r": )" +
                       encrypt(kRnd, "\"array\"", kUuidB) + "}}");
    const auto* r = resolve(*s, "r").encryption;
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->algorithm, Algorithm::Random);
    EXPECT_EQ(r->keyId.uuid(), uuidOf(kUuidB));
}

TEST(EncryptionSchema, TypeKeywordObjectCarriesMetadata) {
    auto s = parseJson(R"({"type": "object",
        "encryptMetadata": {"algorithm": ")" +
                       std::string(kRnd) + R"(", "keyId": [)" + uuidJson(kUuidA) + R"(]},
        "properties": {"r": {"encrypt": {}}}})");
    EXPECT_EQ(resolve(*s, "r").kind, PathInfo::Kind::Encrypted);
}

TEST(EncryptionSchema, EncryptedPathsInSchemaOrder) {
    auto s = parseJson(R"({"properties": {"z": )" + encrypt(kDet, "\"string\"") +
                       R"(, "a": {"bsonType": "object", "properties": {"b": )" + encrypt(kRnd, "") +
                       R"(}}, "n": {"bsonType": "int"}}})");
    auto paths = s->encryptedPaths();
    ASSERT_EQ(paths.size(), 2u);
    EXPECT_EQ(paths[0].first, "z");
    EXPECT_EQ(paths[1].first, "a.b");
    EXPECT_EQ(paths[1].second->algorithm, Algorithm::Random);
}

TEST(EncryptionSchema, LibmongocryptFixtureSchema) {
    // The jsonSchema of test/data/mongocryptd-cmd.json in the libmongocrypt corpus.
    auto s = parseJson(R"({"properties": {"ssn": {"encrypt": {"keyId": [{"$binary":
        {"base64": "YWFhYWFhYWFhYWFhYWFhYQ==", "subType": "04"}}], "bsonType": "string",
        "algorithm": "AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic"}}}, "bsonType": "object"})",
                       true);
    auto info = resolve(*s, "ssn");
    ASSERT_EQ(info.kind, PathInfo::Kind::Encrypted);
    Uuid expected;
    expected.bytes.fill('a');
    EXPECT_EQ(info.encryption->keyId.uuid(), expected);
}

}  // namespace
}  // namespace cryptd::schema::test
