// $lookup / $graphLookup across collections, csfleEncryptionSchemas at the front door, and
// explain of an aggregate.
#include <gtest/gtest.h>

#include "pipeline_test_util.h"

namespace cryptd::analysis::test {
namespace {

std::string encrypt(const char* uuid, const char* algorithm, const std::string& type) {
    std::string s = std::string(R"({"encrypt": {"keyId": [)") + uuid + R"(], "algorithm": ")" +
                    algorithm + "\"";
    if (!type.empty()) s += R"(, "bsonType": ")" + type + "\"";
    return s + "}}";
}

// c2: `e` encrypted like c's ssn (key A, deterministic string), `f` like c's age (key B, int),
// `r` randomized, `plain` not encrypted.
std::string c2Schema() {
    return R"({"bsonType": "object", "properties": {"e": )" + encrypt(kUuidA, kDet, "string") +
           R"(, "f": )" + encrypt(kUuidB, kDet, "int") + R"(, "r": )" + encrypt(kUuidB, kRnd, "") +
           R"(, "plain": {"bsonType": "string"}}})";
}

// An aggregate on db.c whose command carries the schemas of db.c (standard) and db.c2, and
// db.empty (no schema), as libmongocrypt sends them.
std::string multiCommand(const std::string& pipeline, const std::string& extra = "") {
    return R"({"aggregate": "c", "pipeline": )" + pipeline + R"(, "cursor": {})" + extra +
           R"(, "csfleEncryptionSchemas": {"db.c": {"jsonSchema": )" + standardSchemaJson() +
           R"(, "isRemoteSchema": true}, "db.c2": {"jsonSchema": )" + c2Schema() +
           R"(, "isRemoteSchema": false}, "db.empty": {"jsonSchema": {}, "isRemoteSchema": false}},
           "$db": "db"})";
}

std::string multiPipeline(const std::string& pipeline) {
    bson::Doc reply = bson::Doc::fromJson(frontDoorJson(multiCommand(pipeline)));
    bson::Builder b;
    b.append("pipeline", *reply.view().find("result")->document().find("pipeline"));
    return b.finish().toJson();
}

void expectMultiError(const std::string& pipeline, ErrorCode code, const std::string& substring) {
    expectError([&] { frontDoorJson(multiCommand(pipeline)); }, code, substring);
}

TEST(SelfLookupTest, JoinsTheCollectionWithItsOwnSchema) {
    // Re-serialized as the server does: from, as, localField, foreignField.
    EXPECT_EQ(analyzedPipeline(R"([{"$lookup": {"localField": "ssn", "foreignField": "ssn2",
                                   "as": "m", "from": "c"}}, {"$match": {"m.age": 5}}])"),
              pipelineJson(R"([{"$lookup": {"from": "c", "as": "m", "localField": "ssn",
                  "foreignField": "ssn2"}}, {"$match": {"m.age": {"$eq": )" +
                           markB("5") + "}}}]"));
    // The joined documents have the collection's schema, not the pipeline's derived one.
    EXPECT_EQ(analyzedPipeline(R"([{"$project": {"name": 1}}, {"$lookup": {"from": "c",
                                   "localField": "name", "foreignField": "name", "as": "m"}},
                                   {"$match": {"m.ssn": "1", "ssn": "2"}}])"),
              pipelineJson(R"([{"$project": {"name": 1}}, {"$lookup": {"from": "c", "as": "m",
                  "localField": "name", "foreignField": "name"}}, {"$match": {"$and": [
                  {"m.ssn": {"$eq": )" +
                           markA(R"("1")") + R"(}}, {"ssn": {"$eq": "2"}}]}}])"));
}

TEST(SelfLookupTest, JoinedFieldsMustBeEncryptedIdentically) {
    expectPipelineError(
        R"([{"$lookup": {"from": "c", "localField": "ssn", "foreignField": "age", "as": "m"}}])",
        ErrorCode::BadValue,
        "$lookup joining localField 'ssn' to foreignField 'age' compares encrypted "
        "field 'ssn' with encrypted field 'age', which are not encrypted with the "
        "same algorithm, key and type");
    expectPipelineError(
        R"([{"$lookup": {"from": "c", "localField": "name", "foreignField": "ssn", "as": "m"}}])",
        ErrorCode::BadValue, "which is not encrypted the same way");
    expectPipelineError(
        R"([{"$lookup": {"from": "c", "localField": "secret", "foreignField": "secret", "as": "m"}}])",
        ErrorCode::BadValue, "randomized");
    expectPipelineError(
        R"([{"$lookup": {"from": "c", "localField": "insurance", "foreignField": "insurance", "as": "m"}}])",
        ErrorCode::BadValue, "a document that contains encrypted fields");
    // Join paths are read like filter paths: a numeric part may be an array index.
    expectPipelineError(
        R"([{"$lookup": {"from": "c", "localField": "insurance.0.policyNumber", "foreignField": "x", "as": "m"}}])",
        ErrorCode::BadValue, "may be an array index");
    // The local side is read from the derived schema.
    expectPipelineError(
        R"([{"$set": {"k": "$age"}}, {"$lookup": {"from": "c", "localField": "k", "foreignField": "ssn", "as": "m"}}])",
        ErrorCode::BadValue, "not encrypted with the same algorithm");
}

TEST(SelfLookupTest, OtherCollectionsNeedTheirSchemas) {
    expectPipelineError(
        R"([{"$lookup": {"from": "other", "localField": "a", "foreignField": "b", "as": "m"}}])",
        ErrorCode::BadValue,
        "needs the schemas of both, which drivers send in 'csfleEncryptionSchemas'");
    expectPipelineError(
        R"([{"$lookup": {"from": {"db": "x", "coll": "c"}, "localField": "a", "foreignField": "b", "as": "m"}}])",
        ErrorCode::BadValue, "needs the schemas of both");
    expectPipelineError(R"([{"$lookup": {"from": "c", "localField": "a", "as": "m"}}])",
                        ErrorCode::BadValue, "both or neither of 'localField' and 'foreignField'");
    expectPipelineError(R"([{"$lookup": {"from": "c", "as": "m"}}])", ErrorCode::BadValue,
                        "either 'pipeline' or both 'localField' and 'foreignField'");
    expectPipelineError(R"([{"$lookup": {"from": "c", "as": "m", "pipeline": [], "bogus": 1}}])",
                        ErrorCode::BadValue, "unknown argument to $lookup: bogus");
    expectPipelineError(R"([{"$lookup": {"from": 5, "as": "m", "pipeline": []}}])",
                        ErrorCode::TypeMismatch, "'from' must be a string");
}

TEST(MultiSchemaLookupTest, JoinsAnotherCollectionWithMatchingEncryption) {
    EXPECT_EQ(multiPipeline(R"([{"$lookup": {"from": "c2", "localField": "ssn", "foreignField": "e",
                                "as": "m"}}, {"$match": {"m.f": 3, "m.plain": "x"}}])"),
              pipelineJson(R"([{"$lookup": {"from": "c2", "as": "m", "localField": "ssn",
                  "foreignField": "e"}}, {"$match": {"$and": [{"m.f": {"$eq": )" +
                           markB("3") + R"(}}, {"m.plain": {"$eq": "x"}}]}}])"));
    // A collection without a schema: its documents hold nothing encrypted.
    EXPECT_EQ(
        multiPipeline(R"([{"$lookup": {"from": "empty", "localField": "name", "foreignField": "n",
                                "as": "m"}}, {"$match": {"m.ssn": "x"}}])"),
        pipelineJson(R"([{"$lookup": {"from": "empty", "as": "m", "localField": "name",
                  "foreignField": "n"}}, {"$match": {"m.ssn": {"$eq": "x"}}}])"));
    expectMultiError(
        R"([{"$lookup": {"from": "c2", "localField": "ssn", "foreignField": "f", "as": "m"}}])",
        ErrorCode::BadValue, "not encrypted with the same algorithm, key and type");
    expectMultiError(
        R"([{"$lookup": {"from": "empty", "localField": "ssn", "foreignField": "x", "as": "m"}}])",
        ErrorCode::BadValue, "which is not encrypted the same way");
    expectMultiError(
        R"([{"$lookup": {"from": "c3", "localField": "a", "foreignField": "b", "as": "m"}}])",
        ErrorCode::BadValue, "'csfleEncryptionSchemas' carries no schema for 'db.c3'");
    expectMultiError(
        R"([{"$match": {"m.r": "x"}}, {"$lookup": {"from": "c2", "localField": "a", "foreignField": "b", "as": "m"}}, {"$match": {"m.r": "x"}}])",
        ErrorCode::BadValue, "randomized");
}

TEST(MultiSchemaLookupTest, SubPipelinesSeeTheForeignSchemaAndTheLetVariables) {
    EXPECT_EQ(multiPipeline(R"([{"$lookup": {"from": "c2", "let": {"s": "$ssn"}, "as": "m",
                                "pipeline": [{"$match": {"$expr": {"$eq": ["$e", "$$s"]}}},
                                             {"$match": {"f": 1}}, {"$project": {"k": "$e"}}]}},
                                {"$match": {"m.k": "z"}}])"),
              pipelineJson(R"([{"$lookup": {"from": "c2", "as": "m", "let": {"s": "$ssn"},
                  "pipeline": [{"$match": {"$expr": {"$eq": ["$e", "$$s"]}}},
                               {"$match": {"f": {"$eq": )" +
                           markB("1") +
                           R"(}}}, {"$project": {"k": "$e"}}]}}, {"$match": {"m.k": {"$eq": )" +
                           markA(R"("z")") + "}}}]"));
    expectMultiError(R"([{"$lookup": {"from": "c2", "let": {"s": "$ssn"}, "as": "m",
                          "pipeline": [{"$match": {"$expr": {"$eq": ["$f", "$$s"]}}}]}}])",
                     ErrorCode::BadValue, "not encrypted with the same algorithm");
    expectMultiError(R"([{"$lookup": {"from": "c2", "let": {"s": "$name"}, "as": "m",
                          "pipeline": [{"$match": {"$expr": {"$eq": ["$e", "$$s"]}}}]}}])",
                     ErrorCode::BadValue, "which is not encrypted the same way");
    // Nested lookups: each level reads its own collection.
    EXPECT_EQ(multiPipeline(R"([{"$lookup": {"from": "c2", "as": "m", "pipeline": [
                                {"$lookup": {"from": "c", "localField": "e", "foreignField": "ssn", "as": "n"}},
                                {"$match": {"n.age": 1}}]}}])"),
              pipelineJson(R"([{"$lookup": {"from": "c2", "as": "m", "pipeline": [
                  {"$lookup": {"from": "c", "as": "n", "localField": "e", "foreignField": "ssn"}},
                  {"$match": {"n.age": {"$eq": )" +
                           markB("1") + "}}}]}}]"));
    expectMultiError(R"([{"$lookup": {"from": "c2", "as": "m", "pipeline": [{"$out": "x"}]}}])",
                     ErrorCode::BadValue, "Aggregation stage $out is not allowed");
}

TEST(MultiSchemaLookupTest, ExpressionsOverJoinedArraysSeeArraysOfCiphertexts) {
    // "$m.e" is every match's e: a constant is looked up among them, not compared to them.
    EXPECT_EQ(
        multiPipeline(
            R"([{"$lookup": {"from": "c2", "localField": "a", "foreignField": "b", "as": "m"}},
                                {"$match": {"$expr": {"$in": ["1", "$m.e"]}}},
                                {"$project": {"es": "$m.e"}}, {"$unwind": "$es"}, {"$match": {"es": "2"}}])"),
        pipelineJson(
            R"([{"$lookup": {"from": "c2", "as": "m", "localField": "a", "foreignField": "b"}},
                  {"$match": {"$expr": {"$in": [)" +
            markA(R"("1")") + R"(, "$m.e"]}}}, {"$project": {"es": "$m.e"}}, {"$unwind": "$es"},
                  {"$match": {"es": {"$eq": )" +
            markA(R"("2")") + "}}}]"));
    expectMultiError(
        R"([{"$lookup": {"from": "c2", "localField": "a", "foreignField": "b", "as": "m"}},
                         {"$match": {"$expr": {"$eq": ["$m.e", "1"]}}}])",
        ErrorCode::BadValue, "(an array); use $in or $match on it instead");
}

TEST(GraphLookupTest, ConnectedFieldsMustMatchAndConstantsAreMarked) {
    EXPECT_EQ(multiPipeline(
                  R"([{"$graphLookup": {"from": "c2", "startWith": "$ssn", "connectFromField": "e",
                                "connectToField": "e", "as": "g", "depthField": "f",
                                "restrictSearchWithMatch": {"plain": "x", "f": 1}}},
                                {"$match": {"g.f": 2}}])"),
              pipelineJson(
                  R"([{"$graphLookup": {"from": "c2", "startWith": "$ssn", "connectFromField": "e",
                  "connectToField": "e", "as": "g", "depthField": "f",
                  "restrictSearchWithMatch": {"$and": [{"plain": {"$eq": "x"}}, {"f": {"$eq": )" +
                  markB("1") + R"(}}]}}}, {"$match": {"g.f": {"$eq": 2}}}])"));
    EXPECT_EQ(analyzedPipeline(R"([{"$graphLookup": {"from": "c", "startWith": ["1", "2"],
                                   "connectFromField": "ssn2", "connectToField": "ssn", "as": "g"}}])"),
              pipelineJson(R"([{"$graphLookup": {"from": "c", "startWith": [)" + markA(R"("1")") +
                           ", " + markA(R"("2")") + R"(], "connectFromField": "ssn2",
                  "connectToField": "ssn", "as": "g"}}])"));
    EXPECT_EQ(
        analyzedPipeline(R"([{"$graphLookup": {"from": "c", "startWith": "1",
                                   "connectFromField": "ssn", "connectToField": "ssn", "as": "g"}}])"),
        pipelineJson(R"([{"$graphLookup": {"from": "c", "startWith": )" + markA(R"("1")") +
                     R"(, "connectFromField": "ssn", "connectToField": "ssn", "as": "g"}}])"));
    expectPipelineError(R"([{"$graphLookup": {"from": "c", "startWith": "$name",
                            "connectFromField": "ssn", "connectToField": "ssn", "as": "g"}}])",
                        ErrorCode::BadValue,
                        "$graphLookup startWith compared with connectToField 'ssn'");
    expectPipelineError(R"([{"$graphLookup": {"from": "c", "startWith": "$ssn",
                            "connectFromField": "age", "connectToField": "ssn", "as": "g"}}])",
                        ErrorCode::BadValue, "connectFromField 'age' to connectToField 'ssn'");
    expectPipelineError(R"([{"$graphLookup": {"from": "other", "startWith": "$a",
                            "connectFromField": "a", "connectToField": "b", "as": "g"}}])",
                        ErrorCode::BadValue, "needs the schemas of both");
    expectPipelineError(R"([{"$graphLookup": {"from": "c", "startWith": "$a",
                            "connectFromField": "a", "as": "g"}}])",
                        ErrorCode::BadValue, "missing 'connectToField'");
}

TEST(NamespaceSchemasTest, AcceptedForAggregateOnly) {
    bson::Doc reply = frontDoor().analyze(bson::Doc::fromJson(multiCommand("[]")).view());
    EXPECT_EQ(reply.toJson(),
              normalized(R"({"hasEncryptionPlaceholders": false, "schemaRequiresEncryption": true,
                  "result": {"aggregate": "c", "pipeline": [], "cursor": {}}})"));
    // schemaRequiresEncryption: any involved collection's schema encrypts something.
    std::string onlyForeign = R"({"aggregate": "empty", "pipeline": [], "cursor": {},
        "csfleEncryptionSchemas": {"db.empty": {"jsonSchema": {}, "isRemoteSchema": false},
        "db.c2": {"jsonSchema": )" +
                              c2Schema() + R"(, "isRemoteSchema": true}}})";
    EXPECT_EQ(frontDoorJson(onlyForeign),
              normalized(R"({"hasEncryptionPlaceholders": false, "schemaRequiresEncryption": true,
                  "result": {"aggregate": "empty", "pipeline": [], "cursor": {}}})"));
    std::string none = R"({"aggregate": "empty", "pipeline": [], "cursor": {}, "$db": "db",
        "csfleEncryptionSchemas": {"db.empty": {"jsonSchema": {}, "isRemoteSchema": false}}})";
    EXPECT_EQ(frontDoorJson(none),
              normalized(R"({"hasEncryptionPlaceholders": false, "schemaRequiresEncryption": false,
                  "result": {"aggregate": "empty", "pipeline": [], "cursor": {}}})"));

    std::string schemas =
        R"("csfleEncryptionSchemas": {"db.c": {"jsonSchema": {}, "isRemoteSchema": false}})";
    expectError([&] { frontDoorJson(R"({"find": "c", "filter": {}, )" + schemas + "}"); },
                ErrorCode::CommandNotSupported, "is only supported for 'aggregate'");
    expectError([&] { frontDoorJson(R"({"explain": {"find": "c"}, )" + schemas + "}"); },
                ErrorCode::CommandNotSupported, "is only supported for 'aggregate'");
    expectError(
        [&] {
            frontDoorJson(R"({"aggregate": "c", "pipeline": [], "jsonSchema": {}, )" + schemas +
                          "}");
        },
        ErrorCode::FailedToParse, "'csfleEncryptionSchemas' and 'jsonSchema' cannot both be given");
    expectError(
        [&] {
            frontDoorJson(R"({"aggregate": "x", "pipeline": [], "$db": "db", )" + schemas + "}");
        },
        ErrorCode::BadValue, "has no schema for the aggregated namespace 'db.x'");
    expectError(
        [&] {
            frontDoorJson(R"({"aggregate": "c", "pipeline": [], "$db": "other", )" + schemas + "}");
        },
        ErrorCode::BadValue, "has no schema for the aggregated namespace 'other.c'");
    expectError(
        [&] {
            frontDoorJson(R"({"aggregate": "c", "pipeline": [], "csfleEncryptionSchemas":
                {"db.c": {"jsonSchema": {}, "isRemoteSchema": false, "x": 1}}})");
        },
        ErrorCode::Location40415,
        "BSON field 'csfleEncryptionSchemas.db.c.x' is an unknown field.");
    expectError(
        [&] {
            frontDoorJson(R"({"aggregate": "c", "pipeline": [], "csfleEncryptionSchemas":
                {"db.c": {"jsonSchema": {}}}})");
        },
        ErrorCode::FailedToParse, "'csfleEncryptionSchemas.db.c.isRemoteSchema' is missing");
    expectError(
        [&] {
            frontDoorJson(R"({"aggregate": "c", "pipeline": [], "csfleEncryptionSchemas":
                {"nodot": {"jsonSchema": {}, "isRemoteSchema": true}}})");
        },
        ErrorCode::InvalidNamespace, "must be namespaces");
    expectError(
        [&] {
            frontDoorJson(R"({"aggregate": "c", "pipeline": [], "csfleEncryptionSchemas": []})");
        },
        ErrorCode::TypeMismatch, "must be a non-empty object");
    // A bad schema is reported with its namespace.
    expectError(
        [&] {
            frontDoorJson(R"({"aggregate": "c", "pipeline": [], "csfleEncryptionSchemas":
                {"db.c": {"jsonSchema": {"required": ["a"]}, "isRemoteSchema": false}}})");
        },
        ErrorCode::FailedToParse, "in the schema of 'db.c' (csfleEncryptionSchemas)");
    // Queryable Encryption next to it is still refused clearly.
    expectError(
        [&] {
            frontDoorJson(
                R"({"aggregate": "c", "pipeline": [], "encryptionInformation": {"type": 1, "schema": {}},
                )" +
                schemas + "}");
        },
        ErrorCode::NotImplemented, "Queryable Encryption is not supported yet");
    // A one-collection command still needs jsonSchema.
    expectError([&] { frontDoorJson(R"({"aggregate": "c", "pipeline": []})"); },
                ErrorCode::FailedToParse, "jsonSchema");
}

TEST(ExplainAggregateTest, WrapsTheAggregateWithEitherSchemaForm) {
    std::string inner =
        R"({"aggregate": "c", "pipeline": [{"$match": {"ssn": "1"}}], "cursor": {}})";
    EXPECT_EQ(
        frontDoorJson(withStandardSchema(R"({"explain": )" + inner + R"(, "$db": "db"})")),
        normalized(R"({"hasEncryptionPlaceholders": true, "schemaRequiresEncryption": true,
                  "result": {"explain": {"aggregate": "c", "pipeline": [{"$match": {"ssn": {"$eq": )" +
                   markA(R"("1")") + R"(}}}], "cursor": {}}, "verbosity": "allPlansExecution"}})"));
    // csfleEncryptionSchemas sits next to `explain`, as libmongocrypt sends it to mongocryptd.
    std::string lookup = R"({"aggregate": "c", "pipeline": [{"$lookup": {"from": "c2",
        "localField": "ssn", "foreignField": "e", "as": "m"}}, {"$match": {"m.f": 1}}]})";
    std::string cmd = multiCommand("[]");
    cmd = R"({"explain": )" + lookup + R"(, "verbosity": "queryPlanner", )" +
          cmd.substr(cmd.find("\"csfleEncryptionSchemas\""));
    EXPECT_EQ(frontDoorJson(cmd),
              normalized(R"({"hasEncryptionPlaceholders": true, "schemaRequiresEncryption": true,
                  "result": {"explain": {"aggregate": "c", "pipeline": [{"$lookup": {"from": "c2",
                  "as": "m", "localField": "ssn", "foreignField": "e"}}, {"$match": {"m.f": {"$eq": )" +
                         markB("1") + R"(}}}]}, "verbosity": "queryPlanner"}})"));
    // The aggregate's own explain flag is echoed.
    EXPECT_EQ(analyzedPipeline("[]"), pipelineJson("[]"));
    EXPECT_NO_THROW(frontDoorJson(aggregateCommand("[]", R"(, "explain": true)")));
    // Nested inside the explained command it is not read: refused, never ignored.
    expectError(
        [&] {
            frontDoorJson(
                R"({"explain": {"aggregate": "c", "pipeline": [], "csfleEncryptionSchemas":
                {"db.c": {"jsonSchema": {}, "isRemoteSchema": false}}}, "jsonSchema": {}, "isRemoteSchema": true})");
        },
        ErrorCode::BadValue, "must be a top-level field");
}

}  // namespace
}  // namespace cryptd::analysis::test
