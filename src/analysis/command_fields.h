#pragma once
// Field tables for commands and their sub-documents (update statements, index specs...). Each
// known field has a handler (or is echoed); the generic arguments every command may carry (lsid,
// txnNumber, readConcern, writeConcern, ...) are echoed; the schema fields are dropped; anything
// else is rejected, as MongoDB's IDL parser does, so no unknown field is passed through unseen.

#include <span>
#include <string_view>

#include "analysis/command_registry.h"
#include "common/bson.h"

namespace cryptd::analysis {

// `parent` is the document the field belongs to (a handler may read a sibling, e.g. upsert).
using FieldHandler = void (*)(CommandContext& cc, const bson::Element& field, bson::View parent,
                              bson::Builder& out);

struct FieldRule {
    std::string_view name;
    FieldHandler handler = nullptr;  // nullptr: echoed unchanged
    bool required = false;
};

struct FieldTable {
    std::string_view owner;  // "find", "update.updates": for error messages
    std::span<const FieldRule> rules;
    bool acceptsGenericArguments;  // commands: yes; sub-documents: no
};

// Writes the fields of `doc` into `out` following `table`. Command level: the first field (the
// command name) is echoed and `$db`, `jsonSchema`, `isRemoteSchema` are dropped.
void writeFields(CommandContext& cc, bson::View doc, const FieldTable& table, bson::Builder& out,
                 bool commandLevel);

// Shorthand for a command: writeFields(cc, command, table, out, true).
void writeCommand(CommandContext& cc, bson::View command, const FieldTable& table,
                  bson::Builder& out);

bool isGenericArgument(std::string_view name);
// $db, jsonSchema, isRemoteSchema, csfleEncryptionSchemas
bool isSchemaField(std::string_view name);

// Common field handlers.
void filterField(CommandContext& cc, const bson::Element& f, bson::View, bson::Builder& out);
void documentField(CommandContext& cc, const bson::Element& f, bson::View, bson::Builder& out);
void arrayField(CommandContext& cc, const bson::Element& f, bson::View, bson::Builder& out);
void sortField(CommandContext& cc, const bson::Element& f, bson::View, bson::Builder& out);
void projectionField(CommandContext& cc, const bson::Element& f, bson::View, bson::Builder& out);
void letField(CommandContext& cc, const bson::Element& f, bson::View, bson::Builder& out);
void arrayFiltersField(CommandContext& cc, const bson::Element& f, bson::View, bson::Builder& out);
// An update specification (update's `u`, findAndModify's `update`); `parent` holds its `upsert`.
void updateSpecField(CommandContext& cc, const bson::Element& f, bson::View parent,
                     bson::Builder& out);

// "BSON field 'find.filter' is the wrong type 'string', expected type 'object'".
[[noreturn]] void failWrongType(std::string_view owner, const bson::Element& f,
                                std::string_view expected);

}  // namespace cryptd::analysis
