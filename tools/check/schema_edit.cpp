#include "check/schema_edit.h"

namespace cryptd::check {

namespace {

// Copies `in` into `out`, editing along segments[depth...]. Returns false when the path is absent.
bool copyEdited(bson::Builder& out, bson::View in, const Segments& segments, size_t depth,
                EditKind kind, bool lastOccurrence) {
    const std::string& key = segments[depth];
    bool last = depth + 1 == segments.size();
    std::optional<size_t> target;
    size_t i = 0;
    for (auto e : in) {
        if (e.key() == key) {
            target = i;
            if (!(last && lastOccurrence)) break;
        }
        ++i;
    }
    if (!target) return false;
    bool found = true;
    i = 0;
    for (auto e : in) {
        if (i++ != *target) {
            out.append(e);
            continue;
        }
        if (last) {
            if (kind == EditKind::kReplaceWithEmpty) out.appendDocument(e.key(), bson::View());
        } else if (e.isDocument() || e.isArray()) {
            auto fill = [&](bson::Builder& child) {
                found = copyEdited(child, e.document(), segments, depth + 1, kind, lastOccurrence);
            };
            if (e.isDocument()) {
                out.appendDocument(e.key(), fill);
            } else {
                out.appendArray(e.key(), fill);
            }
        } else {
            found = false;
            out.append(e);
        }
    }
    return found;
}

}  // namespace

std::optional<bson::Doc> editAt(bson::View doc, const Segments& segments, EditKind kind,
                                bool lastOccurrence) {
    if (segments.empty()) return std::nullopt;
    bson::Builder b;
    if (!copyEdited(b, doc, segments, 0, kind, lastOccurrence)) return std::nullopt;
    return b.finish();
}

}  // namespace cryptd::check
