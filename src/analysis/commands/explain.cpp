// explain: the wrapped command is analyzed by its own handler; `verbosity` is echoed or, when
// absent, set to MongoDB's default "allPlansExecution" (the command sent on to mongod must carry
// the verbosity the user meant: the spec test explain.yml shows it filled in).
#include <string>

#include "analysis/command_fields.h"
#include "analysis/commands/commands.h"
#include "common/error.h"

namespace cryptd::analysis::commands {

namespace {
constexpr std::string_view kDefaultVerbosity = "allPlansExecution";
}  // namespace

void explain(CommandContext& cc, bson::View command, bson::Builder& result) {
    auto inner = command.find("explain");
    if (!inner || !inner->isDocument()) {
        fail(ErrorCode::TypeMismatch, "explain command requires a nested object");
    }
    bson::View wrapped = inner->document();
    if (wrapped.empty()) fail(ErrorCode::BadValue, "explain command requires a nested object");
    // encryptionInformation inside was refused with the command's schema source (schema_source.h).
    std::string_view name = wrapped.firstKey();
    const CommandSpec* spec = cc.registry.find(name);
    if (!spec || !spec->explainable) {
        fail(ErrorCode::CommandNotSupported,
             "explain of '" + std::string(name) + "' is not supported by query analysis");
    }
    result.appendDocument("explain", [&](bson::Builder& r) { spec->handler(cc, wrapped, r); });

    auto verbosity = command.find("verbosity");
    if (verbosity) {
        if (!verbosity->isString()) failWrongType("explain", *verbosity, "string");
        result.append(*verbosity);
    } else {
        result.appendUtf8("verbosity", kDefaultVerbosity);
    }
    // The remaining fields (generic arguments) follow, checked like any command's.
    for (bson::Element e : command) {
        std::string_view key = e.key();
        if (key == "explain" || key == "verbosity" || isSchemaField(key)) continue;
        if (!isGenericArgument(key)) {
            fail(ErrorCode::Location40415,
                 "BSON field 'explain." + std::string(key) + "' is an unknown field.");
        }
        result.append(e);
    }
}

}  // namespace cryptd::analysis::commands
