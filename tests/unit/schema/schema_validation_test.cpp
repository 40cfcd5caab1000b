// Every schema rule with its error code, message and the schema path it names.

#include <gtest/gtest.h>

#include "schema/encryption_schema.h"
#include "schema_test_util.h"

namespace cryptd::schema::test {
namespace {

constexpr auto kFailedToParse = ErrorCode::FailedToParse;
constexpr auto kTypeMismatch = ErrorCode::TypeMismatch;
constexpr auto kBadValue = ErrorCode::BadValue;

std::string keyA() {
    return "[" + uuidJson(kUuidA) + "]";
}

// {"properties": {"f": {"encrypt": <body>}}}
std::string withEncrypt(const std::string& body) {
    return R"({"properties": {"f": {"encrypt": )" + body + "}}}";
}

std::string detString() {
    return R"({"keyId": )" + keyA() + R"(, "algorithm": ")" + std::string(kDet) +
           R"(", "bsonType": "string"})";
}

// ---- keywords ----

TEST(SchemaValidation, UnknownKeyword) {
    EXPECT_SCHEMA_ERROR(R"({"properties": {"a": {"foo": 1}}})", false, kFailedToParse,
                        "Unknown $jsonSchema keyword: foo", "properties.a.foo");
    EXPECT_SCHEMA_ERROR(R"({"foo": 1})", true, kFailedToParse, "Unknown $jsonSchema keyword: foo",
                        "foo");
}

TEST(SchemaValidation, UnsupportedKeywords) {
    for (const char* k : {"$ref", "$schema", "default", "definitions", "format", "id"}) {
        SCOPED_TRACE(k);
        std::string json = std::string(R"({"properties": {"a": {")") + k + R"(": "x"}}})";
        for (bool remote : {false, true}) {
            EXPECT_SCHEMA_ERROR(
                json, remote, kFailedToParse,
                std::string("$jsonSchema keyword '") + k + "' is not currently supported",
                std::string("properties.a.") + k);
        }
    }
}

TEST(SchemaValidation, ValidationKeywordsOnlyInRemoteSchemas) {
    const char* cases[][2] = {
        {"required", R"(["a"])"},
        {"enum", "[1, 2]"},
        {"minimum", "1"},
        {"maximum", "2.5"},
        {"minLength", "1"},
        {"maxLength", "3"},
        {"pattern", R"("^a")"},
        {"minItems", "0"},
        {"maxItems", "4"},
        {"uniqueItems", "true"},
        {"minProperties", "1"},
        {"maxProperties", "9"},
        {"multipleOf", "3"},
        {"description", R"("text")"},
        {"title", R"("t")"},
        {"allOf", R"([{"bsonType": "object"}])"},
        {"anyOf", R"([{}])"},
        {"oneOf", R"([{}, {}])"},
        {"not", R"({"bsonType": "int"})"},
        {"dependencies", R"({"a": ["b"], "c": {}})"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c[0]);
        std::string json = std::string(R"({"bsonType": "object", ")") + c[0] + R"(": )" + c[1] +
                           R"(, "properties": {"f": {"encrypt": )" + detString() + "}}}";
        EXPECT_SCHEMA_ERROR(
            json, false, kFailedToParse,
            std::string("JSON schema keyword '") + c[0] + "' is only allowed with a remote schema",
            c[0]);
        auto s = parseJson(json, true);
        EXPECT_TRUE(s->requiresEncryption());
    }
}

TEST(SchemaValidation, ExclusiveBoundsNeedTheirBound) {
    EXPECT_SCHEMA_ERROR(R"({"exclusiveMinimum": true})", true, kFailedToParse,
                        "$jsonSchema keyword 'minimum' must be present if 'exclusiveMinimum'",
                        "exclusiveMinimum");
    EXPECT_NO_THROW(parseJson(R"({"exclusiveMaximum": true, "maximum": 3})", true));
}

TEST(SchemaValidation, ValidationKeywordValueTypes) {
    EXPECT_SCHEMA_ERROR(R"({"required": "a"})", true, kTypeMismatch,
                        "$jsonSchema keyword 'required' must be an array", "required");
    EXPECT_SCHEMA_ERROR(R"({"required": []})", true, kFailedToParse, "cannot be an empty array",
                        "required");
    EXPECT_SCHEMA_ERROR(R"({"required": ["a", "a"]})", true, kFailedToParse, "unique", "required");
    EXPECT_SCHEMA_ERROR(R"({"minimum": "1"})", true, kTypeMismatch, "must be a number", "minimum");
    EXPECT_SCHEMA_ERROR(R"({"minLength": -1})", true, kFailedToParse, "non-negative integer",
                        "minLength");
    EXPECT_SCHEMA_ERROR(R"({"maxItems": 1.5})", true, kFailedToParse, "non-negative integer",
                        "maxItems");
    EXPECT_SCHEMA_ERROR(R"({"uniqueItems": 1})", true, kTypeMismatch, "must be a boolean",
                        "uniqueItems");
    EXPECT_SCHEMA_ERROR(R"({"enum": []})", true, kFailedToParse, "cannot be an empty array",
                        "enum");
    EXPECT_SCHEMA_ERROR(R"({"allOf": []})", true, kFailedToParse, "non-empty array", "allOf");
    EXPECT_SCHEMA_ERROR(R"({"anyOf": [1]})", true, kTypeMismatch, "must be an object", "anyOf.0");
    EXPECT_SCHEMA_ERROR(R"({"not": []})", true, kTypeMismatch, "must be an object", "not");
    EXPECT_SCHEMA_ERROR(R"({"dependencies": {"a": 1}})", true, kTypeMismatch,
                        "either an object or an array of strings", "dependencies.a");
    EXPECT_SCHEMA_ERROR(R"({"description": 5})", true, kTypeMismatch, "must be a string",
                        "description");
}

TEST(SchemaValidation, SubschemasOfLogicalKeywordsAreValidated) {
    EXPECT_SCHEMA_ERROR(R"({"allOf": [{}, {"bogus": 1}]})", true, kFailedToParse,
                        "Unknown $jsonSchema keyword: bogus", "allOf.1.bogus");
    EXPECT_SCHEMA_ERROR(R"({"not": {"properties": {"a": {"format": "x"}}}})", true, kFailedToParse,
                        "not currently supported", "not.properties.a.format");
}

TEST(SchemaValidation, DuplicateKeyword) {
    EXPECT_SCHEMA_ERROR(R"({"properties": {"a": {"bsonType": "int", "bsonType": "long"}}})", false,
                        kFailedToParse, "Duplicate $jsonSchema keyword: bsonType",
                        "properties.a.bsonType");
}

TEST(SchemaValidation, DuplicatePropertyName) {
    std::string json = R"({"properties": {"a": {}, "a": {"encrypt": )" + detString() + "}}}";
    EXPECT_SCHEMA_ERROR(json, false, kFailedToParse, "duplicate property 'a'", "properties.a");
}

// ---- bsonType / type ----

TEST(SchemaValidation, TypeKeywords) {
    EXPECT_SCHEMA_ERROR(R"({"type": "integer"})", false, kFailedToParse,
                        "$jsonSchema type 'integer' is not currently supported.", "type");
    EXPECT_SCHEMA_ERROR(R"({"bsonType": "integer"})", false, kBadValue,
                        "Unknown type name alias: integer", "bsonType");
    EXPECT_SCHEMA_ERROR(R"({"type": "bool"})", false, kBadValue, "Unknown $jsonSchema type name",
                        "type");
    EXPECT_SCHEMA_ERROR(R"({"bsonType": 3})", false, kTypeMismatch,
                        "must be either a string or an array of strings", "bsonType");
    EXPECT_SCHEMA_ERROR(R"({"bsonType": []})", false, kFailedToParse, "at least one type",
                        "bsonType");
    EXPECT_SCHEMA_ERROR(R"({"bsonType": ["int", "int"]})", false, kFailedToParse,
                        "duplicate value: int", "bsonType");
    EXPECT_SCHEMA_ERROR(R"({"bsonType": "object", "type": "object"})", false, kFailedToParse,
                        "Cannot specify both $jsonSchema keywords 'bsonType' and 'type'",
                        "bsonType");
    EXPECT_NO_THROW(parseJson(R"({"bsonType": ["object", "null", "number"]})"));
    EXPECT_NO_THROW(parseJson(R"({"type": ["object", "boolean", "number"]})"));
}

// ---- structural keywords ----

TEST(SchemaValidation, StructuralKeywordTypes) {
    EXPECT_SCHEMA_ERROR(R"({"properties": 1})", false, kTypeMismatch,
                        "$jsonSchema keyword 'properties' must be an object", "properties");
    EXPECT_SCHEMA_ERROR(R"({"properties": {"a": 1}})", false, kTypeMismatch,
                        "Nested schema for $jsonSchema property 'a' must be an object",
                        "properties.a");
    EXPECT_SCHEMA_ERROR(R"({"patternProperties": []})", false, kTypeMismatch, "must be an object",
                        "patternProperties");
    EXPECT_SCHEMA_ERROR(R"({"additionalProperties": 1})", false, kTypeMismatch,
                        "either an object or a boolean", "additionalProperties");
    EXPECT_SCHEMA_ERROR(R"({"properties": {"a": {"items": 1}}})", false, kTypeMismatch,
                        "either an array or an object", "properties.a.items");
    EXPECT_SCHEMA_ERROR(R"({"additionalItems": "x"})", false, kTypeMismatch,
                        "either an object or a boolean", "additionalItems");
    EXPECT_NO_THROW(parseJson(R"({"properties": {"a": {"items": [{}, {"bsonType": "int"}],
        "additionalItems": false}, "b": {"items": {"bsonType": "string"}}},
        "additionalProperties": true})"));
}

// ---- encrypt structure ----

TEST(SchemaValidation, EncryptMustBeObject) {
    EXPECT_SCHEMA_ERROR(withEncrypt("1"), false, kTypeMismatch,
                        "$jsonSchema keyword 'encrypt' must be an object", "properties.f.encrypt");
}

TEST(SchemaValidation, EncryptWithBsonTypeOrType) {
    for (const char* k : {"bsonType", "type"}) {
        std::string json = std::string(R"({"properties": {"f": {")") + k +
                           R"(": "string", "encrypt": )" + detString() + "}}}";
        EXPECT_SCHEMA_ERROR(json, false, kFailedToParse,
                            std::string("'encrypt' cannot be used in conjunction with '") + k + "'",
                            "properties.f.encrypt");
    }
}

TEST(SchemaValidation, EncryptWithEncryptMetadata) {
    std::string json = R"({"properties": {"f": {"encryptMetadata": {"keyId": )" + keyA() +
                       R"(}, "encrypt": )" + detString() + "}}}";
    EXPECT_SCHEMA_ERROR(json, false, kFailedToParse,
                        "Cannot specify both $jsonSchema keywords 'encrypt' and 'encryptMetadata'",
                        "properties.f.encrypt");
}

TEST(SchemaValidation, EncryptWithSiblings) {
    std::string json =
        R"({"properties": {"f": {"encrypt": )" + detString() + R"(, "properties": {}}}})";
    EXPECT_SCHEMA_ERROR(json, false, kFailedToParse,
                        "Invalid schema containing the 'encrypt' keyword.", "properties.f.encrypt");
    std::string remote =
        R"({"properties": {"f": {"description": "d", "encrypt": )" + detString() + "}}}";
    EXPECT_SCHEMA_ERROR(remote, true, kFailedToParse,
                        "Invalid schema containing the 'encrypt' keyword.", "properties.f.encrypt");
}

TEST(SchemaValidation, EncryptAtTopLevel) {
    EXPECT_SCHEMA_ERROR(R"({"encrypt": )" + detString() + "}", false, kFailedToParse,
                        "Invalid schema containing the 'encrypt' keyword.", "encrypt");
}

TEST(SchemaValidation, EncryptUnderItemsAndAdditionalItems) {
    std::string enc = R"({"encrypt": )" + detString() + "}";
    EXPECT_SCHEMA_ERROR(R"({"properties": {"arr": {"items": )" + enc + "}}}", false, kFailedToParse,
                        "Invalid schema containing the 'encrypt' keyword.",
                        "properties.arr.items.encrypt");
    EXPECT_SCHEMA_ERROR(R"({"properties": {"arr": {"items": [{}, )" + enc + "]}}}", false,
                        kFailedToParse, "not allowed below 'items'",
                        "properties.arr.items.1.encrypt");
    EXPECT_SCHEMA_ERROR(R"({"properties": {"arr": {"additionalItems": )" + enc + "}}}", false,
                        kFailedToParse, "not allowed below 'additionalItems'",
                        "properties.arr.additionalItems.encrypt");
    // Deeper below items, too.
    EXPECT_SCHEMA_ERROR(R"({"properties": {"arr": {"items": {"properties": {"x": )" + enc + "}}}}}",
                        false, kFailedToParse, "Invalid schema containing the 'encrypt' keyword.",
                        "properties.arr.items.properties.x.encrypt");
}

TEST(SchemaValidation, EncryptUnderLogicalKeywords) {
    std::string enc = R"({"properties": {"x": {"encrypt": )" + detString() + "}}}";
    for (const char* k : {"allOf", "anyOf", "oneOf"}) {
        SCOPED_TRACE(k);
        EXPECT_SCHEMA_ERROR(std::string(R"({")") + k + R"(": [)" + enc + "]}", true, kFailedToParse,
                            std::string("not allowed below '") + k + "'",
                            std::string(k) + ".0.properties.x.encrypt");
    }
    EXPECT_SCHEMA_ERROR(R"({"not": )" + enc + "}", true, kFailedToParse,
                        "Invalid schema containing the 'encrypt' keyword.",
                        "not.properties.x.encrypt");
    EXPECT_SCHEMA_ERROR(R"({"dependencies": {"a": )" + enc + "}}", true, kFailedToParse,
                        "not allowed below 'dependencies'", "dependencies.a.properties.x.encrypt");
}

// Drivers' spec test badSchema: "Schema with logical keywords" in a local schema is an invalid
// schema (the encrypt below anyOf), not only a remote-only keyword; validation keywords without
// subschemas are refused at once as before.
TEST(SchemaValidation, LocalLogicalKeywordWithEncryptIsAnInvalidSchema) {
    std::string enc = R"({"properties": {"x": {"encrypt": )" + detString() + "}}}";
    EXPECT_SCHEMA_ERROR(R"({"anyOf": [)" + enc + "]}", false, kFailedToParse,
                        "Invalid schema containing the 'encrypt' keyword.",
                        "anyOf.0.properties.x.encrypt");
    EXPECT_SCHEMA_ERROR(R"({"anyOf": [{"bsonType": "object"}]})", false, kFailedToParse,
                        "JSON schema keyword 'anyOf' is only allowed with a remote schema",
                        "anyOf");
    EXPECT_SCHEMA_ERROR(R"({"required": ["a"], "anyOf": [)" + enc + "]}", false, kFailedToParse,
                        "JSON schema keyword 'required' is only allowed with a remote schema",
                        "required");
}

// Drivers' spec test badSchema: an encrypted field below a subschema that is not restricted to
// bsonType "object" (or below a top level restricted to something else) is an invalid schema.
TEST(SchemaValidation, EncryptNeedsObjectParents) {
    std::string field = R"({"encrypt": )" + detString() + "}";
    auto nested = [&](const std::string& parentType) {
        return R"({"properties": {"foo": {)" + parentType + R"("properties": {"bar": )" + field +
               "}}}}";
    };
    for (const char* bad : {"", R"("bsonType": "array", )", R"("bsonType": ["object", "null"], )",
                            R"("type": "array", )"}) {
        SCOPED_TRACE(bad);
        for (bool remote : {false, true}) {
            EXPECT_SCHEMA_ERROR(nested(bad), remote, kFailedToParse,
                                "Invalid schema containing the 'encrypt' keyword. Every subschema "
                                "above an encrypted field must have bsonType 'object'",
                                "properties.foo.properties.bar.encrypt");
        }
    }
    for (const char* ok :
         {R"("bsonType": "object", )", R"("bsonType": ["object"], )", R"("type": "object", )"}) {
        SCOPED_TRACE(ok);
        EXPECT_NO_THROW(parseJson(nested(ok)));
    }
    // The top level may omit its type, but not name another one.
    EXPECT_NO_THROW(parseJson(withEncrypt(detString())));
    EXPECT_SCHEMA_ERROR(R"({"bsonType": "array", "properties": {"f": )" + field + "}}", false,
                        kFailedToParse, "must have bsonType 'object'", "properties.f.encrypt");
    // Through patternProperties and additionalProperties alike.
    EXPECT_SCHEMA_ERROR(R"({"properties": {"foo": {"patternProperties": {"^b": )" + field + "}}}}",
                        false, kFailedToParse, "must have bsonType 'object'",
                        "properties.foo.patternProperties.^b.encrypt");
    EXPECT_SCHEMA_ERROR(R"({"properties": {"foo": {"additionalProperties": )" + field + "}}}",
                        false, kFailedToParse, "must have bsonType 'object'",
                        "properties.foo.additionalProperties.encrypt");
    // Deeper: one untyped ancestor is enough.
    EXPECT_SCHEMA_ERROR(R"({"properties": {"a": {"properties": {"b": {"bsonType": "object", )"
                        R"("properties": {"c": )" +
                            field + "}}}}}}",
                        false, kFailedToParse, "must have bsonType 'object'",
                        "properties.a.properties.b.properties.c.encrypt");
    // Nothing encrypted below an untyped parent: fine.
    EXPECT_NO_THROW(parseJson(R"({"properties": {"foo": {"properties": {"bar": {}}}}})"));
}

TEST(SchemaValidation, DottedPropertyNameCannotLeadToEncryption) {
    EXPECT_SCHEMA_ERROR(R"({"properties": {"a.b": {"encrypt": )" + detString() + "}}}", false,
                        kFailedToParse, "containing '.'", "properties.a.b");
    EXPECT_NO_THROW(parseJson(R"({"properties": {"a.b": {"bsonType": "int"}}})"));
}

// ---- encrypt fields ----

TEST(SchemaValidation, EncryptUnknownField) {
    EXPECT_SCHEMA_ERROR(withEncrypt(R"({"algorithm": ")" + std::string(kRnd) + R"(", "keyId": )" +
                                    keyA() + R"(, "foo": 1})"),
                        false, ErrorCode::Location40415,
                        "BSON field 'encrypt.foo' is an unknown field.",
                        "properties.f.encrypt.foo");
}

TEST(SchemaValidation, EncryptDuplicateField) {
    EXPECT_SCHEMA_ERROR(
        withEncrypt(R"({"algorithm": ")" + std::string(kRnd) + R"(", "algorithm": ")" +
                    std::string(kRnd) + R"(", "keyId": )" + keyA() + "}"),
        false, kFailedToParse, "BSON field 'encrypt.algorithm' is a duplicate",
        "properties.f.encrypt.algorithm");
}

TEST(SchemaValidation, AlgorithmValues) {
    EXPECT_SCHEMA_ERROR(withEncrypt(R"({"algorithm": "AES", "keyId": )" + keyA() + "}"), false,
                        kBadValue, "Enumeration value 'AES' for field 'encrypt.algorithm'",
                        "properties.f.encrypt.algorithm");
    EXPECT_SCHEMA_ERROR(withEncrypt(R"({"algorithm": 1, "keyId": )" + keyA() + "}"), false,
                        kTypeMismatch, "BSON field 'encrypt.algorithm' is the wrong type 'int'",
                        "properties.f.encrypt.algorithm");
}

TEST(SchemaValidation, KeyIdForms) {
    auto withKey = [](const std::string& key) {
        return withEncrypt(R"({"algorithm": ")" + std::string(kRnd) + R"(", "keyId": )" + key +
                           "}");
    };
    EXPECT_SCHEMA_ERROR(withKey("1"), false, ErrorCode::Location51085,
                        "Expected either string or array of UUID for EncryptSchemaKeyId, found int",
                        "properties.f.encrypt.keyId");
    EXPECT_SCHEMA_ERROR(withKey(R"(["abc"])"), false, ErrorCode::Location51088,
                        "Array elements must have type BinData, found string",
                        "properties.f.encrypt.keyId");
    EXPECT_SCHEMA_ERROR(withKey(R"([{"$binary": {"base64": "YWFhYWFhYWFhYWFhYWFhYQ==",
        "subType": "00"}}])"),
                        false, ErrorCode::Location51084,
                        "Array elements must have bindata type UUID, found 0",
                        "properties.f.encrypt.keyId");
    EXPECT_SCHEMA_ERROR(withKey("[]"), false, kFailedToParse, "exactly one UUID",
                        "properties.f.encrypt.keyId");
    EXPECT_SCHEMA_ERROR(withKey("[" + uuidJson(kUuidA) + "," + uuidJson(kUuidB) + "]"), false,
                        kFailedToParse, "exactly one UUID", "properties.f.encrypt.keyId");
    EXPECT_SCHEMA_ERROR(withKey(R"(["/a", 1])"), false, ErrorCode::Location51088, "found string",
                        "properties.f.encrypt.keyId");
    EXPECT_SCHEMA_ERROR(withKey(R"("altName")"), false, kFailedToParse, "must start with '/'",
                        "properties.f.encrypt.keyId");
    EXPECT_SCHEMA_ERROR(withKey(R"("/a~2")"), false, kFailedToParse, "'~' escape",
                        "properties.f.encrypt.keyId");
    EXPECT_NO_THROW(parseJson(withKey(R"("/a~0b~1c")")));
}

TEST(SchemaValidation, EncryptBsonTypeValues) {
    auto rnd = [](const std::string& type) {
        return withEncrypt(R"({"algorithm": ")" + std::string(kRnd) + R"(", "keyId": )" + keyA() +
                           R"(, "bsonType": )" + type + "}");
    };
    EXPECT_SCHEMA_ERROR(rnd(R"("str")"), false, kBadValue, "Unknown type name alias: str",
                        "properties.f.encrypt.bsonType");
    EXPECT_SCHEMA_ERROR(rnd("[]"), false, kFailedToParse, "at least one type",
                        "properties.f.encrypt.bsonType");
    EXPECT_SCHEMA_ERROR(rnd("[1]"), false, kTypeMismatch, "must be strings",
                        "properties.f.encrypt.bsonType");
    EXPECT_SCHEMA_ERROR(rnd("1"), false, kTypeMismatch, "BSON field 'encrypt.bsonType'",
                        "properties.f.encrypt.bsonType");
    EXPECT_SCHEMA_ERROR(rnd(R"(["int", "number"])"), false, kFailedToParse, "duplicate value",
                        "properties.f.encrypt.bsonType");
    for (const char* never : {"minKey", "maxKey", "null", "undefined"}) {
        SCOPED_TRACE(never);
        EXPECT_SCHEMA_ERROR(rnd(std::string("\"") + never + "\""), false, kFailedToParse,
                            std::string("Cannot encrypt element of type: ") + never,
                            "properties.f.encrypt.bsonType");
    }
    for (const char* ok : {"double", "decimal", "bool", "object", "array", "javascriptWithScope",
                           "binData", "date", "objectId", "regex", "javascript", "symbol",
                           "timestamp", "dbPointer", "int", "long", "string"}) {
        SCOPED_TRACE(ok);
        EXPECT_NO_THROW(parseJson(rnd(std::string("\"") + ok + "\"")));
    }
}

TEST(SchemaValidation, DeterministicTypeRules) {
    auto det = [](const std::string& type) {
        std::string body = R"({"algorithm": ")" + std::string(kDet) + R"(", "keyId": )" + keyA();
        if (!type.empty()) body += R"(, "bsonType": )" + type;
        return withEncrypt(body + "}");
    };
    EXPECT_SCHEMA_ERROR(det(""), false, kFailedToParse,
                        "Invalid schema containing the 'encrypt' keyword. The deterministic "
                        "algorithm requires 'bsonType'",
                        "properties.f.encrypt");
    EXPECT_SCHEMA_ERROR(det(R"(["string", "int"])"), false, kFailedToParse,
                        "exactly one type, found 2", "properties.f.encrypt.bsonType");
    EXPECT_SCHEMA_ERROR(det(R"("number")"), false, kFailedToParse, "exactly one type, found 4",
                        "properties.f.encrypt.bsonType");
    for (const char* bad :
         {"double", "decimal", "bool", "object", "array", "javascriptWithScope"}) {
        SCOPED_TRACE(bad);
        EXPECT_SCHEMA_ERROR(
            det(std::string("\"") + bad + "\""), false, kFailedToParse,
            std::string("Cannot use deterministic encryption for element of type: ") + bad,
            "properties.f.encrypt.bsonType");
    }
    for (const char* never : {"minKey", "null"}) {
        EXPECT_SCHEMA_ERROR(det(std::string("\"") + never + "\""), false, kFailedToParse,
                            std::string("Cannot encrypt element of type: ") + never,
                            "properties.f.encrypt.bsonType");
    }
    for (const char* ok : {"string", "int", "long", "date", "binData", "objectId", "symbol",
                           "javascript", "regex", "timestamp", "dbPointer"}) {
        SCOPED_TRACE(ok);
        EXPECT_NO_THROW(parseJson(det(std::string("\"") + ok + "\"")));
        EXPECT_NO_THROW(parseJson(det(std::string("[\"") + ok + "\"]")));
    }
}

// ---- inheritance ----

TEST(SchemaValidation, IncompleteOptionsNameTheField) {
    std::string noKey = R"({"bsonType": "object", "encryptMetadata": {"algorithm": ")" +
                        std::string(kRnd) + R"("}, "properties": {"insurance": {"bsonType":
        "object", "properties": {"policyNumber": {"encrypt": {}}}}}})";
    EXPECT_SCHEMA_ERROR(noKey, false, kFailedToParse,
                        "Invalid schema containing the 'encrypt' keyword. No 'keyId'",
                        "properties.insurance.properties.policyNumber.encrypt");
    std::string noAlgorithm = R"({"bsonType": "object", "encryptMetadata": {"keyId": )" + keyA() +
                              R"(}, "properties": {"a": {"encrypt": {"bsonType": "string"}}}})";
    EXPECT_SCHEMA_ERROR(noAlgorithm, false, kFailedToParse, "No 'algorithm'",
                        "properties.a.encrypt");
    EXPECT_SCHEMA_ERROR(withEncrypt("{}"), false, kFailedToParse, "No 'algorithm'",
                        "properties.f.encrypt");
}

TEST(SchemaValidation, InheritedDeterministicNeedsBsonType) {
    std::string json = R"({"bsonType": "object", "encryptMetadata": {"algorithm": ")" +
                       std::string(kDet) + R"(", "keyId": )" + keyA() +
                       R"(}, "properties": {"a": {"encrypt": {}}}})";
    EXPECT_SCHEMA_ERROR(json, false, kFailedToParse, "requires 'bsonType'", "properties.a.encrypt");
}

TEST(SchemaValidation, MetadataFromSiblingBranchIsNotInherited) {
    std::string json = R"({"properties": {
        "left": {"bsonType": "object", "encryptMetadata": {"algorithm": ")" +
                       std::string(kRnd) + R"(", "keyId": )" + keyA() + R"(}},
        "right": {"bsonType": "object", "properties": {"x": {"encrypt": {}}}}}})";
    EXPECT_SCHEMA_ERROR(json, false, kFailedToParse, "No 'algorithm'",
                        "properties.right.properties.x.encrypt");
}

// ---- encryptMetadata ----

TEST(SchemaValidation, EncryptMetadataShape) {
    EXPECT_SCHEMA_ERROR(R"({"bsonType": "object", "encryptMetadata": 1})", false, kTypeMismatch,
                        "$jsonSchema keyword 'encryptMetadata' must be an object",
                        "encryptMetadata");
    EXPECT_SCHEMA_ERROR(R"({"bsonType": "object", "encryptMetadata": {}})", false, kFailedToParse,
                        "$jsonSchema keyword 'encryptMetadata' cannot be an empty object",
                        "encryptMetadata");
    EXPECT_SCHEMA_ERROR(R"({"bsonType": "object", "encryptMetadata": {"bsonType": "string"}})",
                        false, ErrorCode::Location40415,
                        "BSON field 'encryptMetadata.bsonType' is an unknown field.",
                        "encryptMetadata.bsonType");
    EXPECT_SCHEMA_ERROR(R"({"bsonType": "object", "encryptMetadata": {"algorithm": "x"}})", false,
                        kBadValue, "Enumeration value 'x' for field 'encryptMetadata.algorithm'",
                        "encryptMetadata.algorithm");
    EXPECT_SCHEMA_ERROR(R"({"bsonType": "object", "encryptMetadata": {"keyId": 5}})", false,
                        ErrorCode::Location51085, "EncryptSchemaKeyId", "encryptMetadata.keyId");
}

TEST(SchemaValidation, EncryptMetadataNeedsObjectSubschema) {
    std::string meta = R"("encryptMetadata": {"keyId": )" + keyA() + "}";
    EXPECT_SCHEMA_ERROR("{" + meta + "}", false, kFailedToParse,
                        "Invalid schema containing the 'encryptMetadata' keyword.",
                        "encryptMetadata");
    EXPECT_SCHEMA_ERROR(R"({"properties": {"a": {"bsonType": "string", )" + meta + "}}}", false,
                        kFailedToParse, "only allowed in a subschema with bsonType 'object'",
                        "properties.a.encryptMetadata");
    EXPECT_SCHEMA_ERROR(R"({"bsonType": ["object", "null"], )" + meta + "}", false, kFailedToParse,
                        "bsonType 'object'", "encryptMetadata");
    EXPECT_SCHEMA_ERROR(R"({"properties": {"a": {"items": {"bsonType": "object", )" + meta + "}}}}",
                        false, kFailedToParse, "not allowed below 'items'",
                        "properties.a.items.encryptMetadata");
    EXPECT_NO_THROW(parseJson(R"({"bsonType": ["object"], )" + meta + "}"));
}

// ---- depth ----

// {"properties": {"a": {"properties": {"a": ... {}}}}} with `depth` subschemas below the root.
bson::Doc nestedSchema(size_t depth) {
    bson::Doc doc;
    for (size_t i = 0; i < depth; ++i) {
        bson::Builder b;
        b.appendDocument("properties",
                         [&](bson::Builder& props) { props.appendDocument("a", doc.view()); });
        doc = b.finish();
    }
    return doc;
}

TEST(SchemaValidation, DepthLimit) {
    EXPECT_NO_THROW(EncryptionSchema::parse(nestedSchema(64).view(), false));
    try {
        EncryptionSchema::parse(nestedSchema(65).view(), false);
        ADD_FAILURE() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), kFailedToParse);
        EXPECT_NE(e.reason().find("nested too deeply"), std::string::npos) << e.reason();
        EXPECT_NE(e.reason().find("(at properties.a.properties.a."), std::string::npos);
    }
    // Far deeper input fails the same way, without exhausting the stack.
    EXPECT_THROW(EncryptionSchema::parse(nestedSchema(5000).view(), true), Error);
}

}  // namespace
}  // namespace cryptd::schema::test
