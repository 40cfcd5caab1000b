#pragma once
// The EncryptionSchema implementation over the Node tree (internal to the schema layer; the
// cache uses its footprint to bound memory).

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "schema/encryption_schema.h"
#include "schema/schema_node.h"

namespace cryptd::schema {

class ParsedSchema final : public EncryptionSchema {
  public:
    explicit ParsedSchema(std::unique_ptr<Node> root);
    static std::shared_ptr<const ParsedSchema> parse(bson::View jsonSchema, bool isRemote);

    bool requiresEncryption() const override;
    const SchemaNode& root() const override;
    PathInfo resolve(const FieldPath& path) const override;
    // Patterns are shown as "/<regex>/", additionalProperties as "*".
    std::vector<std::pair<std::string, const ResolvedEncryption*>> encryptedPaths() const override;

    // Approximate heap bytes held by this schema.
    size_t footprint() const { return footprint_; }

  private:
    static void collect(const Node& node, std::string& prefix,
                        std::vector<std::pair<std::string, const ResolvedEncryption*>>& out);

    std::unique_ptr<Node> root_;
    size_t footprint_;
};

}  // namespace cryptd::schema
