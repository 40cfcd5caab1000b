#pragma once
// An independent model of a CSFLE schema, for the safety-invariant property test: which paths are
// encrypted and how. Schemas are generated here as a model first, then rendered as a $jsonSchema
// (with algorithm/keyId either on `encrypt` or inherited from some ancestor's `encryptMetadata`).
// The model answers "what is at this path" without using src/schema, so a bug there cannot hide
// itself.

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/bson.h"
#include "hostile/invariant/entropy.h"

namespace cryptd::test::invariant {

struct Encryption {
    int algorithm = 1;       // 1 deterministic, 2 random (the marking's `a`)
    int keyUuid = -1;        // index into keyUuids(), or -1 when the keyId is a JSON pointer
    std::string keyPointer;  // e.g. "/kname": the keyAltName is that field of the document
    std::string bsonType;    // "" = any type (random only)
};

// The three key UUIDs schemas use.
const std::array<std::array<uint8_t, 16>, 3>& keyUuids();

struct Node {
    std::optional<Encryption> encrypt;
    std::vector<std::pair<std::string, std::unique_ptr<Node>>> properties;  // schema order
    // additionalProperties: the subschema of every field not in `properties` (null: none).
    std::unique_ptr<Node> additional;
    // The subschema of field `name`: its property, else `additional`, else null.
    const Node* child(std::string_view name) const;
    bool isObject() const { return !properties.empty() || additional != nullptr; }
    bool containsEncryption() const;
};

enum class PathKind {
    kNotEncrypted,  // nothing at or below is encrypted
    kEncrypted,     // the path is an encrypted field
    kPrefix,        // an object on the way to encrypted fields
    kBelow,         // inside an encrypted field
    kAmbiguous,     // a numeric or `$` part on the way to encrypted fields (array index?)
};

struct PathClass {
    PathKind kind = PathKind::kNotEncrypted;
    const Encryption* encryption = nullptr;  // Encrypted
    const Node* node = nullptr;              // Prefix / Encrypted: the node at the path
};

class SchemaModel {
  public:
    static SchemaModel generate(Entropy& e);
    // The $jsonSchema: metadata placed on `encrypt` or inherited, chosen by `e`.
    bson::Doc render(Entropy& e) const;
    // How a dotted path's parts are read. Query: a numeric part may be an array index. Update:
    // also `$`, `$[]`, `$[id]` (positional). Expression ("$a.0" in aggregation): every part is
    // a field name.
    enum class PathMode { kQuery, kUpdate, kExpression };
    PathClass classify(std::string_view dottedPath, PathMode mode = PathMode::kQuery) const;
    bool requiresEncryption() const { return root.containsEncryption(); }
    bool usesPointerKeys() const;
    // Every path of the schema (objects and leaves), for generators.
    std::vector<std::string> paths() const;
    std::vector<std::string> encryptedPaths() const;

    Node root;
};

}  // namespace cryptd::test::invariant
