#pragma once
// A conservative check of an aggregation expression ($expr in a filter, computed projections):
// it may not read any encrypted field, because comparing or computing on ciphertext either
// fails on the server or silently matches nothing. Field paths ("$a.b"), $$ROOT / $$CURRENT and
// name-based field access ($getField ...) are followed; anything that could reach an encrypted
// field is rejected. The pipeline walker may replace this with a full expression analysis.

#include <string_view>

#include "analysis/schema_view.h"
#include "common/bson.h"

namespace cryptd::analysis {

// Throws Error(BadValue) naming `where` ("$expr", "projection") when `expr` may read an encrypted
// field under `schema`.
void checkExpressionReadsNoEncryptedField(const SchemaView& schema, const bson::Element& expr,
                                          std::string_view where);

}  // namespace cryptd::analysis
