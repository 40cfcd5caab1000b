// Stages that read other documents: $lookup and $graphLookup join a collection whose schema is
// the aggregated one (self-lookup) or comes in csfleEncryptionSchemas; the joined fields must be
// encrypted identically (both unencrypted, or the same deterministic algorithm, key and type),
// since the server compares their stored values. $facet runs sub-pipelines on the same input.
#include "analysis/encrypted_value.h"
#include "analysis/expression_operators.h"
#include "analysis/match_walker.h"
#include "analysis/stages/stages.h"
#include "common/error.h"

namespace cryptd::analysis::stages {

using schema::SchemaNode;

namespace {

void requireDocument(const StageInput& in) {
    if (!in.spec.isDocument()) {
        fail(ErrorCode::TypeMismatch, "the " + in.name() +
                                          " stage specification must be an object, found " +
                                          std::string(in.spec.typeName()));
    }
}

std::optional<bson::Element> arg(const StageInput& in, std::string_view name) {
    return in.spec.document().find(name);
}

bson::Element requiredArg(const StageInput& in, std::string_view name) {
    auto e = arg(in, name);
    if (!e) failStage(in.name(), "missing '" + std::string(name) + "' option");
    return *e;
}

// Sets ctx.schema to `schema` for a filter on another collection's documents.
class ForeignFilterScope {
  public:
    ForeignFilterScope(Context& ctx, const schema::EncryptionSchema* schema)
        : ctx_(ctx), saved_(ctx.schema), savedHook_(ctx.expressions) {
        ctx.schema = SchemaView(schema);
        ctx.expressions = nullptr;  // restrictSearchWithMatch may not use $expr anyway
    }
    ~ForeignFilterScope() {
        ctx_.schema = saved_;
        ctx_.expressions = savedHook_;
    }
    ForeignFilterScope(const ForeignFilterScope&) = delete;
    ForeignFilterScope& operator=(const ForeignFilterScope&) = delete;

  private:
    Context& ctx_;
    SchemaView saved_;
    ExpressionHook* savedHook_;
};

// The shape of a join path ($lookup's localField/foreignField, $graphLookup's connect*Field),
// read like a filter path: SchemaView first, so a numeric part that may be an array index into
// encrypted data is refused as in queries.
Shape joinPath(StageInput& in, const schema::SchemaNode* root, const FieldPath& path) {
    SchemaView(in.arena().schemaFor(root)).resolve(path);
    return in.walker.expressions(root).shapeOfPath(path.dotted());
}

}  // namespace

// Written as the server re-serializes it (contract §2.2): from, as, localField, foreignField,
// let, pipeline.
const SchemaNode* lookup(StageInput& in, bson::Builder& stage) {
    requireDocument(in);
    for (bson::Element f : in.spec.document()) {
        std::string_view k = f.key();
        if (k != "from" && k != "as" && k != "localField" && k != "foreignField" && k != "let" &&
            k != "pipeline") {
            failStage("$lookup", "unknown argument to $lookup: " + std::string(k));
        }
    }
    bson::Element from = requiredArg(in, "from");
    bson::Element as = requiredArg(in, "as");
    FieldPath asPath = stagePath(as, "$lookup", "as", false);
    auto localField = arg(in, "localField"), foreignField = arg(in, "foreignField");
    auto let = arg(in, "let"), pipeline = arg(in, "pipeline");
    if (localField.has_value() != foreignField.has_value()) {
        failStage("$lookup",
                  "$lookup requires both or neither of 'localField' and "
                  "'foreignField' to be specified");
    }
    if (!localField && !pipeline) {
        failStage("$lookup",
                  "$lookup requires either 'pipeline' or both 'localField' and "
                  "'foreignField' to be specified");
    }
    if (let && !pipeline) failStage("$lookup", "'let' requires a 'pipeline'");
    if (let && !let->isDocument()) failStage("$lookup", "'let' must be an object");

    const SchemaNode* foreign = in.walker.env.foreignRoot(from, "$lookup");
    const SchemaNode* joined = foreign;
    stage.appendDocument(in.spec.key(), [&](bson::Builder& l) {
        l.append(from);
        l.append(as);
        if (localField) {
            FieldPath local = stagePath(*localField, "$lookup", "localField", false);
            FieldPath remote = stagePath(*foreignField, "$lookup", "foreignField", false);
            Shape ls = joinPath(in, in.root, local);
            Shape rs = joinPath(in, foreign, remote);
            requireComparable(ls, rs,
                              "$lookup joining localField " + quoted(local) + " to foreignField " +
                                  quoted(remote));
            l.append(*localField);
            l.append(*foreignField);
        }
        Scope vars(in.walker.scope);
        if (let) {
            // Evaluated on the local document; the sub-pipeline reads them as $$name.
            ExpressionAnalyzer a = in.walker.expressions(in.root);
            l.appendDocument("let", [&](bson::Builder& v) {
                for (bson::Element var : let->document()) {
                    checkVariableName(var.key());
                    Shape s = a.write(v, var.key(), var);
                    if (s.kind == Shape::Kind::Constant) s = Shape::plain();
                    vars.bind(std::string(var.key()), s);
                }
            });
        }
        if (pipeline) {
            PipelineWalker sub = in.walker.nested(&vars, false);
            joined = sub.writePipeline(l, "pipeline", *pipeline, foreign);
        }
    });
    return in.arena().set(in.root, asPath, in.arena().arrayOf(joined));
}

// $graphLookup: startWith (local) and connectFromField (foreign) values are compared with
// connectToField (foreign); a constant startWith meeting a deterministic field is marked.
const SchemaNode* graphLookup(StageInput& in, bson::Builder& stage) {
    requireDocument(in);
    constexpr std::string_view kKnown[] = {
        "from", "startWith", "connectFromField", "connectToField",
        "as",   "maxDepth",  "depthField",       "restrictSearchWithMatch"};
    for (bson::Element f : in.spec.document()) {
        bool ok = false;
        for (auto k : kKnown) ok = ok || f.key() == k;
        if (!ok) failStage("$graphLookup", "unknown argument: " + std::string(f.key()));
    }
    bson::Element from = requiredArg(in, "from");
    const SchemaNode* foreign = in.walker.env.foreignRoot(from, "$graphLookup");
    FieldPath asPath = stagePath(requiredArg(in, "as"), "$graphLookup", "as", false);
    FieldPath toPath =
        stagePath(requiredArg(in, "connectToField"), "$graphLookup", "connectToField", false);
    FieldPath fromPath =
        stagePath(requiredArg(in, "connectFromField"), "$graphLookup", "connectFromField", false);
    requiredArg(in, "startWith");
    Shape to = joinPath(in, foreign, toPath);
    requireComparable(joinPath(in, foreign, fromPath), to,
                      "$graphLookup connecting connectFromField " + quoted(fromPath) +
                          " to connectToField " + quoted(toPath));

    const SchemaNode* found = foreign;
    ExpressionAnalyzer local = in.walker.expressions(in.root);
    stage.appendDocument(in.spec.key(), [&](bson::Builder& g) {
        for (bson::Element f : in.spec.document()) {
            std::string_view key = f.key();
            if (key == "startWith") {
                std::string what =
                    "$graphLookup startWith compared with connectToField " + quoted(toPath);
                bool encryptedTarget = to.kind == Shape::Kind::Encrypted;
                if (f.isArray() && encryptedTarget) {
                    g.appendArray("startWith", [&](bson::Builder& arr) {
                        for (bson::Element el : f.document()) {
                            auto w = local.analyze(el);
                            if (w.shape.kind != Shape::Kind::Constant)
                                requireComparable(w.shape, to, what);
                            local.emit(arr, el.key(), w, &to, true);
                        }
                    });
                    continue;
                }
                auto w = local.analyze(f);
                if (w.shape.kind != Shape::Kind::Constant || !encryptedTarget) {
                    Shape s = w.shape;
                    if (s.kind == Shape::Kind::Constant || s.kind == Shape::Kind::Missing)
                        s = Shape::plain();
                    requireComparable(s, to, what);
                }
                local.emit(g, "startWith", w, encryptedTarget ? &to : nullptr);
            } else if (key == "restrictSearchWithMatch") {
                if (!f.isDocument())
                    failStage("$graphLookup", "restrictSearchWithMatch must be an object");
                ForeignFilterScope scope(in.ctx(), in.arena().schemaFor(foreign));
                MatchWalker(in.ctx()).appendFilter(g, key, f.document());
            } else if (key == "depthField") {
                found = in.arena().set(found, stagePath(f, "$graphLookup", "depthField", false),
                                       nullptr);
                g.append(f);
            } else {
                g.append(f);
            }
        }
    });
    return in.arena().set(in.root, asPath, in.arena().arrayOf(found));
}

// {$facet: {name: [stages], ...}}: each sub-pipeline sees the input documents; the output is one
// document with an array per name.
const SchemaNode* facet(StageInput& in, bson::Builder& stage) {
    requireDocument(in);
    if (in.spec.document().empty())
        failStage("$facet", "the $facet specification must be a non-empty object");
    std::vector<std::pair<std::string, const SchemaNode*>> fields;
    stage.appendDocument(in.spec.key(), [&](bson::Builder& f) {
        for (bson::Element p : in.spec.document()) {
            if (p.key().empty() || p.key().front() == '$' ||
                p.key().find('.') != std::string_view::npos) {
                failStage("$facet", "invalid output field name '" + std::string(p.key()) + "'");
            }
            PipelineWalker sub = in.walker.nested(in.walker.scope, true);
            const SchemaNode* results = sub.writePipeline(f, p.key(), p, in.root);
            fields.emplace_back(std::string(p.key()), in.arena().arrayOf(results));
        }
    });
    return in.arena().document(nullptr, true, std::move(fields));
}

}  // namespace cryptd::analysis::stages
