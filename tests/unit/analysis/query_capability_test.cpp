// Capabilities as data: what each encrypted field can answer (ResolvedEncryption::refusal), what
// each match operator needs (its table row), and the walkers' messages built from the two.

#include <gtest/gtest.h>

#include "analysis/match_operators.h"
#include "analysis_test_util.h"
#include "schema/encryption_schema.h"

namespace cryptd::analysis::test {
namespace {

using schema::Algorithm;
using schema::QueryKind;

constexpr QueryKind kAllKinds[] = {QueryKind::Equality, QueryKind::Range,     QueryKind::Prefix,
                                   QueryKind::Suffix,   QueryKind::Substring, QueryKind::Other};

schema::ResolvedEncryption encryption(Algorithm algorithm, bool uuidKey) {
    schema::ResolvedEncryption e{algorithm, {}, {}, "properties.x.encrypt"};
    if (uuidKey) {
        e.keyId.value = Uuid{};
    } else {
        e.keyId.value = std::string("/altName");
    }
    return e;
}

TEST(QueryCapabilityTest, DeterministicWithUuidKeyServesEqualityOnly) {
    auto e = encryption(Algorithm::Deterministic, true);
    EXPECT_TRUE(e.supports(QueryKind::Equality));
    for (QueryKind k : kAllKinds) {
        if (k == QueryKind::Equality) continue;
        schema::QueryRefusal why = e.refusal(k);
        EXPECT_FALSE(e.supports(k));
        EXPECT_TRUE(why.notServed);
        EXPECT_FALSE(why.randomized || why.pointerKeyId);
    }
}

TEST(QueryCapabilityTest, RandomizedServesNothing) {
    auto e = encryption(Algorithm::Random, true);
    for (QueryKind k : kAllKinds) {
        EXPECT_FALSE(e.supports(k));
        EXPECT_TRUE(e.refusal(k).randomized);
        EXPECT_FALSE(e.refusal(k).pointerKeyId);
    }
}

TEST(QueryCapabilityTest, PointerKeyIdCannotBeCompared) {
    for (Algorithm a : {Algorithm::Deterministic, Algorithm::Random}) {
        auto e = encryption(a, false);
        for (QueryKind k : kAllKinds) {
            EXPECT_FALSE(e.supports(k));
            EXPECT_TRUE(e.refusal(k).pointerKeyId);
            EXPECT_EQ(e.refusal(k).randomized, a == Algorithm::Random);
        }
    }
}

TEST(QueryCapabilityTest, OperatorRowsCarryWhatTheyNeed) {
    for (const char* op : {"$eq", "$ne", "$in", "$nin"}) {
        EXPECT_EQ(findPathOperator(op)->needs, QueryKind::Equality) << op;
    }
    for (const char* op : {"$gt", "$gte", "$lt", "$lte"}) {
        EXPECT_EQ(findPathOperator(op)->needs, QueryKind::Range) << op;
    }
    for (const char* op : {"$mod", "$size", "$type", "$all", "$bitsAllSet", "$regex", "$near",
                           "$geoWithin", "$elemMatch"}) {
        EXPECT_EQ(findPathOperator(op)->needs, QueryKind::Other) << op;
    }
    for (const char* op : {"$exists", "$not", "$options", "$minDistance"}) {
        EXPECT_FALSE(findPathOperator(op)->needs.has_value()) << op;
    }
}

// Each refusal reaches the user with the message naming its reason.
void expectFind(const std::string& filter, const std::string& substring) {
    expectError(
        [&] { analyzeDoc(withStandardSchema(R"({"find": "c", "filter": )" + filter + "}")); },
        ErrorCode::BadValue, substring);
}

TEST(QueryCapabilityTest, WalkersNameTheRefusal) {
    // Equality served: marked.
    EXPECT_EQ(countMarkings(analyzeDoc(withStandardSchema(
                                           R"({"find": "c", "filter": {"ssn": {"$in": ["1"]}}})"))
                                .view()),
              1u);
    // Range not served by CSFLE deterministic.
    expectFind(R"({"ssn": {"$gt": "1"}})",
               "Invalid match expression operator on encrypted field 'ssn': $gt");
    expectFind(R"({"ssn": {"$mod": [2, 0]}})",
               "Invalid match expression operator on encrypted field 'ssn': $mod");
    expectFind(R"({"ssn": {"$regularExpression": {"pattern": "x", "options": ""}}})",
               "Invalid match expression operator on encrypted field 'ssn': $regex");
    // Randomized: named before the operator, whatever the operator.
    expectFind(R"({"secret": {"$eq": 1}})",
               "Cannot query on fields encrypted with the randomized encryption algorithm");
    expectFind(R"({"secret": {"$gt": 1}})",
               "Cannot query on fields encrypted with the randomized encryption algorithm");
    // JSON-pointer keyId (deterministic): cannot be compared.
    expectFind(R"({"detByName": "x"})", "A non-static (JSONPointer) keyId is not supported");
    // $exists reads no value: allowed on any encrypted field.
    EXPECT_EQ(
        countMarkings(
            analyzeDoc(withStandardSchema(R"({"find": "c", "filter": {"secret": {"$exists": 1}}})"))
                .view()),
        0u);
}

TEST(QueryCapabilityTest, GroupAndDistinctAskForEquality) {
    expectError(
        [] {
            analyzeDoc(withStandardSchema(
                R"({"aggregate": "c", "pipeline": [{"$group": {"_id": "$secret"}}], "cursor": {}})"));
        },
        ErrorCode::BadValue, "randomized algorithm");
    expectError(
        [] {
            analyzeDoc(withStandardSchema(
                R"({"aggregate": "c", "pipeline": [{"$group": {"_id": "$detByName"}}], "cursor": {}})"));
        },
        ErrorCode::BadValue, "its keyId is a JSON pointer");
    // distinct names the pointer first, even on a randomized field.
    expectError([] { analyzeDoc(withStandardSchema(R"({"distinct": "c", "key": "byName"})")); },
                ErrorCode::BadValue, "non-UUID keyId");
    expectError([] { analyzeDoc(withStandardSchema(R"({"distinct": "c", "key": "secret"})")); },
                ErrorCode::BadValue, "randomized encryption algorithm");
}

}  // namespace
}  // namespace cryptd::analysis::test
