#pragma once
// The $jsonSchema keyword table: every keyword MongoDB's $jsonSchema knows, whether a local
// (driver-side) encryption schema may use it, and what its value must look like. A keyword
// missing from the table is unknown and rejected.

#include <cstdint>
#include <optional>
#include <string_view>

namespace cryptd::schema {

enum class Keyword : uint8_t {
    // Structure and encryption: allowed in local and remote schemas.
    BsonType,
    Type,
    Properties,
    PatternProperties,
    AdditionalProperties,
    Items,
    AdditionalItems,
    Encrypt,
    EncryptMetadata,
    // Validation and annotation: only in remote schemas (collection validators).
    Required,
    Enum,
    Minimum,
    Maximum,
    ExclusiveMinimum,
    ExclusiveMaximum,
    MultipleOf,
    MinLength,
    MaxLength,
    Pattern,
    MinItems,
    MaxItems,
    UniqueItems,
    MinProperties,
    MaxProperties,
    Dependencies,
    AllOf,
    AnyOf,
    OneOf,
    Not,
    Description,
    Title,
    // JSON-schema keywords MongoDB does not implement.
    Unsupported,
};
inline constexpr size_t kKeywordCount = static_cast<size_t>(Keyword::Unsupported) + 1;

// How a validation keyword's value is checked (structure keywords are parsed one by one).
enum class ValueKind : uint8_t {
    Structural,          // parsed by the schema parser itself
    Number,              // any numeric type
    NonNegativeInteger,  // a number with an integral, non-negative value
    Boolean,
    String,
    Regex,             // a string holding an ECMAScript regular expression
    StringArray,       // a non-empty array of distinct strings (required)
    NonEmptyArray,     // enum
    SchemaArray,       // a non-empty array of subschemas (allOf, anyOf, oneOf)
    Schema,            // one subschema (not)
    DependencyObject,  // {field: subschema | [field names]}
    None,              // unsupported keyword: never reached
};

struct KeywordInfo {
    std::string_view name;
    Keyword keyword;
    bool remoteOnly;
    ValueKind kind;
};

// nullopt when `name` is not a $jsonSchema keyword at all.
std::optional<KeywordInfo> lookupKeyword(std::string_view name);

}  // namespace cryptd::schema
