#pragma once
// MongoDB's $type aliases ("string", "int", "objectId", ...) as bsonType accepts them, and the
// JSON-schema `type` names. "number" expands to int, long, double and decimal. The alias table
// itself, and the alias of a type for messages, are bson::typeForAlias / bson::typeAlias.

#include <bson/bson.h>

#include <optional>
#include <string_view>
#include <vector>

namespace cryptd::schema {

// The BSON types named by a bsonType alias, or nullopt for an unknown alias.
std::optional<std::vector<bson_type_t>> typesForBsonAlias(std::string_view alias);

// The BSON types named by a JSON-schema `type` name ("object", "boolean", ...), or nullopt for an
// unknown name. "integer" is a JSON-schema type MongoDB does not support: callers check it first.
std::optional<std::vector<bson_type_t>> typesForJsonTypeName(std::string_view name);

}  // namespace cryptd::schema
