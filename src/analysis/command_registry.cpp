#include "analysis/command_registry.h"

#include <string>

#include "analysis/commands/commands.h"
#include "common/error.h"
#include "common/name_table.h"

namespace cryptd::analysis {

namespace {

// Command names are case-sensitive; findandmodify is MongoDB's lower-case alias. bulkWrite is not
// analyzed yet.
constexpr auto kCommands = makeNameTable<CommandSpec>({
    {"find", commands::find, true},
    {"aggregate", commands::aggregate, true},
    {"count", commands::count, true},
    {"distinct", commands::distinct, true},
    {"insert", commands::insert, false},
    {"update", commands::update, true},
    {"delete", commands::remove, true},
    {"findAndModify", commands::findAndModify, true},
    {"findandmodify", commands::findAndModify, true},
    {"explain", commands::explain, false},
    {"create", commands::create, false},
    {"collMod", commands::collMod, false},
    {"createIndexes", commands::createIndexes, false},
});

}  // namespace

const CommandRegistry& CommandRegistry::instance() {
    static const CommandRegistry registry;
    return registry;
}

const CommandSpec* CommandRegistry::find(std::string_view name) const {
    return kCommands.find(name);
}

void failNoSuchCommand(std::string_view name) {
    fail(ErrorCode::CommandNotFound, "no such command: '" + std::string(name) + "'");
}

}  // namespace cryptd::analysis
