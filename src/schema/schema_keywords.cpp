#include "schema/schema_keywords.h"

#include "common/name_table.h"

namespace cryptd::schema {

namespace {

using K = Keyword;
using V = ValueKind;

constexpr auto kKeywords = makeNameTable<KeywordInfo>({
    {"$ref", K::kUnsupported, false, V::kNone},
    {"$schema", K::kUnsupported, false, V::kNone},
    {"additionalItems", K::kAdditionalItems, false, V::kStructural},
    {"additionalProperties", K::kAdditionalProperties, false, V::kStructural},
    {"allOf", K::kAllOf, true, V::kSchemaArray},
    {"anyOf", K::kAnyOf, true, V::kSchemaArray},
    {"bsonType", K::kBsonType, false, V::kStructural},
    {"default", K::kUnsupported, false, V::kNone},
    {"definitions", K::kUnsupported, false, V::kNone},
    {"dependencies", K::kDependencies, true, V::kDependencyObject},
    {"description", K::kDescription, true, V::kString},
    {"encrypt", K::kEncrypt, false, V::kStructural},
    {"encryptMetadata", K::kEncryptMetadata, false, V::kStructural},
    {"enum", K::kEnum, true, V::kNonEmptyArray},
    {"exclusiveMaximum", K::kExclusiveMaximum, true, V::kBoolean},
    {"exclusiveMinimum", K::kExclusiveMinimum, true, V::kBoolean},
    {"format", K::kUnsupported, false, V::kNone},
    {"id", K::kUnsupported, false, V::kNone},
    {"items", K::kItems, false, V::kStructural},
    {"maxItems", K::kMaxItems, true, V::kNonNegativeInteger},
    {"maxLength", K::kMaxLength, true, V::kNonNegativeInteger},
    {"maxProperties", K::kMaxProperties, true, V::kNonNegativeInteger},
    {"maximum", K::kMaximum, true, V::kNumber},
    {"minItems", K::kMinItems, true, V::kNonNegativeInteger},
    {"minLength", K::kMinLength, true, V::kNonNegativeInteger},
    {"minProperties", K::kMinProperties, true, V::kNonNegativeInteger},
    {"minimum", K::kMinimum, true, V::kNumber},
    {"multipleOf", K::kMultipleOf, true, V::kNumber},
    {"not", K::kNot, true, V::kSchema},
    {"oneOf", K::kOneOf, true, V::kSchemaArray},
    {"pattern", K::kPattern, true, V::kRegex},
    {"patternProperties", K::kPatternProperties, false, V::kStructural},
    {"properties", K::kProperties, false, V::kStructural},
    {"required", K::kRequired, true, V::kStringArray},
    {"title", K::kTitle, true, V::kString},
    {"type", K::kType, false, V::kStructural},
    {"uniqueItems", K::kUniqueItems, true, V::kBoolean},
});

}  // namespace

std::optional<KeywordInfo> lookupKeyword(std::string_view name) {
    if (const KeywordInfo* k = kKeywords.find(name)) return *k;
    return std::nullopt;
}

std::span<const KeywordInfo> keywordTable() {
    return kKeywords.rows();
}

}  // namespace cryptd::schema
