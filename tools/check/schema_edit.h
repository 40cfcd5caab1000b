#pragma once
// Copy-with-one-change of a BSON document, for re-parsing a schema without a node that was
// already reported (so the next parse can reach the next, independent problem).

#include <optional>

#include "check/json_locator.h"
#include "common/bson.h"

namespace cryptd::check {

enum class EditKind {
    kRemove,            // drop the element (object members)
    kReplaceWithEmpty,  // make it {} (array slots keep their index, so later paths stay valid)
};

// A copy of `doc` with the element at `segments` edited. Intermediate segments follow the first
// element with that key; the last one edits the first or, with `lastOccurrence`, the last one.
// nullopt when the path does not exist (or is the root).
std::optional<bson::Doc> editAt(bson::View doc, const Segments& segments, EditKind kind,
                                bool lastOccurrence);

}  // namespace cryptd::check
