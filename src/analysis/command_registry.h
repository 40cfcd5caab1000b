#pragma once
// The one table of analyzed commands (command_registry.cpp). A command that is not in it is not
// analyzed: the front door answers CommandNotFound.

#include <string_view>

#include "analysis/analysis_context.h"
#include "common/bson.h"

namespace cryptd::analysis {

class CommandRegistry;

struct CommandContext {
    Context& ctx;
    const CommandRegistry& registry;  // explain looks up the command it wraps
};

// Writes the whole `result` for `command`: every field, in order, analyzed or echoed.
using CommandHandler = void (*)(CommandContext& cc, bson::View command, bson::Builder& result);

struct CommandSpec {
    std::string_view name;
    CommandHandler handler;
    // The command may be wrapped by explain.
    bool explainable;
};

class CommandRegistry {
  public:
    static const CommandRegistry& instance();
    const CommandSpec* find(std::string_view name) const;
};

// CommandNotFound for a command that is not in the table.
[[noreturn]] void failNoSuchCommand(std::string_view name);

}  // namespace cryptd::analysis
