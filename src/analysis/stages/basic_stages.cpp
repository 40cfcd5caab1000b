// Stages that filter, order or count documents without reshaping them (or that replace them by
// statistics): $match $sort $limit $skip $sample $count $collStats $indexStats $redact $geoNear.
#include "analysis/encrypted_value.h"
#include "analysis/match_walker.h"
#include "analysis/query_options.h"
#include "analysis/stages/stages.h"
#include "common/error.h"

namespace cryptd::analysis::stages {

using schema::SchemaNode;

namespace {

void requireDocumentSpec(const StageInput& in) {
    if (!in.spec.isDocument()) {
        fail(ErrorCode::TypeMismatch, "the " + in.name() +
                                          " stage specification must be an object, found " +
                                          std::string(in.spec.typeName()));
    }
}

}  // namespace

// The match walker, against the schema the documents have at this point of the pipeline.
const SchemaNode* match(StageInput& in, bson::Builder& stage) {
    requireDocumentSpec(in);
    MatchWalker(in.ctx()).appendFilter(stage, in.spec.key(), in.spec.document());
    return in.root;
}

const SchemaNode* sort(StageInput& in, bson::Builder& stage) {
    requireDocumentSpec(in);
    if (in.spec.document().empty())
        failStage("$sort", "the sort key specification must not be empty");
    appendCheckedSort(in.ctx(), stage, in.spec);
    return in.root;
}

const SchemaNode* limitOrSkip(StageInput& in, bson::Builder& stage) {
    if (!in.spec.isNumber()) {
        fail(ErrorCode::TypeMismatch,
             in.name() + " requires a number, found " + std::string(in.spec.typeName()));
    }
    stage.append(in.spec);
    return in.root;
}

const SchemaNode* sample(StageInput& in, bson::Builder& stage) {
    requireDocumentSpec(in);
    for (bson::Element f : in.spec.document()) {
        if (f.key() != "size") failStage("$sample", "unrecognized option: " + std::string(f.key()));
        if (!f.isNumber()) failStage("$sample", "size argument must be a number");
    }
    if (!in.spec.document().find("size")) failStage("$sample", "no size specified");
    stage.append(in.spec);
    return in.root;
}

// {$count: "name"}: the output is one document {name: <count>}.
const SchemaNode* count(StageInput& in, bson::Builder& stage) {
    if (!in.spec.isString() || in.spec.utf8().empty()) {
        failStage("$count", "the count field must be a non-empty string");
    }
    std::string_view name = in.spec.utf8();
    if (name.front() == '$' || name.find('.') != std::string_view::npos) {
        failStage("$count", "the count field cannot start with '$' nor contain '.'");
    }
    stage.append(in.spec);
    return nullptr;
}

// $collStats / $indexStats: statistics documents, nothing encrypted in them.
const SchemaNode* stats(StageInput& in, bson::Builder& stage) {
    requireDocumentSpec(in);
    stage.append(in.spec);
    return nullptr;
}

// $redact evaluates its expression at every level of the document; it may only test
// unencrypted values, and it only removes parts, so the schema stays as it was.
const SchemaNode* redact(StageInput& in, bson::Builder& stage) {
    in.walker.expressions(in.root).writeCondition(stage, in.spec.key(), in.spec, "$redact");
    return in.root;
}

// $geoNear: the geo key cannot be encrypted (no geo index on ciphertext); `query` is a filter;
// distanceField and includeLocs add unencrypted fields.
const SchemaNode* geoNear(StageInput& in, bson::Builder& stage) {
    requireDocumentSpec(in);
    constexpr std::string_view kKnown[] = {
        "near",  "distanceField",      "spherical",   "maxDistance", "minDistance",
        "query", "distanceMultiplier", "includeLocs", "uniqueDocs",  "key"};
    const SchemaNode* out = in.root;
    SchemaArena& arena = in.arena();
    stage.appendDocument(in.spec.key(), [&](bson::Builder& g) {
        for (bson::Element f : in.spec.document()) {
            std::string_view key = f.key();
            bool known = false;
            for (auto k : kKnown) known = known || k == key;
            if (!known) failStage("$geoNear", "unknown argument '" + std::string(key) + "'");
            if (key == "query") {
                if (!f.isDocument()) failStage("$geoNear", "query must be an object");
                MatchWalker(in.ctx()).appendFilter(g, "query", f.document());
                continue;
            }
            if (key == "key") {
                FieldPath path = stagePath(f, "$geoNear", "key", false);
                if (in.ctx().schema.resolve(path).kind != schema::PathInfo::Kind::NotEncrypted) {
                    failStage("$geoNear", "the geo key " + quoted(path) +
                                              " is encrypted or contains encrypted fields");
                }
            } else if (key == "distanceField" || key == "includeLocs") {
                out = arena.set(out, stagePath(f, "$geoNear", key, false), nullptr);
            }
            g.append(f);
        }
    });
    if (!in.spec.document().find("near")) failStage("$geoNear", "'near' is required");
    return out;
}

}  // namespace cryptd::analysis::stages
