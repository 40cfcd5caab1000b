#pragma once
// The update walker: an update's `u` (or findAndModify's `update`) is a replacement document
// (marked like an insert), an operator document (one handler per update operator, in
// update_operators.cpp) or a pipeline (rejected when the schema encrypts anything).

#include <string_view>

#include "analysis/analysis_context.h"
#include "common/bson.h"

namespace cryptd::analysis {

// Appends `key: <update analyzed>`. `upsert`: a replacement may be inserted, so an encrypted _id
// must be supplied.
void appendAnalyzedUpdate(Context& ctx, bson::Builder& out, std::string_view key,
                          const bson::Element& update, bool upsert);

}  // namespace cryptd::analysis
