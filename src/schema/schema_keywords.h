#pragma once
// The $jsonSchema keyword table: every keyword MongoDB's $jsonSchema knows, whether a local
// (driver-side) encryption schema may use it, and what its value must look like. A keyword
// missing from the table is unknown and rejected.

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace cryptd::schema {

enum class Keyword : uint8_t {
    // Structure and encryption: allowed in local and remote schemas.
    kBsonType,
    kType,
    kProperties,
    kPatternProperties,
    kAdditionalProperties,
    kItems,
    kAdditionalItems,
    kEncrypt,
    kEncryptMetadata,
    // Validation and annotation: only in remote schemas (collection validators).
    kRequired,
    kEnum,
    kMinimum,
    kMaximum,
    kExclusiveMinimum,
    kExclusiveMaximum,
    kMultipleOf,
    kMinLength,
    kMaxLength,
    kPattern,
    kMinItems,
    kMaxItems,
    kUniqueItems,
    kMinProperties,
    kMaxProperties,
    kDependencies,
    kAllOf,
    kAnyOf,
    kOneOf,
    kNot,
    kDescription,
    kTitle,
    // JSON-schema keywords MongoDB does not implement.
    kUnsupported,
};
inline constexpr size_t kKeywordCount = static_cast<size_t>(Keyword::kUnsupported) + 1;

// How a validation keyword's value is checked (structure keywords are parsed one by one).
enum class ValueKind : uint8_t {
    kStructural,          // parsed by the schema parser itself
    kNumber,              // any numeric type
    kNonNegativeInteger,  // a number with an integral, non-negative value
    kBoolean,
    kString,
    kRegex,             // a string holding an ECMAScript regular expression
    kStringArray,       // a non-empty array of distinct strings (required)
    kNonEmptyArray,     // enum
    kSchemaArray,       // a non-empty array of subschemas (allOf, anyOf, oneOf)
    kSchema,            // one subschema (not)
    kDependencyObject,  // {field: subschema | [field names]}
    kNone,              // unsupported keyword: never reached
};

struct KeywordInfo {
    std::string_view name;
    Keyword keyword;
    bool remoteOnly;
    ValueKind kind;
};

// nullopt when `name` is not a $jsonSchema keyword at all.
std::optional<KeywordInfo> lookupKeyword(std::string_view name);
// Every row, in name order (for suggestions and listings).
std::span<const KeywordInfo> keywordTable();

}  // namespace cryptd::schema
