#pragma once
// The one table of aggregation expression operators (expression_operators.cpp). Each entry names
// the handler that checks and writes `{$op: operands}`; an operator that is not in the table is
// rejected by the expression analyzer, naming it.

#include <string_view>

#include "analysis/aggregate_expressions.h"

namespace cryptd::analysis {

// Writes `key: {<op.key()>: <operands>}` and returns the value's shape. `op` is the operator
// element ({$eq: [..]} -> the `$eq` element).
using ExpressionHandler = Shape (*)(ExpressionAnalyzer& a, bson::Builder& out, std::string_view key,
                                    const bson::Element& op);

struct ExpressionOperator {
    std::string_view name;
    ExpressionHandler handler;
};

const ExpressionOperator* findExpressionOperator(std::string_view name);

// Throws unless `name` may be bound as a variable ($let, $map's as, $lookup's let...): not
// CURRENT/ROOT (automatic encryption follows the document through them), lowercase first.
void checkVariableName(std::string_view name);

}  // namespace cryptd::analysis
