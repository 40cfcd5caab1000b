#include "schema/bson_type_aliases.h"

#include <array>

#include "common/bson.h"
#include "common/name_table.h"

namespace cryptd::schema {

namespace {

// An array, not a vector: no constructor runs when the engine is loaded (mongo_crypt_v1.so).
constexpr std::array<bson_type_t, 4> kNumberTypes{BSON_TYPE_INT32, BSON_TYPE_INT64,
                                                  BSON_TYPE_DOUBLE, BSON_TYPE_DECIMAL128};
std::vector<bson_type_t> numberTypes() {
    return {kNumberTypes.begin(), kNumberTypes.end()};
}

// JSON-schema `type` names (draft 4) and the BSON type MongoDB maps each to ("number" is
// expanded by the caller, as for bsonType).
struct JsonType {
    std::string_view name;
    bson_type_t type;
};
constexpr auto kJsonTypes = makeNameTable<JsonType>({
    {"array", BSON_TYPE_ARRAY},
    {"boolean", BSON_TYPE_BOOL},
    {"null", BSON_TYPE_NULL},
    {"object", BSON_TYPE_DOCUMENT},
    {"string", BSON_TYPE_UTF8},
});

}  // namespace

std::optional<std::vector<bson_type_t>> typesForBsonAlias(std::string_view alias) {
    if (alias == "number") return numberTypes();
    if (auto type = bson::typeForAlias(alias)) return std::vector<bson_type_t>{*type};
    return std::nullopt;
}

std::optional<std::vector<bson_type_t>> typesForJsonTypeName(std::string_view name) {
    if (name == "number") return numberTypes();
    if (const JsonType* t = kJsonTypes.find(name)) return std::vector<bson_type_t>{t->type};
    return std::nullopt;
}

}  // namespace cryptd::schema
