#pragma once
// State shared by the walkers while one command is analyzed: the schema in effect and the count
// of markings written (reply field hasEncryptionPlaceholders).

#include <cstddef>
#include <optional>
#include <string_view>
#include <unordered_map>

#include "analysis/schema_view.h"
#include "common/bson.h"

namespace cryptd::analysis {

struct Context;
class NamespaceSchemas;

// Writes a filter's `$expr` (the element) with the aggregation expression rules, marking constants
// compared to deterministic fields: for the whole command (filter_expressions.h, the command's
// `let` in scope), replaced by the pipeline walker while a stage is analyzed.
class ExpressionHook {
  public:
    virtual ~ExpressionHook() = default;
    virtual void writeMatchExpr(Context& ctx, bson::Builder& out, const bson::Element& expr) = 0;
};

// JSON-pointer keyIds resolved in the document being written: each pointer is checked and looked
// up once per document, not once per encrypted value (a document with many values encrypted
// through one pointer would otherwise cost values x fields).
struct PointerCache {
    const uint8_t* root = nullptr;  // the document the entries were resolved in
    // Keyed by the schema's pointer text (it outlives the analysis); nullopt: does not resolve.
    std::unordered_map<std::string_view, std::optional<bson::Element>> resolved;
};

struct Context {
    explicit Context(SchemaView s) : schema(s) {}
    SchemaView schema;
    size_t placeholders = 0;
    // The command's database ($db; empty when absent), for namespaces named by $lookup.
    std::string_view db;
    // csfleEncryptionSchemas (aggregate): every involved collection's schema; null otherwise.
    const NamespaceSchemas* namespaces = nullptr;
    // null: `$expr` in a filter may not read encrypted fields at all (expression_refs.h).
    // Callers that build a Context by hand get that stricter rule.
    ExpressionHook* expressions = nullptr;
    PointerCache pointers;
};

}  // namespace cryptd::analysis
