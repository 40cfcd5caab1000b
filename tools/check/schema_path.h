#pragma once
// The daemon names a schema node by a dotted path ("properties.a.b.encrypt"), but property names
// and patternProperties regexes may contain dots themselves. These functions find the node such a
// path means in the actual document, and tell which path segments are subschemas.

#include <optional>
#include <string_view>

#include "check/json_locator.h"
#include "common/bson.h"

namespace cryptd::check {

struct ResolvedPath {
    Segments segments;
    bool exact = false;      // the whole path was found (else: the deepest ancestor found)
    bool ambiguous = false;  // more than one split fits: the segments are one of them
};

// Splits the daemon's `dotted` path ("" or "$jsonSchema" = the root) against `schema`.
ResolvedPath resolveSchemaPath(bson::View schema, std::string_view dotted);

// How many leading segments of `segments` name the innermost subschema on the path (0 = root):
// "properties.a.encrypt.keyId" -> 2 (the subschema of property "a").
size_t innermostSubschema(bson::View schema, const Segments& segments);

// The segments as the daemon joins them (for paths this checker computes itself).
std::string dottedPath(const Segments& segments);

}  // namespace cryptd::check
