#pragma once
// $jsonSchema -> Node tree. One pass, depth-first: keyword table lookup, structure checks,
// encrypt/encryptMetadata parsing with inheritance, and validation of the subschemas where
// encryption is not allowed (items, additionalItems, allOf/anyOf/oneOf/not, dependencies).

#include <memory>

#include "common/bson.h"
#include "schema/schema_node.h"

namespace cryptd::schema {

// Subschema nesting limit: deeper schemas are rejected with a clear error (and the parser's
// recursion stays far from any stack limit).
inline constexpr size_t kMaxSchemaDepth = 64;

// Budget for all patternProperties automata of one schema (see PropertyPattern).
inline constexpr size_t kMaxPatternStatesPerSchema = 250'000;
// Budget for the compiled programs of all patterns of one schema: it bounds a node's automaton,
// hence what each field-name lookup may cost (MatchBudget charges per instruction).
inline constexpr size_t kMaxPatternProgramPerSchema = 40'000;

// Throws cryptd::Error naming the schema path of the offending node.
std::unique_ptr<Node> parseSchemaTree(bson::View jsonSchema, bool isRemote);

}  // namespace cryptd::schema
