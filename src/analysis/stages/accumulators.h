#pragma once
// The one table of $group accumulators (also used by $bucket and $bucketAuto's `output`).
// `$first $last $top $bottom` keep their value's encryption; `$push $addToSet $firstN $lastN
// $topN $bottomN` collect values, so an encrypted value gives an array of ciphertexts;
// `$count` counts; every other accumulator computes on values and may read none encrypted.

#include "analysis/stages/stages.h"

namespace cryptd::analysis::stages {

// Writes the output field `field` ({name: {$acc: <arg>}}) of a grouping stage `in` and returns
// the schema node of its value. `wrapLiteral`: a literal argument is written {$const: v}
// ($group, see ExpressionAnalyzer::writeWrappingLiteral).
const schema::SchemaNode* writeAccumulatorField(StageInput& in, ExpressionAnalyzer& a,
                                                bson::Builder& out, const bson::Element& field,
                                                bool wrapLiteral = false);

// Throws unless values of shape `key` can be grouped: unencrypted, or deterministically encrypted
// with a UUID key (equal values, equal ciphertexts).
void requireGroupable(const Shape& key, std::string_view stage);

}  // namespace cryptd::analysis::stages
