#pragma once
// The encryption schema: what a CSFLE `$jsonSchema` says about which fields are encrypted and how.
// Built once per distinct schema (see schema_cache.h), then queried by the analyzers.
//
// This header is the contract between the schema layer and the analysis layer. Queries are
// O(path depth) and never depend on the schema's size.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/bson.h"
#include "common/field_path.h"
#include "common/uuid.h"

namespace cryptd::schema {

enum class Algorithm : int32_t { Deterministic = 1, Random = 2 };  // marking field `a`

// keyId: one UUID, or a JSON pointer ("/altName") resolved per document to a keyAltName.
struct KeyId {
    std::variant<Uuid, std::string> value;
    bool isUuid() const { return std::holds_alternative<Uuid>(value); }
    const Uuid& uuid() const { return std::get<Uuid>(value); }
    const std::string& jsonPointer() const { return std::get<std::string>(value); }
};

// What a predicate on an encrypted field needs of the field's encryption. Operator tables in the
// analysis layer carry one per row; the field's encryption answers whether it can serve it.
// Range/Prefix/Suffix/Substring exist for Queryable Encryption fields (configured per field);
// CSFLE serves equality at most.
enum class QueryKind : uint8_t {
    Equality,   // $eq, $ne, $in, $nin, $group keys, distinct, joins on equal values
    Range,      // $gt, $gte, $lt, $lte
    Prefix,     // starts-with text search
    Suffix,     // ends-with text search
    Substring,  // contains text search
    Other,      // anything else that reads the value ($mod, $size, $type, $bits*, $regex, geo):
                // no encryption serves it
};

// Every reason a field cannot serve a query kind (all that apply, so each caller can name the one
// its message is about). None set: supported.
struct QueryRefusal {
    bool randomized = false;    // equal values have different ciphertexts
    bool pointerKeyId = false;  // the key is chosen per document (keyId is a JSON pointer)
    bool notServed = false;     // the field's encryption offers no such query
    bool any() const { return randomized || pointerKeyId || notServed; }
};

// Fully resolved options of one `encrypt` node, after encryptMetadata inheritance.
struct ResolvedEncryption {
    Algorithm algorithm;
    KeyId keyId;
    // Allowed BSON types of the plaintext; empty = any (only possible with Random).
    std::vector<bson_type_t> bsonTypes;
    // Dotted schema path of the `encrypt` node, e.g. "properties.ssn.encrypt", for messages.
    std::string schemaPath;

    bool allowsType(bson_type_t t) const;  // true when bsonTypes is empty or contains t
    // Same algorithm, keyId and bsonTypes (used by $rename, $lookup, $group...).
    bool sameMetadata(const ResolvedEncryption& other) const;

    // The capability rules: whether (and why not) a predicate of `kind` can be answered on this
    // field. CSFLE: deterministic with a UUID keyId serves Equality; randomized serves nothing;
    // a JSON-pointer keyId cannot be compared (the key differs per document).
    QueryRefusal refusal(QueryKind kind) const;
    bool supports(QueryKind kind) const { return !refusal(kind).any(); }
};

class SchemaNode;

// What the schema says about one dotted path.
struct PathInfo {
    enum class Kind {
        NotEncrypted,       // nothing at or below this path is encrypted
        Encrypted,          // the path itself is an encrypted field: `encryption` is set
        PrefixOfEncrypted,  // an object on the way to an encrypted field (e.g. "insurance")
        BelowEncrypted,     // inside an encrypted field (e.g. "ssn.x" when "ssn" is encrypted)
    };
    Kind kind = Kind::NotEncrypted;
    const ResolvedEncryption* encryption = nullptr;  // Encrypted or BelowEncrypted: that field's
    size_t encryptedPrefixLength = 0;  // BelowEncrypted: parts in the encrypted field's path
};

// One subschema of the tree. For a field name it answers which subschema applies to the field's
// value, following JSON-schema rules (properties + matching patternProperties, else
// additionalProperties).
class SchemaNode {
  public:
    virtual ~SchemaNode() = default;
    // The `encrypt` of this node after inheritance, or nullptr.
    virtual const ResolvedEncryption* encryption() const = 0;
    // True when this node or anything below it is encrypted.
    virtual bool containsEncryption() const = 0;
    // The subschema for the value of field `name` of an object at this node; nullptr when the
    // schema puts no constraint there (so nothing below is encrypted). Throws Error when more than
    // one subschema applies and they disagree about encryption (ambiguous: reject, never guess).
    virtual const SchemaNode* child(std::string_view name) const = 0;
};

class EncryptionSchema {
  public:
    virtual ~EncryptionSchema() = default;

    // Parses `jsonSchema` (the document that arrives with a command). `isRemote` is the command's
    // isRemoteSchema: remote schemas (collection validators) may carry validation keywords.
    // Throws cryptd::Error with MongoDB's code and a message naming the schema path.
    static std::shared_ptr<const EncryptionSchema> parse(bson::View jsonSchema, bool isRemote);

    // True when at least one `encrypt` is reachable (reply field schemaRequiresEncryption).
    virtual bool requiresEncryption() const = 0;
    virtual const SchemaNode& root() const = 0;
    // Resolves a dotted path from the document root. O(path depth). Throws on ambiguity.
    virtual PathInfo resolve(const FieldPath& path) const = 0;
    // Every encrypted path with its resolved metadata, in schema order (for --explain / checks).
    // Paths through patternProperties/additionalProperties are shown with the pattern text.
    virtual std::vector<std::pair<std::string, const ResolvedEncryption*>> encryptedPaths()
        const = 0;
};

}  // namespace cryptd::schema
