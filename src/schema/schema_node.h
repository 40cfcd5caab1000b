#pragma once
// The concrete tree behind SchemaNode. Built by the parser; read-only (and so thread-safe)
// afterwards. Subtrees without any encryption are pruned to a bare node: they can never change an
// answer, and a 10,000-field schema should not cost 10,000 live subtrees.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "schema/encryption_schema.h"
#include "schema/property_index.h"
#include "schema/property_pattern.h"

namespace cryptd::schema {

class Node final : public SchemaNode {
  public:
    struct Pattern {
        PropertyPattern pattern;
        std::unique_ptr<Node> node;
    };

    const ResolvedEncryption* encryption() const override {
        return encrypt_ ? &*encrypt_ : nullptr;
    }
    bool containsEncryption() const override { return containsEncryption_; }
    // See SchemaNode. Returns non-null only for a subschema that contains encryption, so
    // nullptr always means "nothing at or below this field is encrypted".
    // On an encrypted node it throws: a path below an encrypted field has no
    // subschema of its own, and "nothing is encrypted below" would be a dangerous answer.
    const SchemaNode* child(std::string_view name) const override;

    // ---- building (parser only) ----
    void setEncryption(ResolvedEncryption e) {
        encrypt_ = std::move(e);
        containsEncryption_ = true;
    }
    // Names must be distinct (the parser checks).
    void addProperty(std::string name, std::unique_ptr<Node> node);
    void addPattern(PropertyPattern pattern, std::unique_ptr<Node> node);
    void setAdditional(std::unique_ptr<Node> node);
    // Computes containsEncryption and prunes encryption-free children. Call once, bottom-up.
    void finish();

    // ---- reading ----
    const std::vector<std::pair<std::string, std::unique_ptr<Node>>>& properties() const {
        return properties_;
    }
    const std::vector<Pattern>& patterns() const { return patterns_; }
    const Node* additional() const { return additional_.get(); }

    // True when both nodes give the same answer for every path (conservatively: false when unsure).
    static bool equivalent(const Node& a, const Node& b);

  private:
    std::optional<ResolvedEncryption> encrypt_;
    bool containsEncryption_ = false;
    std::vector<std::pair<std::string, std::unique_ptr<Node>>> properties_;  // schema order
    PropertyIndex byName_;  // views into properties_ keys
    std::vector<Pattern> patterns_;
    PatternSet patternSet_;  // patterns_, matched in one pass (built by finish())
    std::unique_ptr<Node>
        additional_;  // additionalProperties subschema; null when true/false/absent
};

}  // namespace cryptd::schema
