#include "analysis/pipeline_walker.h"

#include "analysis/namespace_schemas.h"
#include "analysis/stages/stages.h"
#include "common/error.h"
#include "common/name_table.h"

namespace cryptd::analysis {

using schema::SchemaNode;

namespace {

// The one stage table. Allowed stages (docs: "Supported Operations for Automatic Encryption",
// plus $set/$unset/$replaceWith, aliases of allowed stages, and $facet, whose sub-pipelines are
// each analyzed) have a handler; the other MongoDB stages are listed with none so the error can
// say "not allowed" rather than "unrecognized".
constexpr auto kStages = makeNameTable<StageSpec>({
    {"$addFields", stages::addFields},
    {"$set", stages::addFields},
    {"$bucket", stages::bucket},
    {"$bucketAuto", stages::bucketAuto},
    {"$collStats", stages::stats, false},
    {"$count", stages::count},
    {"$facet", stages::facet, false},
    {"$geoNear", stages::geoNear, false},
    {"$graphLookup", stages::graphLookup},
    {"$group", stages::group},
    {"$indexStats", stages::stats, false},
    {"$limit", stages::limitOrSkip},
    {"$lookup", stages::lookup},
    {"$match", stages::match},
    {"$project", stages::project},
    {"$redact", stages::redact},
    {"$replaceRoot", stages::replaceRoot},
    {"$replaceWith", stages::replaceWith},
    {"$sample", stages::sample},
    {"$skip", stages::limitOrSkip},
    {"$sort", stages::sort},
    {"$sortByCount", stages::sortByCount},
    {"$unset", stages::unset},
    {"$unwind", stages::unwind},
    // MongoDB stages automatic encryption does not allow.
    {"$changeStream", nullptr},
    {"$changeStreamSplitLargeEvent", nullptr},
    {"$currentOp", nullptr},
    {"$densify", nullptr},
    {"$documents", nullptr},
    {"$fill", nullptr},
    {"$listLocalSessions", nullptr},
    {"$listSampledQueries", nullptr},
    {"$listSearchIndexes", nullptr},
    {"$listSessions", nullptr},
    {"$merge", nullptr},
    {"$out", nullptr},
    {"$planCacheStats", nullptr},
    {"$querySettings", nullptr},
    {"$queryStats", nullptr},
    {"$rankFusion", nullptr},
    {"$score", nullptr},
    {"$scoreFusion", nullptr},
    {"$search", nullptr},
    {"$searchMeta", nullptr},
    {"$setWindowFields", nullptr},
    {"$shardedDataDistribution", nullptr},
    {"$unionWith", nullptr},
    {"$vectorSearch", nullptr},
});

}  // namespace

const StageSpec* findStage(std::string_view name) {
    return kStages.find(name);
}

void failStage(std::string_view stage, const std::string& message) {
    fail(ErrorCode::BadValue, std::string(stage) + ": " + message);
}

FieldPath stagePath(const bson::Element& e, std::string_view stage, std::string_view arg,
                    bool dollar) {
    if (!e.isString()) {
        fail(ErrorCode::TypeMismatch, std::string(stage) + " '" + std::string(arg) +
                                          "' must be a string, found " + std::string(e.typeName()));
    }
    std::string_view s = e.utf8();
    if (dollar) {
        if (s.empty() || s.front() != '$') {
            failStage(stage, "'" + std::string(arg) +
                                 "' must be a field path prefixed with '$', found '" +
                                 std::string(s) + "'");
        }
        s.remove_prefix(1);
    }
    FieldPath path = FieldPath::parse(s);
    for (const auto& part : path.parts()) {
        if (part.front() == '$') {
            failStage(stage, "field path '" + std::string(s) + "' has a part that starts with '$'");
        }
    }
    return path;
}

// ---- PipelineEnv ----

PipelineEnv::PipelineEnv(CommandContext& c, std::string coll)
    : cc(c), collection(std::move(coll)), primaryRoot(c.ctx.schema.root()) {}

const SchemaNode* PipelineEnv::foreignRoot(const bson::Element& from, std::string_view stage) {
    const Context& ctx = cc.ctx;
    std::string db(ctx.db), coll;
    if (from.isString()) {
        coll = std::string(from.utf8());
    } else if (from.isDocument()) {
        auto d = from.document().find("db"), c = from.document().find("coll");
        if (!d || !d->isString() || !c || !c->isString() || from.document().count() != 2) {
            failStage(stage, "'from' must be a collection name or {db: <string>, coll: <string>}");
        }
        db = std::string(d->utf8());
        coll = std::string(c->utf8());
    } else {
        fail(ErrorCode::TypeMismatch, std::string(stage) + " 'from' must be a string, found " +
                                          std::string(from.typeName()));
    }
    if (coll.empty()) failStage(stage, "'from' must name a collection");
    if (ctx.namespaces) {
        if (db.empty()) db = ctx.namespaces->db();
        std::string ns = db + "." + coll;
        if (const auto* s = ctx.namespaces->find(ns)) {
            return s->requiresEncryption() ? &s->root() : nullptr;
        }
        failStage(stage, "'csfleEncryptionSchemas' carries no schema for '" + ns +
                             "', the collection named by 'from'");
    }
    bool sameDb = from.isString() || db == ctx.db;
    if (sameDb && coll == collection) return primaryRoot;  // a self-lookup: the one schema we have
    failStage(stage, "'from' names another collection ('" + coll +
                         "') but the command carries only the schema of '" + collection +
                         "'. Joining another collection needs the schemas of both, which drivers "
                         "send in 'csfleEncryptionSchemas' (libmongocrypt 1.13+, mongocryptd "
                         "maxWireVersion 26); with one 'jsonSchema' only a $lookup on the same "
                         "collection is supported");
}

// ---- StageContext ----

StageContext::StageContext(PipelineWalker& walker, const SchemaNode* root)
    : ctx_(walker.env.cc.ctx),
      savedSchema_(ctx_.schema),
      savedHook_(ctx_.expressions),
      hook_(walker, root) {
    ctx_.schema = SchemaView(walker.env.arena.schemaFor(root));
    ctx_.expressions = &hook_;
}

StageContext::~StageContext() {
    ctx_.schema = savedSchema_;
    ctx_.expressions = savedHook_;
}

void StageContext::Hook::writeMatchExpr(Context&, bson::Builder& out, const bson::Element& expr) {
    walker_.expressions(root_).writeCondition(out, expr.key(), expr, "$expr");
}

// ---- PipelineWalker ----

PipelineWalker::PipelineWalker(PipelineEnv& e, const Scope* s, int d, bool facet)
    : env(e), scope(s), depth(d), inFacet(facet) {}

PipelineWalker PipelineWalker::nested(const Scope* s, bool facet) const {
    return PipelineWalker(env, s, depth + 1, facet);
}

ExpressionAnalyzer PipelineWalker::expressions(const SchemaNode* root) const {
    return ExpressionAnalyzer(env.cc.ctx, env.arena, root, scope);
}

const SchemaNode* PipelineWalker::writePipeline(bson::Builder& out, std::string_view key,
                                                const bson::Element& pipeline,
                                                const SchemaNode* root) {
    if (depth > kMaxSubPipelineDepth) {
        fail(ErrorCode::BadValue, "Maximum number of nested sub-pipelines exceeded. Limit is " +
                                      std::to_string(kMaxSubPipelineDepth));
    }
    if (!pipeline.isArray()) {
        fail(ErrorCode::TypeMismatch, "'" + std::string(pipeline.key()) +
                                          "' must be an array of stage objects, found " +
                                          std::string(pipeline.typeName()));
    }
    out.appendArray(key, [&](bson::Builder& stages) {
        for (bson::Element stage : pipeline.document()) {
            root = writeStage(stages, stage.key(), stage, root);
        }
    });
    return root;
}

const SchemaNode* PipelineWalker::writeStage(bson::Builder& out, std::string_view key,
                                             const bson::Element& stage, const SchemaNode* root) {
    if (!stage.isDocument()) {
        fail(ErrorCode::TypeMismatch, "Each element of the 'pipeline' array must be an object");
    }
    bson::View v = stage.document();
    if (v.count() != 1) {
        fail(ErrorCode::BadValue,
             "A pipeline stage specification object must contain exactly one field.");
    }
    bson::Element spec = *v.begin();
    std::string name(spec.key());
    const StageSpec* entry = findStage(name);
    if (!entry) fail(ErrorCode::BadValue, "Unrecognized pipeline stage name: '" + name + "'");
    if (!entry->handler) {
        fail(ErrorCode::BadValue, "Aggregation stage " + name +
                                      " is not allowed or supported with automatic encryption.");
    }
    if (inFacet && !entry->allowedInFacet) {
        fail(ErrorCode::BadValue, name + " is not allowed to be used within a $facet stage");
    }
    StageContext stageContext(*this, root);
    StageInput in{*this, spec, root};
    const SchemaNode* next = nullptr;
    out.appendDocument(key, [&](bson::Builder& b) { next = entry->handler(in, b); });
    return next;
}

}  // namespace cryptd::analysis
