#include "schema/schema_node.h"

#include <algorithm>

#include "schema/schema_error.h"

namespace cryptd::schema {

void Node::addProperty(std::string name, std::unique_ptr<Node> node) {
    properties_.emplace_back(std::move(name), std::move(node));
}

void Node::addPattern(PropertyPattern pattern, std::unique_ptr<Node> node) {
    patterns_.push_back(Pattern{std::move(pattern), std::move(node)});
}

void Node::setAdditional(std::unique_ptr<Node> node) {
    additional_ = std::move(node);
}

void Node::finish() {
    bool any = encrypt_.has_value();
    for (const auto& [name, node] : properties_) any = any || node->containsEncryption();
    for (const auto& p : patterns_) any = any || p.node->containsEncryption();
    if (additional_ && additional_->containsEncryption()) {
        any = true;
    } else {
        // Only consulted when nothing else matches, so an encryption-free one is the same as none.
        additional_.reset();
    }
    containsEncryption_ = any;
    if (!any) {
        // Nothing below is encrypted: child() answers nullptr for every name.
        properties_.clear();
        patterns_.clear();
        return;
    }
    // Keys are final now: the index's views stay valid (the vector is never touched again).
    std::vector<PropertyIndex::Entry> entries;
    entries.reserve(properties_.size());
    for (const auto& [name, node] : properties_) entries.push_back({name, node.get()});
    byName_.build(std::move(entries));
    std::vector<const PropertyPattern*> patterns;
    for (const auto& p : patterns_) patterns.push_back(&p.pattern);
    patternSet_.build(patterns);
}

const SchemaNode* Node::child(std::string_view name) const {
    if (encrypt_) {
        fail(ErrorCode::BadValue,
             "Cannot address field '" + std::string(name) +
                 "' below an encrypted field: the whole value is encrypted (schema " +
                 encrypt_->schemaPath + ")");
    }
    if (!containsEncryption_) return nullptr;

    // JSON-schema: properties[name] and every matching patternProperties entry apply;
    // additionalProperties only when none did.
    const Node* first = byName_.find(name);
    if (!patterns_.empty()) {
        const Pattern* firstPattern = nullptr;  // where `first` came from, for the message
        for (int i : patternSet_.matching(name)) {
            const Pattern& p = patterns_[static_cast<size_t>(i)];
            if (!first) {
                first = p.node.get();
                firstPattern = &p;
                continue;
            }
            if ((first->containsEncryption() || p.node->containsEncryption()) &&
                !equivalent(*first, *p.node)) {
                std::string where = firstPattern
                                        ? "patternProperties." + firstPattern->pattern.text()
                                        : "properties." + std::string(name);
                fail(ErrorCode::BadValue, "Ambiguous encryption schema for field '" +
                                              std::string(name) + "': both " + where +
                                              " and patternProperties." + p.pattern.text() +
                                              " apply and they disagree about encryption");
            }
        }
    }
    // Only subschemas with encryption are returned: nullptr means "nothing at or below".
    if (first) return first->containsEncryption() ? first : nullptr;
    return additional_.get();  // kept only when it contains encryption (see finish())
}

bool Node::equivalent(const Node& a, const Node& b) {
    if (&a == &b) return true;
    if (!a.containsEncryption_ && !b.containsEncryption_) return true;
    if (a.containsEncryption_ != b.containsEncryption_) return false;
    if (a.encrypt_.has_value() != b.encrypt_.has_value()) return false;
    if (a.encrypt_) return a.encrypt_->sameMetadata(*b.encrypt_);
    if (a.properties_.size() != b.properties_.size() || a.patterns_.size() != b.patterns_.size())
        return false;
    for (const auto& [name, node] : a.properties_) {
        const Node* other = b.byName_.find(name);
        if (!other || !equivalent(*node, *other)) return false;
    }
    for (size_t i = 0; i < a.patterns_.size(); ++i) {
        if (a.patterns_[i].pattern.text() != b.patterns_[i].pattern.text() ||
            !equivalent(*a.patterns_[i].node, *b.patterns_[i].node))
            return false;
    }
    if (!a.additional_ || !b.additional_) return !a.additional_ && !b.additional_;
    return equivalent(*a.additional_, *b.additional_);
}

}  // namespace cryptd::schema
