// EncryptionSchema over the parsed Node tree: path resolution and the list of encrypted paths.

#include "schema/encryption_schema.h"

#include "schema/schema_node.h"
#include "schema/schema_parser.h"

namespace cryptd::schema {

namespace {

class ParsedSchema final : public EncryptionSchema {
  public:
    explicit ParsedSchema(std::unique_ptr<Node> root) : root_(std::move(root)) {}

    bool requiresEncryption() const override { return root_->containsEncryption(); }
    const SchemaNode& root() const override { return *root_; }

    PathInfo resolve(const FieldPath& path) const override {
        const SchemaNode* node = root_.get();
        for (size_t i = 0; i < path.size(); ++i) {
            if (const auto* enc = node->encryption()) {
                return PathInfo{PathInfo::Kind::BelowEncrypted, enc, i};
            }
            node = node->child(path[i]);
            if (!node) return PathInfo{};
        }
        if (const auto* enc = node->encryption()) {
            return PathInfo{PathInfo::Kind::Encrypted, enc, 0};
        }
        if (node->containsEncryption()) return PathInfo{PathInfo::Kind::PrefixOfEncrypted};
        return PathInfo{};
    }

    std::vector<std::pair<std::string, const ResolvedEncryption*>> encryptedPaths() const override {
        std::vector<std::pair<std::string, const ResolvedEncryption*>> out;
        std::string prefix;
        collect(*root_, prefix, out);
        return out;
    }

  private:
    // Patterns are shown as "/<regex>/", additionalProperties as "*".
    static void collect(const Node& node, std::string& prefix,
                        std::vector<std::pair<std::string, const ResolvedEncryption*>>& out) {
        if (!node.containsEncryption()) return;
        if (const auto* enc = node.encryption()) {
            out.emplace_back(prefix, enc);
            return;
        }
        auto visit = [&](std::string_view part, const Node& child) {
            size_t mark = prefix.size();
            if (!prefix.empty()) prefix += '.';
            prefix += part;
            collect(child, prefix, out);
            prefix.resize(mark);
        };
        for (const auto& [name, child] : node.properties()) visit(name, *child);
        for (const auto& p : node.patterns()) visit("/" + p.pattern.text() + "/", *p.node);
        if (const Node* additional = node.additional()) visit("*", *additional);
    }

    std::unique_ptr<Node> root_;
};

}  // namespace

std::shared_ptr<const EncryptionSchema> EncryptionSchema::parse(bson::View jsonSchema,
                                                                bool isRemote) {
    return std::make_shared<ParsedSchema>(parseSchemaTree(jsonSchema, isRemote));
}

}  // namespace cryptd::schema
