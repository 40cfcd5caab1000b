#pragma once
// RFC 6901 JSON pointers ("/altName", "/a/b", "~1" = "/", "~0" = "~"), as CSFLE keyIds use them:
// the pointed-to string in the document being written is the keyAltName.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/bson.h"

namespace cryptd::analysis {

// The unescaped reference tokens; throws Error(BadValue) when `pointer` is not a JSON pointer.
std::vector<std::string> jsonPointerTokens(std::string_view pointer);

// The element `pointer` designates in `doc` (arrays indexed by decimal tokens), or nullopt.
std::optional<bson::Element> resolveJsonPointer(bson::View doc, std::string_view pointer);

}  // namespace cryptd::analysis
