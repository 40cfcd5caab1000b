#include "hostile/invariant/schema_model.h"

#include <algorithm>
#include <cstring>

namespace cryptd::test::invariant {

namespace {

const std::vector<std::string> kNames = {"ssn", "name", "a", "b", "c", "d", "x", "y"};
const std::vector<std::string> kDeterministicTypes = {"string", "int", "long", "date", "objectId"};
const std::vector<std::string> kRandomTypes = {"",     "string", "int",   "double",
                                               "bool", "object", "array", "date"};

const char* algorithmName(int a) {
    return a == 1 ? "AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic"
                  : "AEAD_AES_256_CBC_HMAC_SHA_512-Random";
}

Encryption generateEncryption(Entropy& e) {
    Encryption enc;
    enc.algorithm = e.chance(60) ? 1 : 2;
    enc.bsonType = enc.algorithm == 1 ? e.pick(kDeterministicTypes) : e.pick(kRandomTypes);
    if (enc.algorithm == 2 && e.chance(25)) {
        enc.keyPointer = "/kname";
    } else {
        enc.keyUuid = static_cast<int>(e.below(3));
    }
    return enc;
}

std::unique_ptr<Node> generateObject(Entropy& e, int depth) {
    auto node = std::make_unique<Node>();
    uint32_t count = 1 + e.below(depth == 0 ? 5 : 3);
    for (uint32_t i = 0; i < count; ++i) {
        const std::string& name = e.pick(kNames);
        if (node->child(name) != nullptr) continue;
        auto child = std::make_unique<Node>();
        uint32_t kind = e.below(100);
        if (kind < 45) {
            child->encrypt = generateEncryption(e);
        } else if (kind < 75 && depth < 3) {
            child = generateObject(e, depth + 1);
        }  // else: a plain property with no encryption
        node->properties.emplace_back(name, std::move(child));
    }
    if (e.chance(12)) {
        // Every other field: encrypted, or an object with its own fields.
        if (depth < 2 && e.chance(30)) {
            node->additional = generateObject(e, depth + 1);
        } else {
            node->additional = std::make_unique<Node>();
            node->additional->encrypt = generateEncryption(e);
        }
    }
    return node;
}

// Metadata an ancestor's encryptMetadata provides while rendering.
struct Inherited {
    std::optional<int> algorithm;
    std::optional<Encryption> key;  // keyUuid / keyPointer only
};

bool sameKey(const Encryption& a, const Encryption& b) {
    return a.keyUuid == b.keyUuid && a.keyPointer == b.keyPointer;
}

void appendKeyId(bson::Builder& b, const Encryption& enc) {
    if (enc.keyUuid < 0) {
        b.appendUtf8("keyId", enc.keyPointer);
        return;
    }
    const auto& uuid = keyUuids()[static_cast<size_t>(enc.keyUuid)];
    b.appendArray("keyId", [&](bson::Builder& arr) {
        arr.appendBinary("0", BSON_SUBTYPE_UUID, uuid.data(), 16);
    });
}

void collectLeaves(const Node& n, std::vector<const Encryption*>& out) {
    if (n.encrypt) out.push_back(&*n.encrypt);
    for (const auto& [name, child] : n.properties) collectLeaves(*child, out);
    if (n.additional) collectLeaves(*n.additional, out);
}

void renderNode(const Node& node, const Inherited& inherited, Entropy& e, bson::Builder& b,
                bool root);

void renderObject(const Node& node, const Inherited& inherited, Entropy& e, bson::Builder& b) {
    b.appendUtf8("bsonType", "object");
    Inherited mine = inherited;
    std::vector<const Encryption*> leaves;
    collectLeaves(node, leaves);
    if (!leaves.empty() && e.chance(40)) {
        // Metadata some leaf below can inherit (so omitting it there is correct).
        const Encryption& from = *leaves[e.below(static_cast<uint32_t>(leaves.size()))];
        bool withAlgorithm = e.chance(70);
        bool withKey = !withAlgorithm || e.chance(60);
        b.appendDocument("encryptMetadata", [&](bson::Builder& m) {
            if (withAlgorithm) m.appendUtf8("algorithm", algorithmName(from.algorithm));
            if (withKey) appendKeyId(m, from);
        });
        if (withAlgorithm) mine.algorithm = from.algorithm;
        if (withKey) mine.key = from;
    }
    b.appendDocument("properties", [&](bson::Builder& props) {
        for (const auto& property : node.properties) {
            const Node* child = property.second.get();  // clang 14: no lambda-captured bindings
            const std::string& name = property.first;
            props.appendDocument(
                name, [&](bson::Builder& sub) { renderNode(*child, mine, e, sub, false); });
        }
    });
    if (node.additional) {
        b.appendDocument("additionalProperties", [&](bson::Builder& sub) {
            renderNode(*node.additional, mine, e, sub, false);
        });
    }
}

void renderNode(const Node& node, const Inherited& inherited, Entropy& e, bson::Builder& b,
                bool root) {
    if (node.encrypt) {
        const Encryption& enc = *node.encrypt;
        b.appendDocument("encrypt", [&](bson::Builder& en) {
            bool inheritKey = inherited.key && sameKey(*inherited.key, enc) && e.chance(60);
            if (!inheritKey) appendKeyId(en, enc);
            bool inheritAlgorithm =
                inherited.algorithm && *inherited.algorithm == enc.algorithm && e.chance(60);
            if (!inheritAlgorithm) en.appendUtf8("algorithm", algorithmName(enc.algorithm));
            if (!enc.bsonType.empty()) en.appendUtf8("bsonType", enc.bsonType);
        });
        return;
    }
    if (root || node.isObject()) {
        renderObject(node, inherited, e, b);
        return;
    }
    // A plain, unencrypted property: some type constraint or none.
    uint32_t k = e.below(4);
    if (k == 0) b.appendUtf8("bsonType", "int");
    if (k == 1) b.appendUtf8("bsonType", "string");
    if (k == 2) b.appendUtf8("bsonType", "object");
}

bool isNumeric(std::string_view s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

void collectPaths(const Node& n, const std::string& prefix, std::vector<std::string>& all,
                  std::vector<std::string>& encrypted) {
    for (const auto& [name, child] : n.properties) {
        std::string path = prefix.empty() ? name : prefix + "." + name;
        all.push_back(path);
        if (child->encrypt) encrypted.push_back(path);
        collectPaths(*child, path, all, encrypted);
    }
    if (n.additional) {
        std::string path = prefix.empty() ? "extra" : prefix + ".extra";
        all.push_back(path);
        if (n.additional->encrypt) encrypted.push_back(path);
        collectPaths(*n.additional, path, all, encrypted);
    }
}

bool anyPointer(const Node& n) {
    if (n.encrypt && n.encrypt->keyUuid < 0) return true;
    for (const auto& [name, child] : n.properties) {
        if (anyPointer(*child)) return true;
    }
    return n.additional && anyPointer(*n.additional);
}

}  // namespace

const std::array<std::array<uint8_t, 16>, 3>& keyUuids() {
    static const std::array<std::array<uint8_t, 16>, 3> uuids = [] {
        std::array<std::array<uint8_t, 16>, 3> u{};
        for (size_t i = 0; i < u.size(); ++i) {
            u[i].fill(static_cast<uint8_t>(0x11 * (i + 1)));
            u[i][6] = 0x40 | (u[i][6] & 0x0F);  // version 4
            u[i][8] = 0x80 | (u[i][8] & 0x3F);  // variant
        }
        return u;
    }();
    return uuids;
}

const Node* Node::child(std::string_view name) const {
    for (const auto& [n, c] : properties) {
        if (n == name) return c.get();
    }
    return additional.get();
}

bool Node::containsEncryption() const {
    if (encrypt) return true;
    for (const auto& [name, child] : properties) {
        if (child->containsEncryption()) return true;
    }
    return additional && additional->containsEncryption();
}

SchemaModel SchemaModel::generate(Entropy& e) {
    SchemaModel m;
    m.root = std::move(*generateObject(e, 0));
    return m;
}

bson::Doc SchemaModel::render(Entropy& e) const {
    bson::Builder b;
    renderNode(root, Inherited{}, e, b, true);
    return b.finish();
}

namespace {

std::vector<std::string_view> splitPath(std::string_view path) {
    std::vector<std::string_view> parts;
    size_t start = 0;
    for (;;) {
        size_t dot = path.find('.', start);
        parts.push_back(
            path.substr(start, dot == std::string_view::npos ? path.npos : dot - start));
        if (dot == std::string_view::npos) return parts;
        start = dot + 1;
    }
}

PathClass classifyFrom(const Node* node, const std::vector<std::string_view>& parts, size_t i,
                       SchemaModel::PathMode mode) {
    for (; i < parts.size(); ++i) {
        if (node->encrypt) return {PathKind::kBelow, &*node->encrypt, node};
        std::string_view part = parts[i];
        const Node* next = node->child(part);
        if (next != nullptr) {
            node = next;
            continue;
        }
        // Not a schema field. A numeric or positional part may be an array index ("a.0.b" can
        // mean a[0].b): if reading it so reaches encrypted data, the path is ambiguous.
        using Mode = SchemaModel::PathMode;
        bool indexLike = (mode != Mode::kExpression && isNumeric(part)) ||
                         (mode == Mode::kUpdate && !part.empty() && part[0] == '$');
        if (indexLike && node->containsEncryption() &&
            classifyFrom(node, parts, i + 1, mode).kind != PathKind::kNotEncrypted) {
            return {PathKind::kAmbiguous, nullptr, node};
        }
        return {PathKind::kNotEncrypted, nullptr, nullptr};
    }
    if (node->encrypt) return {PathKind::kEncrypted, &*node->encrypt, node};
    if (node->containsEncryption()) return {PathKind::kPrefix, nullptr, node};
    return {PathKind::kNotEncrypted, nullptr, node};
}

}  // namespace

PathClass SchemaModel::classify(std::string_view path, PathMode mode) const {
    return classifyFrom(&root, splitPath(path), 0, mode);
}

bool SchemaModel::usesPointerKeys() const {
    return anyPointer(root);
}

std::vector<std::string> SchemaModel::paths() const {
    std::vector<std::string> all, encrypted;
    collectPaths(root, "", all, encrypted);
    return all;
}

std::vector<std::string> SchemaModel::encryptedPaths() const {
    std::vector<std::string> all, encrypted;
    collectPaths(root, "", all, encrypted);
    return encrypted;
}

}  // namespace cryptd::test::invariant
