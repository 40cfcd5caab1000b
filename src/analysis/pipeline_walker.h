#pragma once
// The aggregation pipeline walker: each stage is looked up in the one stage table
// (pipeline_walker.cpp), checked against the schema its input documents have, written back (with
// markings) and returns the schema of its output documents, which the next stage sees.
// Sub-pipelines ($lookup, $facet) are walked the same way with their own starting schema.

#include <string>
#include <string_view>

#include "analysis/aggregate_expressions.h"
#include "analysis/command_registry.h"
#include "analysis/pipeline_schema.h"
#include "common/bson.h"

namespace cryptd::analysis {

// What all stages of one aggregate share.
struct PipelineEnv {
    PipelineEnv(CommandContext& cc, std::string collection);

    CommandContext& cc;
    SchemaArena arena;
    std::string collection;  // the aggregated collection
    // Its schema (ctx.schema when the walk starts), for self-lookups.
    const schema::SchemaNode* primaryRoot;

    // The schema root of the collection a $lookup/$graphLookup reads (`from`: "coll" or
    // {db, coll}; null: nothing encrypted); throws when the command does not carry that
    // collection's schema.
    const schema::SchemaNode* foreignRoot(const bson::Element& from, std::string_view stage);
};

class PipelineWalker {
  public:
    static constexpr int kMaxSubPipelineDepth = 20;  // MongoDB's limit on nested sub-pipelines

    PipelineWalker(PipelineEnv& env, const Scope* scope, int depth, bool inFacet);

    // Appends `key: [<stages>]` for `pipeline` (an array of stages) whose input documents have
    // schema `root`; returns the schema of the output documents.
    const schema::SchemaNode* writePipeline(bson::Builder& out, std::string_view key,
                                            const bson::Element& pipeline,
                                            const schema::SchemaNode* root);

    // A walker for a sub-pipeline one level down.
    PipelineWalker nested(const Scope* scope, bool inFacet) const;

    // Expression analysis for a stage whose input documents have schema `root`.
    ExpressionAnalyzer expressions(const schema::SchemaNode* root) const;

    PipelineEnv& env;
    const Scope* scope;
    int depth;
    bool inFacet;

  private:
    const schema::SchemaNode* writeStage(bson::Builder& out, std::string_view key,
                                         const bson::Element& stage,
                                         const schema::SchemaNode* root);
};

// While alive, the command's Context sees `schema` (and the pipeline's $expr analysis), so the
// walkers shared with find/update (match, sort) check a stage against its derived schema.
class StageContext {
  public:
    StageContext(PipelineWalker& walker, const schema::SchemaNode* root);
    ~StageContext();
    StageContext(const StageContext&) = delete;
    StageContext& operator=(const StageContext&) = delete;

  private:
    class Hook final : public ExpressionHook {
      public:
        Hook(PipelineWalker& w, const schema::SchemaNode* root) : walker_(w), root_(root) {}
        void writeMatchExpr(Context& ctx, bson::Builder& out, const bson::Element& expr) override;

      private:
        PipelineWalker& walker_;
        const schema::SchemaNode* root_;
    };
    Context& ctx_;
    SchemaView savedSchema_;
    ExpressionHook* savedHook_;
    Hook hook_;
};

// Input of a stage handler.
struct StageInput {
    PipelineWalker& walker;
    const bson::Element& spec;       // the stage's `$name: <spec>` element
    const schema::SchemaNode* root;  // schema of the stage's input documents

    Context& ctx() const { return walker.env.cc.ctx; }
    SchemaArena& arena() const { return walker.env.arena; }
    std::string name() const { return std::string(spec.key()); }
};

// Appends the stage (`$name: ...`) to `stage` and returns its output schema.
using StageHandler = const schema::SchemaNode* (*)(StageInput& in, bson::Builder& stage);

struct StageSpec {
    std::string_view name;
    StageHandler handler;  // nullptr: a MongoDB stage that automatic encryption does not allow
    bool allowedInFacet = true;
};
const StageSpec* findStage(std::string_view name);

// Field-path arguments of stages ("$a.b" when `dollar`), checked like MongoDB does.
FieldPath stagePath(const bson::Element& e, std::string_view stage, std::string_view arg,
                    bool dollar);
[[noreturn]] void failStage(std::string_view stage, const std::string& message);

}  // namespace cryptd::analysis
