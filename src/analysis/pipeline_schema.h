#pragma once
// The encryption schema as it flows through an aggregation pipeline. Stages rename, drop, compute
// and join fields, so after the first stage the collection's schema no longer describes the
// documents; each stage derives a new tree from the previous one. Derived trees implement the
// schema layer's SchemaNode/EncryptionSchema interfaces, so the match walker, sort checks and
// expression analysis run against them unchanged.
//
// Derived nodes are overlays: a document node keeps a `base` (the node it was derived from, a
// parsed schema node or another derived one) and overrides some fields; nothing is copied, so a
// stage costs O(fields it names), never O(schema size). A field whose encryption cannot be
// determined (e.g. `$cond` between a ciphertext and a plaintext) is an Unknown node: any later
// query, sort or comparison that reaches it is rejected, never guessed.
//
// All nodes live in a SchemaArena owned by the analysis of one command.

#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/field_path.h"
#include "schema/encryption_schema.h"

namespace cryptd::analysis {

class DerivedNode final : public schema::SchemaNode {
  public:
    enum class Kind {
        Encrypted,  // a value encrypted as `encryption` says (a leaf)
        Document,   // a document: `base`'s fields (unless closed) overridden by `fields`
        Unknown,    // cannot be determined; reading it is an error naming `reason`
    };

    // Encrypted: one ciphertext, or (elementwise) an array whose elements are each encrypted,
    // e.g. the output of `$push` of an encrypted field.
    DerivedNode(const schema::ResolvedEncryption* enc, bool elementwise);
    // Document. A null child in `fields` means nothing at or below that field is encrypted.
    // `array`: an array of such documents ($lookup's `as`, $push of documents...): filters look
    // through arrays, so only expressions ("$as.field" is an array of values) tell it apart.
    DerivedNode(const schema::SchemaNode* base, bool closed,
                std::vector<std::pair<std::string, const schema::SchemaNode*>> fields,
                bool array = false);
    // Unknown.
    explicit DerivedNode(std::string reason);

    const schema::ResolvedEncryption* encryption() const override;
    bool containsEncryption() const override { return containsEncryption_; }
    // Throws for Encrypted (below a ciphertext there is no schema) and Unknown nodes.
    const schema::SchemaNode* child(std::string_view name) const override;

    Kind kind() const { return kind_; }
    bool elementwise() const { return elementwise_; }
    bool isArray() const { return array_; }
    const std::string& reason() const { return reason_; }
    // Document: the node whose fields are inherited (null: none, or closed).
    const schema::SchemaNode* base() const { return base_; }
    // Document: the overriding fields, in the order they were set.
    const std::vector<std::pair<std::string, const schema::SchemaNode*>>& fields() const {
        return fields_;
    }
    // True when this node or a node below it is Unknown (conservative: a field shadowed by an
    // override still counts).
    bool containsUnknown() const { return containsUnknown_; }

  private:
    Kind kind_;
    const schema::ResolvedEncryption* encryption_ = nullptr;
    bool elementwise_ = false;
    const schema::SchemaNode* base_ = nullptr;
    bool closed_ = false;
    bool array_ = false;
    std::vector<std::pair<std::string, const schema::SchemaNode*>> fields_;
    // Wide documents ($group/$project with thousands of fields) are looked up by hash, so a
    // stage costs O(fields) however many paths later stages ask for.
    std::unordered_map<std::string_view, const schema::SchemaNode*> byName_;
    std::string reason_;
    bool containsEncryption_ = false;
    bool containsUnknown_ = false;
};

// Helpers over any SchemaNode (parsed or derived).
const DerivedNode* asDerived(const schema::SchemaNode* node);
bool isUnknown(const schema::SchemaNode* node);
bool containsUnknown(const schema::SchemaNode* node);
// True when `node` is an encrypted leaf of an array of ciphertexts ($push/$addToSet output).
bool isElementwise(const schema::SchemaNode* node);
// True when `node` is known to be an array of documents.
bool isArrayOfDocuments(const schema::SchemaNode* node);

// An EncryptionSchema over a derived root (null root: nothing encrypted), for SchemaView.
class DerivedSchema final : public schema::EncryptionSchema {
  public:
    explicit DerivedSchema(const schema::SchemaNode* root);
    bool requiresEncryption() const override;
    const schema::SchemaNode& root() const override;
    // As ParsedSchema::resolve; throws BadValue naming the path when it reaches an Unknown node.
    schema::PathInfo resolve(const FieldPath& path) const override;
    // Diagnostics only: the encrypted leaves that stages set. Subtrees inherited from a parsed
    // schema are not listed (SchemaNode offers no enumeration); resolve() is the authority.
    std::vector<std::pair<std::string, const schema::ResolvedEncryption*>> encryptedPaths()
        const override;

  private:
    const schema::SchemaNode* root_;
};

// Owns the derived nodes and schemas of one command's analysis; addresses are stable.
class SchemaArena {
  public:
    const schema::SchemaNode* encrypted(const schema::ResolvedEncryption* enc, bool elementwise);
    const schema::SchemaNode* unknown(std::string reason);
    // A document node (`array`: an array of such documents); returns nullptr when nothing in it
    // is encrypted or unknown (pruned).
    const schema::SchemaNode* document(
        const schema::SchemaNode* base, bool closed,
        std::vector<std::pair<std::string, const schema::SchemaNode*>> fields, bool array = false);
    // An array of documents of schema `element` (null stays null).
    const schema::SchemaNode* arrayOf(const schema::SchemaNode* element);
    const schema::EncryptionSchema* schemaFor(const schema::SchemaNode* root);

    static constexpr size_t kMaxPathParts = 200;  // longer paths are rejected, not recursed into

    // `root` with the value at `path` replaced by `value` ($addFields, $lookup's `as`...).
    // Setting below a ciphertext replaces the ciphertext by a document, as the server does.
    const schema::SchemaNode* set(const schema::SchemaNode* root, const FieldPath& path,
                                  const schema::SchemaNode* value);
    // `root` without `path` ($unset, exclusion $project). Below a ciphertext nothing changes.
    const schema::SchemaNode* remove(const schema::SchemaNode* root, const FieldPath& path);

  private:
    const schema::SchemaNode* setAt(const schema::SchemaNode* node, const FieldPath& path, size_t i,
                                    const schema::SchemaNode* value);
    const schema::SchemaNode* removeAt(const schema::SchemaNode* node, const FieldPath& path,
                                       size_t i);

    std::deque<DerivedNode> nodes_;
    std::deque<DerivedSchema> schemas_;
};

// The child of `node` for field `name` (null node: null); Unknown nodes answer themselves, so
// unknown-ness propagates down a path instead of throwing while a stage is being derived.
const schema::SchemaNode* childOrUnknown(const schema::SchemaNode* node, std::string_view name);

}  // namespace cryptd::analysis
