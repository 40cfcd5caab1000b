// patternProperties and additionalProperties: JSON-schema applicability, inheritance through
// them, ambiguity errors, and the regex guards.

#include <gtest/gtest.h>

#include <chrono>

#include "schema/encryption_schema.h"
#include "schema_test_util.h"

namespace cryptd::schema::test {
namespace {

std::string enc(std::string_view algorithm = kDet, std::string_view uuid = kUuidA,
                std::string_view type = "string") {
    std::string out = R"({"encrypt": {"keyId": [)" + uuidJson(uuid) + R"(], "algorithm": ")" +
                      std::string(algorithm) + "\"";
    if (!type.empty()) out += R"(, "bsonType": ")" + std::string(type) + "\"";
    return out + "}}";
}

PathInfo::Kind kindOf(const EncryptionSchema& s, std::string_view path) {
    return s.resolve(FieldPath::parse(path)).kind;
}

TEST(PatternProperties, MatchingFieldIsEncrypted) {
    auto s = parseJson(R"({"patternProperties": {"^ssn_": )" + enc() + "}}");
    EXPECT_TRUE(s->requiresEncryption());
    ASSERT_NE(s->root().child("ssn_1"), nullptr);
    EXPECT_NE(s->root().child("ssn_1")->encryption(), nullptr);
    EXPECT_EQ(s->root().child("ssn"), nullptr);
    EXPECT_EQ(s->root().child("x_ssn_1"), nullptr);
    EXPECT_EQ(kindOf(*s, "ssn_2"), PathInfo::Kind::Encrypted);
    EXPECT_EQ(kindOf(*s, "ssn_2.x"), PathInfo::Kind::BelowEncrypted);
    EXPECT_EQ(s->resolve(FieldPath::parse("ssn_2")).encryption->schemaPath,
              "patternProperties.^ssn_.encrypt");
}

TEST(PatternProperties, PatternsAreUnanchoredLikeJsonSchema) {
    auto s = parseJson(R"({"patternProperties": {"ssn": )" + enc() + "}}");
    EXPECT_EQ(kindOf(*s, "my_ssn_field"), PathInfo::Kind::Encrypted);
    EXPECT_EQ(kindOf(*s, "ssn"), PathInfo::Kind::Encrypted);
    EXPECT_EQ(kindOf(*s, "sn"), PathInfo::Kind::NotEncrypted);
    auto anchored = parseJson(R"({"patternProperties": {"^a\\d+$": )" + enc() + "}}");
    EXPECT_EQ(kindOf(*anchored, "a12"), PathInfo::Kind::Encrypted);
    EXPECT_EQ(kindOf(*anchored, "a12b"), PathInfo::Kind::NotEncrypted);
    EXPECT_EQ(kindOf(*anchored, "ba12"), PathInfo::Kind::NotEncrypted);
    auto all = parseJson(R"({"patternProperties": {"": )" + enc() + "}}");
    EXPECT_EQ(kindOf(*all, "anything"), PathInfo::Kind::Encrypted);
}

TEST(PatternProperties, WordBoundaryKeepsItsMeaning) {
    auto s = parseJson(R"({"patternProperties": {"\\bid$": )" + enc() + "}}");
    EXPECT_EQ(kindOf(*s, "id"), PathInfo::Kind::Encrypted);
    EXPECT_EQ(kindOf(*s, "user id"), PathInfo::Kind::Encrypted);
    EXPECT_EQ(kindOf(*s, "userid"), PathInfo::Kind::NotEncrypted);
}

// Lookaround cannot be matched in one linear pass over the name (a hostile schema used them to
// make every lookup re-scan the name at each position): refused, with the construct named.
TEST(PatternProperties, LookaroundIsRefused) {
    for (std::string p : {"^(?=x)x1", "a(?!b)", "(?<=a)b", "(?<!a)b"}) {
        EXPECT_SCHEMA_ERROR(R"({"patternProperties": {")" + p + R"(": {}}})", false,
                            ErrorCode::BadValue, "lookahead and lookbehind assertions",
                            "patternProperties." + p);
    }
    // Inside a class or escaped, "(?=" is not a lookahead.
    auto s = parseJson(R"({"patternProperties": {"^[(?=]x$": )" + enc() + R"(, "^\\(\\?=$": )" +
                       enc(kRnd, kUuidB, "") + "}}");
    EXPECT_EQ(kindOf(*s, "=x"), PathInfo::Kind::Encrypted);
    EXPECT_EQ(kindOf(*s, "(?="), PathInfo::Kind::Encrypted);
}

// ECMAScript's meaning, as libstdc++ reads it (ASCII classes), except \cX (libstdc++ reads the
// letter alone).
TEST(PatternProperties, EscapesKeepTheirEcmaScriptMeaning) {
    // \s is ASCII white space including \v.
    auto s = parseJson(R"({"patternProperties": {"^a\\sb$": )" + enc() + R"(, "^c[\\s_]d$": )" +
                       enc() + R"(, "^e\\Sf$": )" + enc() + "}}");
    EXPECT_EQ(kindOf(*s, "a\vb"), PathInfo::Kind::Encrypted);
    EXPECT_EQ(kindOf(*s, "a b"), PathInfo::Kind::Encrypted);
    EXPECT_EQ(kindOf(*s, "a\u00a0b"), PathInfo::Kind::NotEncrypted);  // ASCII only
    EXPECT_EQ(kindOf(*s, "c\vd"), PathInfo::Kind::Encrypted);
    EXPECT_EQ(kindOf(*s, "c_d"), PathInfo::Kind::Encrypted);
    EXPECT_EQ(kindOf(*s, "e\vf"), PathInfo::Kind::NotEncrypted);
    EXPECT_EQ(kindOf(*s, "exf"), PathInfo::Kind::Encrypted);
    // \cX and \uHHHH.
    auto t = parseJson(R"({"patternProperties": {"^\\cA$": )" + enc() +
                       R"(, "^\\u00e9t\\u00E9$": )" + enc() + "}}");
    EXPECT_EQ(kindOf(*t, std::string(1, '\x01')), PathInfo::Kind::Encrypted);
    EXPECT_EQ(kindOf(*t, "\u00e9t\u00e9"), PathInfo::Kind::Encrypted);
    EXPECT_EQ(kindOf(*t, "ete"), PathInfo::Kind::NotEncrypted);
    // \S in a class: [\s\S] is anything; [x\S] is x or anything but white space.
    auto u = parseJson(R"({"patternProperties": {"^[\\s\\S]$": )" + enc() +
                       R"(, "^q[\\x0bx\\S]$": )" + enc() + "}}");
    EXPECT_EQ(kindOf(*u, "\v"), PathInfo::Kind::Encrypted);
    EXPECT_EQ(kindOf(*u, "z"), PathInfo::Kind::Encrypted);
    EXPECT_EQ(kindOf(*u, "q\v"), PathInfo::Kind::Encrypted);
    EXPECT_EQ(kindOf(*u, "qz"), PathInfo::Kind::Encrypted);
    EXPECT_EQ(kindOf(*u, "q\t"), PathInfo::Kind::NotEncrypted);
    // [^a\S]: neither 'a' nor a non-space, so white space only.
    auto v = parseJson(R"({"patternProperties": {"^[^a\\S]$": )" + enc() + "}}");
    EXPECT_EQ(kindOf(*v, "\t"), PathInfo::Kind::Encrypted);
    EXPECT_EQ(kindOf(*v, "a"), PathInfo::Kind::NotEncrypted);
    EXPECT_EQ(kindOf(*v, "z"), PathInfo::Kind::NotEncrypted);
}

TEST(PatternProperties, MatchesCodePointsNotBytes) {
    auto s = parseJson(R"({"patternProperties": {"^.$": )" + enc() + "}}");
    EXPECT_EQ(kindOf(*s, "é"), PathInfo::Kind::Encrypted);  // two bytes, one character
    EXPECT_EQ(kindOf(*s, "ab"), PathInfo::Kind::NotEncrypted);
    auto literal = parseJson(R"({"patternProperties": {"^prénom$": )" + enc() + "}}");
    EXPECT_EQ(kindOf(*literal, "prénom"), PathInfo::Kind::Encrypted);
}

TEST(AdditionalProperties, AppliesOnlyWhenNothingElseMatches) {
    auto s = parseJson(R"({"properties": {"plain": {"bsonType": "string"}},
        "patternProperties": {"^p_": {"bsonType": "int"}},
        "additionalProperties": )" +
                       enc(kRnd, kUuidA, "") + "}");
    EXPECT_TRUE(s->requiresEncryption());
    EXPECT_EQ(kindOf(*s, "other"), PathInfo::Kind::Encrypted);
    EXPECT_EQ(s->resolve(FieldPath::parse("other")).encryption->schemaPath,
              "additionalProperties.encrypt");
    EXPECT_EQ(kindOf(*s, "plain"), PathInfo::Kind::NotEncrypted);
    EXPECT_EQ(kindOf(*s, "p_1"), PathInfo::Kind::NotEncrypted);
    EXPECT_EQ(s->root().child("plain"), nullptr);
}

TEST(AdditionalProperties, BooleanOrEncryptionFreeMeansNothingEncrypted) {
    for (const char* add : {"true", "false", R"({"bsonType": "int"})"}) {
        auto s = parseJson(std::string(R"({"properties": {"a": )") + enc() +
                           R"(}, "additionalProperties": )" + add + "}");
        EXPECT_EQ(kindOf(*s, "b"), PathInfo::Kind::NotEncrypted) << add;
        EXPECT_EQ(kindOf(*s, "a"), PathInfo::Kind::Encrypted) << add;
    }
}

TEST(PatternProperties, InheritanceFlowsThroughPatternsAndAdditional) {
    auto s = parseJson(R"({"bsonType": "object", "encryptMetadata": {"algorithm": ")" +
                       std::string(kRnd) + R"(", "keyId": [)" + uuidJson(kUuidB) + R"(]},
        "patternProperties": {"^n": {"bsonType": "object",
            "properties": {"x": {"encrypt": {}}}}},
        "additionalProperties": {"encrypt": {"bsonType": "int"}}})");
    auto x = s->resolve(FieldPath::parse("n1.x"));
    ASSERT_EQ(x.kind, PathInfo::Kind::Encrypted);
    EXPECT_EQ(x.encryption->algorithm, Algorithm::Random);
    EXPECT_EQ(x.encryption->keyId.uuid(), uuidOf(kUuidB));
    EXPECT_EQ(x.encryption->schemaPath, "patternProperties.^n.properties.x.encrypt");
    EXPECT_EQ(kindOf(*s, "n1"), PathInfo::Kind::PrefixOfEncrypted);
    auto other = s->resolve(FieldPath::parse("zz"));
    ASSERT_EQ(other.kind, PathInfo::Kind::Encrypted);
    EXPECT_EQ(other.encryption->bsonTypes, std::vector<bson_type_t>{BSON_TYPE_INT32});
}

TEST(PatternProperties, EncryptedPathsShowPatternsAndAdditional) {
    auto s = parseJson(R"({"properties": {"a": )" + enc() + R"(},
        "patternProperties": {"^b": {"bsonType": "object", "properties": {"c": )" +
                       enc() + R"(}}},
        "additionalProperties": )" +
                       enc() + "}");
    auto paths = s->encryptedPaths();
    ASSERT_EQ(paths.size(), 3u);
    EXPECT_EQ(paths[0].first, "a");
    EXPECT_EQ(paths[1].first, "/^b/.c");
    EXPECT_EQ(paths[2].first, "*");
}

// ---- several subschemas for one field ----

TEST(Ambiguity, PropertyAndPatternAgreeing) {
    auto s = parseJson(R"({"properties": {"ssn": )" + enc() + R"(},
        "patternProperties": {"^ss": )" +
                       enc() + "}}");
    EXPECT_EQ(kindOf(*s, "ssn"), PathInfo::Kind::Encrypted);
    EXPECT_EQ(kindOf(*s, "ssx"), PathInfo::Kind::Encrypted);
}

TEST(Ambiguity, PropertyAndPatternDisagreeing) {
    auto s = parseJson(R"({"properties": {"ssn": )" + enc() + R"(},
        "patternProperties": {"^ss": )" +
                       enc(kDet, kUuidB) + "}}");
    EXPECT_EQ(kindOf(*s, "ssx"), PathInfo::Kind::Encrypted);  // only the pattern applies
    try {
        s->resolve(FieldPath::parse("ssn"));
        ADD_FAILURE() << "ambiguous field resolved";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::BadValue);
        EXPECT_NE(e.reason().find("Ambiguous encryption schema for field 'ssn'"), std::string::npos)
            << e.reason();
        EXPECT_NE(e.reason().find("properties.ssn"), std::string::npos);
        EXPECT_NE(e.reason().find("patternProperties.^ss"), std::string::npos);
    }
    EXPECT_THROW(s->root().child("ssn"), Error);
}

TEST(Ambiguity, EncryptedAndPlainSubschemasDisagree) {
    auto s = parseJson(R"({"properties": {"ssn": {"bsonType": "string"}},
        "patternProperties": {"^ss": )" +
                       enc() + "}}");
    EXPECT_THROW(s->resolve(FieldPath::parse("ssn")), Error);
    auto t = parseJson(R"({"properties": {"ssn": )" + enc() + R"(},
        "patternProperties": {"n$": {}}})");
    EXPECT_THROW(t->resolve(FieldPath::parse("ssn")), Error);
}

TEST(Ambiguity, TwoPatterns) {
    auto s = parseJson(R"({"patternProperties": {"^a": )" + enc() + R"(, "b$": )" +
                       enc(kRnd, kUuidA, "") + R"(, "^x": {}, "y$": {}}})");
    EXPECT_EQ(kindOf(*s, "ax"), PathInfo::Kind::Encrypted);
    EXPECT_EQ(kindOf(*s, "zb"), PathInfo::Kind::Encrypted);
    EXPECT_THROW(s->resolve(FieldPath::parse("ab")), Error);    // two encryptions differ
    EXPECT_THROW(s->resolve(FieldPath::parse("xb")), Error);    // encrypted and plain
    EXPECT_EQ(kindOf(*s, "xy"), PathInfo::Kind::NotEncrypted);  // both plain: no conflict
}

TEST(Ambiguity, NestedSubschemasCompareDeeply) {
    std::string same = R"({"bsonType": "object", "properties": {"c": )" + enc() + "}}";
    auto s = parseJson(R"({"properties": {"a": )" + same + R"(}, "patternProperties": {"^a": )" +
                       same + "}}");
    EXPECT_EQ(kindOf(*s, "a.c"), PathInfo::Kind::Encrypted);
    std::string other = R"({"bsonType": "object", "properties": {"d": )" + enc() + "}}";
    auto t = parseJson(R"({"properties": {"a": )" + same + R"(}, "patternProperties": {"^a": )" +
                       other + "}}");
    EXPECT_THROW(t->resolve(FieldPath::parse("a.c")), Error);
    // Inherited metadata counts: same text, different encryptMetadata above.
    std::string inheritA = R"({"bsonType": "object", "encryptMetadata": {"algorithm": ")" +
                           std::string(kRnd) + R"(", "keyId": [)" + uuidJson(kUuidA) +
                           R"(]}, "properties": {"c": {"encrypt": {}}}})";
    std::string inheritB = R"({"bsonType": "object", "encryptMetadata": {"algorithm": ")" +
                           std::string(kRnd) + R"(", "keyId": [)" + uuidJson(kUuidB) +
                           R"(]}, "properties": {"c": {"encrypt": {}}}})";
    auto u = parseJson(R"({"properties": {"a": )" + inheritA +
                       R"(}, "patternProperties": {"^a": )" + inheritB + "}}");
    EXPECT_THROW(u->resolve(FieldPath::parse("a")), Error);
}

// ---- regex guards ----

TEST(PatternGuards, InvalidRegex) {
    EXPECT_SCHEMA_ERROR(R"({"patternProperties": {"(a": {}}})", false, ErrorCode::BadValue,
                        "Invalid regular expression in $jsonSchema patternProperties '(a'",
                        "patternProperties.(a");
    EXPECT_SCHEMA_ERROR(R"({"patternProperties": {"a)(b": {}}})", false, ErrorCode::BadValue,
                        "Invalid regular expression", "patternProperties.a)(b");
}

TEST(PatternGuards, BackReferencesAndHugeRepetitionsRejected) {
    EXPECT_SCHEMA_ERROR(R"({"patternProperties": {"(a)\\1": {}}})", false, ErrorCode::BadValue,
                        "Invalid regular expression", "patternProperties.(a)\\1");
    EXPECT_SCHEMA_ERROR(R"({"patternProperties": {"a{100000}": {}}})", false, ErrorCode::BadValue,
                        "repetition counts above 1000", "patternProperties.a{100000}");
    EXPECT_SCHEMA_ERROR(R"({"patternProperties": {"((a{1000}){1000}){1000}": {}}})", false,
                        ErrorCode::BadValue, "Invalid regular expression",
                        "patternProperties.((a{1000}){1000}){1000}");
    std::string longPattern(2000, 'a');
    EXPECT_SCHEMA_ERROR(R"({"patternProperties": {")" + longPattern + R"(": {}}})", false,
                        ErrorCode::BadValue, "longer than 1000 bytes",
                        "patternProperties." + longPattern);
}

// Accepted by the ECMAScript grammar but read differently by MongoDB's PCRE (or not at all):
// refused, with the construct named.
TEST(PatternGuards, DialectConstructsTheAutomatonRefuses) {
    const std::pair<std::string, std::string> cases[] = {
        {"a**", "a quantifier directly after a quantifier"},
        {"a*+", "a quantifier directly after a quantifier"},
        {"a{2}{3}", "a quantifier directly after a quantifier"},
        {"[[.a.]]", "'[.' and '[=' inside a character class"},
        {"[\\b]", "'\\b' or '\\B' inside a character class"},
        {"\\c1", "'\\c' not followed by a letter"},
    };
    for (const auto& [p, why] : cases) {
        std::string json;  // the pattern as a JSON string
        for (char c : p) json += c == '\\' ? std::string("\\\\") : std::string(1, c);
        EXPECT_SCHEMA_ERROR(R"({"patternProperties": {")" + json + R"(": {}}})", false,
                            ErrorCode::BadValue, why, "patternProperties." + p);
    }
    // Escaped punctuation and non-ASCII characters are themselves.
    auto s = parseJson(R"({"patternProperties": {"^a\\_b$": )" + enc() + R"(, "^\\é$": )" + enc() +
                       "}}");
    EXPECT_EQ(kindOf(*s, "a_b"), PathInfo::Kind::Encrypted);
    EXPECT_EQ(kindOf(*s, "é"), PathInfo::Kind::Encrypted);
    EXPECT_EQ(kindOf(*s, "ab"), PathInfo::Kind::NotEncrypted);
}

TEST(PatternGuards, AutomatonSizeIsBudgeted) {
    EXPECT_SCHEMA_ERROR(R"({"patternProperties": {"(.{1000}){1000}": {}}})", false,
                        ErrorCode::BadValue, "too complex", "patternProperties.(.{1000}){1000}");
    // Each pattern alone is fine; together they exceed the per-schema budget (the compiled
    // programs' 40,000 instructions, reached at the second one).
    std::string wide;
    for (int i = 0; i < 30; ++i) wide += "[a-z]{999}";
    std::string json = R"({"patternProperties": {)";
    for (int i = 0; i < 3; ++i) {
        if (i) json += ", ";
        json += R"("^)" + std::to_string(i) + wide + R"(": {})";
    }
    json += "}}";
    EXPECT_SCHEMA_ERROR(json, false, ErrorCode::BadValue, "too complex together",
                        "patternProperties.^1" + wide);
    // Nested counted repetitions whose product passes 1,000 are refused by the linear matcher.
    EXPECT_SCHEMA_ERROR(R"({"patternProperties": {"([a-z]{999}){90}": {}}})", false,
                        ErrorCode::BadValue, "too complex for a linear-time matcher",
                        "patternProperties.([a-z]{999}){90}");
}

TEST(PatternGuards, CatastrophicPatternsStayPolynomial) {
    // Exponential for a backtracking matcher; linear-ish for the breadth-first one.
    auto s = parseJson(R"({"patternProperties": {"^(a+)+$": )" + enc() + R"(, "^(a|a)*b$": )" +
                       enc() + R"(, "(.*){20}x": )" + enc() + "}}");
    std::string name(1000, 'a');
    name += '!';
    auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(s->root().child(name), nullptr);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::steady_clock::now() - start)
                  .count();
    // Not a speed target: only a guard against the exponential case (which would never end).
    EXPECT_LT(ms, 20000);
}

TEST(PatternGuards, OverlongFieldNamesAreRejectedNotGuessed) {
    auto s = parseJson(R"({"patternProperties": {"^a": )" + enc() + "}}");
    std::string name(5000, 'a');
    EXPECT_THROW(s->root().child(name), Error);
    // Without patternProperties no regex runs, so long names are fine.
    auto t = parseJson(R"({"properties": {"b": )" + enc() + "}}");
    EXPECT_EQ(t->root().child(name), nullptr);
}

}  // namespace
}  // namespace cryptd::schema::test
