#pragma once
// Compares an expected BSON document with an actual one and reports the first difference as a
// dotted path plus a readable message ("result.filter.ssn: expected a marking, got the plaintext
// string ...").
//
// Rules:
// - Documents: same key set, any order. Arrays: same length, element by element.
// - Markings (binary subtype 6) are decoded on both sides and compared as documents with strict
//   BSON types (a marking's `v` must keep the plaintext's exact type).
// - Numbers elsewhere compare by value unless `strictNumberTypes` (1 == 1.0 == NumberLong(1)).
// - Special expected values: {"$$type": "<alias>"} matches any value of that $type alias
//   ("string", "int", "date", ...); {"$$exists": false} requires the field to be absent;
//   {"$$exists": true} accepts any value; {"$$optional": X} accepts absence or X.
// - `normalizeQueries` applies query_normalizer.h to both sides first.

#include <optional>
#include <string>

#include "common/bson.h"

namespace cryptd::spec {

struct MatchOptions {
    bool normalizeQueries = true;
    bool strictNumberTypes = false;
    bool allowExtraFields = false;  // extra fields in the actual document are fine
};

struct Mismatch {
    std::string path;     // dotted path, e.g. "result.filter.ssn.$eq"
    std::string message;  // what differs there
    std::string describe() const { return (path.empty() ? "<root>" : path) + ": " + message; }
};

std::optional<Mismatch> firstDifference(bson::View expected, bson::View actual,
                                        const MatchOptions& options = {},
                                        const std::string& basePath = "");

// Same for two element values (e.g. a field of a reply); `path` names them.
std::optional<Mismatch> firstDifference(const bson::Element& expected, const bson::Element& actual,
                                        const MatchOptions& options, const std::string& path);

}  // namespace cryptd::spec
