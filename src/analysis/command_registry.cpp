#include "analysis/command_registry.h"

#include <array>

#include "analysis/commands/commands.h"

namespace cryptd::analysis {

namespace {

// Command names are case-sensitive; findandmodify is MongoDB's lower-case alias. bulkWrite is not
// analyzed yet.
constexpr std::array kCommands = {
    CommandSpec{"find", commands::find, true},
    CommandSpec{"aggregate", commands::aggregate, true},
    CommandSpec{"count", commands::count, true},
    CommandSpec{"distinct", commands::distinct, true},
    CommandSpec{"insert", commands::insert, false},
    CommandSpec{"update", commands::update, true},
    CommandSpec{"delete", commands::remove, true},
    CommandSpec{"findAndModify", commands::findAndModify, true},
    CommandSpec{"findandmodify", commands::findAndModify, true},
    CommandSpec{"explain", commands::explain, false},
    CommandSpec{"create", commands::create, false},
    CommandSpec{"collMod", commands::collMod, false},
    CommandSpec{"createIndexes", commands::createIndexes, false},
};

}  // namespace

const CommandRegistry& CommandRegistry::instance() {
    static const CommandRegistry registry;
    return registry;
}

const CommandSpec* CommandRegistry::find(std::string_view name) const {
    for (const auto& spec : kCommands) {
        if (spec.name == name) return &spec;
    }
    return nullptr;
}

}  // namespace cryptd::analysis
