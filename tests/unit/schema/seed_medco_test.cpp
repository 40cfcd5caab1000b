// The two MedCo.patients schemas of the "Automatic Encryption Rules" page (seeds/004_*.txt):
// every field resolves to the metadata the page states, with and without encryptMetadata.

#include <gtest/gtest.h>

#include "schema/encryption_schema.h"
#include "schema_test_util.h"

namespace cryptd::schema::test {
namespace {

// "Automatically Encrypt Multiple Fields" (explicit options on every field).
const char* kExplicit = R"({
  "bsonType": "object",
  "properties": {
    "passportId": {"encrypt": {"keyId": [{"$uuid": "bffb361b-30d3-42c0-b7a4-d24a272b72e3"}],
      "algorithm": "AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic", "bsonType": "string"}},
    "bloodType": {"encrypt": {"keyId": [{"$uuid": "bffb361b-30d3-42c0-b7a4-d24a272b72e3"}],
      "algorithm": "AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic", "bsonType": "string"}},
    "medicalRecords": {"encrypt": {"keyId": [{"$uuid": "f3821212-e697-4d65-b740-4a6791697c6d"}],
      "algorithm": "AEAD_AES_256_CBC_HMAC_SHA_512-Random", "bsonType": "array"}},
    "insurance": {"bsonType": "object", "properties": {
      "policyNumber": {"encrypt": {"keyId": [{"$uuid": "bffb361b-30d3-42c0-b7a4-d24a272b72e3"}],
        "algorithm": "AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic", "bsonType": "string"}},
      "provider": {"encrypt": {"keyId": [{"$uuid": "bffb361b-30d3-42c0-b7a4-d24a272b72e3"}],
        "algorithm": "AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic", "bsonType": "string"}}}}}})";

// "Automatically Encrypt Multiple Fields With Inheritance".
const char* kInherited = R"({
  "bsonType": "object",
  "encryptMetadata": {"keyId": [{"$uuid": "6c512f5e-09bc-434f-b6db-c42eee30c6b1"}],
    "algorithm": "AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic"},
  "properties": {
    "passportId": {"encrypt": {"bsonType": "string"}},
    "bloodType": {"encrypt": {"bsonType": "string"}},
    "medicalRecords": {"encrypt": {"keyId": [{"$uuid": "6c512f5e-09bc-434f-b6db-c42eee30c6b1"}],
      "algorithm": "AEAD_AES_256_CBC_HMAC_SHA_512-Random", "bsonType": "array"}},
    "insurance": {"bsonType": "object", "properties": {
      "policyNumber": {"encrypt": {"bsonType": "string"}},
      "provider": {"encrypt": {"bsonType": "string"}}}}}})";

struct Expected {
    const char* path;
    Algorithm algorithm;
    const char* uuid;
    bson_type_t type;
    const char* schemaPath;
};

void checkSchema(const char* json, const std::vector<Expected>& expected, bool remote) {
    auto s = parseJson(json, remote);
    ASSERT_TRUE(s->requiresEncryption());
    for (const auto& e : expected) {
        SCOPED_TRACE(e.path);
        PathInfo info = s->resolve(FieldPath::parse(e.path));
        ASSERT_EQ(info.kind, PathInfo::Kind::Encrypted);
        ASSERT_NE(info.encryption, nullptr);
        EXPECT_EQ(info.encryption->algorithm, e.algorithm);
        ASSERT_TRUE(info.encryption->keyId.isUuid());
        EXPECT_EQ(info.encryption->keyId.uuid().toString(), e.uuid);
        EXPECT_EQ(info.encryption->bsonTypes, std::vector<bson_type_t>{e.type});
        EXPECT_EQ(info.encryption->schemaPath, e.schemaPath);
    }
    for (const char* plain : {"fname", "lname", "_id", "insurance.other"}) {
        SCOPED_TRACE(plain);
        EXPECT_EQ(s->resolve(FieldPath::parse(plain)).kind, PathInfo::Kind::NotEncrypted);
    }
    EXPECT_EQ(s->resolve(FieldPath::parse("insurance")).kind, PathInfo::Kind::PrefixOfEncrypted);
    EXPECT_EQ(s->resolve(FieldPath::parse("medicalRecords.0.x")).kind,
              PathInfo::Kind::BelowEncrypted);
    EXPECT_EQ(s->encryptedPaths().size(), expected.size());
}

TEST(SeedMedCo, ExplicitOptionsResolve) {
    constexpr auto det = Algorithm::Deterministic;
    const char* k1 = "bffb361b-30d3-42c0-b7a4-d24a272b72e3";
    std::vector<Expected> expected{
        {"passportId", det, k1, BSON_TYPE_UTF8, "properties.passportId.encrypt"},
        {"bloodType", det, k1, BSON_TYPE_UTF8, "properties.bloodType.encrypt"},
        {"medicalRecords", Algorithm::Random, "f3821212-e697-4d65-b740-4a6791697c6d",
         BSON_TYPE_ARRAY, "properties.medicalRecords.encrypt"},
        {"insurance.policyNumber", det, k1, BSON_TYPE_UTF8,
         "properties.insurance.properties.policyNumber.encrypt"},
        {"insurance.provider", det, k1, BSON_TYPE_UTF8,
         "properties.insurance.properties.provider.encrypt"},
    };
    checkSchema(kExplicit, expected, false);
    checkSchema(kExplicit, expected, true);
}

TEST(SeedMedCo, InheritedOptionsResolve) {
    constexpr auto det = Algorithm::Deterministic;
    const char* k = "6c512f5e-09bc-434f-b6db-c42eee30c6b1";
    std::vector<Expected> expected{
        {"passportId", det, k, BSON_TYPE_UTF8, "properties.passportId.encrypt"},
        {"bloodType", det, k, BSON_TYPE_UTF8, "properties.bloodType.encrypt"},
        {"medicalRecords", Algorithm::Random, k, BSON_TYPE_ARRAY,
         "properties.medicalRecords.encrypt"},
        {"insurance.policyNumber", det, k, BSON_TYPE_UTF8,
         "properties.insurance.properties.policyNumber.encrypt"},
        {"insurance.provider", det, k, BSON_TYPE_UTF8,
         "properties.insurance.properties.provider.encrypt"},
    };
    checkSchema(kInherited, expected, false);
    checkSchema(kInherited, expected, true);
}

TEST(SeedMedCo, BothVersionsAgreeOnDeterministicFields) {
    auto a = parseJson(kExplicit);
    auto b = parseJson(kInherited);
    for (const char* path : {"passportId", "bloodType", "insurance.policyNumber"}) {
        const auto* ea = a->resolve(FieldPath::parse(path)).encryption;
        const auto* eb = b->resolve(FieldPath::parse(path)).encryption;
        ASSERT_TRUE(ea && eb);
        // Same algorithm and bsonType, different keys: not the same metadata.
        EXPECT_EQ(ea->algorithm, eb->algorithm);
        EXPECT_EQ(ea->bsonTypes, eb->bsonTypes);
        EXPECT_FALSE(ea->sameMetadata(*eb));
    }
}

}  // namespace
}  // namespace cryptd::schema::test
