#include "schema/property_pattern.h"

#include "schema/schema_error.h"

namespace cryptd::schema {

namespace {

std::regex_constants::syntax_option_type regexFlags() {
    auto flags = std::regex_constants::ECMAScript;
#ifdef __GLIBCXX__
    // Breadth-first executor: time O(name x automaton), stack independent of the name length
    // (the default depth-first one backtracks exponentially and recurses per character).
    flags |= std::regex_constants::__polynomial;
#endif
    return flags;
}

[[noreturn]] void invalid(std::string_view pattern, std::string_view why, const std::string& path) {
    failAt(ErrorCode::BadValue,
           "Invalid regular expression in $jsonSchema patternProperties '" + std::string(pattern) +
               "': " + std::string(why),
           path);
}

// Counted repetitions ({n}, {n,}, {n,m}) are compiled by copying the repeated atom, so large
// bounds mean a large automaton. The library also caps the automaton size; this gives a clearer
// message for the common case.
void checkRepeatBounds(std::string_view p, const std::string& path) {
    bool inClass = false;
    for (size_t i = 0; i < p.size(); ++i) {
        char c = p[i];
        if (c == '\\') {
            ++i;
            continue;
        }
        if (inClass) {
            if (c == ']') inClass = false;
            continue;
        }
        if (c == '[') {
            inClass = true;
            continue;
        }
        if (c != '{') continue;
        unsigned long value = 0;
        for (size_t j = i + 1;
             j < p.size() && (std::isdigit(static_cast<unsigned char>(p[j])) || p[j] == ','); ++j) {
            if (p[j] == ',') {
                value = 0;
                continue;
            }
            value = value * 10 + static_cast<unsigned long>(p[j] - '0');
            if (value > PropertyPattern::kMaxRepeatBound) {
                invalid(p,
                        "repetition counts above " +
                            std::to_string(PropertyPattern::kMaxRepeatBound) + " are not supported",
                        path);
            }
        }
    }
}

}  // namespace

std::wstring decodeUtf8(std::string_view s) {
    std::wstring out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size();) {
        auto b = static_cast<unsigned char>(s[i]);
        size_t len = b < 0x80           ? 1
                     : (b >> 5) == 0x6  ? 2
                     : (b >> 4) == 0xE  ? 3
                     : (b >> 3) == 0x1E ? 4
                                        : 0;
        if (len == 0 || i + len > s.size()) {
            out.push_back(L'\uFFFD');
            ++i;
            continue;
        }
        uint32_t cp = len == 1 ? b : len == 2 ? (b & 0x1F) : len == 3 ? (b & 0x0F) : (b & 0x07);
        bool ok = true;
        for (size_t k = 1; k < len; ++k) {
            auto c = static_cast<unsigned char>(s[i + k]);
            if ((c & 0xC0) != 0x80) {
                ok = false;
                break;
            }
            cp = (cp << 6) | (c & 0x3F);
        }
        if (!ok) {
            out.push_back(L'\uFFFD');
            ++i;
            continue;
        }
        out.push_back(static_cast<wchar_t>(cp));
        i += len;
    }
    return out;
}

PropertyPattern::PropertyPattern(std::string_view pattern, const std::string& path)
    : text_(pattern) {
    if (pattern.size() > kMaxPatternBytes) {
        invalid(
            pattern.substr(0, 40),
            "patterns longer than " + std::to_string(kMaxPatternBytes) + " bytes are not supported",
            path);
    }
    checkRepeatBounds(pattern, path);
    std::wstring wide = decodeUtf8(pattern);
    try {
        // Compile alone first so that the pattern cannot close the wrapper's group.
        std::wregex alone(wide, regexFlags());
        // JSON-schema patterns are unanchored: a leading "any prefix" turns the search into one
        // pass of the breadth-first matcher instead of one pass per start position.
        regex_ = std::wregex(L"[\\s\\S]*(?:" + wide + L")", regexFlags());
    } catch (const std::regex_error& e) {
        invalid(pattern,
                e.code() == std::regex_constants::error_space ||
                        e.code() == std::regex_constants::error_complexity
                    ? "the expression is too complex (back-references and very large "
                      "repetitions are not supported)"
                    : e.what(),
                path);
    }
}

bool PropertyPattern::matches(std::string_view fieldName) const {
    std::wstring name = decodeUtf8(fieldName);
    if (name.size() > kMaxNameCodePoints) {
        fail(ErrorCode::BadValue,
             "Field name of " + std::to_string(name.size()) +
                 " characters is too long to match against $jsonSchema patternProperties '" +
                 text_ + "'");
    }
    return std::regex_search(name, regex_, std::regex_constants::match_continuous);
}

}  // namespace cryptd::schema
