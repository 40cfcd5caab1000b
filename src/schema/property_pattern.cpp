#include "schema/property_pattern.h"

#include <algorithm>
#include <cctype>
#include <regex>
#include <vector>

#include "common/utf8.h"
#include "schema/pattern_program.h"
#include "schema/schema_error.h"

namespace cryptd::schema {

namespace {

std::regex_constants::syntax_option_type regexFlags() {
    auto flags = std::regex_constants::ECMAScript;
#ifdef __GLIBCXX__
    // Breadth-first compiler checks: back-references are refused as they always were.
    flags |= std::regex_constants::__polynomial;
#endif
    return flags;
}

// The one refusal of a pattern, whichever check (syntax, cost, the matcher's compiler) found it.
std::string invalidPatternMessage(std::string_view pattern, std::string_view why) {
    return "Invalid regular expression in $jsonSchema patternProperties '" + std::string(pattern) +
           "': " + std::string(why);
}

[[noreturn]] void invalid(std::string_view pattern, std::string_view why, const SchemaPath& path) {
    failAt(ErrorCode::BadValue, invalidPatternMessage(pattern, why), path);
}

size_t saturatingMul(size_t a, size_t b) {
    constexpr size_t kCap = size_t{1} << 40;
    return (a != 0 && b > kCap / a) ? kCap : a * b;
}

// Reads "{n}", "{n,}" or "{n,m}" at p[i]; returns the upper bound (n + 1 when unbounded) and
// moves i to the closing brace, or returns 0 when p[i] does not start a counted repetition.
size_t readRepeat(std::string_view p, size_t& i, const SchemaPath& path) {
    size_t j = i + 1, lo = 0, hi = 0;
    bool comma = false, digits = false, hiDigits = false;
    for (; j < p.size() && p[j] != '}'; ++j) {
        char c = p[j];
        if (c == ',' && !comma) {
            comma = true;
        } else if (std::isdigit(static_cast<unsigned char>(c))) {
            size_t& v = comma ? hi : lo;
            (comma ? hiDigits : digits) = true;
            v = v * 10 + static_cast<size_t>(c - '0');
            if (v > PropertyPattern::kMaxRepeatBound) {
                invalid(p,
                        "repetition counts above " +
                            std::to_string(PropertyPattern::kMaxRepeatBound) + " are not supported",
                        path);
            }
        } else {
            return 0;
        }
    }
    if (j >= p.size() || !digits) return 0;
    i = j;
    return comma ? (hiDigits ? std::max(lo, hi) : lo + 1) : lo;
}

// MongoDB matches patternProperties with PCRE; this engine uses ECMAScript. Where the two read a
// pattern differently, a field the server's schema encrypts could be left in the clear here, so
// such patterns are refused: escapes of letters and digits ECMAScript does not define (libstdc++
// reads "\A", "\z", "\Q"... as the plain letter, PCRE as anchors, quoting...), and the classes
// "[]" / "[^]" (empty / any character in ECMAScript, the start of a class containing ']' in PCRE).
void rejectDialectDifferences(std::string_view p, const SchemaPath& path) {
    // ("\v" is not shared: vertical tab in ECMAScript, any vertical space in PCRE.)
    constexpr std::string_view kSharedLetterEscapes = "dDwWsSbBfnrtcxu";
    bool inClass = false;
    for (size_t i = 0; i < p.size(); ++i) {
        char c = p[i];
        if (c == '\\') {
            if (i + 1 >= p.size()) break;  // the compiler reports the dangling escape
            char next = p[++i];
            bool alnum = std::isalnum(static_cast<unsigned char>(next)) != 0;
            if (alnum && kSharedLetterEscapes.find(next) == std::string_view::npos) {
                invalid(p,
                        std::string("the escape '\\") + next +
                            "' means different things in MongoDB's regex dialect (PCRE) and "
                            "ECMAScript; it is not supported",
                        path);
            }
        } else if (c == '[' && !inClass) {
            inClass = true;
            size_t j = i + 1;
            if (j < p.size() && p[j] == '^') ++j;
            if (j < p.size() && p[j] == ']') {
                invalid(
                    p,
                    "'[]' and '[^]' mean different things in MongoDB's regex dialect (PCRE) and "
                    "ECMAScript; they are not supported",
                    path);
            }
        } else if (c == ']' && inClass) {
            inClass = false;
        }
    }
}

// Lookahead and lookbehind cannot run in one linear pass (a backtracking engine re-scans the rest
// of the name at each position): refused, like back-references. ECMAScript's only other "(?"
// group is "(?:", which stays.
void rejectLookaround(std::string_view p, const SchemaPath& path) {
    bool inClass = false;
    for (size_t i = 0; i < p.size(); ++i) {
        char c = p[i];
        if (c == '\\') {
            ++i;
        } else if (inClass) {
            inClass = c != ']';
        } else if (c == '[') {
            inClass = true;
            if (i + 1 < p.size() && p[i + 1] == '^') ++i;
            if (i + 1 < p.size() && p[i + 1] == ']') ++i;  // a literal ']' first (refused above)
        } else if (c == '(' && i + 2 < p.size() && p[i + 1] == '?' &&
                   (p[i + 2] == '=' || p[i + 2] == '!' || p[i + 2] == '<')) {
            invalid(p,
                    "lookahead and lookbehind assertions ('(?=', '(?!', '(?<=', '(?<!') are not "
                    "supported: patterns are matched in one linear pass over the name",
                    path);
        }
    }
}

std::string encodeUtf8(const std::wstring& cps) {
    std::string out;
    out.reserve(cps.size());
    for (wchar_t w : cps) appendUtf8(out, static_cast<uint32_t>(w));
    return out;
}

}  // namespace

size_t PropertyPattern::estimateStates(std::string_view p, const SchemaPath& path) {
    // The regex library compiles a quantified atom by copying it up to its upper bound, so the
    // automaton grows with the product of nested bounds. Estimate that size up front.
    struct Group {
        size_t size = 0;
        size_t last = 0;  // size of the most recent atom (what a quantifier applies to)
    };
    std::vector<Group> stack(1);
    auto atom = [&](size_t n) {
        stack.back().size += n;
        stack.back().last = n;
    };
    auto repeat = [&](size_t bound) {
        Group& g = stack.back();
        size_t grown = saturatingMul(g.last, std::max<size_t>(bound, 1));
        g.size = g.size - g.last + grown;
        g.last = grown;
    };
    for (size_t i = 0; i < p.size(); ++i) {
        char c = p[i];
        switch (c) {
            case '\\':
                ++i;
                atom(1);
                break;
            case '[':
                for (++i; i < p.size() && p[i] != ']'; ++i) {
                    if (p[i] == '\\') ++i;
                }
                atom(1);
                break;
            case '(':
                stack.emplace_back();
                break;
            case ')':
                if (stack.size() > 1) {
                    size_t inner = stack.back().size + 1;
                    stack.pop_back();
                    atom(inner);
                }
                break;
            case '|':
                stack.back().last = 0;
                break;
            case '*':
            case '+':
            case '?':
                repeat(2);
                break;
            case '{': {
                size_t bound = readRepeat(p, i, path);
                if (bound) {
                    repeat(bound);
                } else {
                    atom(1);
                }
                break;
            }
            default:
                atom(1);
        }
    }
    size_t total = 0;
    for (const auto& g : stack) total += g.size;
    return total;
}

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

PropertyPattern::PropertyPattern(std::string_view pattern, const SchemaPath& path)
    : text_(pattern) {
    if (pattern.size() > kMaxPatternBytes) {
        invalid(
            pattern.substr(0, 40),
            "patterns longer than " + std::to_string(kMaxPatternBytes) + " bytes are not supported",
            path);
    }
    rejectDialectDifferences(pattern, path);
    rejectLookaround(pattern, path);
    estimatedStates_ = estimateStates(pattern, path);
    if (estimatedStates_ > kMaxEstimatedStates) {
        invalid(pattern,
                "the expression is too complex (about " + std::to_string(estimatedStates_) +
                    " automaton states; the limit is " + std::to_string(kMaxEstimatedStates) + ")",
                path);
    }
    std::wstring codePoints = decodeUtf8(pattern);
    try {
        // The ECMAScript grammar decides what is a pattern at all (as it always has); the
        // compiled form is not kept.
        std::wregex check(codePoints, regexFlags());
    } catch (const std::regex_error& e) {
        invalid(pattern,
                e.code() == std::regex_constants::error_space ||
                        e.code() == std::regex_constants::error_complexity
                    ? "the expression is too complex (back-references and very large "
                      "repetitions are not supported)"
                    : e.what(),
                path);
    }
    auto program = std::make_shared<PatternProgram>();
    std::string error;
    bool tooLarge = false;
    if (!PatternProgram::compile(codePoints, *program, error, tooLarge)) {
        invalid(pattern,
                tooLarge ? "the expression is too complex for a linear-time matcher (" + error +
                               ": counted repetitions are unrolled)"
                         : error + " (patterns are matched in one linear pass)",
                path);
    }
    program_ = std::move(program);
}

namespace {

// The name as code points; throws unless it can be matched the server's way.
std::wstring checkedCodePoints(std::string_view fieldName, const std::string& text) {
    // Longer names are refused; decoding stops early so that a huge name costs nothing more
    // than that refusal.
    std::wstring decoded =
        decodeUtf8(fieldName.substr(0, 4 * (PropertyPattern::kMaxNameCodePoints + 1)));
    if (decoded.size() > PropertyPattern::kMaxNameCodePoints) {
        fail(ErrorCode::BadValue,
             "Field name of " + std::to_string(fieldName.size()) +
                 " bytes is too long to match against $jsonSchema patternProperties '" + text +
                 "'");
    }
    // PCRE's '$' also matches before a final "\n" and its '.' matches "\r", U+2028 and U+2029;
    // ECMAScript's do not. Names with line breaks cannot be matched the server's way:
    // refuse them.
    for (wchar_t c : decoded) {
        if (c == L'\n' || c == L'\r' || c == 0x2028 || c == 0x2029) {
            fail(ErrorCode::BadValue,
                 "Field names containing line breaks cannot be matched against "
                 "$jsonSchema patternProperties '" +
                     text + "'");
        }
    }
    return decoded;
}

}  // namespace

std::string checkedName(std::string_view fieldName, const std::string& text) {
    return encodeUtf8(checkedCodePoints(fieldName, text));
}

size_t PropertyPattern::programSize() const {
    return program_->size();
}

bool PropertyPattern::matches(std::string_view fieldName) const {
    std::vector<char> matched;
    program_->search(checkedCodePoints(fieldName, text_), matched);
    return matched[0] != 0;
}

namespace {
thread_local MatchBudget* currentBudget = nullptr;
thread_local uint64_t currentCap = 0;  // 0: none
}  // namespace

MatchBudget::Cap::Cap(uint64_t steps) : previous_(currentCap) {
    currentCap = steps;
}

MatchBudget::Cap::~Cap() {
    currentCap = previous_;
}

MatchBudget::MatchBudget(size_t requestBytes)
    : left_(kFixedSteps + kStepsPerByte * static_cast<uint64_t>(requestBytes)),
      requestBytes_(requestBytes),
      previous_(currentBudget) {
    currentBudget = this;
}

MatchBudget::~MatchBudget() {
    currentBudget = previous_;
}

void MatchBudget::charge(uint64_t steps) {
    MatchBudget* b = currentBudget;
    if (!b) return;
    if (steps <= b->left_) {
        b->left_ -= steps;
        b->spent_ += steps;
        // Within budget, so the answer will not be this refusal: only where it runs changes.
        if (currentCap != 0 && b->spent_ > currentCap) throw MatchWorkDeferred();
        return;
    }
    b->left_ = 0;
    fail(ErrorCode::BadValue,
         "Matching the field names of this command against the $jsonSchema patternProperties "
         "would take more work than a " +
             std::to_string(b->requestBytes_) + "-byte command is allowed (" +
             std::to_string(kFixedSteps) + " automaton steps plus " +
             std::to_string(kStepsPerByte) +
             " per byte): use fewer or simpler patterns (counted repetitions such as {0,1000} "
             "cost one step per repetition), or shorter field names");
}

PatternSet::PatternSet() = default;
PatternSet::~PatternSet() = default;
PatternSet::PatternSet(PatternSet&&) noexcept = default;
PatternSet& PatternSet::operator=(PatternSet&&) noexcept = default;

void PatternSet::build(const std::vector<const PropertyPattern*>& patterns) {
    program_.reset();
    if (patterns.empty()) return;
    auto combined = std::make_unique<PatternProgram>();
    for (const auto* p : patterns) combined->append(p->program());
    firstText_ = patterns.front()->text();
    program_ = std::move(combined);
}

std::vector<int> PatternSet::matching(std::string_view fieldName) const {
    std::vector<int> out;
    if (!program_) return out;
    std::wstring name = checkedCodePoints(fieldName, firstText_);
    MatchBudget::charge((name.size() + 1) * program_->size());
    std::vector<char> matched;
    program_->search(name, matched);
    for (size_t i = 0; i < matched.size(); ++i) {
        if (matched[i]) out.push_back(static_cast<int>(i));
    }
    return out;
}

}  // namespace cryptd::schema
