#include "schema/bson_type_aliases.h"

#include <algorithm>
#include <array>
#include <utility>

namespace cryptd::schema {

namespace {

struct Alias {
    std::string_view name;
    bson_type_t type;
};

// MongoDB's $type aliases, in BSON type order.
constexpr std::array<Alias, 21> kAliases{{
    {"double", BSON_TYPE_DOUBLE},
    {"string", BSON_TYPE_UTF8},
    {"object", BSON_TYPE_DOCUMENT},
    {"array", BSON_TYPE_ARRAY},
    {"binData", BSON_TYPE_BINARY},
    {"undefined", BSON_TYPE_UNDEFINED},
    {"objectId", BSON_TYPE_OID},
    {"bool", BSON_TYPE_BOOL},
    {"date", BSON_TYPE_DATE_TIME},
    {"null", BSON_TYPE_NULL},
    {"regex", BSON_TYPE_REGEX},
    {"dbPointer", BSON_TYPE_DBPOINTER},
    {"javascript", BSON_TYPE_CODE},
    {"symbol", BSON_TYPE_SYMBOL},
    {"javascriptWithScope", BSON_TYPE_CODEWSCOPE},
    {"int", BSON_TYPE_INT32},
    {"timestamp", BSON_TYPE_TIMESTAMP},
    {"long", BSON_TYPE_INT64},
    {"decimal", BSON_TYPE_DECIMAL128},
    {"minKey", BSON_TYPE_MINKEY},
    {"maxKey", BSON_TYPE_MAXKEY},
}};

// An array, not a vector: no constructor runs when the engine is loaded (mongo_crypt_v1.so).
constexpr std::array<bson_type_t, 4> kNumberTypes{BSON_TYPE_INT32, BSON_TYPE_INT64,
                                                  BSON_TYPE_DOUBLE, BSON_TYPE_DECIMAL128};

// JSON-schema `type` names (draft 4) and the BSON types MongoDB maps them to.
struct JsonType {
    std::string_view name;
    std::vector<bson_type_t> types;
};
const std::array<JsonType, 6>& jsonTypes() {
    static const std::array<JsonType, 6> table{{
        {"array", {BSON_TYPE_ARRAY}},
        {"boolean", {BSON_TYPE_BOOL}},
        {"null", {BSON_TYPE_NULL}},
        {"number", {kNumberTypes.begin(), kNumberTypes.end()}},
        {"object", {BSON_TYPE_DOCUMENT}},
        {"string", {BSON_TYPE_UTF8}},
    }};
    return table;
}

}  // namespace

std::optional<std::vector<bson_type_t>> typesForBsonAlias(std::string_view alias) {
    if (alias == "number")
        return std::vector<bson_type_t>(kNumberTypes.begin(), kNumberTypes.end());
    auto it = std::find_if(kAliases.begin(), kAliases.end(),
                           [&](const Alias& a) { return a.name == alias; });
    if (it == kAliases.end()) return std::nullopt;
    return std::vector<bson_type_t>{it->type};
}

std::optional<std::vector<bson_type_t>> typesForJsonTypeName(std::string_view name) {
    for (const auto& t : jsonTypes()) {
        if (t.name == name) return t.types;
    }
    return std::nullopt;
}

std::string_view bsonAlias(bson_type_t type) {
    for (const auto& a : kAliases) {
        if (a.type == type) return a.name;
    }
    return "unknown";
}

}  // namespace cryptd::schema
