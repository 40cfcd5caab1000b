// update: each statement's `q` marked as a filter and `u` as an update (replacement document,
// operators or pipeline).
#include "analysis/command_fields.h"
#include "analysis/commands/commands.h"
#include "analysis/update_walker.h"

namespace cryptd::analysis::commands {

namespace {

void updateSpec(CommandContext& cc, const bson::Element& f, bson::View statement,
                bson::Builder& out) {
    auto upsert = statement.find("upsert");
    appendAnalyzedUpdate(cc.ctx, out, f.key(), f, upsert && upsert->truthy());
}

constexpr FieldRule kStatementFields[] = {
    {"q", filterField, true},
    {"u", updateSpec, true},
    {"c", documentField},
    {"arrayFilters", arrayFiltersField},
    {"multi"},
    {"upsert"},
    {"collation", documentField},
    {"hint"},
    {"sampleId"},
    {"upsertSupplied"},
    {"sort", sortField},
    {"$_allowShardKeyUpdatesWithoutFullShardKeyInQuery"},
};

void updates(CommandContext& cc, const bson::Element& f, bson::View, bson::Builder& out) {
    if (!f.isArray()) failWrongType("update", f, "array");
    out.appendArray(f.key(), [&](bson::Builder& arr) {
        for (bson::Element statement : f.document()) {
            if (!statement.isDocument()) failWrongType("update.updates", statement, "object");
            arr.appendDocument(statement.key(), [&](bson::Builder& s) {
                writeFields(cc, statement.document(), {"update.updates", kStatementFields, false},
                            s, false);
            });
        }
    });
}

constexpr FieldRule kFields[] = {
    {"updates", updates, true},   {"ordered"},        {"bypassDocumentValidation"},
    {"bypassEmptyTsReplacement"}, {"let", letField},  {"stmtIds"},
    {"isTimeseriesNamespace"},    {"collectionUUID"},
};

}  // namespace

void update(CommandContext& cc, bson::View command, bson::Builder& result) {
    writeCommand(cc, command, {"update", kFields, true}, result);
}

}  // namespace cryptd::analysis::commands
