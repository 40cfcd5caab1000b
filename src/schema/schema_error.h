#pragma once
// Schema errors name the offending node: every message ends with " (at <schema path>)", so the
// MongoDB text before it stays a substring drivers and users can match on.

#include <string>
#include <string_view>
#include <vector>

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

// A dotted schema path as a chain of links on the parser's stack, one per level: each level costs
// a pointer, whatever the key lengths, and the text is built only when needed (a message, an
// encrypt node). The root link has no parent and no part.
struct SchemaPath {
    const SchemaPath* parent = nullptr;
    std::string_view part;

    SchemaPath child(std::string_view p) const { return SchemaPath{this, p}; }
    // The dotted text; a path longer than `maxBytes` keeps its last parts after "...".
    std::string str(size_t maxBytes = kMaxMessagePathBytes) const {
        std::vector<std::string_view> parts;
        size_t total = 0;
        bool cut = false;
        for (const SchemaPath* l = this; l && l->parent; l = l->parent) {
            if (total + l->part.size() + 1 > maxBytes) {
                cut = true;
                if (parts.empty()) parts.push_back(l->part.substr(l->part.size() - maxBytes / 2));
                break;
            }
            total += l->part.size() + 1;
            parts.push_back(l->part);
        }
        std::string out = cut ? "..." : "";
        for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
            if (it != parts.rbegin()) out += '.';
            out += *it;
        }
        return out;
    }
    // Paths quoted in messages are cut to this (the start of a very deep path is elided).
    static constexpr size_t kMaxMessagePathBytes = 4096;
};

[[noreturn]] inline void failAt(ErrorCode code, std::string message, const SchemaPath& path) {
    failAt(code, std::move(message), path.str());
}

// "a" + "b" -> "a.b"; "" + "b" -> "b".
inline std::string joinPath(std::string_view base, std::string_view part) {
    std::string out(base);
    if (!out.empty()) out += '.';
    out += part;
    return out;
}

}  // namespace cryptd::schema
