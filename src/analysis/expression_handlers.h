#pragma once
// The handlers the expression operator table (expression_operators.cpp) points to; each has the
// ExpressionHandler signature: writes `key: {$op: operands}`, returns the value's shape.

#include <string_view>

#include "analysis/aggregate_expressions.h"

namespace cryptd::analysis::expression_handlers {

// The function type behind ExpressionHandler, so the declarations below stay one line each.
using Handler = Shape(ExpressionAnalyzer& a, bson::Builder& out, std::string_view key,
                      const bson::Element& op);

// May handle encrypted values.
Handler literal;   // $literal, $const: a constant
Handler equality;  // $eq, $ne: a constant meeting a deterministic field is marked
Handler in;        // $in: an array literal, each constant marked
Handler cond;      // $cond, $ifNull, $switch: branches, constants marked to match
Handler ifNull;
Handler switchOp;
Handler let;  // $let: variables bound to their shapes
// Follow their input.
Handler getField;
Handler iterate;  // $map, $filter, $reduce
// Every other operator: operands may hold no ciphertext; the value is plain.
Handler plainOnly;

}  // namespace cryptd::analysis::expression_handlers
