// EncryptionSchema over the parsed Node tree: path resolution and the list of encrypted paths.

#include "schema/parsed_schema.h"

#include "schema/schema_parser.h"

namespace cryptd::schema {

namespace {

// Approximate heap bytes of a (pruned) tree, for the cache's memory bound.
size_t treeBytes(const Node& node) {
    constexpr size_t kPerNode = sizeof(Node) + 64;  // node, map bucket, allocation overhead
    constexpr size_t kPerState = 100;               // one regex automaton state
    size_t bytes = kPerNode;
    if (const auto* enc = node.encryption()) bytes += enc->schemaPath.size() + 64;
    for (const auto& [name, child] : node.properties()) {
        bytes += name.size() + 48 + treeBytes(*child);
    }
    for (const auto& p : node.patterns()) {
        bytes +=
            p.pattern.text().size() + kPerState * p.pattern.estimatedStates() + treeBytes(*p.node);
    }
    if (const Node* additional = node.additional()) bytes += treeBytes(*additional);
    return bytes;
}

}  // namespace

ParsedSchema::ParsedSchema(std::unique_ptr<Node> root)
    : root_(std::move(root)), footprint_(sizeof(ParsedSchema) + treeBytes(*root_)) {}

std::shared_ptr<const ParsedSchema> ParsedSchema::parse(bson::View jsonSchema, bool isRemote) {
    return std::make_shared<const ParsedSchema>(parseSchemaTree(jsonSchema, isRemote));
}

bool ParsedSchema::requiresEncryption() const {
    return root_->containsEncryption();
}

const SchemaNode& ParsedSchema::root() const {
    return *root_;
}

PathInfo ParsedSchema::resolve(const FieldPath& path) const {
    const SchemaNode* node = root_.get();
    for (size_t i = 0; i < path.size(); ++i) {
        if (const auto* enc = node->encryption()) {
            return PathInfo{PathInfo::Kind::BelowEncrypted, enc, i};
        }
        node = node->child(path[i]);
        if (!node) return PathInfo{};
    }
    if (const auto* enc = node->encryption()) return PathInfo{PathInfo::Kind::Encrypted, enc, 0};
    if (node->containsEncryption()) return PathInfo{PathInfo::Kind::PrefixOfEncrypted};
    return PathInfo{};
}

std::vector<std::pair<std::string, const ResolvedEncryption*>> ParsedSchema::encryptedPaths()
    const {
    std::vector<std::pair<std::string, const ResolvedEncryption*>> out;
    std::string prefix;
    collect(*root_, prefix, out);
    return out;
}

void ParsedSchema::collect(const Node& node, std::string& prefix,
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

std::shared_ptr<const EncryptionSchema> EncryptionSchema::parse(bson::View jsonSchema,
                                                                bool isRemote) {
    return ParsedSchema::parse(jsonSchema, isRemote);
}

}  // namespace cryptd::schema
