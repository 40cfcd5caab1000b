#include "analysis/schema_view.h"

#include <algorithm>
#include <string>

#include "common/error.h"

namespace cryptd::analysis {

namespace {

bool isArrayIndex(std::string_view part) {
    return !part.empty() &&
           std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

schema::PathInfo SchemaView::resolve(const FieldPath& path) const {
    if (!requiresEncryption()) return {};
    schema::PathInfo info = schema_->resolve(path);
    if (info.kind == schema::PathInfo::Kind::NotEncrypted) rejectIndexIntoEncryption(path);
    return info;
}

// In query and update paths a numeric part may also be an array index: "a.0.b" reaches field b of
// a's first element when a is an array. The schema has no property "0", so it answers "not
// encrypted", yet the value is bound for the encrypted field a.b. Read every numeric part the
// schema does not name as an index (below the root, which is never an array); if that reading
// reaches encryption, the path is ambiguous: reject, never send the value in the clear.
void SchemaView::rejectIndexIntoEncryption(const FieldPath& path) const {
    bool numeric = false;
    for (size_t i = 1; i < path.size() && !numeric; ++i) numeric = isArrayIndex(path[i]);
    if (!numeric) return;
    const schema::SchemaNode* node = root();
    FieldPath asIndexes;  // the path with the parts read as array indexes left out
    std::string index;
    for (size_t i = 0; i < path.size() && node && !node->encryption(); ++i) {
        const schema::SchemaNode* child = node->child(path[i]);
        if (!child && i > 0 && isArrayIndex(path[i])) {
            if (index.empty()) index = path[i];
            continue;  // an array index: the element has the array's own schema
        }
        node = child;
        asIndexes.push(path[i]);
    }
    if (!index.empty() && node && node->containsEncryption()) {
        fail(ErrorCode::BadValue,
             "Cannot use path '" + path.dotted() + "': its numeric part '" + index +
                 "' may be an array index, and read that way the path reaches encrypted data at '" +
                 asIndexes.dotted() + "'");
    }
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
