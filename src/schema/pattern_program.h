#pragma once
// The patternProperties matcher: ECMAScript patterns (the subset PropertyPattern accepts) compiled
// to a Thompson automaton and run as a breadth-first simulation over code points: every state is
// visited at most once per character, so matching is linear in the name whatever the pattern
// (no backtracking). Several patterns compile into one program with one accept state each, so a
// single pass finds all the patterns that match a name.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cryptd::schema {

class PatternProgram {
  public:
    // Patterns compiling to more instructions than this are refused.
    static constexpr size_t kMaxInstructions = 80'000;

    // Parses and compiles `pattern` (code points). Returns false with `error` set when it uses a
    // construct the matcher does not support or compiles past kMaxInstructions (`tooLarge`).
    static bool compile(const std::wstring& pattern, PatternProgram& out, std::string& error,
                        bool& tooLarge);

    // Appends `other` as pattern number patternCount() (the combined program of a PatternSet).
    void append(const PatternProgram& other);

    size_t size() const { return insts_.size(); }
    size_t patternCount() const { return starts_.size(); }

    // Sets matched[i] for every pattern i found anywhere in `name` (unanchored search).
    void search(const std::wstring& name, std::vector<char>& matched) const;

  private:
    enum class Op : uint8_t { Class, Split, Jmp, Assert, Match };
    enum class Assertion : uint8_t { Begin, End, WordBoundary, NotWordBoundary };
    struct Inst {
        Op op;
        Assertion assertion;
        int32_t x;        // next (Jmp, Assert, Class: pc + 1), first branch (Split)
        int32_t y;        // second branch (Split)
        int32_t arg;      // class index (Class), pattern index (Match)
        int32_t pattern;  // owning pattern
    };
    // Sorted disjoint [first, last] code point ranges; ASCII also as a bitmap.
    struct CharClass {
        std::vector<std::pair<uint32_t, uint32_t>> ranges;
        uint64_t ascii[2] = {0, 0};
        bool contains(uint32_t c) const;
    };
    struct Start {
        int32_t pc;
        bool anchored;  // begins with '^': only tried at position 0
        // What a match can begin with (assertions assumed to hold): a start is only tried where
        // the name's next character can be consumed, unless it can match the empty string.
        bool nullable = true;
        bool firstNonAscii = true;
        uint64_t firstAscii[2] = {~uint64_t{0}, ~uint64_t{0}};
    };
    void computeFirst(Start& s) const;
    void indexStarts();
    friend class PatternCompiler;

    std::vector<Inst> insts_;
    std::vector<CharClass> classes_;
    std::vector<Start> starts_;
    // Start indices worth trying before each ASCII character (128: any other; 129: the end).
    // Built for combined programs only (append()): single patterns check each start.
    bool indexed_ = false;
    std::vector<int32_t> startsBefore_[130];
};

}  // namespace cryptd::schema
