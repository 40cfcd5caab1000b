// count: query marked; the rest echoed.
#include "analysis/command_fields.h"
#include "analysis/commands/commands.h"

namespace cryptd::analysis::commands {

namespace {
constexpr FieldRule kFields[] = {
    {"query", filterField},       {"limit"},  {"skip"},     {"hint"},
    {"collation", documentField}, {"fields"}, {"sampleId"}, {"mirrored"},
};
}  // namespace

void count(CommandContext& cc, bson::View command, bson::Builder& result) {
    writeCommand(cc, command, {"count", kFields, true}, result);
}

}  // namespace cryptd::analysis::commands
