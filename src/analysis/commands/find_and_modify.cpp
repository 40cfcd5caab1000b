// findAndModify: query marked, update analyzed like an update statement's `u`, sort and fields
// (the projection) checked.
#include "analysis/command_fields.h"
#include "analysis/commands/commands.h"
#include "analysis/update_walker.h"

namespace cryptd::analysis::commands {

namespace {

constexpr FieldRule kFields[] = {
    {"query", filterField},
    {"sort", sortField},
    {"remove"},
    {"update", updateSpecField},
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
    std::string_view name = command.firstKey();  // findAndModify or its alias findandmodify
    writeCommand(cc, command, {name, kFields, true}, result);
}

}  // namespace cryptd::analysis::commands
