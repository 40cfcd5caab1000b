// Aggregation expressions: the encryption-aware subset ($eq $ne $in $cond $ifNull $switch $let
// $literal) marks constants that meet deterministic fields; every other operator reads only
// unencrypted values; unknown operators are rejected by name.
#include <gtest/gtest.h>

#include "pipeline_test_util.h"

namespace cryptd::analysis::test {
namespace {

// The pipeline [{$match: {$expr: <expr>}}] as analyzed, and the expected form of it.
std::string expr(const std::string& e) {
    return analyzedPipeline(R"([{"$match": {"$expr": )" + e + "}}]");
}
std::string exprJson(const std::string& e) {
    return pipelineJson(R"([{"$match": {"$expr": )" + e + "}}]");
}
void expectExprError(const std::string& e, const std::string& substring) {
    expectPipelineError(R"([{"$match": {"$expr": )" + e + "}}]", ErrorCode::BadValue, substring);
}
// A field computed by $project, then queried: shows the computed field's encryption.
std::string computed(const std::string& e, const std::string& matchValue) {
    return analyzedPipeline(R"([{"$project": {"x": )" + e + R"(}}, {"$match": {"x": )" +
                            matchValue + "}}]");
}
std::string computedJson(const std::string& e, const std::string& matchValueWritten) {
    return pipelineJson(R"([{"$project": {"x": )" + e + R"(}}, {"$match": {"x": {"$eq": )" +
                        matchValueWritten + "}}}]");
}

TEST(EqualityExpressionTest, ConstantsMeetingDeterministicFieldsAreMarked) {
    EXPECT_EQ(expr(R"({"$eq": ["$ssn", "1"]})"),
              exprJson(R"({"$eq": ["$ssn", )" + markA(R"("1")") + "]}"));
    EXPECT_EQ(expr(R"({"$ne": [7, "$age"]})"),
              exprJson(R"({"$ne": [)" + markB("7") + R"(, "$age"]})"));
    // A $literal is the constant: its value is marked, the wrapper is no longer needed.
    EXPECT_EQ(expr(R"({"$eq": ["$ssn", {"$literal": "$notAPath"}]})"),
              exprJson(R"({"$eq": ["$ssn", )" + markA(R"("$notAPath")") + "]}"));
    // Two fields with the same deterministic encryption compare ciphertexts: nothing to mark.
    EXPECT_EQ(expr(R"({"$eq": ["$ssn", "$ssn2"]})"), exprJson(R"({"$eq": ["$ssn", "$ssn2"]})"));
    EXPECT_EQ(expr(R"({"$eq": ["$name", "x"]})"), exprJson(R"({"$eq": ["$name", "x"]})"));
    EXPECT_TRUE(pipelineHasPlaceholders(R"([{"$match": {"$expr": {"$eq": ["$ssn", "1"]}}}])"));
    EXPECT_FALSE(pipelineHasPlaceholders(R"([{"$match": {"$expr": {"$eq": ["$ssn", "$ssn2"]}}}])"));
}

TEST(EqualityExpressionTest, RejectsComparisonsThatCannotWorkOnCiphertext) {
    expectExprError(R"({"$eq": ["$ssn", "$age"]})",
                    "compares encrypted field 'ssn' with encrypted field 'age', which are not "
                    "encrypted with the same algorithm, key and type");
    expectExprError(R"({"$eq": ["$ssn", "$name"]})",
                    "compares encrypted field 'ssn' with an unencrypted value");
    expectExprError(R"({"$eq": ["$ssn", {"$concat": ["a", "b"]}]})",
                    "compares encrypted field 'ssn' with an unencrypted value");
    expectExprError(R"({"$eq": ["$secret", "x"]})",
                    "Cannot query on fields encrypted with the randomized encryption");
    expectExprError(R"({"$eq": ["$ssn", null]})", "Illegal equality to null");
    expectExprError(R"({"$eq": ["$age", "not an int"]})", "Cannot encrypt element of type: string");
    expectExprError(R"({"$eq": ["$insurance", {"policyNumber": "1"}]})",
                    "cannot compare field 'insurance', a document that contains encrypted fields");
    expectExprError(R"({"$eq": ["$detByName", "x"]})", "A non-static (JSONPointer) keyId");
    expectExprError(R"({"$eq": ["$ssn"]})",
                    "Expression $eq takes exactly 2 arguments. 1 were passed in.");
}

TEST(InExpressionTest, EachConstantOfTheArrayLiteralIsMarked) {
    EXPECT_EQ(expr(R"({"$in": ["$ssn", ["1", "$ssn2"]]})"),
              exprJson(R"({"$in": ["$ssn", [)" + markA(R"("1")") + R"(, "$ssn2"]]})"));
    EXPECT_EQ(expr(R"({"$in": ["$name", ["1", "2"]]})"),
              exprJson(R"({"$in": ["$name", ["1", "2"]]})"));
    expectExprError(R"({"$in": ["$ssn", "$list"]})",
                    "needs an array literal as its second argument");
    expectExprError(R"({"$in": ["$ssn", ["1", "$name"]]})",
                    "compares encrypted field 'ssn' with an unencrypted value");
    expectExprError(R"({"$in": ["x", ["$ssn", "$name"]]})", "$in's array cannot operate on");
    // A constant looked up in an array of ciphertexts ($push) is marked like them.
    EXPECT_EQ(analyzedPipeline(R"([{"$group": {"_id": null, "all": {"$push": "$ssn"}}},
                                   {"$match": {"$expr": {"$in": ["1", "$all"]}}}])"),
              pipelineJson(R"([{"$group": {"_id": {"$const": null}, "all": {"$push": "$ssn"}}},
                  {"$match": {"$expr": {"$in": [)" +
                           markA(R"("1")") + R"(, "$all"]}}}])"));
}

TEST(BranchExpressionTest, ConstantBranchesAreMarkedLikeTheEncryptedOnes) {
    EXPECT_EQ(
        computed(R"({"$cond": [{"$eq": ["$kind", 1]}, "$ssn", "none"]})", R"("1")"),
        computedJson(R"({"$cond": [{"$eq": ["$kind", 1]}, "$ssn", )" + markA(R"("none")") + "]}",
                     markA(R"("1")")));
    EXPECT_EQ(
        computed(R"({"$cond": {"if": true, "then": 7, "else": "$age"}})", "3"),
        computedJson(R"({"$cond": {"if": true, "then": )" + markB("7") + R"(, "else": "$age"}})",
                     markB("3")));
    EXPECT_EQ(computed(R"({"$ifNull": ["$ssn", "n/a"]})", R"("1")"),
              computedJson(R"({"$ifNull": ["$ssn", )" + markA(R"("n/a")") + "]}", markA(R"("1")")));
    EXPECT_EQ(
        computed(R"({"$switch": {"branches": [{"case": {"$eq": ["$k", 1]}, "then": "$ssn"}],
                                 "default": "none"}})",
                 R"("1")"),
        computedJson(R"({"$switch": {"branches": [{"case": {"$eq": ["$k", 1]}, "then": "$ssn"}],
                                     "default": )" +
                         markA(R"("none")") + "}}",
                     markA(R"("1")")));
    // Both branches unencrypted: the field is too.
    EXPECT_EQ(computed(R"({"$cond": [true, "$a", "b"]})", R"("1")"),
              computedJson(R"({"$cond": [true, "$a", "b"]})", R"("1")"));
}

TEST(BranchExpressionTest, ConstantsThatCannotBeEncryptedLeaveTheFieldUnknown) {
    // An int cannot be encrypted as ssn's string; null never: the result is mixed.
    for (const char* e :
         {R"({"$cond": [true, "$ssn", 5]})", R"({"$ifNull": ["$ssn", null]})",
          R"({"$cond": [true, "$secret", "x"]})", R"({"$cond": [true, "$ssn", "$age"]})"}) {
        std::string project = std::string(R"({"$project": {"x": )") + e + "}}";
        EXPECT_EQ(analyzedPipeline("[" + project + "]"), pipelineJson("[" + project + "]")) << e;
        expectPipelineError("[" + project + R"(, {"$match": {"x": "1"}}])", ErrorCode::BadValue,
                            "Cannot determine whether field 'x' is encrypted");
    }
    expectExprError(R"({"$cond": ["$ssn", 1, 2]})",
                    "$cond cannot test the truth of encrypted field 'ssn'");
    expectExprError(R"({"$cond": {"if": true, "then": 1}})", "Missing 'else' parameter to $cond");
    expectExprError(R"({"$cond": {"if": true, "then": 1, "else": 2, "x": 3}})",
                    "Unrecognized parameter to $cond: x");
    expectExprError(R"({"$switch": {"branches": [{"case": "$ssn", "then": 1}]}})",
                    "$switch cannot test the truth of encrypted field 'ssn'");
}

TEST(LetExpressionTest, VariablesCarryTheirEncryption) {
    EXPECT_EQ(expr(R"({"$let": {"vars": {"s": "$ssn"}, "in": {"$eq": ["$$s", "1"]}}})"),
              exprJson(R"({"$let": {"vars": {"s": "$ssn"}, "in": {"$eq": ["$$s", )" +
                       markA(R"("1")") + "]}}}"));
    EXPECT_EQ(
        expr(
            R"({"$let": {"vars": {"i": "$insurance"}, "in": {"$eq": ["$$i.policyNumber", "p"]}}})"),
        exprJson(R"({"$let": {"vars": {"i": "$insurance"}, "in": {"$eq": ["$$i.policyNumber", )" +
                 markA(R"("p")") + "]}}}"));
    // `in` may come first; it still sees the variables.
    EXPECT_EQ(expr(R"({"$let": {"in": {"$eq": ["$$s", "1"]}, "vars": {"s": "$ssn"}}})"),
              exprJson(R"({"$let": {"in": {"$eq": ["$$s", )" + markA(R"("1")") +
                       R"(]}, "vars": {"s": "$ssn"}}})"));
    expectExprError(R"({"$let": {"vars": {"CURRENT": "$insurance"}, "in": true}})",
                    "Cannot rebind $$CURRENT");
    // A variable bound to a constant is not a literal at its uses: compare literals instead.
    expectExprError(R"({"$let": {"vars": {"v": "1"}, "in": {"$eq": ["$ssn", "$$v"]}}})",
                    "compares encrypted field 'ssn' with an unencrypted value");
    expectExprError(R"({"$eq": ["$ssn", "$$nope"]})", "Use of undefined variable: nope");
    expectExprError(R"({"$eq": ["$$ROOT", "x"]})",
                    "cannot compare a document that contains encrypted fields");
    EXPECT_EQ(expr(R"({"$eq": ["$$CURRENT.ssn", "1"]})"),
              exprJson(R"({"$eq": ["$$CURRENT.ssn", )" + markA(R"("1")") + "]}"));
}

TEST(OtherExpressionsTest, ReadOnlyUnencryptedValues) {
    for (const char* op :
         {R"({"$add": ["$age", 1]})", R"({"$gt": ["$ssn", "a"]})",
          R"({"$concat": ["$insurance.policyNumber", "x"]})", R"({"$toUpper": "$ssn"})",
          R"({"$size": "$ssn"})", R"({"$type": "$secret"})", R"({"$mergeObjects": ["$$ROOT", {}]})",
          R"({"$dateToString": {"date": "$age", "format": "%Y"}})",
          R"({"$and": ["$ssn", true]})"}) {
        expectExprError(op, "cannot operate on");
    }
    EXPECT_EQ(expr(R"({"$gt": [{"$add": ["$price", 1]}, {"$size": "$tags"}]})"),
              exprJson(R"({"$gt": [{"$add": ["$price", 1]}, {"$size": "$tags"}]})"));
    EXPECT_EQ(expr(R"({"$and": [{"$eq": ["$ssn", "1"]}, {"$lt": ["$price", 3]}]})"),
              exprJson(R"({"$and": [{"$eq": ["$ssn", )" + markA(R"("1")") +
                       R"(]}, {"$lt": ["$price", 3]}]})"));
    expectExprError(R"({"$frob": [1]})", "Unrecognized expression '$frob'");
    expectExprError(R"({"$add": [1], "$sub": [2]})", "must contain exactly one field");
    expectExprError(R"({"$eq": [{"a": 1, "$b": 2}, 1]})", "may not start with '$'");
    expectExprError(R"({"$eq": ["$ssn.x", "1"]})", "inside an encrypted value");
}

TEST(OtherExpressionsTest, FieldAccessByNameIsFollowed) {
    EXPECT_EQ(expr(R"({"$eq": [{"$getField": "ssn"}, "1"]})"),
              exprJson(R"({"$eq": [{"$getField": "ssn"}, )" + markA(R"("1")") + "]}"));
    EXPECT_EQ(
        expr(R"({"$eq": [{"$getField": {"field": "policyNumber", "input": "$insurance"}}, "1"]})"),
        exprJson(R"({"$eq": [{"$getField": {"field": "policyNumber", "input": "$insurance"}}, )" +
                 markA(R"("1")") + "]}"));
    expectExprError(R"({"$gt": [{"$getField": "age"}, 1]})",
                    "$gt cannot operate on encrypted field 'age'");
    expectExprError(R"({"$eq": [{"$getField": {"field": "$name", "input": "$$ROOT"}}, 1]})",
                    "$getField with a computed field name cannot operate on");
    // $map over an array of ciphertexts yields ciphertexts; over documents, their fields.
    EXPECT_EQ(
        analyzedPipeline(R"([{"$group": {"_id": null, "docs": {"$push": "$insurance"}}},
                                   {"$project": {"p": {"$map": {"input": "$docs", "as": "d",
                                                                "in": "$$d.policyNumber"}}}},
                                   {"$match": {"p": "1"}}])"),
        pipelineJson(R"([{"$group": {"_id": {"$const": null}, "docs": {"$push": "$insurance"}}},
                               {"$project": {"p": {"$map": {"input": "$docs", "as": "d",
                                                            "in": "$$d.policyNumber"}}}}, )"
                     R"({"$match": {"p": {"$eq": )" +
                     markA(R"("1")") + "}}}]"));
    expectExprError(R"({"$size": {"$filter": {"input": "$ssn", "cond": true}}})",
                    "$filter cannot iterate over encrypted field 'ssn'");
    expectExprError(R"({"$reduce": {"input": "$tags", "initialValue": 0, "in": "$ssn"}})",
                    "$reduce cannot operate on encrypted field 'ssn'");
}

TEST(OtherExpressionsTest, CommandLetVariablesArePlainValues) {
    std::string cmd = aggregateCommand(R"([{"$match": {"$expr": {"$eq": ["$name", "$$v"]}}}])",
                                       R"(, "let": {"v": "x"})");
    EXPECT_NO_THROW(frontDoorJson(cmd));
    expectError(
        [] {
            frontDoorJson(aggregateCommand(R"([{"$match": {"$expr": {"$eq": ["$ssn", "$$v"]}}}])",
                                           R"(, "let": {"v": "x"})"));
        },
        ErrorCode::BadValue, "compares encrypted field 'ssn' with an unencrypted value");
}

TEST(OtherExpressionsTest, DeepNestingIsRejectedNotACrash) {
    // Built with the BSON builder: JSON parsers stop far earlier.
    bson::Doc e = bson::Doc::fromJson(R"({"v": "$name"})");
    for (int i = 0; i < 400; ++i) {
        bson::Builder b;
        b.appendDocument("v",
                         [&](bson::Builder& op) { op.append("$toUpper", *e.view().find("v")); });
        e = b.finish();
    }
    bson::Doc base = bson::Doc::fromJson(aggregateCommand("[]"));
    bson::Builder cmd;
    for (bson::Element f : base.view()) {
        if (f.key() != "pipeline") {
            cmd.append(f);
            continue;
        }
        cmd.appendArray("pipeline", [&](bson::Builder& p) {
            p.appendDocument("0", [&](bson::Builder& stage) {
                stage.appendDocument(
                    "$match", [&](bson::Builder& m) { m.append("$expr", *e.view().find("v")); });
            });
        });
    }
    bson::Doc command = cmd.finish();
    expectError([&] { frontDoor().analyze(command.view()); }, ErrorCode::BadValue,
                "nested too deeply");
}

}  // namespace
}  // namespace cryptd::analysis::test
