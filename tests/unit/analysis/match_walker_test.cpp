// The match-expression walker, driven through find's filter (and the StoredOnServer mode through
// a validator). Expected filters are written with markings expanded (see analysis_test_util.h).
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "analysis_test_util.h"

namespace cryptd::analysis::test {
namespace {

std::string marking(const std::string& value, const char* uuid = kUuidAString) {
    return std::string(R"({"$marking": {"a": 1, "ki": ")") + uuid + R"(", "v": )" + value + "}}";
}

// The reply's result.filter for find with `filter`, as relaxed JSON.
std::string filterOf(const std::string& filter) {
    bson::Doc reply = analyzeDoc(withStandardSchema(R"({"find": "c", "filter": )" + filter + "}"));
    bson::Doc expanded = expandMarkings(reply.view());
    return expanded.view().find("result")->document().find("filter")->document().toJson();
}

// find with a filter built in BSON (for keys libbson's JSON parser reads as legacy Extended
// JSON: $type, $regex, $options), analyzed with the standard schema.
bson::Doc findWith(bson::View filter) {
    bson::Doc schemaDoc = bson::Doc::fromJson(standardSchemaJson());
    bson::Builder b;
    b.appendUtf8("find", "c").appendDocument("filter", filter);
    b.appendDocument("jsonSchema", schemaDoc.view()).appendBool("isRemoteSchema", true);
    bson::Doc cmd = b.finish();
    auto schema = schema::EncryptionSchema::parse(schemaDoc.view(), true);
    return analyzeCommand(cmd.view(), schema.get());
}

std::string filterOfBson(bson::View filter) {
    bson::Doc reply = findWith(filter);
    return reply.view().find("result")->document().find("filter")->document().toJson();
}

void expectFilter(const std::string& filter, const std::string& expected) {
    EXPECT_EQ(filterOf(filter), normalized(expected)) << "filter: " << filter;
}

void expectFilterError(const std::string& filter, const std::string& substring,
                       ErrorCode code = ErrorCode::BadValue) {
    expectAnalyzeError(withStandardSchema(R"({"find": "c", "filter": )" + filter + "}"), code,
                       substring);
}

TEST(MatchWalkerTest, ImplicitEqualityBecomesEqWithMarking) {
    expectFilter(R"({"ssn": "457-55-5462"})",
                 R"({"ssn": {"$eq": )" + marking(R"("457-55-5462")") + "}}");
}

TEST(MatchWalkerTest, SeveralPredicatesBecomeOneAnd) {
    expectFilter(
        R"({"ssn": "a", "name": "x"})",
        R"({"$and": [{"ssn": {"$eq": )" + marking(R"("a")") + R"(}}, {"name": {"$eq": "x"}}]})");
    // One predicate per operator of an operator object.
    expectFilter(R"({"n": {"$gt": 1, "$lt": 5}})",
                 R"({"$and": [{"n": {"$gt": 1}}, {"n": {"$lt": 5}}]})");
}

TEST(MatchWalkerTest, EmptyFilterStaysEmpty) {
    expectFilter("{}", "{}");
}

TEST(MatchWalkerTest, UnencryptedFieldsAreReserializedNotMarked) {
    expectFilter(R"({"name": {"$in": [1, 2]}})", R"({"name": {"$in": [1, 2]}})");
    expectFilter(R"({"name": {"$ne": 1}})", R"({"name": {"$not": {"$eq": 1}}})");
    expectFilter(R"({"name": {"$nin": [1]}})", R"({"name": {"$not": {"$in": [1]}}})");
    // A regex value and {$regex, $options} both come back as {$regex: <string>, $options}.
    const char* regexForm = R"({ "name" : { "$regex" : "^a", "$options" : "i" } })";
    EXPECT_EQ(filterOf(R"({"name": {"$regularExpression": {"pattern": "^a", "options": "i"}}})"),
              regexForm);
    {
        bson::Builder f;
        f.appendDocument("name", [](bson::Builder& o) {
            o.appendUtf8("$regex", "^a").appendUtf8("$options", "i");
        });
        EXPECT_EQ(filterOfBson(f.finish().view()), regexForm);
    }
    expectFilter(R"({"loc": {"$near": [1, 2], "$maxDistance": 3}})",
                 R"({"loc": {"$near": [1, 2], "$maxDistance": 3}})");
    expectFilter(R"({"ref": {"$ref": "c", "$id": 1}})",
                 R"({"ref": {"$eq": {"$ref": "c", "$id": 1}}})");
}

TEST(MatchWalkerTest, EqNeInNinOnDeterministicFieldsAreMarked) {
    expectFilter(R"({"ssn": {"$eq": "a"}})", R"({"ssn": {"$eq": )" + marking(R"("a")") + "}}");
    expectFilter(R"({"ssn": {"$ne": "a"}})",
                 R"({"ssn": {"$not": {"$eq": )" + marking(R"("a")") + "}}}");
    expectFilter(R"({"ssn": {"$in": ["a", "b"]}})",
                 R"({"ssn": {"$in": [)" + marking(R"("a")") + ", " + marking(R"("b")") + "]}}");
    expectFilter(R"({"ssn": {"$nin": ["a"]}})",
                 R"({"ssn": {"$not": {"$in": [)" + marking(R"("a")") + "]}}}");
    expectFilter(R"({"age": {"$not": {"$eq": 5}}})",
                 R"({"age": {"$not": {"$eq": )" + marking("5", kUuidBString) + "}}}");
    expectFilter(R"({"insurance.policyNumber": "p"})",
                 R"({"insurance.policyNumber": {"$eq": )" + marking(R"("p")") + "}}");
}

TEST(MatchWalkerTest, LogicalOperatorsRecurse) {
    expectFilter(R"({"$or": [{"ssn": "a"}, {"name": "b", "age": 3}]})",
                 R"({"$or": [{"ssn": {"$eq": )" + marking(R"("a")") +
                     R"(}}, {"$and": [{"name": {"$eq": "b"}}, {"age": {"$eq": )" +
                     marking("3", kUuidBString) + "}}]}]}");
    expectFilter(R"({"$nor": [{"ssn": "a"}], "x": 1})", R"({"$and": [{"$nor": [{"ssn": {"$eq": )" +
                                                            marking(R"("a")") +
                                                            R"(}}]}, {"x": {"$eq": 1}}]})");
}

TEST(MatchWalkerTest, ExistsAllowedOnAnyEncryptedField) {
    expectFilter(R"({"secret": {"$exists": true}})", R"({"secret": {"$exists": true}})");
    expectFilter(R"({"ssn": {"$exists": false}})", R"({"ssn": {"$exists": false}})");
}

TEST(MatchWalkerTest, ElemMatchOnUnencryptedArrays) {
    expectFilter(R"({"arr": {"$elemMatch": {"$gt": 1, "$lt": 5}}})",
                 R"({"arr": {"$elemMatch": {"$gt": 1, "$lt": 5}}})");
    // Element fields are not governed by the collection schema (encrypt is forbidden under items).
    expectFilter(
        R"({"arr": {"$elemMatch": {"ssn": "x", "b": 2}}})",
        R"({"arr": {"$elemMatch": {"$and": [{"ssn": {"$eq": "x"}}, {"b": {"$eq": 2}}]}}})");
    expectFilterError(R"({"ssn": {"$elemMatch": {"$eq": "x"}}})",
                      "Invalid match expression operator on encrypted field");
    expectFilterError(R"({"insurance": {"$elemMatch": {"policyNumber": "x"}}})",
                      "$elemMatch is not supported on a field that contains encrypted fields");
}

TEST(MatchWalkerTest, RejectedOperatorsOnEncryptedFields) {
    for (const char* op : {"$gt", "$gte", "$lt", "$lte", "$size", "$all", "$bitsAllClear",
                           "$bitsAllSet", "$bitsAnyClear", "$bitsAnySet", "$geoWithin",
                           "$geoIntersects", "$mod", "$near", "$nearSphere"}) {
        expectFilterError(std::string(R"({"ssn": {")") + op + R"(": 1}})",
                          "Invalid match expression operator on encrypted field");
        // ...and they pass on unencrypted fields.
        EXPECT_NO_THROW(filterOf(std::string(R"({"other": {")") + op + R"(": 1}})")) << op;
    }
    for (const char* op : {"$type", "$regex"}) {
        bson::Builder f;
        f.appendDocument("ssn", [&](bson::Builder& o) { o.appendUtf8(op, "string"); });
        bson::Doc filter = f.finish();
        expectError([&] { findWith(filter.view()); }, ErrorCode::BadValue,
                    "Invalid match expression operator on encrypted field");
    }
    expectFilterError(R"({"ssn": {"$regularExpression": {"pattern": "x", "options": ""}}})",
                      "Invalid match expression operator on encrypted field");
    expectFilterError(
        R"({"ssn": {"$eq": {"$regularExpression": {"pattern": "x", "options": ""}}}})",
        "Invalid match expression operator on encrypted field");
    expectFilterError(R"({"ssn": {"$not": {"$gt": "a"}}})",
                      "Invalid match expression operator on encrypted field");
}

TEST(MatchWalkerTest, NullComparisonsRejected) {
    expectFilterError(R"({"ssn": null})", "Illegal equality to null predicate for encrypted field");
    expectFilterError(R"({"ssn": {"$eq": null}})",
                      "Illegal equality to null predicate for encrypted field");
    expectFilterError(R"({"ssn": {"$in": ["a", null]}})",
                      "Illegal equality to null inside $in against an encrypted field");
}

TEST(MatchWalkerTest, RandomizedFieldsCannotBeQueried) {
    expectFilterError(R"({"secret": "x"})",
                      "Cannot query on fields encrypted with the randomized encryption");
    expectFilterError(R"({"secret": {"$in": ["x"]}})",
                      "Cannot query on fields encrypted with the randomized encryption");
    expectFilterError(R"({"secret": {"$gt": 1}})",
                      "Cannot query on fields encrypted with the randomized encryption");
}

TEST(MatchWalkerTest, PointerKeyIdsCannotBeQueried) {
    expectFilterError(R"({"detByName": "x"})", "A non-static (JSONPointer) keyId is not supported");
}

TEST(MatchWalkerTest, WrongTypeForDeterministicField) {
    expectFilterError(R"({"ssn": 5})", "Cannot encrypt element of type: int");
    expectFilterError(R"({"ssn": {"$in": [["a"]]}})", "Cannot encrypt element of type: array");
}

TEST(MatchWalkerTest, PathsBelowOrObjectsAboveEncryptedFieldsRejected) {
    expectFilterError(R"({"ssn.x": 1})", "below an encrypted field");
    expectFilterError(R"({"ssn.x": {"$exists": true}})", "below an encrypted field");
    expectFilterError(R"({"insurance": {"policyNumber": "p"}})",
                      "Cannot compare to an object on a field that contains encrypted fields");
    expectFilterError(R"({"insurance": {"$in": [{"policyNumber": "p"}]}})",
                      "Cannot compare to an object on a field that contains encrypted fields");
    // Scalars compared to such an object path reveal nothing.
    expectFilter(R"({"insurance": null})", R"({"insurance": {"$eq": null}})");
}

TEST(MatchWalkerTest, UnsupportedTopLevelOperators) {
    expectFilterError(R"({"$where": "true"})",
                      "Unsupported match expression operator for encryption");
    expectFilterError(R"({"$text": {"$search": "x"}})",
                      "Unsupported match expression operator for encryption");
    expectFilterError(R"({"$jsonSchema": {}})",
                      "Unsupported match expression operator for encryption");
    expectFilterError(R"({"$foo": 1})", "unknown top level operator: $foo");
    expectFilterError(R"({"a": {"$foo": 1}})", "unknown operator: $foo");
    expectFilterError(R"({"$and": []})", "$and must be a nonempty array");
    bson::Builder f;
    f.appendDocument("a", [](bson::Builder& o) { o.appendUtf8("$options", "i"); });
    bson::Doc filter = f.finish();
    expectError([&] { findWith(filter.view()); }, ErrorCode::BadValue, "$options needs a $regex");
}

// Attached operators are checked for their owner in every operator object of a filter level
// before any predicate of that level is written: the error does not depend on what precedes.
TEST(MatchWalkerTest, AttachedOperatorsNeedTheirOwner) {
    auto error = [](const std::function<void(bson::Builder&)>& fill, const std::string& message) {
        bson::Builder f;
        fill(f);
        bson::Doc filter = f.finish();
        expectError([&] { findWith(filter.view()); }, ErrorCode::BadValue, message);
    };
    const std::string noRegex = "$options needs a $regex";
    const std::string noNear = "$minDistance and $maxDistance need $near or $nearSphere";
    error(
        [](bson::Builder& f) {
            f.appendDocument("x", [](bson::Builder& o) { o.appendInt32("$foo", 1); });
            f.appendDocument("a", [](bson::Builder& o) { o.appendUtf8("$options", "i"); });
        },
        noRegex);
    error(
        [](bson::Builder& f) {
            f.appendDocument("a", [](bson::Builder& o) {
                o.appendInt32("$maxDistance", 1).appendUtf8("$options", "i");
            });
        },
        noRegex);  // $options is checked first
    error(
        [](bson::Builder& f) {
            f.appendDocument("a", [](bson::Builder& o) { o.appendInt32("$minDistance", 1); });
        },
        noNear);
    error(
        [](bson::Builder& f) {
            f.appendDocument("a", [](bson::Builder& o) {
                o.appendInt32("$maxDistance", 1).appendUtf8("$regex", "x");
            });
        },
        noNear);
    error(
        [](bson::Builder& f) {
            f.appendDocument("a", [](bson::Builder& o) {
                o.appendDocument("$not", [](bson::Builder& n) { n.appendUtf8("$options", "i"); });
            });
        },
        noRegex);
    error(
        [](bson::Builder& f) {
            f.appendDocument("a", [](bson::Builder& o) {
                o.appendDocument("$elemMatch",
                                 [](bson::Builder& m) { m.appendInt32("$maxDistance", 1); });
            });
        },
        noNear);
    // With their owner, anywhere in the object, they are written with it.
    for (const char* owner : {"$near", "$nearSphere", "$geoNear"}) {
        bson::Builder f;
        f.appendDocument("loc", [&](bson::Builder& o) {
            o.appendInt32("$minDistance", 1);
            o.appendArray(owner,
                          [](bson::Builder& a) { a.appendInt32("0", 1).appendInt32("1", 2); });
        });
        bson::Doc filter = f.finish();
        EXPECT_EQ(filterOfBson(filter.view()), normalized(std::string(R"({"loc": {")") + owner +
                                                          R"(": [1, 2], "$minDistance": 1}})"))
            << owner;
    }
    bson::Builder f;
    f.appendDocument("name", [](bson::Builder& o) {
        o.appendUtf8("$options", "i").appendUtf8("$regex", "^a").appendInt32("$gt", 1);
    });
    bson::Doc filter = f.finish();
    EXPECT_EQ(
        filterOfBson(filter.view()),
        R"({ "$and" : [ { "name" : { "$regex" : "^a", "$options" : "i" } }, { "name" : { "$gt" : 1 } } ] })");
}

// $expr in a query filter follows the aggregation expression rules, as in an aggregate's $match:
// constants compared to deterministic fields are marked, anything else reading ciphertext fails.
TEST(MatchWalkerTest, ExprFollowsTheAggregationExpressionRules) {
    expectFilter(R"({"$expr": {"$eq": ["$a", "$b"]}})", R"({"$expr": {"$eq": ["$a", "$b"]}})");
    expectFilter(R"({"$expr": {"$eq": ["$ssn", "x"]}})",
                 R"({"$expr": {"$eq": ["$ssn", )" + marking(R"("x")") + "]}}");
    expectFilter(
        R"({"$expr": {"$ne": ["x", "$insurance.policyNumber"]}})",
        R"({"$expr": {"$ne": [)" + marking(R"("x")") + R"(, "$insurance.policyNumber"]}})");
    expectFilter(R"({"$expr": {"$in": ["$age", [1, 2]]}})",
                 R"({"$expr": {"$in": ["$age", [)" + marking("1", kUuidBString) + ", " +
                     marking("2", kUuidBString) + "]]}}");
    expectFilter(R"({"$or": [{"$expr": {"$eq": ["$ssn", "x"]}}, {"a": 1}]})",
                 R"({"$or": [{"$expr": {"$eq": ["$ssn", )" + marking(R"("x")") +
                     R"(]}}, {"a": {"$eq": 1}}]})");
    expectFilter(R"({"$expr": {"$eq": ["$ssn", "$ssn2"]}})",
                 R"({"$expr": {"$eq": ["$ssn", "$ssn2"]}})");
    expectFilterError(R"({"$expr": {"$gt": ["$ssn", "x"]}})",
                      "cannot operate on encrypted field 'ssn'");
    expectFilterError(R"({"$expr": {"$eq": ["$ssn", 5]}})", "Cannot encrypt element of type: int");
    expectFilterError(R"({"$expr": {"$eq": ["$secret", "x"]}})", "randomized");
    expectFilterError(R"({"$expr": {"$eq": ["$ssn", "$age"]}})", "not encrypted with the same");
    expectFilterError(R"({"$expr": {"$eq": ["$$ROOT", {}]}})", "cannot compare");
    expectFilterError(R"({"$expr": "$ssn"})", "$expr cannot test the truth of encrypted field");
    expectFilter(R"({"$expr": {"$literal": "$ssn"}})", R"({"$expr": {"$literal": "$ssn"}})");
}

// Under $elemMatch $expr is not allowed to read encrypted fields at all (its paths would start at
// the document root, not the element).
TEST(MatchWalkerTest, ExprUnderElemMatchMayNotReadEncryptedFields) {
    expectFilterError(R"({"arr": {"$elemMatch": {"$expr": {"$eq": ["$ssn", "x"]}}}})",
                      "$expr reading encrypted data is not supported");
}

TEST(MatchWalkerTest, NoSchemaMeansNothingIsRejectedForEncryption) {
    std::string cmd =
        R"({"find": "c", "filter": {"$where": "1", "a": 1}, "jsonSchema": {}, "isRemoteSchema": true})";
    EXPECT_EQ(analyzeJson(cmd),
              normalized(R"({"hasEncryptionPlaceholders": false, "schemaRequiresEncryption": false,
                "result": {"find": "c", "filter": {"$and": [{"$where": "1"}, {"a": {"$eq": 1}}]}}})"));
}

// Validators and partial filters cannot compare encrypted fields at all.
TEST(MatchWalkerTest, StoredOnServerModeRejectsComparisons) {
    expectAnalyzeError(
        withStandardSchema(R"({"createIndexes": "c", "indexes": [{"key": {"a": 1}, "name": "a",
        "partialFilterExpression": {"ssn": "x"}}]})"),
        ErrorCode::BadValue, "Comparison to encrypted fields not supported");
    EXPECT_NO_THROW(
        analyzeDoc(withStandardSchema(R"({"createIndexes": "c", "indexes": [{"key": {"a": 1},
        "name": "a", "partialFilterExpression": {"ssn": {"$exists": true}, "a": {"$gt": 1}}}]})")));
}

TEST(MatchWalkerTest, DeepNestingIsRejectedNotACrash) {
    bson::Doc filter;
    for (int i = 0; i < 150; ++i) {
        bson::Builder b;
        b.appendArray("$and", [&](bson::Builder& arr) { arr.appendDocument("0", filter.view()); });
        filter = b.finish();
    }
    expectError([&] { findWith(filter.view()); }, ErrorCode::BadValue, "depth limit");

    bson::Doc notChain = bson::Doc::fromJson(R"({"$eq": 1})");
    for (int i = 0; i < 5000; ++i) {
        bson::Builder b;
        b.appendDocument("$not", notChain.view());
        notChain = b.finish();
    }
    bson::Builder f;
    f.appendDocument("a", notChain.view());
    bson::Doc notFilter = f.finish();
    expectError([&] { findWith(notFilter.view()); }, ErrorCode::BadValue, "depth limit");

    // Deeply nested arrays compared to a path holding encrypted fields: rejected, no overflow.
    bson::Doc arrays = bson::Doc::fromJson("{}");
    for (int i = 0; i < 5000; ++i) {
        bson::Builder b;
        b.appendArray("0", arrays.view());
        arrays = b.finish();
    }
    bson::Builder g;
    g.appendDocument("insurance", [&](bson::Builder& o) { o.appendArray("$in", arrays.view()); });
    bson::Doc arrayFilter = g.finish();
    expectError([&] { findWith(arrayFilter.view()); }, ErrorCode::BadValue,
                "Cannot compare to an object on a field that contains encrypted fields");
}

}  // namespace
}  // namespace cryptd::analysis::test
