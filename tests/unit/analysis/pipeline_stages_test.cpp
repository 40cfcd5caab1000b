// The aggregate command stage by stage: what each stage accepts, rejects, echoes, and how the
// encryption schema flows to the stages after it (a later $match shows what the schema became:
// marked = the field is encrypted there, plain = it is not).
#include <gtest/gtest.h>

#include "pipeline_test_util.h"

namespace cryptd::analysis::test {
namespace {

// `{$match: {<field>: <value>}}` as the walker writes it: marked or plain.
std::string matchMarkedA(const std::string& field, const std::string& value) {
    return R"({"$match": {")" + field + R"(": {"$eq": )" + markA(value) + "}}}";
}
std::string matchMarkedB(const std::string& field, const std::string& value) {
    return R"({"$match": {")" + field + R"(": {"$eq": )" + markB(value) + "}}}";
}
std::string matchPlain(const std::string& field, const std::string& value) {
    return R"({"$match": {")" + field + R"(": {"$eq": )" + value + "}}}";
}

TEST(AggregateCommandTest, RepliesWithFlagsAndEchoesOptions) {
    std::string cmd = aggregateCommand(R"([{"$match": {"ssn": "1"}}])",
                                       R"(, "allowDiskUse": true, "let": {"x": 1},
        "hint": {"a": 1}, "collation": {"locale": "fr"}, "lsid": {"id": 1}, "comment": "c")");
    EXPECT_EQ(frontDoorJson(cmd),
              normalized(R"({"hasEncryptionPlaceholders": true, "schemaRequiresEncryption": true,
                  "result": {"aggregate": "c", "pipeline": [)" +
                         matchMarkedA("ssn", R"("1")") +
                         R"(], "cursor": {}, "allowDiskUse": true, "let": {"x": 1},
                  "hint": {"a": 1}, "collation": {"locale": "fr"}, "lsid": {"id": 1},
                  "comment": "c"}})"));
    EXPECT_FALSE(pipelineHasPlaceholders(R"([{"$match": {"name": "1"}}])"));
}

TEST(AggregateCommandTest, RejectsMalformedCommands) {
    expectError(
        [] {
            frontDoor().analyze(
                bson::Doc::fromJson(
                    withStandardSchema(R"({"aggregate": "c", "pipeline": {"$match": {}}})"))
                    .view());
        },
        ErrorCode::TypeMismatch, "'aggregate.pipeline' is the wrong type");
    expectError(
        [] {
            frontDoor().analyze(
                bson::Doc::fromJson(withStandardSchema(R"({"aggregate": "c", "cursor": {}})"))
                    .view());
        },
        ErrorCode::FailedToParse, "'aggregate.pipeline' is missing");
    expectError(
        [] {
            frontDoor().analyze(
                bson::Doc::fromJson(
                    withStandardSchema(R"({"aggregate": 1, "pipeline": [], "cursor": {}})"))
                    .view());
        },
        ErrorCode::CommandNotSupported, "aggregate without a collection");
    expectError(
        [] {
            frontDoor().analyze(
                bson::Doc::fromJson(aggregateCommand("[]", R"(, "unknown": 1)")).view());
        },
        ErrorCode::Location40415, "BSON field 'aggregate.unknown' is an unknown field.");
    expectPipelineError(R"([{"$match": {}, "$limit": 1}])", ErrorCode::BadValue,
                        "must contain exactly one field");
    expectPipelineError(R"([1])", ErrorCode::TypeMismatch, "must be an object");
}

TEST(StageTableTest, RejectsStagesAutomaticEncryptionDoesNotAllow) {
    for (const char* stage : {"$out", "$merge", "$unionWith", "$densify", "$setWindowFields",
                              "$search", "$documents", "$changeStream", "$currentOp", "$fill"}) {
        expectPipelineError(std::string(R"([{")") + stage + R"(": "x"}])", ErrorCode::BadValue,
                            std::string("Aggregation stage ") + stage +
                                " is not allowed or supported with automatic encryption.");
    }
    expectPipelineError(R"([{"$frobnicate": {}}])", ErrorCode::BadValue,
                        "Unrecognized pipeline stage name: '$frobnicate'");
    // Also inside sub-pipelines.
    expectPipelineError(R"([{"$facet": {"a": [{"$out": "x"}]}}])", ErrorCode::BadValue,
                        "Aggregation stage $out is not allowed");
}

TEST(MatchStageTest, MarksAndRejectsLikeFind) {
    EXPECT_EQ(analyzedPipeline(R"([{"$match": {"ssn": "1", "age": {"$in": [5]}}}])"),
              pipelineJson(R"([{"$match": {"$and": [{"ssn": {"$eq": )" + markA(R"("1")") +
                           R"(}}, {"age": {"$in": [)" + markB("5") + "]}}]}}]"));
    expectPipelineError(R"([{"$match": {"ssn": {"$gt": "1"}}}])", ErrorCode::BadValue,
                        "Invalid match expression operator on encrypted field");
    expectPipelineError(R"([{"$match": {"secret": "1"}}])", ErrorCode::BadValue,
                        "Cannot query on fields encrypted with the randomized encryption");
    expectPipelineError(R"([{"$match": {"$text": {"$search": "x"}}}])", ErrorCode::BadValue,
                        "Unsupported match expression operator for encryption");
    expectPipelineError(R"([{"$match": 1}])", ErrorCode::TypeMismatch, "must be an object");
}

TEST(MatchStageTest, ExprIsAnalyzedWithMarkings) {
    EXPECT_EQ(
        analyzedPipeline(R"([{"$match": {"$expr": {"$eq": ["$ssn", "1"]}}}])"),
        pipelineJson(R"([{"$match": {"$expr": {"$eq": ["$ssn", )" + markA(R"("1")") + "]}}}]"));
    expectPipelineError(R"([{"$match": {"$expr": {"$gt": ["$age", 1]}}}])", ErrorCode::BadValue,
                        "$gt cannot operate on encrypted field 'age'");
    expectPipelineError(R"([{"$match": {"$expr": "$ssn"}}])", ErrorCode::BadValue,
                        "$expr cannot test the truth of encrypted field 'ssn'");
}

TEST(SortStageTest, RejectsEncryptedKeysOfTheDerivedSchema) {
    expectPipelineError(R"([{"$sort": {"ssn": 1}}])", ErrorCode::BadValue,
                        "Sorting on an encrypted field is not supported");
    expectPipelineError(R"([{"$project": {"x": "$ssn"}}, {"$sort": {"x": -1}}])",
                        ErrorCode::BadValue, "Sorting on an encrypted field is not supported");
    expectPipelineError(R"([{"$sort": {"insurance": 1}}])", ErrorCode::BadValue,
                        "contains encrypted fields");
    EXPECT_EQ(analyzedPipeline(R"([{"$set": {"ssn": "x"}}, {"$sort": {"ssn": 1, "name": -1}}])"),
              pipelineJson(R"([{"$set": {"ssn": "x"}}, {"$sort": {"ssn": 1, "name": -1}}])"));
}

TEST(PassThroughStagesTest, LimitSkipSampleCount) {
    EXPECT_EQ(analyzedPipeline(R"([{"$limit": 5}, {"$skip": 1}, {"$sample": {"size": 2}},
                                   {"$match": {"ssn": "1"}}])"),
              pipelineJson(R"([{"$limit": 5}, {"$skip": 1}, {"$sample": {"size": 2}}, )" +
                           matchMarkedA("ssn", R"("1")") + "]"));
    expectPipelineError(R"([{"$limit": "5"}])", ErrorCode::TypeMismatch,
                        "$limit requires a number");
    expectPipelineError(R"([{"$sample": {"size": 1, "x": 1}}])", ErrorCode::BadValue,
                        "unrecognized option");
    // $count replaces the documents by {n: <count>}: nothing encrypted after it.
    EXPECT_EQ(analyzedPipeline(R"([{"$count": "n"}, {"$match": {"ssn": "1"}}])"),
              pipelineJson(R"([{"$count": "n"}, )" + matchPlain("ssn", R"("1")") + "]"));
    expectPipelineError(R"([{"$count": "$n"}])", ErrorCode::BadValue, "cannot start with '$'");
    // Statistics stages: their documents hold nothing encrypted.
    EXPECT_EQ(
        analyzedPipeline(R"([{"$collStats": {"count": {}}}, {"$match": {"ssn": "1"}}])"),
        pipelineJson(R"([{"$collStats": {"count": {}}}, )" + matchPlain("ssn", R"("1")") + "]"));
    EXPECT_EQ(analyzedPipeline(R"([{"$indexStats": {}}])"),
              pipelineJson(R"([{"$indexStats": {}}])"));
}

TEST(ProjectStageTest, InclusionKeepsOnlyNamedFields) {
    EXPECT_EQ(analyzedPipeline(R"([{"$project": {"ssn": 1}}, {"$match": {"ssn": "1"}}])"),
              pipelineJson(R"([{"$project": {"ssn": 1}}, )" + matchMarkedA("ssn", R"("1")") + "]"));
    EXPECT_EQ(analyzedPipeline(R"([{"$project": {"name": 1}}, {"$match": {"ssn": "1"}}])"),
              pipelineJson(R"([{"$project": {"name": 1}}, )" + matchPlain("ssn", R"("1")") + "]"));
    EXPECT_EQ(analyzedPipeline(R"([{"$project": {"insurance.policyNumber": true}},
                                   {"$match": {"insurance.policyNumber": "p"}}])"),
              pipelineJson(R"([{"$project": {"insurance.policyNumber": true}}, )" +
                           matchMarkedA("insurance.policyNumber", R"("p")") + "]"));
    EXPECT_EQ(analyzedPipeline(R"([{"$project": {"insurance": {"provider": 1}}},
                                   {"$match": {"insurance.policyNumber": "p"}}])"),
              pipelineJson(R"([{"$project": {"insurance": {"provider": 1}}}, )" +
                           matchPlain("insurance.policyNumber", R"("p")") + "]"));
    // Subfields of a ciphertext do not exist: projecting ssn.x yields nothing encrypted.
    EXPECT_EQ(analyzedPipeline(R"([{"$project": {"ssn.x": 1}}, {"$match": {"ssn": "1"}}])"),
              pipelineJson(R"([{"$project": {"ssn.x": 1}}, )" + matchPlain("ssn", R"("1")") + "]"));
}

TEST(ProjectStageTest, ExclusionDropsNamedFields) {
    EXPECT_EQ(analyzedPipeline(R"([{"$project": {"ssn": 0, "_id": 0}},
                                   {"$match": {"ssn": "1", "age": 2}}])"),
              pipelineJson(R"([{"$project": {"ssn": 0, "_id": 0}}, {"$match": {"$and": [
                  {"ssn": {"$eq": "1"}}, {"age": {"$eq": )" +
                           markB("2") + "}}]}}]"));
    EXPECT_EQ(analyzedPipeline(R"([{"$project": {"insurance.policyNumber": 0}},
                                   {"$match": {"insurance.policyNumber": "p"}}])"),
              pipelineJson(R"([{"$project": {"insurance.policyNumber": 0}}, )" +
                           matchPlain("insurance.policyNumber", R"("p")") + "]"));
    expectPipelineError(R"([{"$project": {"ssn": 0, "age": 1}}])", ErrorCode::BadValue,
                        "Cannot do exclusion on field ssn in inclusion projection");
    expectPipelineError(R"([{"$project": {"ssn": 0, "x": "$age"}}])", ErrorCode::BadValue,
                        "Cannot do exclusion on field ssn in inclusion projection");
    expectPipelineError(R"([{"$project": {}}])", ErrorCode::BadValue,
                        "requires at least one output field");
    expectPipelineError(R"([{"$project": {"a": 1, "a.b": 1}}])", ErrorCode::BadValue,
                        "Path collision at a.b");
    expectPipelineError(R"([{"$project": {"a": {}}}])", ErrorCode::BadValue,
                        "An empty sub-projection is not a valid value");
}

TEST(ProjectStageTest, ComputedFieldsTakeTheirExpressionsEncryption) {
    EXPECT_EQ(analyzedPipeline(R"([{"$project": {"copy": "$ssn", "n": {"$literal": 1}}},
                                   {"$match": {"copy": "1", "n": 1}}])"),
              pipelineJson(R"([{"$project": {"copy": "$ssn", "n": {"$literal": 1}}},
                  {"$match": {"$and": [{"copy": {"$eq": )" +
                           markA(R"("1")") + R"(}}, {"n": {"$eq": 1}}]}}])"));
    // A nested computed document.
    EXPECT_EQ(analyzedPipeline(R"([{"$project": {"doc": {"a": "$age", "b": "x"}}},
                                   {"$match": {"doc.a": 3}}])"),
              pipelineJson(R"([{"$project": {"doc": {"a": "$age", "b": "x"}}}, )" +
                           matchMarkedB("doc.a", "3") + "]"));
    expectPipelineError(R"([{"$project": {"x": {"$add": ["$age", 1]}}}])", ErrorCode::BadValue,
                        "$add cannot operate on encrypted field 'age'");
}

TEST(AddFieldsStageTest, SetsFieldsOverTheInputSchema) {
    EXPECT_EQ(analyzedPipeline(R"([{"$addFields": {"copy": "$age"}},
                                   {"$match": {"copy": 5, "ssn": "1"}}])"),
              pipelineJson(R"([{"$addFields": {"copy": "$age"}}, {"$match": {"$and": [
                  {"copy": {"$eq": )" +
                           markB("5") + R"(}}, {"ssn": {"$eq": )" + markA(R"("1")") + "}}]}}]"));
    // $set is $addFields: overwriting an encrypted field with a constant makes it plain.
    EXPECT_EQ(
        analyzedPipeline(R"([{"$set": {"ssn": "redacted"}}, {"$match": {"ssn": "1"}}])"),
        pipelineJson(R"([{"$set": {"ssn": "redacted"}}, )" + matchPlain("ssn", R"("1")") + "]"));
    // Embedded documents merge into the existing one.
    EXPECT_EQ(analyzedPipeline(R"([{"$set": {"insurance": {"extra": 1}}},
                                   {"$match": {"insurance.policyNumber": "p"}}])"),
              pipelineJson(R"([{"$set": {"insurance": {"extra": 1}}}, )" +
                           matchMarkedA("insurance.policyNumber", R"("p")") + "]"));
    // Setting below a ciphertext replaces it by a document.
    EXPECT_EQ(analyzedPipeline(R"([{"$set": {"ssn.x": 1}}, {"$match": {"ssn.x": 1}}])"),
              pipelineJson(R"([{"$set": {"ssn.x": 1}}, )" + matchPlain("ssn.x", "1") + "]"));
    // Expressions read the input document, not the fields set beside them.
    EXPECT_EQ(analyzedPipeline(R"([{"$set": {"ssn": "x", "copy": "$ssn"}},
                                   {"$match": {"copy": "1"}}])"),
              pipelineJson(R"([{"$set": {"ssn": "x", "copy": "$ssn"}}, )" +
                           matchMarkedA("copy", R"("1")") + "]"));
    // $$REMOVE removes.
    EXPECT_EQ(
        analyzedPipeline(R"([{"$set": {"ssn": "$$REMOVE"}}, {"$match": {"ssn": "1"}}])"),
        pipelineJson(R"([{"$set": {"ssn": "$$REMOVE"}}, )" + matchPlain("ssn", R"("1")") + "]"));
    expectPipelineError(R"([{"$set": {"$x": 1}}])", ErrorCode::BadValue, "may not start with '$'");
}

TEST(UnsetStageTest, RemovesFields) {
    EXPECT_EQ(analyzedPipeline(R"([{"$unset": ["ssn", "insurance.policyNumber"]},
                                   {"$match": {"ssn": "1"}}])"),
              pipelineJson(R"([{"$unset": ["ssn", "insurance.policyNumber"]}, )" +
                           matchPlain("ssn", R"("1")") + "]"));
    EXPECT_EQ(analyzedPipeline(R"([{"$unset": "ssn"}, {"$match": {"age": 1}}])"),
              pipelineJson(R"([{"$unset": "ssn"}, )" + matchMarkedB("age", "1") + "]"));
    expectPipelineError(R"([{"$unset": []}])", ErrorCode::BadValue, "non-empty array");
    expectPipelineError(R"([{"$unset": 1}])", ErrorCode::BadValue, "string or an array");
}

TEST(ReplaceRootStageTest, TheNewRootsSchemaIsThatOfItsExpression) {
    EXPECT_EQ(analyzedPipeline(R"([{"$replaceRoot": {"newRoot": "$insurance"}},
                                   {"$match": {"policyNumber": "p"}}])"),
              pipelineJson(R"([{"$replaceRoot": {"newRoot": "$insurance"}}, )" +
                           matchMarkedA("policyNumber", R"("p")") + "]"));
    EXPECT_EQ(analyzedPipeline(R"([{"$replaceWith": {"a": "$age"}}, {"$match": {"a": 1}}])"),
              pipelineJson(R"([{"$replaceWith": {"a": "$age"}}, )" + matchMarkedB("a", "1") + "]"));
    EXPECT_EQ(
        analyzedPipeline(R"([{"$replaceWith": {"a": "$name"}}, {"$match": {"ssn": "1"}}])"),
        pipelineJson(R"([{"$replaceWith": {"a": "$name"}}, )" + matchPlain("ssn", R"("1")") + "]"));
    expectPipelineError(R"([{"$replaceWith": "$ssn"}])", ErrorCode::BadValue,
                        "an encrypted value is not a document");
    expectPipelineError(R"([{"$replaceRoot": {"newRoot": "$a", "x": 1}}])", ErrorCode::BadValue,
                        "unrecognized option");
    // A root chosen between documents encrypted differently cannot be queried.
    expectPipelineError(
        R"([{"$replaceWith": {"$cond": [true, "$insurance", {"policyNumber": "$age"}]}},
            {"$match": {"policyNumber": "1"}}])",
        ErrorCode::BadValue, "Cannot determine whether field 'policyNumber' is encrypted");
}

TEST(UnwindStageTest, EncryptedValuesCannotBeUnwoundButCollectedArraysCan) {
    expectPipelineError(R"([{"$unwind": "$ssn"}])", ErrorCode::BadValue,
                        "cannot unwind encrypted field 'ssn'");
    expectPipelineError(R"([{"$unwind": {"path": "$secret"}}])", ErrorCode::BadValue,
                        "cannot unwind encrypted field 'secret'");
    expectPipelineError(R"([{"$unwind": "$ssn.x"}])", ErrorCode::BadValue,
                        "inside an encrypted value");
    expectPipelineError(R"([{"$unwind": "ssn"}])", ErrorCode::BadValue, "prefixed with '$'");
    expectPipelineError(R"([{"$unwind": {"path": "$a", "x": 1}}])", ErrorCode::BadValue,
                        "unrecognized option");
    std::string group = R"({"$group": {"_id": null, "all": {"$push": "$ssn"}}})";
    std::string written = R"({"$group": {"_id": {"$const": null}, "all": {"$push": "$ssn"}}})";
    EXPECT_EQ(analyzedPipeline("[" + group + R"(, {"$unwind": "$all"}, {"$match": {"all": "1"}}])"),
              pipelineJson("[" + written + R"(, {"$unwind": "$all"}, )" +
                           matchMarkedA("all", R"("1")") + "]"));
    // includeArrayIndex writes an unencrypted number, here over an encrypted field.
    EXPECT_EQ(
        analyzedPipeline(
            R"([{"$unwind": {"path": "$tags", "includeArrayIndex": "ssn"}}, {"$match": {"ssn": 1}}])"),
        pipelineJson(R"([{"$unwind": {"path": "$tags", "includeArrayIndex": "ssn"}}, )" +
                     matchPlain("ssn", "1") + "]"));
    // Arrays of documents (a $lookup's output) unwind into those documents.
    EXPECT_EQ(analyzedPipeline(R"([{"$lookup": {"from": "c", "localField": "x", "foreignField": "y",
                                     "as": "m"}}, {"$unwind": "$m"}, {"$match": {"m.ssn": "1"}}])"),
              pipelineJson(R"([{"$lookup": {"from": "c", "as": "m", "localField": "x",
                  "foreignField": "y"}}, {"$unwind": "$m"}, )" +
                           matchMarkedA("m.ssn", R"("1")") + "]"));
}

TEST(GroupStageTest, KeysAndPreservingAccumulatorsKeepEncryption) {
    EXPECT_EQ(
        analyzedPipeline(R"([{"$group": {"_id": "$ssn", "n": {"$sum": 1},
                                   "ages": {"$addToSet": "$age"}, "one": {"$first": "$age"},
                                   "last": {"$last": "$name"}}},
                                   {"$match": {"_id": "1", "ages": 2, "one": 3, "last": "x"}}])"),
        pipelineJson(R"([{"$group": {"_id": "$ssn", "n": {"$sum": {"$const": 1}},
                  "ages": {"$addToSet": "$age"}, "one": {"$first": "$age"},
                  "last": {"$last": "$name"}}}, {"$match": {"$and": [{"_id": {"$eq": )" +
                     markA(R"("1")") + R"(}}, {"ages": {"$eq": )" + markB("2") +
                     R"(}}, {"one": {"$eq": )" + markB("3") + R"(}}, {"last": {"$eq": "x"}}]}}])"));
    // The group's output has only _id and the accumulators.
    EXPECT_EQ(
        analyzedPipeline(R"([{"$group": {"_id": "$name"}}, {"$match": {"ssn": "1"}}])"),
        pipelineJson(R"([{"$group": {"_id": "$name"}}, )" + matchPlain("ssn", R"("1")") + "]"));
    // Compound keys keep each part's encryption.
    EXPECT_EQ(analyzedPipeline(R"([{"$group": {"_id": {"s": "$ssn", "p": "$name"}}},
                                   {"$match": {"_id.s": "1"}}])"),
              pipelineJson(R"([{"$group": {"_id": {"s": "$ssn", "p": "$name"}}}, )" +
                           matchMarkedA("_id.s", R"("1")") + "]"));
    // Randomized values may be collected (docs), but not queried afterwards.
    expectPipelineError(
        R"([{"$group": {"_id": null, "s": {"$push": "$secret"}}}, {"$match": {"s": "x"}}])",
        ErrorCode::BadValue, "Cannot query on fields encrypted with the randomized encryption");
    EXPECT_EQ(analyzedPipeline(R"([{"$group": {"_id": null, "s": {"$addToSet": "$secret"},
                                   "t": {"$top": {"sortBy": {"name": 1}, "output": "$ssn"}}}},
                                   {"$match": {"t": "1"}}])"),
              pipelineJson(R"([{"$group": {"_id": {"$const": null}, "s": {"$addToSet": "$secret"},
                  "t": {"$top": {"sortBy": {"name": 1}, "output": "$ssn"}}}}, )" +
                           matchMarkedA("t", R"("1")") + "]"));
}

// mongocryptd re-serializes a $group's literal key and accumulator arguments as {$const: v}
// (drivers' countDocuments); nested literals, other stages and non-expression arguments keep their
// form (no reply shows them otherwise).
TEST(GroupStageTest, LiteralKeyAndArgumentsAreWrittenAsConst) {
    EXPECT_EQ(
        analyzedPipeline(R"([{"$group": {"_id": 1, "n": {"$sum": 1}}}])"),
        pipelineJson(R"([{"$group": {"_id": {"$const": 1}, "n": {"$sum": {"$const": 1}}}}])"));
    EXPECT_EQ(analyzedPipeline(R"([{"$group": {"_id": "k", "f": {"$first": true}}}])"),
              pipelineJson(
                  R"([{"$group": {"_id": {"$const": "k"}, "f": {"$first": {"$const": true}}}}])"));
    std::string kept = R"([{"$group": {"_id": {"a": 1, "b": "$name"}, "c": {"$count": {}},
        "s": {"$sum": {"$add": ["$x", 1]}}, "l": {"$firstN": {"input": "$x", "n": 2}},
        "p": {"$push": "$name"}, "e": {"$max": {}}}}])";
    EXPECT_EQ(analyzedPipeline(kept), pipelineJson(kept));
    std::string bucket = R"([{"$bucket": {"groupBy": "$x", "boundaries": [0, 5],
        "output": {"n": {"$sum": 1}}}}])";
    EXPECT_EQ(analyzedPipeline(bucket), pipelineJson(bucket));
}

TEST(GroupStageTest, RejectsWhatCannotWorkOnCiphertext) {
    expectPipelineError(R"([{"$group": {"_id": "$secret"}}])", ErrorCode::BadValue,
                        "cannot group by encrypted field 'secret': it is encrypted with the "
                        "randomized algorithm");
    expectPipelineError(R"([{"$group": {"_id": "$detByName"}}])", ErrorCode::BadValue,
                        "its keyId is a JSON pointer");
    expectPipelineError(R"([{"$group": {"_id": "$insurance"}}])", ErrorCode::BadValue,
                        "cannot group by a document that contains encrypted fields");
    expectPipelineError(R"([{"$group": {"_id": null, "total": {"$sum": "$age"}}}])",
                        ErrorCode::BadValue,
                        "$sum in $group cannot operate on encrypted field 'age'");
    for (const char* acc : {"$avg", "$min", "$max", "$stdDevPop", "$mergeObjects"}) {
        expectPipelineError(
            std::string(R"([{"$group": {"_id": null, "x": {")") + acc + R"(": "$ssn"}}}])",
            ErrorCode::BadValue, "cannot operate on encrypted field 'ssn'");
    }
    expectPipelineError(
        R"([{"$group": {"_id": null, "t": {"$top": {"sortBy": {"ssn": 1}, "output": "$x"}}}}])",
        ErrorCode::BadValue, "Sorting on an encrypted field is not supported");
    expectPipelineError(R"([{"$group": {"_id": null, "x": {"$frob": 1}}}])", ErrorCode::BadValue,
                        "unknown group operator '$frob'");
    expectPipelineError(R"([{"$group": {"x": {"$sum": 1}}}])", ErrorCode::BadValue,
                        "must include an _id");
    expectPipelineError(R"([{"$group": {"_id": null, "a.b": {"$sum": 1}}}])", ErrorCode::BadValue,
                        "cannot be empty, start with '$' or contain '.'");
    expectPipelineError(R"([{"$group": {"_id": null, "x": {"$sum": 1, "$max": 1}}}])",
                        ErrorCode::BadValue, "must be an accumulator object");
}

TEST(BucketStagesTest, GroupByIsUnencryptedAndOutputsFollowAccumulators) {
    EXPECT_EQ(analyzedPipeline(R"([{"$bucket": {"groupBy": "$price", "boundaries": [0, 10],
                                   "default": "other", "output": {"s": {"$push": "$ssn"}}}},
                                   {"$match": {"s": "1"}}])"),
              pipelineJson(R"([{"$bucket": {"groupBy": "$price", "boundaries": [0, 10],
                  "default": "other", "output": {"s": {"$push": "$ssn"}}}}, )" +
                           matchMarkedA("s", R"("1")") + "]"));
    expectPipelineError(R"([{"$bucket": {"groupBy": "$age", "boundaries": [0, 10]}}])",
                        ErrorCode::BadValue,
                        "$bucket's groupBy cannot operate on encrypted field 'age'");
    expectPipelineError(R"([{"$bucket": {"groupBy": "$x"}}])", ErrorCode::BadValue,
                        "requires 'boundaries'");
    EXPECT_EQ(analyzedPipeline(R"([{"$bucketAuto": {"groupBy": "$price", "buckets": 3}},
                                   {"$match": {"count": 2}}])"),
              pipelineJson(R"([{"$bucketAuto": {"groupBy": "$price", "buckets": 3}}, )" +
                           matchPlain("count", "2") + "]"));
    expectPipelineError(R"([{"$bucketAuto": {"groupBy": "$ssn", "buckets": 3}}])",
                        ErrorCode::BadValue, "$bucketAuto's groupBy cannot operate");
    expectPipelineError(R"([{"$bucketAuto": {"groupBy": "$x", "buckets": 3, "y": 1}}])",
                        ErrorCode::BadValue, "Unrecognized option to $bucketAuto: y");
}

TEST(SortByCountStageTest, GroupsLikeGroupKeys) {
    EXPECT_EQ(
        analyzedPipeline(R"([{"$sortByCount": "$ssn"}, {"$match": {"_id": "1", "count": 1}}])"),
        pipelineJson(R"([{"$sortByCount": "$ssn"}, {"$match": {"$and": [{"_id": {"$eq": )" +
                     markA(R"("1")") + R"(}}, {"count": {"$eq": 1}}]}}])"));
    expectPipelineError(R"([{"$sortByCount": "$secret"}])", ErrorCode::BadValue,
                        "cannot group by encrypted field 'secret'");
}

TEST(RedactStageTest, ExpressionIsAnalyzed) {
    EXPECT_EQ(analyzedPipeline(
                  R"([{"$redact": {"$cond": [{"$eq": ["$ssn", "1"]}, "$$KEEP", "$$PRUNE"]}}])"),
              pipelineJson(R"([{"$redact": {"$cond": [{"$eq": ["$ssn", )" + markA(R"("1")") +
                           R"(]}, "$$KEEP", "$$PRUNE"]}}])"));
    expectPipelineError(R"([{"$redact": {"$cond": [{"$gt": ["$age", 1]}, "$$KEEP", "$$PRUNE"]}}])",
                        ErrorCode::BadValue, "$gt cannot operate on encrypted field 'age'");
}

TEST(GeoNearStageTest, QueryIsAFilterAndTheKeyIsUnencrypted) {
    EXPECT_EQ(analyzedPipeline(R"([{"$geoNear": {"near": [0, 0], "distanceField": "ssn",
                                   "query": {"age": 1}}}, {"$match": {"ssn": 2}}])"),
              pipelineJson(R"([{"$geoNear": {"near": [0, 0], "distanceField": "ssn",
                  "query": {"age": {"$eq": )" +
                           markB("1") + "}}}}, " + matchPlain("ssn", "2") + "]"));
    expectPipelineError(R"([{"$geoNear": {"near": [0, 0], "key": "ssn", "distanceField": "d"}}])",
                        ErrorCode::BadValue, "the geo key 'ssn' is encrypted");
    expectPipelineError(R"([{"$geoNear": {"near": [0, 0], "bogus": 1}}])", ErrorCode::BadValue,
                        "unknown argument 'bogus'");
    expectPipelineError(R"([{"$match": {}}, {"$facet": {"a": [{"$geoNear": {"near": [0, 0]}}]}}])",
                        ErrorCode::BadValue,
                        "$geoNear is not allowed to be used within a $facet stage");
}

TEST(FacetStageTest, EachSubPipelineIsAnalyzedAndTheOutputHoldsTheirSchemas) {
    EXPECT_EQ(analyzedPipeline(R"([{"$facet": {"a": [{"$match": {"ssn": "1"}}],
                                               "b": [{"$project": {"x": "$age"}}]}},
                                   {"$match": {"b.x": 5}}])"),
              pipelineJson(R"([{"$facet": {"a": [)" + matchMarkedA("ssn", R"("1")") +
                           R"(], "b": [{"$project": {"x": "$age"}}]}}, )" +
                           matchMarkedB("b.x", "5") + "]"));
    EXPECT_EQ(
        analyzedPipeline(R"([{"$facet": {"a": [{"$count": "n"}]}}, {"$match": {"ssn": "1"}}])"),
        pipelineJson(R"([{"$facet": {"a": [{"$count": "n"}]}}, )" + matchPlain("ssn", R"("1")") +
                     "]"));
    expectPipelineError(R"([{"$facet": {"a": [{"$facet": {"b": []}}]}}])", ErrorCode::BadValue,
                        "$facet is not allowed to be used within a $facet stage");
    expectPipelineError(R"([{"$facet": {"a": [{"$sort": {"ssn": 1}}]}}])", ErrorCode::BadValue,
                        "Sorting on an encrypted field");
    expectPipelineError(R"([{"$facet": {}}])", ErrorCode::BadValue, "non-empty object");
    expectPipelineError(R"([{"$facet": {"a": {"$match": {}}}}])", ErrorCode::TypeMismatch,
                        "must be an array of stage objects");
}

TEST(SchemaFlowTest, UnknownEncryptionIsRejectedWhenUsedNotWhenComputed) {
    // $cond between two differently encrypted fields: fine to return, not to query.
    std::string project = R"({"$project": {"x": {"$cond": [true, "$ssn", "$age"]}}})";
    EXPECT_EQ(analyzedPipeline("[" + project + "]"), pipelineJson("[" + project + "]"));
    expectPipelineError("[" + project + R"(, {"$match": {"x": "1"}}])", ErrorCode::BadValue,
                        "Cannot determine whether field 'x' is encrypted");
    expectPipelineError("[" + project + R"(, {"$sort": {"x": 1}}])", ErrorCode::BadValue,
                        "Cannot determine whether field 'x' is encrypted");
    expectPipelineError("[" + project + R"(, {"$group": {"_id": "$x"}}])", ErrorCode::BadValue,
                        "cannot group by a value whose encryption cannot be determined");
    // Other fields stay usable.
    EXPECT_EQ(analyzedPipeline("[" + project + R"(, {"$match": {"y": 1}}])"),
              pipelineJson("[" + project + ", " + matchPlain("y", "1") + "]"));
}

}  // namespace
}  // namespace cryptd::analysis::test
