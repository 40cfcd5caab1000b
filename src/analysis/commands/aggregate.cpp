// aggregate: the pipeline is walked stage by stage with the schema flowing through it
// (pipeline_walker.h); the other fields are echoed. Collection-level only: libmongocrypt never
// sends {aggregate: 1} ("non-collection command not supported for auto encryption").
#include "analysis/command_fields.h"
#include "analysis/commands/commands.h"
#include "analysis/expression_operators.h"
#include "analysis/pipeline_walker.h"
#include "common/error.h"

namespace cryptd::analysis::commands {

namespace {

// Command-level `let`: constants for the pipeline ($$name); they name no document field.
void bindCommandVariables(CommandContext& cc, SchemaArena& arena, bson::View command,
                          Scope& scope) {
    auto let = command.find("let");
    if (!let) return;
    if (!let->isDocument()) failWrongType("aggregate", *let, "object");
    ExpressionAnalyzer a(cc.ctx, arena, nullptr, nullptr);
    for (bson::Element var : let->document()) {
        checkVariableName(var.key());
        bson::Builder scratch;
        Shape s = a.write(scratch, var.key(), var);
        scope.bind(std::string(var.key()), s.isPlainValue() ? Shape::plain() : s);
    }
}

void pipelineField(CommandContext& cc, const bson::Element& f, bson::View command,
                   bson::Builder& out) {
    if (!f.isArray()) failWrongType("aggregate", f, "array");
    bson::Element name = *command.first();
    if (!name.isString()) {
        fail(ErrorCode::CommandNotSupported,
             "aggregate without a collection ({aggregate: 1}) is not supported for automatic "
             "encryption");
    }
    // The walk swaps ctx.schema per stage; it starts with the collection's own schema.
    PipelineEnv env(cc, std::string(name.utf8()));
    const schema::SchemaNode* root = env.primaryRoot;
    Scope scope;
    bindCommandVariables(cc, env.arena, command, scope);
    PipelineWalker walker(env, &scope, 0, false);
    walker.writePipeline(out, f.key(), f, root);
}

void cursorField(CommandContext& cc, const bson::Element& f, bson::View parent,
                 bson::Builder& out) {
    documentField(cc, f, parent, out);
}

void hintField(CommandContext&, const bson::Element& f, bson::View, bson::Builder& out) {
    if (!f.isString() && !f.isDocument()) failWrongType("aggregate", f, "string or object");
    out.append(f);
}

constexpr FieldRule kFields[] = {
    {"pipeline", pipelineField, true},
    {"cursor", cursorField},
    {"explain"},
    {"allowDiskUse"},
    {"bypassDocumentValidation"},
    {"collation", documentField},
    {"hint", hintField},
    {"let", documentField},
    {"isMapReduceCommand"},
    {"collectionUUID"},
    {"includeQueryStatsMetrics"},
    {"$_requestResumeToken"},
    {"$_resumeAfter"},
};

}  // namespace

void aggregate(CommandContext& cc, bson::View command, bson::Builder& result) {
    // csfleEncryptionSchemas is read at the top level only (next to `explain` for an explain).
    if (command.find("csfleEncryptionSchemas") && !cc.ctx.namespaces) {
        fail(ErrorCode::BadValue,
             "'csfleEncryptionSchemas' must be a top-level field of the command sent to "
             "mongocryptd");
    }
    writeCommand(cc, command, {"aggregate", kFields, true}, result);
}

}  // namespace cryptd::analysis::commands
