// distinct: key checked (deterministic with a UUID keyId, or unencrypted); query marked.
#include "analysis/command_fields.h"
#include "analysis/commands/commands.h"
#include "analysis/query_options.h"

namespace cryptd::analysis::commands {

namespace {

void key(CommandContext& cc, const bson::Element& f, bson::View, bson::Builder& out) {
    appendCheckedDistinctKey(cc.ctx, out, f);
}

constexpr FieldRule kFields[] = {
    {"key", key, true}, {"query", filterField}, {"collation", documentField},
    {"hint"},           {"sampleId"},           {"mirrored"},
};

}  // namespace

void distinct(CommandContext& cc, bson::View command, bson::Builder& result) {
    writeCommand(cc, command, {"distinct", kFields, true}, result);
}

}  // namespace cryptd::analysis::commands
