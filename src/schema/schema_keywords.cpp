#include "schema/schema_keywords.h"

#include <algorithm>
#include <array>

namespace cryptd::schema {

namespace {

using K = Keyword;
using V = ValueKind;

// Sorted by name for binary search (checked at compile time below).
constexpr std::array<KeywordInfo, 37> kKeywords{{
    {"$ref", K::Unsupported, false, V::None},
    {"$schema", K::Unsupported, false, V::None},
    {"additionalItems", K::AdditionalItems, false, V::Structural},
    {"additionalProperties", K::AdditionalProperties, false, V::Structural},
    {"allOf", K::AllOf, true, V::SchemaArray},
    {"anyOf", K::AnyOf, true, V::SchemaArray},
    {"bsonType", K::BsonType, false, V::Structural},
    {"default", K::Unsupported, false, V::None},
    {"definitions", K::Unsupported, false, V::None},
    {"dependencies", K::Dependencies, true, V::DependencyObject},
    {"description", K::Description, true, V::String},
    {"encrypt", K::Encrypt, false, V::Structural},
    {"encryptMetadata", K::EncryptMetadata, false, V::Structural},
    {"enum", K::Enum, true, V::NonEmptyArray},
    {"exclusiveMaximum", K::ExclusiveMaximum, true, V::Boolean},
    {"exclusiveMinimum", K::ExclusiveMinimum, true, V::Boolean},
    {"format", K::Unsupported, false, V::None},
    {"id", K::Unsupported, false, V::None},
    {"items", K::Items, false, V::Structural},
    {"maxItems", K::MaxItems, true, V::NonNegativeInteger},
    {"maxLength", K::MaxLength, true, V::NonNegativeInteger},
    {"maxProperties", K::MaxProperties, true, V::NonNegativeInteger},
    {"maximum", K::Maximum, true, V::Number},
    {"minItems", K::MinItems, true, V::NonNegativeInteger},
    {"minLength", K::MinLength, true, V::NonNegativeInteger},
    {"minProperties", K::MinProperties, true, V::NonNegativeInteger},
    {"minimum", K::Minimum, true, V::Number},
    {"multipleOf", K::MultipleOf, true, V::Number},
    {"not", K::Not, true, V::Schema},
    {"oneOf", K::OneOf, true, V::SchemaArray},
    {"pattern", K::Pattern, true, V::Regex},
    {"patternProperties", K::PatternProperties, false, V::Structural},
    {"properties", K::Properties, false, V::Structural},
    {"required", K::Required, true, V::StringArray},
    {"title", K::Title, true, V::String},
    {"type", K::Type, false, V::Structural},
    {"uniqueItems", K::UniqueItems, true, V::Boolean},
}};

constexpr bool sortedByName() {
    for (size_t i = 1; i < kKeywords.size(); ++i) {
        if (!(kKeywords[i - 1].name < kKeywords[i].name)) return false;
    }
    return true;
}
static_assert(sortedByName(), "keyword table must stay sorted by name");

}  // namespace

std::optional<KeywordInfo> lookupKeyword(std::string_view name) {
    auto end = kKeywords.end();
    auto it = std::lower_bound(kKeywords.begin(), end, name,
                               [](const KeywordInfo& k, std::string_view n) { return k.name < n; });
    if (it == end || it->name != name) return std::nullopt;
    return *it;
}

}  // namespace cryptd::schema
