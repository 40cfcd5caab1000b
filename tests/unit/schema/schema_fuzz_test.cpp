// Robustness round: random, mutated, deep and wide schemas never crash or hang the parser or the
// queries; every failure is a cryptd::Error. Fixed seeds, so a failure reproduces.

#include <gtest/gtest.h>

#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "schema/encryption_schema.h"
#include "schema/schema_cache.h"
#include "schema_test_util.h"

namespace cryptd::schema::test {
namespace {

class SchemaGenerator {
  public:
    explicit SchemaGenerator(uint32_t seed) : rng_(seed) {}

    bson::Doc schema() {
        bson::Builder b;
        fillSchema(b, 0);
        return b.finish();
    }

    std::string fieldName() { return pick(kNames); }

  private:
    static inline const std::vector<std::string> kKeywords{"bsonType",
                                                           "type",
                                                           "properties",
                                                           "patternProperties",
                                                           "additionalProperties",
                                                           "items",
                                                           "additionalItems",
                                                           "encrypt",
                                                           "encryptMetadata",
                                                           "required",
                                                           "enum",
                                                           "minimum",
                                                           "maximum",
                                                           "exclusiveMinimum",
                                                           "pattern",
                                                           "allOf",
                                                           "anyOf",
                                                           "oneOf",
                                                           "not",
                                                           "dependencies",
                                                           "description",
                                                           "title",
                                                           "$ref",
                                                           "format",
                                                           "bogus",
                                                           "minLength"};
    static inline const std::vector<std::string> kNames{"a", "b", "ssn", "ss", "a.b",
                                                        "é", "",  "x1",  "$x", "0"};
    static inline const std::vector<std::string> kPatterns{
        "^a",   "s+", "",        "(a+)+$", "^.$",    "(",  "a{2000}",
        "\\bx", "[",  "(a|a)*b", "(?=a)a", "(a)\\1", "é+", "x{2,3}"};
    static inline const std::vector<std::string> kTypes{
        "object", "string",  "int",    "number",  "double",  "array",   "bool",
        "null",   "integer", "minKey", "decimal", "binData", "boolean", "nope"};
    static inline const std::vector<std::string> kAlgorithms{
        "AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic", "AEAD_AES_256_CBC_HMAC_SHA_512-Random",
        "AES"};

    size_t below(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }
    bool chance(size_t percent) { return below(100) < percent; }
    const std::string& pick(const std::vector<std::string>& v) { return v[below(v.size())]; }

    void fillSchema(bson::Builder& b, size_t depth) {
        size_t count = below(depth > 6 ? 2 : 4);
        for (size_t i = 0; i < count; ++i) appendKeyword(b, pick(kKeywords), depth);
        if (chance(30)) {
            appendKeyword(b, "properties", depth);
        }
    }

    void appendSubschemas(bson::Builder& b, const std::string& key, size_t depth,
                          const std::vector<std::string>& names) {
        b.appendDocument(key, [&](bson::Builder& m) {
            size_t n = 1 + below(3);
            for (size_t i = 0; i < n; ++i) {
                if (depth > 10 || chance(5)) {
                    randomValue(m, pick(names), depth);
                } else if (chance(35)) {
                    // A field that is only `encrypt`, mostly valid, so that schemas with
                    // encryption are common.
                    m.appendDocument(pick(names), [&](bson::Builder& s) {
                        s.appendDocument("encrypt", [&](bson::Builder& e) { plausibleEncrypt(e); });
                    });
                } else {
                    m.appendDocument(pick(names),
                                     [&](bson::Builder& s) { fillSchema(s, depth + 1); });
                }
            }
        });
    }

    void appendKeyword(bson::Builder& b, const std::string& k, size_t depth) {
        if (chance(8)) return randomValue(b, k, depth);  // wrong type, sometimes
        if (k == "properties" || k == "dependencies") return appendSubschemas(b, k, depth, kNames);
        if (k == "patternProperties") return appendSubschemas(b, k, depth, kPatterns);
        if (k == "additionalProperties" || k == "additionalItems" || k == "items" || k == "not") {
            if (chance(30)) return void(b.appendBool(k, chance(50)));
            return void(b.appendDocument(k, [&](bson::Builder& s) { fillSchema(s, depth + 1); }));
        }
        if (k == "allOf" || k == "anyOf" || k == "oneOf") {
            return void(b.appendArray(k, [&](bson::Builder& a) {
                for (size_t i = 0; i < 1 + below(2); ++i) {
                    char buf[16];
                    a.appendDocument(bson::arrayKey(static_cast<uint32_t>(i), buf),
                                     [&](bson::Builder& s) { fillSchema(s, depth + 1); });
                }
            }));
        }
        if (k == "bsonType" || k == "type") {
            if (chance(30)) {
                return void(b.appendArray(k, [&](bson::Builder& a) {
                    a.appendUtf8("0", pick(kTypes));
                    if (chance(50)) a.appendUtf8("1", pick(kTypes));
                }));
            }
            return void(b.appendUtf8(k, chance(60) ? "object" : pick(kTypes)));
        }
        if (k == "encrypt" || k == "encryptMetadata") {
            return void(b.appendDocument(k, [&](bson::Builder& e) { encryptOptions(e); }));
        }
        if (k == "required") {
            return void(b.appendArray(k, [&](bson::Builder& a) { a.appendUtf8("0", "a"); }));
        }
        randomValue(b, k, depth);
    }

    void encryptOptions(bson::Builder& e) {
        if (chance(70)) e.appendUtf8("algorithm", pick(kAlgorithms));
        if (chance(70)) {
            if (chance(20)) {
                e.appendUtf8("keyId", chance(50) ? "/alt" : "alt");
            } else {
                e.appendArray("keyId", [&](bson::Builder& a) {
                    uint8_t bytes[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
                    a.appendBinary("0", chance(90) ? BSON_SUBTYPE_UUID : BSON_SUBTYPE_BINARY, bytes,
                                   chance(95) ? 16 : 15);
                    if (chance(5)) a.appendInt32("1", 1);
                });
            }
        }
        if (chance(60)) e.appendUtf8("bsonType", pick(kTypes));
        if (chance(5)) e.appendInt32("extra", 1);
    }

    void plausibleEncrypt(bson::Builder& e) {
        bool det = chance(40);
        if (chance(90)) e.appendUtf8("algorithm", kAlgorithms[det ? 0 : 1]);
        if (chance(90)) {
            e.appendArray("keyId", [&](bson::Builder& a) {
                uint8_t bytes[16] = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5, 6};
                bytes[0] = static_cast<uint8_t>(below(2));
                a.appendBinary("0", BSON_SUBTYPE_UUID, bytes, 16);
            });
        }
        if (det || chance(50)) e.appendUtf8("bsonType", chance(80) ? "string" : pick(kTypes));
    }

    void randomValue(bson::Builder& b, const std::string& k, size_t depth) {
        switch (below(7)) {
            case 0:
                b.appendInt32(k, static_cast<int32_t>(below(5)) - 1);
                break;
            case 1:
                b.appendUtf8(k, pick(kNames));
                break;
            case 2:
                b.appendBool(k, chance(50));
                break;
            case 3:
                b.appendDouble(k, 1.5);
                break;
            case 4:
                b.appendNull(k);
                break;
            case 5:
                b.appendArray(k, [&](bson::Builder& a) { a.appendUtf8("0", pick(kNames)); });
                break;
            default:
                b.appendDocument(k, [&](bson::Builder& s) {
                    if (depth < 12) fillSchema(s, depth + 1);
                });
        }
    }

    std::mt19937 rng_;
};

// Runs every query on a parsed schema; only cryptd::Error may escape from lookups.
void exercise(const EncryptionSchema& s, SchemaGenerator& gen) {
    bool needsEncryption = s.requiresEncryption();
    auto paths = s.encryptedPaths();
    EXPECT_EQ(needsEncryption, !paths.empty());
    for (int i = 0; i < 20; ++i) {
        FieldPath path;
        int parts = 1 + i % 4;
        for (int p = 0; p < parts; ++p) {
            std::string name = gen.fieldName();
            if (name.empty() || name.find('.') != std::string::npos) name = "n";
            path.push(name);
        }
        try {
            PathInfo info = s.resolve(path);
            if (!needsEncryption) {
                EXPECT_EQ(info.kind, PathInfo::Kind::NotEncrypted);
            }
            if (info.kind == PathInfo::Kind::Encrypted) {
                EXPECT_NE(info.encryption, nullptr);
            }
        } catch (const Error&) {
        }
    }
}

TEST(SchemaFuzz, RandomSchemasNeverCrash) {
    SchemaGenerator gen(20240601);
    int parsed = 0, rejected = 0, encrypted = 0;
    for (int i = 0; i < 10000; ++i) {
        bson::Doc doc = gen.schema();
        for (bool remote : {false, true}) {
            try {
                auto s = EncryptionSchema::parse(doc.view(), remote);
                ++parsed;
                encrypted += s->requiresEncryption();
                exercise(*s, gen);
            } catch (const Error& e) {
                ++rejected;
                EXPECT_FALSE(e.reason().empty());
                EXPECT_NE(e.numericCode(), 0);
            }
        }
    }
    // The generator must reach both outcomes, or this round tests nothing.
    EXPECT_GT(parsed, 100);
    EXPECT_GT(rejected, 100);
    EXPECT_GT(encrypted, 20);
    std::cout << "parsed " << parsed << ", rejected " << rejected << ", with encryption "
              << encrypted << "\n";
}

TEST(SchemaFuzz, MutatedValidSchemasNeverCrash) {
    bson::Doc seed = bson::Doc::fromJson(R"({"bsonType": "object",
        "encryptMetadata": {"keyId": [{"$uuid": "6c512f5e-09bc-434f-b6db-c42eee30c6b1"}],
          "algorithm": "AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic"},
        "properties": {"passportId": {"encrypt": {"bsonType": "string"}},
          "insurance": {"bsonType": "object", "properties": {
            "policyNumber": {"encrypt": {"bsonType": "string"}}}},
          "medicalRecords": {"encrypt": {"algorithm": "AEAD_AES_256_CBC_HMAC_SHA_512-Random"}}},
        "patternProperties": {"^x": {"encrypt": {"bsonType": "int"}}}})");
    std::mt19937 rng(7);
    std::vector<uint8_t> bytes(seed.data(), seed.data() + seed.size());
    SchemaGenerator gen(11);
    int valid = 0;
    for (int i = 0; i < 20000; ++i) {
        std::vector<uint8_t> m = bytes;
        size_t flips = 1 + rng() % 3;
        for (size_t f = 0; f < flips; ++f) {
            m[4 + rng() % (m.size() - 5)] = static_cast<uint8_t>(rng());
        }
        // parse() takes validated BSON (the wire layer validates); invalid bytes stop there.
        if (!bson::isValid(m.data(), m.size())) continue;
        ++valid;
        try {
            auto s = EncryptionSchema::parse(bson::View(m.data(), static_cast<uint32_t>(m.size())),
                                             (i & 1) != 0);
            exercise(*s, gen);
        } catch (const Error&) {
        }
    }
    EXPECT_GT(valid, 1000);
}

TEST(SchemaFuzz, DeepSchemasOfEveryShapeAreRejectedCleanly) {
    // Each wraps the previous level in a different keyword; 3000 levels is far past the limit.
    const std::vector<std::string> wrappers{
        "properties", "patternProperties",    "items",       "not",
        "allOf",      "additionalProperties", "dependencies"};
    for (const auto& w : wrappers) {
        SCOPED_TRACE(w);
        bson::Doc doc;
        for (int i = 0; i < 3000; ++i) {
            bson::Builder b;
            if (w == "allOf") {
                b.appendArray(w, [&](bson::Builder& a) { a.appendDocument("0", doc.view()); });
            } else if (w == "items" || w == "not" || w == "additionalProperties") {
                b.appendDocument(w, doc.view());
            } else {
                b.appendDocument(w, [&](bson::Builder& m) { m.appendDocument("a", doc.view()); });
            }
            doc = b.finish();
        }
        try {
            EncryptionSchema::parse(doc.view(), true);
            ADD_FAILURE() << "deep schema accepted";
        } catch (const Error& e) {
            EXPECT_NE(e.reason().find("nested too deeply"), std::string::npos) << e.reason();
        }
    }
}

TEST(SchemaFuzz, WideSchemaResolvesWithoutScanning) {
    // 10,000 encrypted fields plus 10,000 plain ones: parse once, then lookups by name.
    bson::Builder b;
    b.appendUtf8("bsonType", "object");
    b.appendDocument("encryptMetadata", [](bson::Builder& m) {
        m.appendUtf8("algorithm", "AEAD_AES_256_CBC_HMAC_SHA_512-Random");
        m.appendArray("keyId", [](bson::Builder& a) {
            uint8_t bytes[16] = {};
            a.appendBinary("0", BSON_SUBTYPE_UUID, bytes, 16);
        });
    });
    b.appendDocument("properties", [](bson::Builder& props) {
        for (int i = 0; i < 10000; ++i) {
            props.appendDocument("e" + std::to_string(i), [](bson::Builder& f) {
                f.appendDocument("encrypt", [](bson::Builder&) {});
            });
            props.appendDocument("p" + std::to_string(i),
                                 [](bson::Builder& f) { f.appendUtf8("bsonType", "string"); });
        }
    });
    bson::Doc doc = b.finish();
    SchemaCache cache;
    auto s = cache.get(doc.view(), false);
    EXPECT_EQ(s->encryptedPaths().size(), 10000u);
    for (int i = 0; i < 10000; i += 97) {
        EXPECT_EQ(s->resolve(FieldPath::parse("e" + std::to_string(i))).kind,
                  PathInfo::Kind::Encrypted);
        EXPECT_EQ(s->resolve(FieldPath::parse("p" + std::to_string(i))).kind,
                  PathInfo::Kind::NotEncrypted);
    }
    EXPECT_EQ(cache.get(doc.view(), false).get(), s.get());
}

}  // namespace
}  // namespace cryptd::schema::test
