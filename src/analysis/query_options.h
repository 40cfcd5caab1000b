#pragma once
// Checks for the parts of a query that name fields without comparing values: sort, projection,
// min/max index bounds, distinct's key. They are echoed unchanged when allowed.

#include "analysis/analysis_context.h"
#include "common/bson.h"

namespace cryptd::analysis {

// sort: ordering ciphertext is meaningless, so no sort key may be or contain an encrypted field.
void appendCheckedSort(Context& ctx, bson::Builder& out, const bson::Element& sort);
// projection: inclusion/exclusion of encrypted fields is fine; projection operators and
// expressions may not read encrypted fields.
void appendCheckedProjection(Context& ctx, bson::Builder& out, const bson::Element& projection);
// find's min/max: index bounds are plaintext values compared to stored ones.
void appendCheckedIndexBound(Context& ctx, bson::Builder& out, const bson::Element& bound);
// distinct's key: deterministic with a UUID keyId (the values come back encrypted, equal
// plaintexts as equal ciphertexts), or anything unencrypted.
void appendCheckedDistinctKey(Context& ctx, bson::Builder& out, const bson::Element& key);
// A command's `let`: variables are read by $expr, so none may be computed from an encrypted field.
void appendCheckedLet(Context& ctx, bson::Builder& out, const bson::Element& let);
// An update's arrayFilters: their paths start at array elements (which hold no encrypted field:
// arrays below encrypted paths are refused), but $expr reads the document root and $where
// anything, so those are checked like in a filter.
void appendCheckedArrayFilters(Context& ctx, bson::Builder& out, const bson::Element& filters);

}  // namespace cryptd::analysis
