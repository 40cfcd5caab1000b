// find: filter marked; projection, sort and min/max checked; the rest echoed.
#include "analysis/command_fields.h"
#include "analysis/commands/commands.h"
#include "analysis/query_options.h"

namespace cryptd::analysis::commands {

namespace {

void indexBound(CommandContext& cc, const bson::Element& f, bson::View, bson::Builder& out) {
    appendCheckedIndexBound(cc.ctx, out, f);
}

constexpr FieldRule kFields[] = {
    {"filter", filterField},
    {"projection", projectionField},
    {"sort", sortField},
    {"min", indexBound},
    {"max", indexBound},
    {"hint"},
    {"skip"},
    {"limit"},
    {"batchSize"},
    {"singleBatch"},
    {"ntoreturn"},
    {"returnKey"},
    {"showRecordId"},
    {"tailable"},
    {"oplogReplay"},
    {"noCursorTimeout"},
    {"awaitData"},
    {"allowPartialResults"},
    {"collation", documentField},
    {"allowDiskUse"},
    {"let", letField},
    {"readOnce"},
    {"term"},
    {"allowSpeculativeMajorityRead"},
    {"includeQueryStatsMetrics"},
    {"$_requestResumeToken"},
    {"$_resumeAfter"},
    {"$_startAt"},
};

}  // namespace

void find(CommandContext& cc, bson::View command, bson::Builder& result) {
    writeCommand(cc, command, {"find", kFields, true}, result);
}

}  // namespace cryptd::analysis::commands
