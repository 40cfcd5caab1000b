#include "analysis/filter_expressions.h"

#include <string>

#include "analysis/expression_operators.h"

namespace cryptd::analysis {

namespace {

// The command's `let` (for an explain, the explained command's); nullopt when there is none.
std::optional<bson::Element> commandLet(bson::View command) {
    if (auto let = command.find("let")) return let;
    if (auto inner = command.find("explain"); inner && inner->isDocument()) {
        return inner->document().find("let");
    }
    return std::nullopt;
}

}  // namespace

FilterExpressions::FilterExpressions(bson::View command) {
    auto let = commandLet(command);
    if (!let || !let->isDocument()) return;  // a malformed `let` is refused by its field handler
    for (bson::Element var : let->document()) {
        checkVariableName(var.key());
        scope_.bind(std::string(var.key()), Shape::plain());
    }
}

void FilterExpressions::writeMatchExpr(Context& ctx, bson::Builder& out,
                                       const bson::Element& expr) {
    ExpressionAnalyzer a(ctx, arena_, ctx.schema.root(), &scope_);
    a.writeCondition(out, expr.key(), expr, "$expr");
}

}  // namespace cryptd::analysis
