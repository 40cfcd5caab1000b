#pragma once
// The one table of match-expression operators. An operator that is not here is rejected.

#include <optional>
#include <string_view>

#include "schema/encryption_schema.h"

namespace cryptd::analysis {

// Operators that follow a field path: {path: {$op: operand}}.
enum class PathOpKind {
    Eq,          // $eq: marked on deterministic fields
    Ne,          // $ne: re-serialized as {$not: {$eq: ..}}, marked
    In,          // $in: each element marked
    Nin,         // $nin: re-serialized as {$not: {$in: ..}}, marked
    Not,         // $not: the operators inside are checked against the same path
    Exists,      // $exists: allowed on any encrypted field (it reads no value)
    ElemMatch,   // $elemMatch: only on paths with nothing encrypted at or below
    Regex,       // $regex (+ $options): rejected on encrypted fields
    Near,        // $near, $nearSphere (+ $minDistance, $maxDistance): rejected on encrypted
    Attached,    // $options, $minDistance, $maxDistance: belong to the operator before them
    Comparison,  // every other value-reading operator: passed through where nothing is encrypted
};

struct PathOperator {
    std::string_view name;
    PathOpKind kind;
    // What the operator asks of an encrypted field (ResolvedEncryption::supports); nullopt when it
    // reads no value itself ($exists, $not: its operators are checked one by one, attached ones).
    std::optional<schema::QueryKind> needs;
};
const PathOperator* findPathOperator(std::string_view name);

// Operators at the top of a (sub)filter: {$op: operand}.
enum class TopOpKind {
    Logical,      // $and, $or, $nor: each entry is a filter, walked recursively
    Expr,         // $expr: allowed when it references no encrypted field
    Unsupported,  // $where, $text: rejected when the schema encrypts anything
    JsonSchema,   // $jsonSchema: validators only (checked with the schema rules)
    Inert,        // $comment, $alwaysTrue, $alwaysFalse, $sampleRate: read no field value
};

struct TopOperator {
    std::string_view name;
    TopOpKind kind;
};
const TopOperator* findTopOperator(std::string_view name);

// The refusal of an Unsupported (or, outside validators, JsonSchema) operator on a collection
// with encrypted fields; `where` is appended (" (in arrayFilters)").
[[noreturn]] void failUnsupportedMatchOperator(std::string_view name, std::string_view where = {});

}  // namespace cryptd::analysis
