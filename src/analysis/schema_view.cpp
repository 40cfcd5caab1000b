#include "analysis/schema_view.h"

namespace cryptd::analysis {

schema::PathInfo SchemaView::resolve(const FieldPath& path) const {
    if (!requiresEncryption()) return {};
    return schema_->resolve(path);
}

const schema::SchemaNode* SchemaView::root() const {
    if (!requiresEncryption()) return nullptr;
    return &schema_->root();
}

const schema::SchemaNode* SchemaView::nodeAt(const FieldPath& path) const {
    const schema::SchemaNode* node = root();
    for (size_t i = 0; node && i < path.size(); ++i) node = node->child(path[i]);
    return node;
}

}  // namespace cryptd::analysis
