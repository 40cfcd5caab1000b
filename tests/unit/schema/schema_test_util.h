#pragma once
// Helpers for the schema tests: schemas written as Extended JSON ({"$uuid": "..."} for keyIds),
// and error checks on code, message substring and schema path.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>

#include "common/bson.h"
#include "common/error.h"
#include "schema/encryption_schema.h"

namespace cryptd::schema::test {

inline constexpr std::string_view kDet = "AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic";
inline constexpr std::string_view kRnd = "AEAD_AES_256_CBC_HMAC_SHA_512-Random";
inline constexpr std::string_view kUuidA = "6c512f5e-09bc-434f-b6db-c42eee30c6b1";
inline constexpr std::string_view kUuidB = "f3821212-e697-4d65-b740-4a6791697c6d";

inline std::shared_ptr<const EncryptionSchema> parseJson(std::string_view json,
                                                         bool remote = false) {
    bson::Doc doc = bson::Doc::fromJson(json);
    return EncryptionSchema::parse(doc.view(), remote);
}

// Parses, expecting an Error; returns it (a failed expectation when nothing is thrown).
inline Error parseError(std::string_view json, bool remote = false) {
    bson::Doc doc = bson::Doc::fromJson(json);
    try {
        EncryptionSchema::parse(doc.view(), remote);
    } catch (const Error& e) {
        return e;
    }
    ADD_FAILURE() << "expected an error for " << json;
    return Error(ErrorCode::OK, "");
}

// The message contains `text`, and names `path` as " (at <path>)".
#define EXPECT_SCHEMA_ERROR(json_, remote_, code_, text_, path_)                               \
    do {                                                                                       \
        ::cryptd::Error err_ = ::cryptd::schema::test::parseError(json_, remote_);             \
        EXPECT_EQ(err_.code(), code_) << err_.reason();                                        \
        EXPECT_NE(err_.reason().find(text_), std::string::npos) << err_.reason();              \
        EXPECT_NE(err_.reason().find(std::string(" (at ") + (path_) + ")"), std::string::npos) \
            << err_.reason();                                                                  \
    } while (0)

inline std::string uuidJson(std::string_view uuid) {
    return std::string(R"({"$uuid": ")") + std::string(uuid) + R"("})";
}

inline Uuid uuidOf(std::string_view text) {
    Uuid u;
    size_t n = 0;
    auto hex = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
    for (size_t i = 0; i + 1 < text.size() && n < 16; ++i) {
        if (text[i] == '-') continue;
        u.bytes[n++] = static_cast<uint8_t>(hex(text[i]) * 16 + hex(text[i + 1]));
        ++i;
    }
    return u;
}

}  // namespace cryptd::schema::test
