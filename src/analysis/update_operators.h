#pragma once
// The one table of update operators: each has a handler that checks its fields against the
// schema and writes `$op: {...}` back, with values for encrypted fields marked. An operator that
// is not here is rejected.

#include <string_view>

#include "analysis/analysis_context.h"
#include "common/bson.h"

namespace cryptd::analysis {

struct UpdateOperator;
using UpdateOperatorHandler = void (*)(Context& ctx, bson::Builder& out, const bson::Element& op,
                                       const UpdateOperator& self);

struct UpdateOperator {
    std::string_view name;
    UpdateOperatorHandler handler;
    // Operators that cannot work on ciphertext: the error for an encrypted target.
    std::string_view rejection;
};
const UpdateOperator* findUpdateOperator(std::string_view name);

}  // namespace cryptd::analysis
