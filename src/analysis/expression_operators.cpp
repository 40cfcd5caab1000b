#include "analysis/expression_operators.h"

#include <cctype>
#include <string>

#include "analysis/expression_handlers.h"
#include "common/error.h"
#include "common/name_table.h"

namespace cryptd::analysis {

namespace {

using namespace expression_handlers;

constexpr auto kOperators = makeNameTable<ExpressionOperator>({
    // May handle encrypted values.
    {"$literal", literal},
    {"$const", literal},
    {"$eq", equality},
    {"$ne", equality},
    {"$in", in},
    {"$cond", cond},
    {"$ifNull", ifNull},
    {"$switch", switchOp},
    {"$let", let},
    // Follow their input.
    {"$getField", getField},
    {"$map", iterate},
    {"$filter", iterate},
    {"$reduce", iterate},
    // Unencrypted values only. Arithmetic:
    {"$abs", plainOnly},
    {"$add", plainOnly},
    {"$ceil", plainOnly},
    {"$divide", plainOnly},
    {"$exp", plainOnly},
    {"$floor", plainOnly},
    {"$ln", plainOnly},
    {"$log", plainOnly},
    {"$log10", plainOnly},
    {"$mod", plainOnly},
    {"$multiply", plainOnly},
    {"$pow", plainOnly},
    {"$round", plainOnly},
    {"$sqrt", plainOnly},
    {"$subtract", plainOnly},
    {"$trunc", plainOnly},
    // Arrays:
    {"$arrayElemAt", plainOnly},
    {"$arrayToObject", plainOnly},
    {"$concatArrays", plainOnly},
    {"$first", plainOnly},
    {"$firstN", plainOnly},
    {"$indexOfArray", plainOnly},
    {"$isArray", plainOnly},
    {"$last", plainOnly},
    {"$lastN", plainOnly},
    {"$maxN", plainOnly},
    {"$minN", plainOnly},
    {"$objectToArray", plainOnly},
    {"$range", plainOnly},
    {"$reverseArray", plainOnly},
    {"$size", plainOnly},
    {"$slice", plainOnly},
    {"$sortArray", plainOnly},
    {"$zip", plainOnly},
    // Bitwise, boolean, ordering comparisons:
    {"$bitAnd", plainOnly},
    {"$bitNot", plainOnly},
    {"$bitOr", plainOnly},
    {"$bitXor", plainOnly},
    {"$and", plainOnly},
    {"$not", plainOnly},
    {"$or", plainOnly},
    {"$cmp", plainOnly},
    {"$gt", plainOnly},
    {"$gte", plainOnly},
    {"$lt", plainOnly},
    {"$lte", plainOnly},
    // Custom code, data size:
    {"$accumulator", plainOnly},
    {"$function", plainOnly},
    {"$binarySize", plainOnly},
    {"$bsonSize", plainOnly},
    // Dates:
    {"$dateAdd", plainOnly},
    {"$dateDiff", plainOnly},
    {"$dateFromParts", plainOnly},
    {"$dateFromString", plainOnly},
    {"$dateSubtract", plainOnly},
    {"$dateToParts", plainOnly},
    {"$dateToString", plainOnly},
    {"$dateTrunc", plainOnly},
    {"$dayOfMonth", plainOnly},
    {"$dayOfWeek", plainOnly},
    {"$dayOfYear", plainOnly},
    {"$hour", plainOnly},
    {"$isoDayOfWeek", plainOnly},
    {"$isoWeek", plainOnly},
    {"$isoWeekYear", plainOnly},
    {"$millisecond", plainOnly},
    {"$minute", plainOnly},
    {"$month", plainOnly},
    {"$second", plainOnly},
    {"$toDate", plainOnly},
    {"$week", plainOnly},
    {"$year", plainOnly},
    // Miscellaneous, objects, sets:
    {"$rand", plainOnly},
    {"$toHashedIndexKey", plainOnly},
    {"$mergeObjects", plainOnly},
    {"$setField", plainOnly},
    {"$unsetField", plainOnly},
    {"$allElementsTrue", plainOnly},
    {"$anyElementTrue", plainOnly},
    {"$setDifference", plainOnly},
    {"$setEquals", plainOnly},
    {"$setIntersection", plainOnly},
    {"$setIsSubset", plainOnly},
    {"$setUnion", plainOnly},
    // Strings, text, timestamps:
    {"$concat", plainOnly},
    {"$indexOfBytes", plainOnly},
    {"$indexOfCP", plainOnly},
    {"$ltrim", plainOnly},
    {"$regexFind", plainOnly},
    {"$regexFindAll", plainOnly},
    {"$regexMatch", plainOnly},
    {"$replaceOne", plainOnly},
    {"$replaceAll", plainOnly},
    {"$rtrim", plainOnly},
    {"$split", plainOnly},
    {"$strLenBytes", plainOnly},
    {"$strLenCP", plainOnly},
    {"$strcasecmp", plainOnly},
    {"$substr", plainOnly},
    {"$substrBytes", plainOnly},
    {"$substrCP", plainOnly},
    {"$toLower", plainOnly},
    {"$toString", plainOnly},
    {"$trim", plainOnly},
    {"$toUpper", plainOnly},
    {"$meta", plainOnly},
    {"$tsIncrement", plainOnly},
    {"$tsSecond", plainOnly},
    // Trigonometry:
    {"$sin", plainOnly},
    {"$cos", plainOnly},
    {"$tan", plainOnly},
    {"$asin", plainOnly},
    {"$acos", plainOnly},
    {"$atan", plainOnly},
    {"$atan2", plainOnly},
    {"$asinh", plainOnly},
    {"$acosh", plainOnly},
    {"$atanh", plainOnly},
    {"$sinh", plainOnly},
    {"$cosh", plainOnly},
    {"$tanh", plainOnly},
    {"$degreesToRadians", plainOnly},
    {"$radiansToDegrees", plainOnly},
    // Types:
    {"$convert", plainOnly},
    {"$isNumber", plainOnly},
    {"$toBool", plainOnly},
    {"$toDecimal", plainOnly},
    {"$toDouble", plainOnly},
    {"$toInt", plainOnly},
    {"$toLong", plainOnly},
    {"$toObjectId", plainOnly},
    {"$toUUID", plainOnly},
    {"$type", plainOnly},
    // Accumulators used as expressions ($project: {total: {$sum: [..]}}):
    {"$avg", plainOnly},
    {"$max", plainOnly},
    {"$min", plainOnly},
    {"$sum", plainOnly},
    {"$stdDevPop", plainOnly},
    {"$stdDevSamp", plainOnly},
    {"$median", plainOnly},
    {"$percentile", plainOnly},
});

}  // namespace

void checkVariableName(std::string_view name) {
    if (name == "CURRENT" || name == "ROOT") {
        fail(ErrorCode::BadValue, "Cannot rebind $$" + std::string(name) +
                                      " (automatic encryption follows the document through it)");
    }
    if (name.empty() || !(std::islower(static_cast<unsigned char>(name[0])) ||
                          static_cast<unsigned char>(name[0]) >= 0x80 || name[0] == '_')) {
        fail(ErrorCode::BadValue, "'" + std::string(name) +
                                      "' is not a valid variable name: it must start with a "
                                      "lowercase letter");
    }
}

const ExpressionOperator* findExpressionOperator(std::string_view name) {
    return kOperators.find(name);
}

}  // namespace cryptd::analysis
