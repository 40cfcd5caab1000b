// Grouping stages: $group, $bucket, $bucketAuto, $sortByCount. The output documents are new:
// `_id` (the group key) and the accumulator fields, whose encryption the key and accumulators
// decide (stages/accumulators.h).
#include "analysis/stages/accumulators.h"
#include "common/error.h"

namespace cryptd::analysis::stages {

using schema::SchemaNode;

namespace {

using Fields = std::vector<std::pair<std::string, const SchemaNode*>>;

void requireDocument(const StageInput& in) {
    if (!in.spec.isDocument()) {
        fail(ErrorCode::TypeMismatch, "a " + in.name() +
                                          " specification must be an object, found " +
                                          std::string(in.spec.typeName()));
    }
}

// $bucket / $bucketAuto: `groupBy` is compared with boundaries (ordering), so it is unencrypted;
// the `_id`s are the boundaries; `output` holds accumulators (default: {count: {$sum: 1}}).
const SchemaNode* writeBuckets(StageInput& in, bson::Builder& stage,
                               std::initializer_list<std::string_view> known) {
    requireDocument(in);
    std::string name = in.name();
    ExpressionAnalyzer a = in.walker.expressions(in.root);
    Fields fields{{"_id", nullptr}};
    stage.appendDocument(in.spec.key(), [&](bson::Builder& b) {
        for (bson::Element f : in.spec.document()) {
            bool ok = false;
            for (auto k : known) ok = ok || f.key() == k;
            if (!ok)
                failStage(name, "Unrecognized option to " + name + ": " + std::string(f.key()));
            if (f.key() == "groupBy") {
                requirePlainValue(a.write(b, "groupBy", f), name + "'s groupBy");
            } else if (f.key() == "output") {
                if (!f.isDocument()) failStage(name, "'output' must be an object");
                b.appendDocument("output", [&](bson::Builder& o) {
                    for (bson::Element acc : f.document()) {
                        fields.emplace_back(std::string(acc.key()),
                                            writeAccumulatorField(in, a, o, acc));
                    }
                });
            } else {
                b.append(f);  // boundaries, default, buckets, granularity: constants
            }
        }
    });
    if (!in.spec.document().find("groupBy")) failStage(name, "requires 'groupBy'");
    return in.arena().document(nullptr, true, std::move(fields));
}

}  // namespace

const SchemaNode* group(StageInput& in, bson::Builder& stage) {
    requireDocument(in);
    ExpressionAnalyzer a = in.walker.expressions(in.root);
    Fields fields;
    stage.appendDocument(in.spec.key(), [&](bson::Builder& g) {
        for (bson::Element f : in.spec.document()) {
            if (f.key() == "_id") {
                Shape key = a.writeWrappingLiteral(g, "_id", f);
                requireGroupable(key, "$group");
                fields.emplace_back("_id", nodeForShape(in.arena(), key));
            } else {
                fields.emplace_back(std::string(f.key()), writeAccumulatorField(in, a, g, f, true));
            }
        }
    });
    if (!in.spec.document().find("_id")) {
        failStage("$group", "a group specification must include an _id");
    }
    return in.arena().document(nullptr, true, std::move(fields));
}

const SchemaNode* bucket(StageInput& in, bson::Builder& stage) {
    if (in.spec.isDocument() && !in.spec.document().find("boundaries")) {
        failStage("$bucket", "requires 'boundaries'");
    }
    return writeBuckets(in, stage, {"groupBy", "boundaries", "default", "output"});
}

const SchemaNode* bucketAuto(StageInput& in, bson::Builder& stage) {
    if (in.spec.isDocument() && !in.spec.document().find("buckets")) {
        failStage("$bucketAuto", "requires 'buckets'");
    }
    return writeBuckets(in, stage, {"groupBy", "buckets", "output", "granularity"});
}

// {$sortByCount: <expr>} is {$group: {_id: <expr>, count: {$sum: 1}}} then a sort on count.
const SchemaNode* sortByCount(StageInput& in, bson::Builder& stage) {
    Shape key = in.walker.expressions(in.root).write(stage, in.spec.key(), in.spec);
    requireGroupable(key, "$sortByCount");
    return in.arena().document(nullptr, true,
                               {{"_id", nodeForShape(in.arena(), key)}, {"count", nullptr}});
}

}  // namespace cryptd::analysis::stages
