#include "check/json_document.h"

#include <cstdlib>

#include "common/error.h"

namespace cryptd::check {

namespace {

size_t firstNonSpace(std::string_view text, size_t from) {
    while (from < text.size() &&
           (text[from] == ' ' || text[from] == '\t' || text[from] == '\n' || text[from] == '\r')) {
        ++from;
    }
    return from;
}

// libbson reports "... position <n>: ..." (a byte offset into the text it parsed).
std::optional<size_t> errorPosition(std::string_view message) {
    auto at = message.find("position ");
    if (at == std::string_view::npos) return std::nullopt;
    at += 9;
    size_t n = 0, digits = 0;
    for (; at < message.size() && message[at] >= '0' && message[at] <= '9'; ++at, ++digits) {
        n = n * 10 + static_cast<size_t>(message[at] - '0');
    }
    if (digits == 0) return std::nullopt;
    return n;
}

// libbson quotes the offending text, newlines included: keep reports one line each.
std::string printable(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c == '\t') {
            out += "\\t";
        } else if (static_cast<unsigned char>(c) < 0x20) {
            out += '?';
        } else {
            out += c;
        }
    }
    return out;
}

}  // namespace

std::string displayName(const std::string& path) {
    return path == "-" ? "<stdin>" : path;
}

JsonDocument JsonDocument::load(const std::string& path, std::istream& in) {
    std::string text = readInput(path, in);
    size_t start = firstNonSpace(text, 0);
    if (start == text.size()) throw InputError("the input is empty");
    if (text[start] != '{') {
        throw InputError("the input is not a JSON object", locationAt(text, start));
    }
    ShellLiterals literals(text);
    bson::Doc doc;
    try {
        doc = bson::Doc::fromJson(literals.json());
    } catch (const Error& e) {
        std::optional<Location> where;
        if (auto pos = errorPosition(e.reason())) {
            where = locationAt(text, literals.offsetInOriginal(*pos));
        }
        std::string why = printable(e.reason());
        if (why.find("LEVELS_EXCEEDED") != std::string::npos) {
            why += " (the JSON nests deeper than libbson accepts)";
        }
        throw InputError(why, where);
    }
    JsonLocator locator(text);
    if (locator.valid()) {
        // libbson stops after the first document and ignores the rest: refuse, never guess.
        size_t rest = firstNonSpace(text, locator.valueEnd());
        if (rest < text.size()) {
            throw InputError("unexpected text after the JSON object", locationAt(text, rest));
        }
    }
    return JsonDocument{std::move(text), std::move(doc), std::move(locator)};
}

}  // namespace cryptd::check
