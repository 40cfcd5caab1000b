// update: each statement's `q` marked as a filter and `u` as an update (replacement document,
// operators or pipeline). Each statement is re-serialized with `multi` and `upsert` as booleans,
// false when absent, as mongocryptd does (drivers' spec test legacy/updateMany.json: the server
// receives `{q, u, multi: true, upsert: false}` for a driver that sent no upsert).
#include "analysis/command_fields.h"
#include "analysis/commands/commands.h"
#include "analysis/update_walker.h"

namespace cryptd::analysis::commands {

namespace {

// multi / upsert: a bool (numbers read as MongoDB reads them: non-zero is true).
void flagField(CommandContext&, const bson::Element& f, bson::View, bson::Builder& out) {
    if (!f.isBool() && !f.isNumber()) failWrongType("update.updates", f, "bool");
    out.appendBool(f.key(), f.truthy());
}

constexpr FieldRule kStatementFields[] = {
    {"q", filterField, true},
    {"u", updateSpecField, true},
    {"c", documentField},
    {"arrayFilters", arrayFiltersField},
    {"multi", flagField},
    {"upsert", flagField},
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
                bson::View v = statement.document();
                writeFields(cc, v, {"update.updates", kStatementFields, false}, s, false);
                for (std::string_view flag : {"multi", "upsert"}) {
                    if (!v.find(flag)) s.appendBool(flag, false);
                }
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
