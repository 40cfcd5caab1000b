#pragma once
// Helpers for the analysis tests: run a command through the analysis with the schema it carries,
// and render markings readably ({"$marking": {"a": 1, "ki": "<uuid>", "v": ...}}) so expected
// replies can be written as JSON.

#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "analysis/analyze_command.h"
#include "common/bson.h"
#include "common/error.h"

namespace cryptd::analysis::test {

inline constexpr const char* kUuidA =
    R"({"$binary": {"base64": "YWFhYWFhYWFhYWFhYWFhYQ==", "subType": "04"}})";
inline constexpr const char* kUuidB =
    R"({"$binary": {"base64": "YmJiYmJiYmJiYmJiYmJiYg==", "subType": "04"}})";
inline constexpr const char* kUuidAString = "61616161-6161-6161-6161-616161616161";
inline constexpr const char* kUuidBString = "62626262-6262-6262-6262-626262626262";
inline constexpr const char* kDet = "AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic";
inline constexpr const char* kRnd = "AEAD_AES_256_CBC_HMAC_SHA_512-Random";

// A schema exercising every kind of path: deterministic, random, nested, JSON-pointer keyId.
std::string standardSchemaJson();

// Replaces every marking in `v` by {"$marking": {...}} with ki as a UUID string.
bson::Doc expandMarkings(bson::View v);

// The number of markings anywhere in `v` (documents and arrays searched, markings not entered).
size_t countMarkings(bson::View v);

// Analyzes `commandJson` (which carries jsonSchema + isRemoteSchema) like the daemon does, with
// the real schema parser; returns the reply rendered with expandMarkings as relaxed JSON.
std::string analyzeJson(const std::string& commandJson);
bson::Doc analyzeDoc(const std::string& commandJson);

// `command` + jsonSchema: standardSchema + isRemoteSchema: true, as a JSON string.
std::string withStandardSchema(const std::string& commandJsonWithoutBraceEnd);

// The JSON of `json` after a round trip through libbson (normalizes spacing).
std::string normalized(const std::string& json);

// Runs fn, expects cryptd::Error with `code` whose message contains `substring`.
void expectError(const std::function<void()>& fn, ErrorCode code, const std::string& substring);
void expectAnalyzeError(const std::string& commandJson, ErrorCode code,
                        const std::string& substring);

}  // namespace cryptd::analysis::test
