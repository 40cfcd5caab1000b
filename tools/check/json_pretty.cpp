#include "check/json_pretty.h"

namespace cryptd::check {

namespace {

bool isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

size_t skipSpace(std::string_view s, size_t i) {
    while (i < s.size() && isSpace(s[i])) ++i;
    return i;
}

}  // namespace

std::string prettyJson(std::string_view s, std::string_view indent) {
    std::string out;
    size_t depth = 0;
    auto newline = [&] {
        out += '\n';
        for (size_t d = 0; d < depth; ++d) out += indent;
    };
    for (size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '"') {  // strings verbatim
            size_t j = i + 1;
            while (j < s.size() && s[j] != '"') j += (s[j] == '\\') ? 2 : 1;
            out.append(s.substr(i, j + 1 - i));
            i = j;
            continue;
        }
        if (isSpace(c)) continue;
        switch (c) {
            case '{':
            case '[': {
                size_t next = skipSpace(s, i + 1);
                char close = c == '{' ? '}' : ']';
                if (next < s.size() && s[next] == close) {  // {} and [] stay on one line
                    out += c;
                    out += close;
                    i = next;
                    break;
                }
                out += c;
                ++depth;
                newline();
                break;
            }
            case '}':
            case ']':
                if (depth > 0) --depth;
                newline();
                out += c;
                break;
            case ',':
                out += c;
                newline();
                break;
            case ':':
                out += ": ";
                break;
            default:
                out += c;
        }
    }
    return out;
}

}  // namespace cryptd::check
