#pragma once
// One patternProperties key: an ECMAScript regular expression matched (unanchored, like JSON
// schema) against field names. Matching runs on code points (UTF-8 decoded), in libstdc++'s
// polynomial-time mode, with bounded pattern and name sizes, so a hostile schema or field name
// costs bounded time and stack.

#include <memory>
#include <regex>
#include <string>
#include <string_view>

namespace cryptd::schema {

class PropertyPattern {
  public:
    static constexpr size_t kMaxPatternBytes = 1000;
    static constexpr size_t kMaxNameCodePoints = 1024;
    static constexpr unsigned kMaxRepeatBound = 1000;
    // Bound on the compiled automaton (states cost ~100 bytes each and one matching step each).
    static constexpr size_t kMaxEstimatedStates = 100'000;

    // Throws Error(BadValue) naming `path` when the pattern is invalid or too complex.
    PropertyPattern(std::string_view pattern, const std::string& path);

    const std::string& text() const { return text_; }
    // The automaton size estimate, for the per-schema budget and the cache's memory accounting.
    size_t estimatedStates() const { return estimatedStates_; }
    static size_t estimateStates(std::string_view pattern, const std::string& path);
    // Throws Error(BadValue) for names longer than kMaxNameCodePoints (never guesses).
    bool matches(std::string_view fieldName) const {
        return matches(decodeName(fieldName), fieldName);
    }
    // The same with the name decoded once (decodeName) for several patterns.
    bool matches(const std::wstring& decoded, std::string_view fieldName) const;
    static std::wstring decodeName(std::string_view fieldName);

  private:
    std::string text_;
    size_t estimatedStates_ = 0;
    std::wregex regex_;
};

// UTF-8 to code points; malformed bytes become U+FFFD.
std::wstring decodeUtf8(std::string_view utf8);

}  // namespace cryptd::schema
