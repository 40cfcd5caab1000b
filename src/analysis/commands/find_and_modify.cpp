// findAndModify: query marked, update analyzed like an update statement's `u`, sort and fields
// (the projection) checked.
#include "analysis/command_fields.h"
#include "analysis/commands/commands.h"
#include "analysis/update_walker.h"

namespace cryptd::analysis::commands {

namespace {

void updateSpec(CommandContext& cc, const bson::Element& f, bson::View command,
                bson::Builder& out) {
    auto upsert = command.find("upsert");
    appendAnalyzedUpdate(cc.ctx, out, f.key(), f, upsert && upsert->truthy());
}

constexpr FieldRule kFields[] = {
    {"query", filterField},
    {"sort", sortField},
    {"remove"},
    {"update", updateSpec},
    {"new"},
    {"fields", projectionField},
    {"upsert"},
    {"bypassDocumentValidation"},
    {"bypassEmptyTsReplacement"},
    {"collation", documentField},
    {"arrayFilters", arrayFiltersField},
    {"hint"},
    {"let", letField},
    {"sampleId"},
    {"stmtId"},
    {"isTimeseriesNamespace"},
    {"collectionUUID"},
};

}  // namespace

void findAndModify(CommandContext& cc, bson::View command, bson::Builder& result) {
    auto first = command.begin();
    std::string_view name = first != command.end() ? (*first).key() : "findAndModify";
    writeCommand(cc, command, {name, kFields, true}, result);
}

}  // namespace cryptd::analysis::commands
