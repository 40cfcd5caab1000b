#include "analysis/match_operators.h"

#include <string>

#include "common/error.h"
#include "common/name_table.h"

namespace cryptd::analysis {

namespace {

using schema::QueryKind;
constexpr std::nullopt_t kReadsNoValue = std::nullopt;

// Path operators in two tables, looked up in this order: the ones whose operands are marked
// (nearly every predicate a driver sends) are found by scanning four rows; the rest are
// binary-searched. One table of 29 rows made every lookup a binary search (callgrind, the find
// benchmark: about 170 instructions more per operator).
constexpr auto kMarkedOperators = makeNameTable<PathOperator>({
    {"$eq", PathOpKind::Eq, QueryKind::Equality},
    {"$ne", PathOpKind::Ne, QueryKind::Equality},
    {"$in", PathOpKind::In, QueryKind::Equality},
    {"$nin", PathOpKind::Nin, QueryKind::Equality},
});

constexpr auto kPathOperators = makeNameTable<PathOperator>({
    {"$not", PathOpKind::Not, kReadsNoValue},
    {"$exists", PathOpKind::Exists, kReadsNoValue},
    {"$elemMatch", PathOpKind::ElemMatch, QueryKind::Other},
    {"$regex", PathOpKind::Regex, QueryKind::Other},
    {"$options", PathOpKind::Attached, kReadsNoValue},
    {"$near", PathOpKind::Near, QueryKind::Other},
    {"$nearSphere", PathOpKind::Near, QueryKind::Other},
    {"$geoNear", PathOpKind::Near, QueryKind::Other},
    {"$minDistance", PathOpKind::Attached, kReadsNoValue},
    {"$maxDistance", PathOpKind::Attached, kReadsNoValue},
    {"$gt", PathOpKind::Comparison, QueryKind::Range},
    {"$gte", PathOpKind::Comparison, QueryKind::Range},
    {"$lt", PathOpKind::Comparison, QueryKind::Range},
    {"$lte", PathOpKind::Comparison, QueryKind::Range},
    {"$mod", PathOpKind::Comparison, QueryKind::Other},
    {"$size", PathOpKind::Comparison, QueryKind::Other},
    {"$type", PathOpKind::Comparison, QueryKind::Other},
    {"$all", PathOpKind::Comparison, QueryKind::Other},
    {"$bitsAllClear", PathOpKind::Comparison, QueryKind::Other},
    {"$bitsAllSet", PathOpKind::Comparison, QueryKind::Other},
    {"$bitsAnyClear", PathOpKind::Comparison, QueryKind::Other},
    {"$bitsAnySet", PathOpKind::Comparison, QueryKind::Other},
    {"$geoWithin", PathOpKind::Comparison, QueryKind::Other},
    {"$within", PathOpKind::Comparison, QueryKind::Other},
    {"$geoIntersects", PathOpKind::Comparison, QueryKind::Other},
});

static_assert(
    [] {
        for (const PathOperator& op : kMarkedOperators) {
            if (kPathOperators.contains(op.name)) return false;
        }
        return true;
    }(),
    "a path operator is in both tables");

constexpr auto kTopOperators = makeNameTable<TopOperator>({
    {"$and", TopOpKind::Logical},
    {"$or", TopOpKind::Logical},
    {"$nor", TopOpKind::Logical},
    {"$expr", TopOpKind::Expr},
    {"$where", TopOpKind::Unsupported},
    {"$text", TopOpKind::Unsupported},
    {"$jsonSchema", TopOpKind::JsonSchema},
    {"$comment", TopOpKind::Inert},
    {"$alwaysTrue", TopOpKind::Inert},
    {"$alwaysFalse", TopOpKind::Inert},
    {"$sampleRate", TopOpKind::Inert},
});

}  // namespace

const PathOperator* findPathOperator(std::string_view name) {
    if (const PathOperator* op = kMarkedOperators.find(name)) return op;
    return kPathOperators.find(name);
}
void failUnsupportedMatchOperator(std::string_view name, std::string_view where) {
    fail(ErrorCode::BadValue, "Unsupported match expression operator for encryption: " +
                                  std::string(name) + std::string(where));
}

const TopOperator* findTopOperator(std::string_view name) {
    return kTopOperators.find(name);
}

}  // namespace cryptd::analysis
