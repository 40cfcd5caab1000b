#pragma once
// The analyzed commands, one file each; command_registry.cpp lists them in its table.

#include "analysis/command_registry.h"

namespace cryptd::analysis::commands {

void find(CommandContext& cc, bson::View command, bson::Builder& result);
void aggregate(CommandContext& cc, bson::View command, bson::Builder& result);
void count(CommandContext& cc, bson::View command, bson::Builder& result);
void distinct(CommandContext& cc, bson::View command, bson::Builder& result);
void insert(CommandContext& cc, bson::View command, bson::Builder& result);
void update(CommandContext& cc, bson::View command, bson::Builder& result);
void remove(CommandContext& cc, bson::View command, bson::Builder& result);  // "delete"
void findAndModify(CommandContext& cc, bson::View command, bson::Builder& result);
void explain(CommandContext& cc, bson::View command, bson::Builder& result);
void create(CommandContext& cc, bson::View command, bson::Builder& result);
void collMod(CommandContext& cc, bson::View command, bson::Builder& result);
void createIndexes(CommandContext& cc, bson::View command, bson::Builder& result);

}  // namespace cryptd::analysis::commands
