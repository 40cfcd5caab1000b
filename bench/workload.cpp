#include "workload.h"

#include <string>

namespace cryptd::bench {

namespace {

constexpr std::string_view kDeterministic = "AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic";
constexpr uint8_t kKey[16] = {0x6c, 0x51, 0x2f, 0x5e, 0x09, 0xbc, 0x43, 0x4f,
                              0xb6, 0xdb, 0xc4, 0x2e, 0xee, 0x30, 0xc6, 0xb1};

// The schemas of MongoDB's "Automatic Encryption Rules" page (a public document), in canonical
// Extended JSON. hr.employees is written with the valid "-Random" algorithm name.
constexpr std::string_view kSmallSchema = R"({
  "bsonType": "object",
  "properties": {
    "taxid": {"encrypt": {
      "keyId": [{"$binary": {"base64": "EdWLigxsTWmgvXDG2b766Q==", "subType": "04"}}],
      "algorithm": "AEAD_AES_256_CBC_HMAC_SHA_512-Random", "bsonType": "string"}},
    "taxid-short": {"encrypt": {
      "keyId": [{"$binary": {"base64": "LudwZFzFRaaS4X3mYWE0qA==", "subType": "04"}}],
      "algorithm": "AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic", "bsonType": "string"}}
  }
})";

constexpr std::string_view kMedcoSchema = R"({
  "bsonType": "object",
  "properties": {
    "passportId": {"encrypt": {
      "keyId": [{"$binary": {"base64": "v/s2GzDTQsC3pNJKJyty4w==", "subType": "04"}}],
      "algorithm": "AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic", "bsonType": "string"}},
    "bloodType": {"encrypt": {
      "keyId": [{"$binary": {"base64": "v/s2GzDTQsC3pNJKJyty4w==", "subType": "04"}}],
      "algorithm": "AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic", "bsonType": "string"}},
    "medicalRecords": {"encrypt": {
      "keyId": [{"$binary": {"base64": "84ISEuaXTWW3QEpnkWl8bQ==", "subType": "04"}}],
      "algorithm": "AEAD_AES_256_CBC_HMAC_SHA_512-Random", "bsonType": "array"}},
    "insurance": {
      "bsonType": "object",
      "properties": {
        "policyNumber": {"encrypt": {
          "keyId": [{"$binary": {"base64": "v/s2GzDTQsC3pNJKJyty4w==", "subType": "04"}}],
          "algorithm": "AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic", "bsonType": "string"}},
        "provider": {"encrypt": {
          "keyId": [{"$binary": {"base64": "v/s2GzDTQsC3pNJKJyty4w==", "subType": "04"}}],
          "algorithm": "AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic", "bsonType": "string"}}
      }
    }
  }
})";

constexpr std::string_view kMedcoInheritedSchema = R"({
  "bsonType": "object",
  "encryptMetadata": {
    "keyId": [{"$binary": {"base64": "bFEvXgm8Q0+228Qu7jDGsQ==", "subType": "04"}}],
    "algorithm": "AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic"},
  "properties": {
    "passportId": {"encrypt": {"bsonType": "string"}},
    "bloodType": {"encrypt": {"bsonType": "string"}},
    "medicalRecords": {"encrypt": {
      "keyId": [{"$binary": {"base64": "bFEvXgm8Q0+228Qu7jDGsQ==", "subType": "04"}}],
      "algorithm": "AEAD_AES_256_CBC_HMAC_SHA_512-Random", "bsonType": "array"}},
    "insurance": {
      "bsonType": "object",
      "properties": {
        "policyNumber": {"encrypt": {"bsonType": "string"}},
        "provider": {"encrypt": {"bsonType": "string"}}
      }
    }
  }
})";

std::string fieldName(size_t i) {
    return "f" + std::to_string(i);
}

// name: collection, fill(b), then the arguments libmongocrypt appends.
template <typename Fill>
bson::Doc command(std::string_view name, std::string_view collection, bson::View schema,
                  Fill&& fill) {
    bson::Builder b;
    b.appendUtf8(name, collection);
    fill(b);
    b.appendDocument("jsonSchema", schema);
    b.appendBool("isRemoteSchema", false);
    b.appendUtf8("$db", "bench");
    return b.finish();
}

void appendIndexed(bson::Builder& arr, uint32_t i, bson::View doc) {
    char key[16];
    arr.appendDocument(bson::arrayKey(i, key), doc);
}

}  // namespace

bson::Doc smallSchema() {
    return bson::Doc::fromJson(kSmallSchema);
}
bson::Doc medcoSchema() {
    return bson::Doc::fromJson(kMedcoSchema);
}
bson::Doc medcoInheritedSchema() {
    return bson::Doc::fromJson(kMedcoInheritedSchema);
}

bson::Doc generatedSchema(size_t fields) {
    bson::Builder b;
    b.appendUtf8("bsonType", "object");
    b.appendDocument("encryptMetadata", [](bson::Builder& m) {
        m.appendArray("keyId", [](bson::Builder& k) {
            k.appendBinary("0", BSON_SUBTYPE_UUID, kKey, sizeof kKey);
        });
        m.appendUtf8("algorithm", kDeterministic);
    });
    b.appendDocument("properties", [fields](bson::Builder& props) {
        for (size_t i = 0; i < fields; ++i) {
            props.appendDocument(fieldName(i), [i](bson::Builder& f) {
                if (i % 2 == 0) {
                    f.appendDocument("encrypt",
                                     [](bson::Builder& e) { e.appendUtf8("bsonType", "string"); });
                } else {
                    f.appendUtf8("bsonType", "int");
                }
            });
        }
    });
    return b.finish();
}

bson::Doc patientDoc(int seed) {
    const std::string n = std::to_string(seed);
    bson::Builder b;
    b.appendInt32("_id", seed);
    b.appendUtf8("fname", "Jo" + n);
    b.appendUtf8("lname", "Doe" + n);
    b.appendUtf8("passportId", "P-" + n + "-4711");
    b.appendUtf8("bloodType", seed % 2 ? "A+" : "O-");
    b.appendArray("medicalRecords", [&](bson::Builder& arr) {
        arr.appendDocument("0", [&](bson::Builder& r) {
            r.appendUtf8("date", "2024-01-0" + std::to_string(seed % 9 + 1));
            r.appendUtf8("note", "routine check-up, nothing to report");
        });
    });
    b.appendDocument("insurance", [&](bson::Builder& ins) {
        ins.appendUtf8("policyNumber", "POL-" + n);
        ins.appendUtf8("provider", "MaestCare");
    });
    return b.finish();
}

bson::Doc generatedDoc(size_t fields, size_t targetBytes, int seed) {
    // Measure the document with empty strings, then spread the missing bytes over the strings.
    auto build = [&](size_t padding) {
        size_t strings = (fields + 1) / 2;
        bson::Builder b;
        b.appendInt32("_id", seed);
        for (size_t i = 0; i < fields; ++i) {
            if (i % 2 == 0) {
                size_t len = strings ? padding / strings + (i / 2 < padding % strings ? 1 : 0) : 0;
                std::string v(len, static_cast<char>('a' + (seed + static_cast<int>(i)) % 26));
                b.appendUtf8(fieldName(i), v);
            } else {
                b.appendInt32(fieldName(i), seed + static_cast<int>(i));
            }
        }
        return b.finish();
    };
    bson::Doc bare = build(0);
    if (fields == 0 || bare.size() >= targetBytes) return bare;
    return build(targetBytes - bare.size());
}

bson::Doc medcoFind(bson::View schema) {
    return command("find", "patients", schema, [](bson::Builder& b) {
        b.appendDocument("filter", [](bson::Builder& f) {
            f.appendUtf8("passportId", "P-42-4711");
            f.appendDocument("insurance.provider", [](bson::Builder& in) {
                in.appendArray("$in", [](bson::Builder& a) {
                    a.appendUtf8("0", "MaestCare");
                    a.appendUtf8("1", "OtherCare");
                });
            });
            f.appendUtf8("lname", "Doe");
        });
        b.appendDocument("projection", [](bson::Builder& p) {
            p.appendInt32("fname", 1);
            p.appendInt32("bloodType", 1);
        });
        b.appendInt32("limit", 10);
    });
}

bson::Doc medcoInsert(bson::View schema, size_t documents) {
    return command("insert", "patients", schema, [documents](bson::Builder& b) {
        b.appendArray("documents", [documents](bson::Builder& arr) {
            for (size_t i = 0; i < documents; ++i) {
                bson::Doc doc = patientDoc(static_cast<int>(i));
                appendIndexed(arr, static_cast<uint32_t>(i), doc.view());
            }
        });
        b.appendBool("ordered", true);
    });
}

bson::Doc medcoUpdate(bson::View schema) {
    return command("update", "patients", schema, [](bson::Builder& b) {
        b.appendArray("updates", [](bson::Builder& arr) {
            arr.appendDocument("0", [](bson::Builder& u) {
                u.appendDocument("q",
                                 [](bson::Builder& q) { q.appendUtf8("passportId", "P-42-4711"); });
                u.appendDocument("u", [](bson::Builder& up) {
                    up.appendDocument("$set", [](bson::Builder& s) {
                        s.appendUtf8("bloodType", "AB+");
                        s.appendUtf8("insurance.provider", "OtherCare");
                        s.appendUtf8("lname", "Roe");
                    });
                });
                u.appendBool("multi", false);
                u.appendBool("upsert", false);
            });
        });
        b.appendBool("ordered", true);
    });
}

bson::Doc medcoAggregate(bson::View schema) {
    return command("aggregate", "patients", schema, [](bson::Builder& b) {
        b.appendArray("pipeline", [](bson::Builder& p) {
            p.appendDocument("0", [](bson::Builder& st) {
                st.appendDocument("$match", [](bson::Builder& m) {
                    m.appendUtf8("passportId", "P-42-4711");
                    m.appendUtf8("bloodType", "AB+");
                });
            });
            p.appendDocument("1", [](bson::Builder& st) {
                st.appendDocument("$project", [](bson::Builder& pr) {
                    pr.appendInt32("fname", 1);
                    pr.appendInt32("insurance", 1);
                });
            });
        });
        b.appendDocument("cursor", [](bson::Builder&) {});
    });
}

bson::Doc generatedFind(bson::View schema) {
    return command("find", "generated", schema, [](bson::Builder& b) {
        b.appendDocument("filter", [](bson::Builder& f) {
            f.appendUtf8("f0", "needle");
            f.appendDocument("f1", [](bson::Builder& c) { c.appendInt32("$gt", 5); });
            f.appendDocument("f2", [](bson::Builder& c) {
                c.appendArray("$in", [](bson::Builder& a) {
                    a.appendUtf8("0", "x");
                    a.appendUtf8("1", "y");
                });
            });
        });
        b.appendInt32("limit", 1);
    });
}

bson::Doc generatedInsert(bson::View schema, size_t fields, size_t docBytes, int seed) {
    bson::Doc doc = generatedDoc(fields, docBytes, seed);
    return command("insert", "generated", schema, [&](bson::Builder& b) {
        b.appendArray("documents", [&](bson::Builder& arr) { appendIndexed(arr, 0, doc.view()); });
        b.appendBool("ordered", true);
    });
}

bson::Doc pingCommand() {
    bson::Builder b;
    b.appendInt32("ping", 1);
    b.appendUtf8("$db", "admin");
    return b.finish();
}

bson::Doc helloCommand() {
    bson::Builder b;
    b.appendInt32("hello", 1);
    b.appendBool("helloOk", true);
    b.appendUtf8("$db", "admin");
    return b.finish();
}

}  // namespace cryptd::bench
