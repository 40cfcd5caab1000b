#include "analysis/pipeline_schema.h"

#include <algorithm>

#include "common/error.h"

namespace cryptd::analysis {

using schema::PathInfo;
using schema::ResolvedEncryption;
using schema::SchemaNode;

namespace {
constexpr size_t kLinearFields = 8;  // up to this many fields a scan beats hashing
}  // namespace

DerivedNode::DerivedNode(const ResolvedEncryption* enc, bool elementwise)
    : kind_(Kind::Encrypted),
      encryption_(enc),
      elementwise_(elementwise),
      containsEncryption_(true) {}

DerivedNode::DerivedNode(const SchemaNode* base, bool closed,
                         std::vector<std::pair<std::string, const SchemaNode*>> fields, bool array)
    : kind_(Kind::Document), closed_(closed), array_(array), fields_(std::move(fields)) {
    // A ciphertext has no fields to inherit: a document derived from it starts empty.
    if (base && !isUnknown(base) && base->encryption()) base = nullptr;
    base_ = closed_ ? nullptr : base;
    if (fields_.size() > kLinearFields) {
        byName_.reserve(fields_.size());
        for (const auto& [name, node] : fields_) byName_[name] = node;  // later ones win
    }
    for (const auto& [name, node] : fields_) {
        containsEncryption_ = containsEncryption_ || (node && node->containsEncryption());
        containsUnknown_ = containsUnknown_ || analysis::containsUnknown(node);
    }
    if (base_) {
        containsEncryption_ = containsEncryption_ || base_->containsEncryption();
        containsUnknown_ = containsUnknown_ || analysis::containsUnknown(base_);
    }
}

DerivedNode::DerivedNode(std::string reason)
    : kind_(Kind::Unknown),
      reason_(std::move(reason)),
      containsEncryption_(true),
      containsUnknown_(true) {}

const ResolvedEncryption* DerivedNode::encryption() const {
    return kind_ == Kind::Encrypted ? encryption_ : nullptr;
}

const SchemaNode* DerivedNode::child(std::string_view name) const {
    switch (kind_) {
        case Kind::Encrypted:
            fail(ErrorCode::BadValue,
                 "Cannot use a path below an encrypted value (field '" + std::string(name) + "')");
        case Kind::Unknown:
            fail(ErrorCode::BadValue, "Cannot determine whether field '" + std::string(name) +
                                          "' is encrypted: " + reason_);
        case Kind::Document:
            break;
    }
    // Later overrides win: a stage may set the same field twice.
    if (!byName_.empty()) {
        if (auto it = byName_.find(name); it != byName_.end()) return it->second;
    } else {
        for (auto it = fields_.rbegin(); it != fields_.rend(); ++it) {
            if (it->first == name) return it->second;
        }
    }
    if (!base_) return nullptr;
    if (isUnknown(base_)) return base_;
    return base_->child(name);
}

const DerivedNode* asDerived(const SchemaNode* node) {
    return dynamic_cast<const DerivedNode*>(node);
}

bool isUnknown(const SchemaNode* node) {
    const DerivedNode* d = asDerived(node);
    return d && d->kind() == DerivedNode::Kind::Unknown;
}

bool containsUnknown(const SchemaNode* node) {
    const DerivedNode* d = asDerived(node);
    return d && d->containsUnknown();
}

bool isElementwise(const SchemaNode* node) {
    const DerivedNode* d = asDerived(node);
    return d && d->kind() == DerivedNode::Kind::Encrypted && d->elementwise();
}

bool isArrayOfDocuments(const SchemaNode* node) {
    const DerivedNode* d = asDerived(node);
    return d && d->kind() == DerivedNode::Kind::Document && d->isArray();
}

const SchemaNode* childOrUnknown(const SchemaNode* node, std::string_view name) {
    if (!node) return nullptr;
    if (isUnknown(node)) return node;
    return node->child(name);
}

// ---- DerivedSchema ----

namespace {

const DerivedNode& emptyRoot() {
    static const DerivedNode empty(nullptr, true, {});
    return empty;
}

[[noreturn]] void failUnknown(const FieldPath& path, const SchemaNode* at) {
    const DerivedNode* d = asDerived(at);
    std::string why = d && d->kind() == DerivedNode::Kind::Unknown
                          ? d->reason()
                          : "it contains fields whose encryption cannot be determined";
    fail(ErrorCode::BadValue, "Cannot determine whether field '" + path.dotted() +
                                  "' is encrypted after the previous pipeline stages (" + why +
                                  "); queries, sorts and comparisons on it are rejected rather "
                                  "than guessed");
}

void collectLeaves(const SchemaNode* node, std::string& prefix,
                   std::vector<std::pair<std::string, const ResolvedEncryption*>>& out, int depth);

}  // namespace

DerivedSchema::DerivedSchema(const SchemaNode* root) : root_(root) {}

bool DerivedSchema::requiresEncryption() const {
    return root_ && root_->containsEncryption();
}

const SchemaNode& DerivedSchema::root() const {
    return root_ ? *root_ : emptyRoot();
}

PathInfo DerivedSchema::resolve(const FieldPath& path) const {
    const SchemaNode* node = root_;
    for (size_t i = 0; i < path.size(); ++i) {
        if (!node) return {};
        if (isUnknown(node)) failUnknown(path, node);
        if (const auto* enc = node->encryption())
            return PathInfo{PathInfo::Kind::BelowEncrypted, enc, i};
        node = node->child(path[i]);
    }
    if (!node) return {};
    if (isUnknown(node) || containsUnknown(node)) failUnknown(path, node);
    if (const auto* enc = node->encryption()) return PathInfo{PathInfo::Kind::Encrypted, enc, 0};
    if (node->containsEncryption()) return PathInfo{PathInfo::Kind::PrefixOfEncrypted};
    return {};
}

std::vector<std::pair<std::string, const ResolvedEncryption*>> DerivedSchema::encryptedPaths()
    const {
    std::vector<std::pair<std::string, const ResolvedEncryption*>> out;
    std::string prefix;
    collectLeaves(root_, prefix, out, 0);
    return out;
}

namespace {

void collectLeaves(const SchemaNode* node, std::string& prefix,
                   std::vector<std::pair<std::string, const ResolvedEncryption*>>& out, int depth) {
    const DerivedNode* d = asDerived(node);
    if (!d || depth > 200) return;
    if (d->kind() == DerivedNode::Kind::Encrypted) {
        out.emplace_back(prefix, d->encryption());
        return;
    }
    for (const auto& [name, child] : d->fields()) {
        size_t mark = prefix.size();
        if (!prefix.empty()) prefix += '.';
        prefix += name;
        collectLeaves(child, prefix, out, depth + 1);
        prefix.resize(mark);
    }
}

}  // namespace

// ---- SchemaArena ----

const SchemaNode* SchemaArena::encrypted(const ResolvedEncryption* enc, bool elementwise) {
    return &nodes_.emplace_back(enc, elementwise);
}

const SchemaNode* SchemaArena::unknown(std::string reason) {
    return &nodes_.emplace_back(std::move(reason));
}

const SchemaNode* SchemaArena::document(
    const SchemaNode* base, bool closed,
    std::vector<std::pair<std::string, const SchemaNode*>> fields, bool array) {
    if (closed || !base || (!isUnknown(base) && base->encryption())) {
        // No base to shadow: fields with nothing encrypted need no entry.
        std::erase_if(fields, [](const auto& f) { return f.second == nullptr; });
        base = closed ? nullptr : base;
    }
    bool interesting = base && (isUnknown(base) || base->containsEncryption());
    for (const auto& f : fields) interesting = interesting || f.second;
    if (!interesting) return nullptr;
    const DerivedNode& node = nodes_.emplace_back(base, closed, std::move(fields), array);
    if (!node.containsEncryption()) {
        nodes_.pop_back();
        return nullptr;
    }
    return &node;
}

const SchemaNode* SchemaArena::arrayOf(const SchemaNode* element) {
    if (!element || isArrayOfDocuments(element)) return element;
    if (!isUnknown(element) && element->encryption()) return encrypted(element->encryption(), true);
    return &nodes_.emplace_back(element, false,
                                std::vector<std::pair<std::string, const SchemaNode*>>{}, true);
}

const schema::EncryptionSchema* SchemaArena::schemaFor(const SchemaNode* root) {
    return &schemas_.emplace_back(root);
}

namespace {

void checkPathLength(const FieldPath& path) {
    if (path.size() > SchemaArena::kMaxPathParts) {
        fail(ErrorCode::BadValue, "field path '" + path.prefix(3).dotted() + "...' has more than " +
                                      std::to_string(SchemaArena::kMaxPathParts) + " parts");
    }
}

}  // namespace

const SchemaNode* SchemaArena::set(const SchemaNode* root, const FieldPath& path,
                                   const SchemaNode* value) {
    checkPathLength(path);
    return setAt(root, path, 0, value);
}

const SchemaNode* SchemaArena::setAt(const SchemaNode* node, const FieldPath& path, size_t i,
                                     const SchemaNode* value) {
    if (i == path.size()) return value;
    const SchemaNode* base = node;
    if (base && !isUnknown(base) && base->encryption()) base = nullptr;
    const SchemaNode* oldChild = childOrUnknown(base, path[i]);
    const SchemaNode* newChild = setAt(oldChild, path, i + 1, value);
    return document(base, false, {{path[i], newChild}}, isArrayOfDocuments(base));
}

const SchemaNode* SchemaArena::remove(const SchemaNode* root, const FieldPath& path) {
    checkPathLength(path);
    return removeAt(root, path, 0);
}

const SchemaNode* SchemaArena::removeAt(const SchemaNode* node, const FieldPath& path, size_t i) {
    // Nothing there, or a value whose inside cannot be named: unchanged.
    if (!node || isUnknown(node) || node->encryption()) return node;
    bool array = isArrayOfDocuments(node);
    if (i + 1 == path.size()) return document(node, false, {{path[i], nullptr}}, array);
    const SchemaNode* child = node->child(path[i]);
    const SchemaNode* newChild = removeAt(child, path, i + 1);
    if (newChild == child) return node;
    return document(node, false, {{path[i], newChild}}, array);
}

}  // namespace cryptd::analysis
