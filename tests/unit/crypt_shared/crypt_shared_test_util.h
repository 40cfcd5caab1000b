#pragma once
// Helpers for the mongo_crypt_v1 tests: a status and the library handle as RAII, and commands
// with a schema that encrypts `ssn` deterministically, as libmongocrypt sends them to crypt_shared.

#include <cstdint>
#include <string>

#include "common/bson.h"
#include "crypt_shared/mongo_crypt_v1.h"

namespace cryptd::crypt_shared::test {

struct Status {
    mongo_crypt_v1_status* s = mongo_crypt_v1_status_create();
    ~Status() { mongo_crypt_v1_status_destroy(s); }
    int error() const { return mongo_crypt_v1_status_get_error(s); }
    int code() const { return mongo_crypt_v1_status_get_code(s); }
    std::string explanation() const { return mongo_crypt_v1_status_get_explanation(s); }
    operator mongo_crypt_v1_status*() const { return s; }
};

// Creates the process's one library object and destroys it at scope end.
struct Lib {
    mongo_crypt_v1_lib* lib = nullptr;
    Lib() {
        Status st;
        lib = mongo_crypt_v1_lib_create(st);
    }
    ~Lib() {
        if (lib) mongo_crypt_v1_lib_destroy(lib, nullptr);
    }
};

// {"ssn": deterministic string, "age": random int}, key id all zeros.
inline constexpr const char* kSchemaJson =
    R"({"bsonType": "object", "properties": {
          "ssn": {"encrypt": {"keyId": [{"$binary": {"base64": "AAAAAAAAAAAAAAAAAAAAAA==", "subType": "04"}}],
                              "bsonType": "string",
                              "algorithm": "AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic"}},
          "age": {"encrypt": {"keyId": [{"$binary": {"base64": "AAAAAAAAAAAAAAAAAAAAAA==", "subType": "04"}}],
                              "bsonType": "int",
                              "algorithm": "AEAD_AES_256_CBC_HMAC_SHA_512-Random"}}}})";

// An analyzer of `lib`, destroyed at scope end.
struct QueryAnalyzer {
    mongo_crypt_v1_query_analyzer* qa;
    explicit QueryAnalyzer(mongo_crypt_v1_lib* lib)
        : qa(mongo_crypt_v1_query_analyzer_create(lib, nullptr)) {}
    ~QueryAnalyzer() { mongo_crypt_v1_query_analyzer_destroy(qa); }
    operator mongo_crypt_v1_query_analyzer*() const { return qa; }
};

// Appends `$db` (libbson's Extended JSON parser would read "$db" as part of a DBRef).
inline bson::Doc withDb(bson::Doc doc, std::string_view db = "db") {
    bson::Builder b(std::move(doc));
    b.appendUtf8("$db", db);
    return b.finish();
}

// `body` is the command without schema fields, e.g. R"("find": "c", "filter": {"ssn": "x"})".
inline bson::Doc command(const std::string& body, bool appendDb = true) {
    bson::Doc doc = bson::Doc::fromJson("{" + body + R"(, "jsonSchema": )" + kSchemaJson +
                                        R"(, "isRemoteSchema": false})");
    return appendDb ? withDb(std::move(doc)) : std::move(doc);
}

// analyze_query's reply as a Doc (the library's buffer is freed), or an empty Doc on error.
inline bson::Doc analyze(mongo_crypt_v1_query_analyzer* qa, const bson::Doc& cmd,
                         mongo_crypt_v1_status* status, const std::string& ns = "db.c") {
    uint32_t len = 0;
    uint8_t* out = mongo_crypt_v1_analyze_query(qa, cmd.data(), ns.data(),
                                                static_cast<uint32_t>(ns.size()), &len, status);
    if (!out) return bson::Doc();
    bson::Doc reply = bson::Doc::copyOf(out, len);
    mongo_crypt_v1_bson_free(out);
    return reply;
}

}  // namespace cryptd::crypt_shared::test
