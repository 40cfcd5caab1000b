#include "analysis/match_operators.h"

#include <array>

namespace cryptd::analysis {

namespace {

constexpr std::array kPathOperators = {
    PathOperator{"$eq", PathOpKind::Eq},
    PathOperator{"$ne", PathOpKind::Ne},
    PathOperator{"$in", PathOpKind::In},
    PathOperator{"$nin", PathOpKind::Nin},
    PathOperator{"$not", PathOpKind::Not},
    PathOperator{"$exists", PathOpKind::Exists},
    PathOperator{"$elemMatch", PathOpKind::ElemMatch},
    PathOperator{"$regex", PathOpKind::Regex},
    PathOperator{"$options", PathOpKind::Attached},
    PathOperator{"$near", PathOpKind::Near},
    PathOperator{"$nearSphere", PathOpKind::Near},
    PathOperator{"$geoNear", PathOpKind::Near},
    PathOperator{"$minDistance", PathOpKind::Attached},
    PathOperator{"$maxDistance", PathOpKind::Attached},
    PathOperator{"$gt", PathOpKind::Comparison},
    PathOperator{"$gte", PathOpKind::Comparison},
    PathOperator{"$lt", PathOpKind::Comparison},
    PathOperator{"$lte", PathOpKind::Comparison},
    PathOperator{"$mod", PathOpKind::Comparison},
    PathOperator{"$size", PathOpKind::Comparison},
    PathOperator{"$type", PathOpKind::Comparison},
    PathOperator{"$all", PathOpKind::Comparison},
    PathOperator{"$bitsAllClear", PathOpKind::Comparison},
    PathOperator{"$bitsAllSet", PathOpKind::Comparison},
    PathOperator{"$bitsAnyClear", PathOpKind::Comparison},
    PathOperator{"$bitsAnySet", PathOpKind::Comparison},
    PathOperator{"$geoWithin", PathOpKind::Comparison},
    PathOperator{"$within", PathOpKind::Comparison},
    PathOperator{"$geoIntersects", PathOpKind::Comparison},
};

constexpr std::array kTopOperators = {
    TopOperator{"$and", TopOpKind::Logical},
    TopOperator{"$or", TopOpKind::Logical},
    TopOperator{"$nor", TopOpKind::Logical},
    TopOperator{"$expr", TopOpKind::Expr},
    TopOperator{"$where", TopOpKind::Unsupported},
    TopOperator{"$text", TopOpKind::Unsupported},
    TopOperator{"$jsonSchema", TopOpKind::JsonSchema},
    TopOperator{"$comment", TopOpKind::Inert},
    TopOperator{"$alwaysTrue", TopOpKind::Inert},
    TopOperator{"$alwaysFalse", TopOpKind::Inert},
    TopOperator{"$sampleRate", TopOpKind::Inert},
};

template <typename Table>
auto findIn(const Table& table, std::string_view name) -> const typename Table::value_type* {
    for (const auto& entry : table) {
        if (entry.name == name) return &entry;
    }
    return nullptr;
}

}  // namespace

const PathOperator* findPathOperator(std::string_view name) {
    return findIn(kPathOperators, name);
}
const TopOperator* findTopOperator(std::string_view name) {
    return findIn(kTopOperators, name);
}

}  // namespace cryptd::analysis
