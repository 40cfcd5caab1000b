// The rule table against the real parser: every broken fixture (testdata/broken/<rule>.json,
// or <rule>--<variant>.json) must be reported first under its rule, with a location and a hint,
// and every rule of the table must have a fixture. When the schema layer rewords a message,
// these tests say which rule lost its match.

#include <gtest/gtest.h>

#include <set>

#include "check/rules.h"
#include "check_test_util.h"

namespace cryptd::check {
namespace {

std::string ruleOfFixture(const std::filesystem::path& p) {
    std::string stem = p.stem().string();
    return stem.substr(0, stem.find("--"));
}

// The first "error [rule]" line of a text report.
std::string firstRule(const std::string& out) {
    auto a = out.find("error [");
    if (a == std::string::npos) return "";
    a += 7;
    return out.substr(a, out.find(']', a) - a);
}

TEST(Rules, EveryBrokenFixtureIsReportedUnderItsRule) {
    auto files = test::fixtures("broken");
    ASSERT_GT(files.size(), 40u);
    for (const auto& f : files) {
        SCOPED_TRACE(f.filename().string());
        auto r = test::run({"--format", "text", f.string()});
        EXPECT_EQ(r.exit, 1) << r.out << r.err;
        EXPECT_EQ(firstRule(r.out), ruleOfFixture(f)) << r.out;
        // Located: "<file>:<line>:<column>: error".
        EXPECT_NE(r.out.find(f.string() + ":"), std::string::npos) << r.out;
        EXPECT_EQ(r.out.find(f.string() + ": error"), std::string::npos) << r.out;
        EXPECT_NE(r.out.find("\n    hint: "), std::string::npos) << r.out;
    }
}

TEST(Rules, EveryRuleHasABrokenFixture) {
    std::set<std::string> covered;
    for (const auto& f : test::fixtures("broken")) covered.insert(ruleOfFixture(f));
    for (auto id : ruleIds()) {
        EXPECT_TRUE(covered.count(std::string(id))) << "no testdata/broken/" << id << ".json";
    }
}

TEST(Rules, UnknownMessagesGetTheFallback) {
    auto m = classifyError(9, "something the table has never seen");
    EXPECT_EQ(m.id, kUnknownRule);
    EXPECT_FALSE(m.hint.empty());
}

TEST(Rules, CodesMustMatchToo) {
    // Same words, different code: not the same error.
    EXPECT_NE(classifyError(9, "Array elements must have type BinData, found string").id,
              "keyid-not-bindata");
    EXPECT_EQ(classifyError(51088, "Array elements must have type BinData, found string").id,
              "keyid-not-bindata");
}

TEST(Rules, HintsNameTheFix) {
    EXPECT_EQ(classifyError(9,
                            "Invalid schema containing the 'encrypt' keyword. Cannot use "
                            "deterministic encryption for element of type: double (at x)")
                  .hint,
              "deterministic encryption needs exactly one bsonType; double is not allowed — use "
              "Random or change the type");
    auto algo = classifyError(2,
                              "Enumeration value 'AEAD_AES_256_CBC_HMAC_SHA_512_Random' for field "
                              "'encrypt.algorithm' is not a valid value.");
    EXPECT_EQ(algo.hint.rfind("did you mean \"AEAD_AES_256_CBC_HMAC_SHA_512-Random\"?", 0), 0u)
        << algo.hint;
    EXPECT_NE(classifyError(9, "Unknown $jsonSchema keyword: propertes").hint.find("'properties'"),
              std::string::npos);
    EXPECT_NE(classifyError(9, "Unknown $jsonSchema keyword: $jsonSchema").hint.find("wrapper"),
              std::string::npos);
    EXPECT_NE(classifyError(2, "Unknown type name alias: strng").hint.find("\"string\""),
              std::string::npos);
    EXPECT_NE(classifyError(40415, "BSON field 'encryptMetadata.bsonType' is an unknown field.")
                  .hint.find("never inherited"),
              std::string::npos);
}

}  // namespace
}  // namespace cryptd::check
