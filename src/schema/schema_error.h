#pragma once
// Schema errors name the offending node: every message ends with " (at <schema path>)", so the
// MongoDB text before it stays a substring drivers and users can match on.

#include <string>
#include <string_view>

#include "common/error.h"

namespace cryptd::schema {

// The dotted path of a schema node ("properties.ssn.encrypt"); the root is "$jsonSchema".
inline std::string displayPath(std::string_view path) {
    return path.empty() ? std::string("$jsonSchema") : std::string(path);
}

[[noreturn]] inline void failAt(ErrorCode code, std::string message, std::string_view path) {
    message += " (at ";
    message += displayPath(path);
    message += ')';
    fail(code, std::move(message));
}

// "a" + "b" -> "a.b"; "" + "b" -> "b".
inline std::string joinPath(std::string_view base, std::string_view part) {
    std::string out(base);
    if (!out.empty()) out += '.';
    out += part;
    return out;
}

}  // namespace cryptd::schema
