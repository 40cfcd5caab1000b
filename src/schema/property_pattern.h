#pragma once
// One patternProperties key: a regular expression matched (unanchored, like JSON schema) against
// field names, on code points. Patterns are checked with the ECMAScript grammar (what is accepted
// did not change), then compiled to our own automaton (PatternProgram), which matches in time
// linear in the name whatever the pattern: lookaround assertions, which need backtracking or a
// re-scan per position, are refused. A node's patterns are matched together in one pass
// (PatternSet).

#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace cryptd::schema {

struct SchemaPath;
class PatternProgram;

class PropertyPattern {
  public:
    static constexpr size_t kMaxPatternBytes = 1000;
    static constexpr size_t kMaxNameCodePoints = 1024;
    static constexpr unsigned kMaxRepeatBound = 1000;
    // Bound on the automaton size estimated from the text (states cost ~100 bytes each).
    static constexpr size_t kMaxEstimatedStates = 100'000;

    // Throws Error(BadValue) naming `path` when the pattern is invalid or too complex.
    PropertyPattern(std::string_view pattern, const SchemaPath& path);

    const std::string& text() const { return text_; }
    // The automaton size estimate, for the per-schema budget and the cache's memory accounting.
    size_t estimatedStates() const { return estimatedStates_; }
    static size_t estimateStates(std::string_view pattern, const SchemaPath& path);
    // Throws Error(BadValue) for names longer than kMaxNameCodePoints (never guesses).
    bool matches(std::string_view fieldName) const;
    const PatternProgram& program() const { return *program_; }
    // Instructions of the compiled automaton (what compiling and matching it cost).
    size_t programSize() const;

  private:
    std::string text_;
    size_t estimatedStates_ = 0;
    std::shared_ptr<const PatternProgram> program_;
};

// The patterns of one subschema, matched together: one pass over the name finds every pattern
// that matches it (time linear in the name, not in names x patterns).
class PatternSet {
  public:
    PatternSet();
    ~PatternSet();
    PatternSet(PatternSet&&) noexcept;
    PatternSet& operator=(PatternSet&&) noexcept;
    void build(const std::vector<const PropertyPattern*>& patterns);
    bool empty() const { return !program_; }
    // Indices (in build order, ascending) of the patterns matching `fieldName`. Throws
    // Error(BadValue) for names that cannot be matched the server's way (see matches()).
    std::vector<int> matching(std::string_view fieldName) const;

  private:
    std::unique_ptr<const PatternProgram> program_;  // all patterns, one accept state each
    std::string firstText_;                          // for messages
};

// The work patternProperties matching may do for one request on this thread. A regex automaton
// runs in time linear in the name, but with a constant that grows with the patterns (counted
// repetitions unroll: "[a-z]{0,1000}" is thousands of states, and a name can keep them all
// alive at every character). Each lookup is charged (name length + 1) x the patterns' program
// size, a bound on that work; past the request's budget the command is refused (BadValue) rather
// than left to run. Installed by the analyzer per request; without one, matching is unmetered.
// Thrown by MatchBudget::charge on a thread under a MatchBudget::Cap when the work passes the cap
// (and not the budget): the caller reruns the command where it may take longer. Not an Error: it
// never reaches a client.
struct MatchWorkDeferred : std::exception {
    const char* what() const noexcept override {
        return "patternProperties matching deferred to a thread that may take longer";
    }
};

class MatchBudget {
  public:
    // While alive on this thread, work past `steps` throws MatchWorkDeferred instead of running
    // on: the I/O threads use it so that one command cannot hold other connections up.
    class Cap {
      public:
        explicit Cap(uint64_t steps);
        ~Cap();
        Cap(const Cap&) = delete;
        Cap& operator=(const Cap&) = delete;

      private:
        uint64_t previous_;
    };

    // A step (one instruction visited for one character) costs about 3 ns at worst (measured on
    // 4 x "[\s\S]{0,1000}y" and a 992-character name): at worst about 6 ms plus 1.5 ms per KB.
    // Ordinary schemas (tens of short patterns, names of tens of characters) use well under a
    // tenth of it.
    static constexpr uint64_t kFixedSteps = 2'000'000;
    static constexpr uint64_t kStepsPerByte = 500;
    explicit MatchBudget(size_t requestBytes);
    ~MatchBudget();
    MatchBudget(const MatchBudget&) = delete;
    MatchBudget& operator=(const MatchBudget&) = delete;
    // Throws Error(BadValue) when the budget installed on this thread is spent.
    static void charge(uint64_t steps);

  private:
    uint64_t left_;
    uint64_t spent_ = 0;
    size_t requestBytes_;
    MatchBudget* previous_;
};

// Throws unless `fieldName` can be matched against pattern `text` the server's way; returns the
// name as valid UTF-8 (malformed bytes become U+FFFD).
std::string checkedName(std::string_view fieldName, const std::string& text);

// UTF-8 to code points; malformed bytes become U+FFFD.
std::wstring decodeUtf8(std::string_view utf8);

}  // namespace cryptd::schema
