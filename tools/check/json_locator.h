#pragma once
// Line numbers for JSON paths. libbson's JSON parser reports no locations, so the source text is
// scanned once more by a small tokenizer that tracks keys and nesting, and every member (at its
// key) and array element (at its value) is indexed by its JSON pointer.
//
// The scanner accepts what people keep in files: JSON, Extended JSON wrappers (plain objects to
// it) and shell literals such as UUID("...") (one scalar). When it does not understand the text it
// indexes nothing, so callers omit the line rather than guess.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "check/diagnostic.h"

namespace cryptd::check {

using Segments = std::vector<std::string>;

// "/a/b~1c" for {"a", "b/c"} (RFC 6901 escaping: ~ -> ~0, / -> ~1); "" for the root.
std::string toPointer(const Segments& segments);

// 1-based line and byte column of `offset` in `text`.
Location locationAt(std::string_view text, size_t offset);

class JsonLocator {
  public:
    explicit JsonLocator(std::string_view text);

    // False when the text is not one well-formed value as far as the scanner can tell.
    bool valid() const { return valid_; }
    // Offset just past the first top-level value (valid() only).
    size_t valueEnd() const { return valueEnd_; }
    // Where the member or element at `segments` starts. Duplicate keys: the first occurrence, or
    // the last one with `lastOccurrence` (duplicates are reported at the repeated key).
    std::optional<Location> find(const Segments& segments, bool lastOccurrence = false) const;

  private:
    bool scan(std::string_view text);

    // A tree of positions: node 0 is the root value; children are keyed by (parent, key), so
    // memory stays linear in the text however deep it nests.
    static std::string childKey(uint32_t parent, std::string_view key);

    bool valid_ = false;
    size_t valueEnd_ = 0;
    std::vector<Location> nodes_;
    std::unordered_map<std::string, std::vector<uint32_t>> children_;  // childKey -> node ids
};

}  // namespace cryptd::check
