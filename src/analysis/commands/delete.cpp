// delete: each statement's `q` marked as a filter.
#include "analysis/command_fields.h"
#include "analysis/commands/commands.h"

namespace cryptd::analysis::commands {

namespace {

constexpr FieldRule kStatementFields[] = {
    {"q", filterField, true},
    {"limit", nullptr, true},
    {"collation", documentField},
    {"hint"},
    {"sampleId"},
};

void deletes(CommandContext& cc, const bson::Element& f, bson::View, bson::Builder& out) {
    if (!f.isArray()) failWrongType("delete", f, "array");
    out.appendArray(f.key(), [&](bson::Builder& arr) {
        for (bson::Element statement : f.document()) {
            if (!statement.isDocument()) failWrongType("delete.deletes", statement, "object");
            arr.appendDocument(statement.key(), [&](bson::Builder& s) {
                writeFields(cc, statement.document(), {"delete.deletes", kStatementFields, false},
                            s, false);
            });
        }
    });
}

constexpr FieldRule kFields[] = {
    {"deletes", deletes, true}, {"ordered"},        {"let", letField}, {"stmtIds"},
    {"isTimeseriesNamespace"},  {"collectionUUID"},
};

}  // namespace

void remove(CommandContext& cc, bson::View command, bson::Builder& result) {
    writeCommand(cc, command, {"delete", kFields, true}, result);
}

}  // namespace cryptd::analysis::commands
