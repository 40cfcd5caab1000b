#pragma once
// The rules for one value bound for an encrypted field, and the marking that replaces it. Every
// walker goes through here, so a value is checked the same way wherever it appears.

#include <optional>
#include <string>
#include <string_view>

#include "analysis/analysis_context.h"
#include "common/bson.h"
#include "common/field_path.h"
#include "schema/encryption_schema.h"

namespace cryptd::analysis {

// Where a written value comes from.
struct WriteRules {
    // The document JSON-pointer keyIds resolve against (inserted documents); nullopt = pointer
    // keyIds are rejected (updates, queries: no single document to resolve them against).
    std::optional<bson::View> pointerRoot;
    // Inserts and replacements: the server would rewrite Timestamp(0, 0), which it cannot do to
    // ciphertext, so the stored value would silently differ.
    bool rejectEmptyTimestamp = false;
};

// Checks `value` against the field's rules and appends `key: <marking>`.
void appendWriteMarking(Context& ctx, bson::Builder& out, std::string_view key,
                        const FieldPath& path, const schema::ResolvedEncryption& enc,
                        const bson::Element& value, const WriteRules& rules);

// Equality operand of a query ($eq, implicit equality, $ne) or one element of $in / $nin.
enum class QueryOperand { Equality, InElement };

// Checks a query operand and appends `key: <marking>`.
void appendQueryMarking(Context& ctx, bson::Builder& out, std::string_view key,
                        const FieldPath& path, const schema::ResolvedEncryption& enc,
                        const bson::Element& value, QueryOperand kind);

// Throws unless the field's encryption serves a predicate of `kind` (ResolvedEncryption::refusal):
// a randomized field or a JSON-pointer keyId gets its own message, naming why; otherwise the
// predicate `what` (an operator, e.g. "$gt") is named as not allowed on the field.
void requireQuery(const FieldPath& path, const schema::ResolvedEncryption& enc,
                  schema::QueryKind kind, std::string_view what);
// requireQuery for equality, the one query kind CSFLE serves: the field can be compared at all.
void requireQueryable(const FieldPath& path, const schema::ResolvedEncryption& enc);

// True when `value` is or holds (in arrays, at any depth) a document: compared with or written
// to a field that contains encrypted fields, it would carry them unencrypted. Arrays nested past
// any sane depth count as holding one, so the caller rejects them.
bool containsDocument(const bson::Element& value);

// "'a.b'" for messages.
std::string quoted(const FieldPath& path);

}  // namespace cryptd::analysis
