#pragma once
// `$expr` in the filters of find, count, distinct, delete, update, findAndModify (and explains of
// them): analyzed with the aggregation expression rules (aggregate_expressions.h), as inside an
// aggregate's $match, so `{$expr: {$eq: ["$ssn", "123"]}}` on a deterministic field gets its
// constant marked. The command's `let` variables are in scope as plain values: MongoDB evaluates
// them before reading any document (query_options.h checks that they read no encrypted field).
//
// Installed for the whole command by analyzeCheckedCommand; the pipeline walker replaces it per
// stage. Filters the server stores (validators, partial indexes) keep the stricter rule: no $expr
// on encrypted fields at all (match_walker.h, MatchMode::StoredOnServer).

#include "analysis/aggregate_expressions.h"
#include "analysis/analysis_context.h"
#include "analysis/pipeline_schema.h"
#include "common/bson.h"

namespace cryptd::analysis {

class FilterExpressions final : public ExpressionHook {
  public:
    // `command`: the command as received (its `let`, or the explained command's, is read).
    explicit FilterExpressions(bson::View command);

    void writeMatchExpr(Context& ctx, bson::Builder& out, const bson::Element& expr) override;

  private:
    SchemaArena arena_;
    Scope scope_;
};

}  // namespace cryptd::analysis
