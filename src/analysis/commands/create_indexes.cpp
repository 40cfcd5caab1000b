// createIndexes: a partialFilterExpression is stored and evaluated by the server against
// ciphertext, so it may not compare an encrypted field. Index specs are echoed unchanged.
#include "analysis/command_fields.h"
#include "analysis/commands/commands.h"
#include "analysis/match_walker.h"

namespace cryptd::analysis::commands {

namespace {

void indexes(CommandContext& cc, const bson::Element& f, bson::View, bson::Builder& out) {
    if (!f.isArray()) failWrongType("createIndexes", f, "array");
    for (bson::Element spec : f.document()) {
        if (!spec.isDocument()) failWrongType("createIndexes.indexes", spec, "object");
        for (bson::Element pfe : spec.document()) {  // every copy, should the key repeat
            if (pfe.key() != "partialFilterExpression") continue;
            if (!pfe.isDocument()) failWrongType("createIndexes.indexes", pfe, "object");
            bson::Builder scratch;
            MatchWalker(cc.ctx, MatchMode::StoredOnServer).writeFilter(scratch, pfe.document());
        }
    }
    out.append(f);
}

constexpr FieldRule kFields[] = {
    {"indexes", indexes, true}, {"commitQuorum"},   {"ignoreUnknownIndexOptions"},
    {"isTimeseriesNamespace"},  {"collectionUUID"},
};

}  // namespace

void createIndexes(CommandContext& cc, bson::View command, bson::Builder& result) {
    writeCommand(cc, command, {"createIndexes", kFields, true}, result);
}

}  // namespace cryptd::analysis::commands
