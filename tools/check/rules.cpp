#include "check/rules.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "common/bson.h"
#include "common/idl_messages.h"
#include "schema/encryption_options.h"
#include "schema/schema_keywords.h"

namespace cryptd::check {

namespace {

using schema::kDeterministicAlgorithm;
using schema::kRandomAlgorithm;

// The text between `open` and the next `close` after it ("" when absent).
std::string_view between(std::string_view s, std::string_view open, std::string_view close) {
    auto a = s.find(open);
    if (a == std::string_view::npos) return {};
    a += open.size();
    auto b = s.find(close, a);
    return s.substr(a, b == std::string_view::npos ? std::string_view::npos : b - a);
}

// The word after `open`, up to a space, quote or the end.
std::string_view wordAfter(std::string_view s, std::string_view open) {
    auto a = s.find(open);
    if (a == std::string_view::npos) return {};
    a += open.size();
    auto b = s.find_first_of(" '", a);
    return s.substr(a, b == std::string_view::npos ? std::string_view::npos : b - a);
}

size_t editDistance(std::string_view a, std::string_view b) {
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            size_t up = row[j];
            bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                        std::tolower(static_cast<unsigned char>(b[j - 1]));
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (same ? 0 : 1)});
            diag = up;
        }
    }
    return row[b.size()];
}

// The closest candidate within a third of its length, for "did you mean" hints.
template <typename Range>
std::string_view closest(std::string_view word, const Range& candidates) {
    std::string_view best;
    size_t bestDistance = std::max<size_t>(2, word.size() / 3) + 1;
    for (std::string_view c : candidates) {
        size_t d = editDistance(word, c);
        if (d < bestDistance) {
            best = c;
            bestDistance = d;
        }
    }
    return best;
}

std::string unknownKeywordHint(std::string_view message) {
    auto keyword = wordAfter(message, "keyword: ");
    if (keyword == "$jsonSchema") {
        return "a schemaMap value is the $jsonSchema itself: remove the {\"$jsonSchema\": ...} "
               "wrapper";
    }
    // Supported keywords in the schema layer's enum order, so ties resolve as they always did.
    std::vector<schema::KeywordInfo> supported;
    for (const auto& k : schema::keywordTable()) {
        if (k.keyword != schema::Keyword::kUnsupported) supported.push_back(k);
    }
    std::sort(supported.begin(), supported.end(),
              [](const auto& a, const auto& b) { return a.keyword < b.keyword; });
    std::vector<std::string_view> known;
    for (const auto& k : supported) known.push_back(k.name);
    if (auto best = closest(keyword, known); !best.empty()) {
        return "did you mean '" + std::string(best) + "'? Field names belong under 'properties'";
    }
    return "not a $jsonSchema keyword: field names belong under 'properties'";
}

std::string algorithmHint(std::string_view message) {
    auto value = between(message, "Enumeration value '", "'");
    std::array<std::string_view, 2> names{kDeterministicAlgorithm, kRandomAlgorithm};
    auto best = closest(value, names);
    std::string both = "the algorithm is \"" + std::string(kDeterministicAlgorithm) + "\" or \"" +
                       std::string(kRandomAlgorithm) + "\"";
    if (best.empty()) return both;
    return "did you mean \"" + std::string(best) + "\"? " + both;
}

std::string deterministicTypeHint(std::string_view message) {
    auto type = wordAfter(message, "element of type: ");
    return "deterministic encryption needs exactly one bsonType; " + std::string(type) +
           " is not allowed — use Random or change the type";
}

std::string unknownFieldHint(std::string_view message) {
    auto field = between(message, "BSON field '", "'");
    if (field == "encryptMetadata.bsonType") {
        return "bsonType is never inherited: set it in each field's encrypt instead";
    }
    if (field.starts_with("encryptMetadata.")) {
        return "encryptMetadata takes only 'algorithm' and 'keyId'";
    }
    return "encrypt takes only 'algorithm', 'bsonType' and 'keyId'";
}

std::string typeAliasHint(std::string_view message) {
    auto alias = wordAfter(message, "alias: ");
    std::vector<std::string_view> known;
    for (const auto& a : bson::typeAliases()) known.push_back(a.name);
    known.push_back("number");  // the one alias naming several types (schema/bson_type_aliases.h)
    if (auto best = closest(alias, known); !best.empty()) {
        return "did you mean \"" + std::string(best) + "\"? bsonType takes MongoDB type aliases";
    }
    return "bsonType takes MongoDB type aliases: string, int, long, date, objectId, binData, ...";
}

using HintFn = std::string (*)(std::string_view message);

struct Rule {
    std::string_view id;
    int32_t code;             // 0 = any code
    std::string_view needle;  // a substring of the message that identifies the error
    std::string_view hint;
    HintFn dynamicHint = nullptr;
};

// First match wins: specific messages come before more general ones with the same words.
const Rule kRules[] = {
    {"too-deep", 9, "nested too deeply",
     "flatten the schema: subschemas may nest at most 64 levels"},
    {"unknown-keyword", 9, "Unknown $jsonSchema keyword", "", unknownKeywordHint},
    {"integer-type", 9, "type 'integer' is not currently supported",
     "use bsonType \"int\" or \"long\" instead of type \"integer\""},
    {"unsupported-keyword", 9, "is not currently supported",
     "MongoDB's $jsonSchema does not implement this keyword: remove it"},
    {"remote-only-keyword", 9, "is only allowed with a remote schema",
     "validation keywords are only allowed in a collection's validator (a remote schema): remove "
     "it from the schemaMap, or check a validator's bare $jsonSchema with --remote"},
    {"duplicate-keyword", 9, "Duplicate $jsonSchema keyword",
     "each keyword may appear once per subschema: merge or delete the repeated one"},
    {"encrypt-under-items", 9, "encrypting individual array elements is not supported",
     "encrypt the whole array instead: {\"encrypt\": {\"bsonType\": \"array\", \"algorithm\": "
     "\"...-Random\"}} on the array field"},
    {"encrypt-conditional", 9, "encryption rules must be unconditional",
     "move encryption out of allOf/anyOf/oneOf/not/dependencies into 'properties'"},
    {"encrypt-at-root", 9, "top-level schema describes the whole document",
     "put encrypt on a field under 'properties', not on the top-level schema"},
    {"encrypt-and-metadata", 9, "keywords 'encrypt' and 'encryptMetadata'",
     "encryptMetadata belongs on the enclosing object; an encrypted field has only 'encrypt'"},
    {"encrypt-with-type", 9, "'encrypt' cannot be used in conjunction with",
     "move the type into encrypt.bsonType: the stored value is BinData, so the field itself "
     "cannot have bsonType/type"},
    {"encrypt-sibling", 9, "must be the only keyword of its subschema",
     "an encrypted field's subschema holds only 'encrypt': remove the other keywords (the value "
     "is stored encrypted)"},
    {"dotted-property", 9, "property name containing '.'",
     "nest the field instead: {\"a\": {\"bsonType\": \"object\", \"properties\": {\"b\": ...}}} "
     "rather than \"a.b\""},
    {"encrypt-parent-not-object", 9, "above an encrypted field must have bsonType 'object'",
     "add \"bsonType\": \"object\" to every subschema on the way to the encrypted field (an "
     "array of documents there would escape the rule); encrypt a whole array with 'encrypt' on "
     "the array field instead"},
    {"metadata-needs-object", 9, "only allowed in a subschema with bsonType 'object'",
     "add \"bsonType\": \"object\" to the subschema that holds encryptMetadata"},
    {"encrypt-not-object", 14, "keyword 'encrypt' must be an object",
     "encrypt is an object: {\"algorithm\": ..., \"bsonType\": ..., \"keyId\": [...]}"},
    {"metadata-not-object", 14, "keyword 'encryptMetadata' must be an object",
     "encryptMetadata is an object: {\"algorithm\": ..., \"keyId\": [...]}"},
    {"metadata-empty", 9, "'encryptMetadata' cannot be an empty object",
     "set 'algorithm' and/or 'keyId' in encryptMetadata, or delete it"},
    {"unknown-field", 40415, idl::kUnknownField, "", unknownFieldHint},
    {"unknown-field", 9, "initializationVector' is not supported",
     "remove initializationVector: the driver chooses the IV"},
    {"duplicate-field", 9, idl::kDuplicateField, "give each option once"},
    {"bad-algorithm", 2, "Enumeration value", "", algorithmHint},
    {"keyid-type", 51085, "Expected either string or array of UUID",
     "keyId is [UUID(\"...\")] (an array of one UUID) or a JSON pointer string like "
     "\"/keyAltNameField\""},
    {"keyid-not-bindata", 51088, "Array elements must have type BinData",
     "write the key id as {\"$uuid\": \"...\"} or {\"$binary\": {\"base64\": \"...\", "
     "\"subType\": \"04\"}}, not as a string"},
    {"keyid-not-uuid", 51084, "bindata type UUID",
     "the key id must be BinData subtype 4 (UUID): use {\"$uuid\": \"...\"} or subType \"04\""},
    {"keyid-length", 2, "UUID must be 16 bytes", "a UUID has exactly 16 bytes"},
    {"keyid-count", 9, "exactly one UUID",
     "keyId holds exactly one UUID: [UUID(\"...\")]; use one key per field"},
    {"keyid-pointer", 9, "keyId JSON pointer",
     "a JSON-pointer keyId starts with '/' and escapes '~' as ~0 and '/' as ~1"},
    {"missing-algorithm", 9, "No 'algorithm' is given",
     "set encrypt.algorithm, or encryptMetadata.algorithm on an enclosing object"},
    {"missing-keyid", 9, "No 'keyId' is given",
     "set encrypt.keyId, or encryptMetadata.keyId on an enclosing object"},
    {"type-never-encryptable", 9, schema::kCannotEncryptType,
     "minKey, maxKey, null and undefined cannot be encrypted: remove that type"},
    {"deterministic-single-type", 9, "requires 'bsonType' to name exactly one",
     "deterministic encryption needs exactly one bsonType: name one, or use Random for several "
     "or unknown types"},
    {"deterministic-type", 9, schema::kCannotEncryptDeterministically, "", deterministicTypeHint},
    {"bsontype-and-type", 9, "keywords 'bsonType' and 'type'",
     "use either bsonType or type, not both"},
    {"duplicate-type", 9, "has duplicate value", "name each type once"},
    {"empty-type-list", 9, "must name at least one type", "name at least one type"},
    {"unknown-type-alias", 2, "Unknown type name alias", "", typeAliasHint},
    {"unknown-type-name", 2, "Unknown $jsonSchema type name",
     "type takes JSON-schema names (object, array, string, number, boolean, null); use bsonType "
     "for BSON types"},
    {"duplicate-property", 9, "has duplicate property", "give each property once"},
    {"duplicate-property", 9, "has duplicate pattern", "give each pattern once"},
    {"pattern-too-complex", 2, "too complex together",
     "simplify or merge the patternProperties regular expressions"},
    {"bad-pattern", 2, "Invalid regular expression",
     "patternProperties keys are ECMAScript regular expressions: fix the pattern"},
    {"nested-not-object", 14, "Nested schema for $jsonSchema",
     "each property, pattern and items entry is itself a schema object"},
    {"keyword-dependency", 9, "must be present if", "add the keyword it depends on"},
    {"ambiguous-encryption", 2, "Ambiguous encryption schema",
     "properties and patternProperties/additionalProperties that match the same field must agree "
     "about its encryption"},
    {"wrong-field-type", 14, "is the wrong type",
     "algorithm is a string, keyId an array of one UUID (or a JSON pointer), bsonType a string "
     "or an array of strings"},
    {"wrong-field-type", 14, "encrypt.bsonType array elements must be strings",
     "bsonType is a string or an array of strings"},
    {"keyword-value", 0, "$jsonSchema keyword '",
     "the keyword's value has the wrong type or form: see the JSON-schema definition"},
    {"keyword-value", 0, "dependencies",
     "each dependencies entry is a schema object or an array of field names"},
};

}  // namespace

RuleMatch classifyError(int32_t code, std::string_view message) {
    for (const auto& r : kRules) {
        if (r.code != 0 && r.code != code) continue;
        if (message.find(r.needle) == std::string_view::npos) continue;
        return RuleMatch{r.id, r.dynamicHint ? r.dynamicHint(message) : std::string(r.hint)};
    }
    return RuleMatch{kUnknownRule,
                     "this is the error mongocryptd would return for the schema; see the message"};
}

std::vector<std::string_view> ruleIds() {
    std::vector<std::string_view> out;
    for (const auto& r : kRules) {
        if (std::find(out.begin(), out.end(), r.id) == out.end()) out.push_back(r.id);
    }
    return out;
}

}  // namespace cryptd::check
