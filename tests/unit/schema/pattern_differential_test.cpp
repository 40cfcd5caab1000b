// The patternProperties automaton against std::regex_search (ECMAScript; libstdc++'s breadth-first
// executor, as its backtracking one is exponential on the nested quantifiers generated here) on
// random patterns from the accepted grammar and random names: every answer must be the same. Fixed
// seeds, so a failure names a reproducible pattern and name.

#include <gtest/gtest.h>

#include <iostream>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include "common/utf8.h"
#include "schema/pattern_program.h"
#include "schema/property_pattern.h"
#include "schema/schema_error.h"

namespace cryptd::schema {
namespace {

// Code points names are made of: ASCII word and non-word characters, white space (ASCII and
// not), line terminators, a control character, Latin-1, BMP and astral characters.
const std::vector<wchar_t> kNameAlphabet = {
    L'a',  L'b',  L'c',   L'A',   L'_', L'1', L' ', L'-',   L'.',    L'\t', L'\v',
    L'\n', L'\r', 0x2028, 0x2029, 0x01, 0xA0, 0xE9, 0x20AC, 0x1F600, L'a',  L'b'};

// One generated pattern: the text we compile and the text the oracle compiles. They differ only
// where libstdc++ strays from ECMAScript: it reads "\cA" as 'A' (ECMAScript: U+0001).
struct Generated {
    std::wstring ours;
    std::wstring oracle;
    void add(const std::wstring& both) {
        ours += both;
        oracle += both;
    }
    void add(const std::wstring& o, const std::wstring& r) {
        ours += o;
        oracle += r;
    }
};

class Generator {
  public:
    explicit Generator(uint32_t seed) : rng_(seed) {}

    Generated pattern() {
        Generated g;
        disjunction(g, 3);
        return g;
    }

    std::wstring name() {
        std::wstring n;
        size_t len = pick(9);
        for (size_t i = 0; i < len; ++i) n += kNameAlphabet[pick(kNameAlphabet.size())];
        return n;
    }

  private:
    size_t pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }
    bool chance(int percent) { return pick(100) < static_cast<size_t>(percent); }

    void disjunction(Generated& g, int depth) {
        size_t alternatives = chance(25) ? 2 + pick(2) : 1;
        for (size_t a = 0; a < alternatives; ++a) {
            if (a) g.add(L"|");
            size_t terms = pick(4);
            for (size_t t = 0; t < terms; ++t) term(g, depth);
        }
    }

    void term(Generated& g, int depth) {
        if (chance(12)) {
            static const wchar_t* kAssertions[] = {L"^", L"$", L"\\b", L"\\B"};
            g.add(kAssertions[pick(4)]);
            return;
        }
        atom(g, depth);
        if (chance(40)) quantifier(g);
    }

    void quantifier(Generated& g) {
        switch (pick(6)) {
            case 0:
                g.add(L"*");
                break;
            case 1:
                g.add(L"+");
                break;
            case 2:
                g.add(L"?");
                break;
            case 3:
                g.add(L"{" + std::to_wstring(pick(4)) + L"}");
                break;
            case 4:
                g.add(L"{" + std::to_wstring(pick(3)) + L",}");
                break;
            default: {
                size_t lo = pick(3);
                g.add(L"{" + std::to_wstring(lo) + L"," + std::to_wstring(lo + pick(3)) + L"}");
            }
        }
        if (chance(25)) g.add(L"?");  // lazy
    }

    void atom(Generated& g, int depth) {
        size_t kind = pick(depth > 0 ? 7 : 5);
        switch (kind) {
            case 0:
            case 1: {
                static const wchar_t kLiterals[] = {L'a', L'b', L'c',   L'A',    L'_', L'1', L' ',
                                                    L'-', 0xE9, 0x20AC, 0x1F600, L']', L'}'};
                g.add(std::wstring(1, kLiterals[pick(std::size(kLiterals))]));
                break;
            }
            case 2:
                g.add(L".");
                break;
            case 3:
                escape(g, false);
                break;
            case 4:
                characterClass(g);
                break;
            default:
                g.add(chance(50) ? L"(" : L"(?:");
                disjunction(g, depth - 1);
                g.add(L")");
        }
    }

    void escape(Generated& g, bool inClass) {
        static const wchar_t* kEscapes[] = {
            L"\\d", L"\\D", L"\\w",   L"\\W",   L"\\s",     L"\\S",     L"\\t", L"\\n",
            L"\\r", L"\\f", L"\\x61", L"\\x2D", L"\\u00e9", L"\\u20AC", L"\\.", L"\\-",
            L"\\*", L"\\(", L"\\]",   L"\\\\",  L"\\/",     L"\\ "};
        if (chance(8)) {
            g.add(L"\\cA", L"\\x01");
            return;
        }
        (void)inClass;
        g.add(kEscapes[pick(std::size(kEscapes))]);
    }

    void classMember(Generated& g, bool first) {
        switch (pick(7)) {
            case 0:
                g.add(L"a-c");
                break;
            case 1:
                g.add(std::wstring(1, 0xE0) + L"-" + std::wstring(1, 0x20AC));
                break;
            case 2:
                escape(g, true);
                break;
            case 3:
                g.add(first ? L"-" : L"b");
                break;
            case 4: {
                static const wchar_t* kPosix[] = {L"[:alpha:]", L"[:digit:]", L"[:space:]",
                                                  L"[:upper:]", L"[:punct:]", L"[:alnum:]"};
                g.add(kPosix[pick(std::size(kPosix))]);
                break;
            }
            case 5:
                g.add(L"\\x00-\\x1f");
                break;
            default: {
                static const wchar_t kMembers[] = {L'a', L'_', L' ', L'.', L'(', L'|', 0xE9, L'A'};
                g.add(std::wstring(1, kMembers[pick(std::size(kMembers))]));
            }
        }
    }

    void characterClass(Generated& g) {
        g.add(chance(30) ? L"[^" : L"[");
        size_t members = 1 + pick(3);
        for (size_t m = 0; m < members; ++m) classMember(g, m == 0);
        if (chance(15)) g.add(L"-");  // a trailing '-' is a member
        g.add(L"]");
    }

    std::mt19937 rng_;
};

bool oracle(const std::wregex& re, const std::wstring& name) {
    return std::regex_search(name, re);
}

std::string utf8(const std::wstring& w) {
    std::string out;
    for (wchar_t c : w) appendUtf8(out, static_cast<uint32_t>(c));
    return out;
}

std::string printable(const std::wstring& w) {
    std::string out;
    for (wchar_t c : w) {
        if (c >= 0x20 && c < 0x7F) {
            out += static_cast<char>(c);
        } else {
            char buf[16];
            std::snprintf(buf, sizeof buf, "<U+%04X>", static_cast<unsigned>(c));
            out += buf;
        }
    }
    return out;
}

#ifdef __GLIBCXX__
constexpr auto kBreadthFirst = std::regex_constants::__polynomial;
#else
constexpr auto kBreadthFirst = std::regex_constants::syntax_option_type{};
#endif

constexpr int kPatternsPerSeed = 4000;
constexpr int kNamesPerPattern = 40;
constexpr size_t kSetSize = 6;

// Each seed: kPatternsPerSeed patterns x kNamesPerPattern names, matched one pattern at a time
// and as sets of kSetSize patterns in one combined program.
class Differential : public ::testing::TestWithParam<uint32_t> {};

TEST_P(Differential, AutomatonAgreesWithEcmaScriptSearch) {
    Generator gen(GetParam());
    size_t compared = 0, refusedByOracle = 0;
    struct Entry {
        PatternProgram program;
        std::wregex oracle;
        std::wstring text;
    };
    std::vector<Entry> batch;
    for (int i = 0; i < kPatternsPerSeed; ++i) {
        Generated g = gen.pattern();
        std::wregex re;
        try {
            re.assign(g.oracle, std::regex_constants::ECMAScript | kBreadthFirst);
        } catch (const std::regex_error&) {
            ++refusedByOracle;  // not a pattern at all (e.g. "a{2,1}" cannot arise; "[c-a]" can)
            continue;
        }
        // What the oracle accepts, PropertyPattern accepts and compiles the same way.
        EXPECT_NO_THROW(PropertyPattern(utf8(g.ours), SchemaPath{})) << printable(g.ours);
        PatternProgram program;
        std::string error;
        bool tooLarge = false;
        ASSERT_TRUE(PatternProgram::compile(g.ours, program, error, tooLarge))
            << printable(g.ours) << ": " << error;
        std::vector<char> matched;
        for (int k = 0; k < kNamesPerPattern; ++k) {
            std::wstring name = gen.name();
            program.search(name, matched);
            ASSERT_EQ(matched.at(0) != 0, oracle(re, name))
                << "pattern " << printable(g.ours) << " name " << printable(name);
            ++compared;
        }
        batch.push_back({std::move(program), std::move(re), g.ours});
        if (batch.size() == kSetSize) {
            PatternProgram combined;
            for (const auto& e : batch) combined.append(e.program);
            for (int k = 0; k < kNamesPerPattern; ++k) {
                std::wstring name = gen.name();
                combined.search(name, matched);
                for (size_t p = 0; p < batch.size(); ++p) {
                    ASSERT_EQ(matched.at(p) != 0, oracle(batch[p].oracle, name))
                        << "set member " << printable(batch[p].text) << " name " << printable(name);
                    ++compared;
                }
            }
            batch.clear();
        }
    }
    // The generator must mostly produce real patterns, or the comparison proves little.
    EXPECT_LT(refusedByOracle, kPatternsPerSeed / 10u);
    EXPECT_GT(compared, 150'000u);
    std::cout << "compared " << compared << " answers (" << refusedByOracle
              << " generated texts were not patterns)\n";
}

INSTANTIATE_TEST_SUITE_P(Seeds, Differential, ::testing::Values(1u, 2u, 3u, 20261208u));

}  // namespace
}  // namespace cryptd::schema
