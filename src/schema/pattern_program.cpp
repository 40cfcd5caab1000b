#include "schema/pattern_program.h"

#include <algorithm>
#include <memory>

namespace cryptd::schema {

namespace {

using Ranges = std::vector<std::pair<uint32_t, uint32_t>>;
constexpr uint32_t kMaxCodePoint = 0x7FFFFFFF;  // decodeUtf8 yields up to 0x1FFFFF

struct Unsupported {
    std::string why;
};
struct TooLarge {};

Ranges normalized(Ranges r) {
    std::sort(r.begin(), r.end());
    Ranges out;
    for (const auto& [lo, hi] : r) {
        if (!out.empty() && lo <= out.back().second + 1) {
            out.back().second = std::max(out.back().second, hi);
        } else {
            out.emplace_back(lo, hi);
        }
    }
    return out;
}

Ranges complement(const Ranges& sorted) {
    Ranges out;
    uint32_t next = 0;
    for (const auto& [lo, hi] : sorted) {
        if (lo > next) out.emplace_back(next, lo - 1);
        next = hi + 1;
    }
    if (next <= kMaxCodePoint && (sorted.empty() || sorted.back().second < kMaxCodePoint)) {
        out.emplace_back(next, kMaxCodePoint);
    }
    return out;
}

// ECMAScript's classes as libstdc++ runs them (classic locale): ASCII only; \s includes \v.
// (Functions, not globals: the crypt_shared library runs no constructor of ours at load.)
Ranges kDigit() {
    return {{'0', '9'}};
}
Ranges kWord() {
    return {{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}};
}
Ranges kSpace() {
    return {{'\t', '\r'}, {' ', ' '}};
}
// '.' matches anything but ECMAScript's line terminators.
Ranges kLineTerminators() {
    return {{'\n', '\n'}, {'\r', '\r'}, {0x2028, 0x2029}};
}

bool isWordChar(uint32_t c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

bool posixClass(std::wstring_view name, Ranges& out) {
    static const std::pair<std::wstring_view, Ranges> kTable[] = {
        {L"alnum", {{'0', '9'}, {'A', 'Z'}, {'a', 'z'}}},
        {L"alpha", {{'A', 'Z'}, {'a', 'z'}}},
        {L"blank", {{'\t', '\t'}, {' ', ' '}}},
        {L"cntrl", {{0, 31}, {127, 127}}},
        {L"digit", {{'0', '9'}}},
        {L"graph", {{33, 126}}},
        {L"lower", {{'a', 'z'}}},
        {L"print", {{32, 126}}},
        {L"punct", {{33, 47}, {58, 64}, {91, 96}, {123, 126}}},
        {L"space", {{'\t', '\r'}, {' ', ' '}}},
        {L"upper", {{'A', 'Z'}}},
        {L"xdigit", {{'0', '9'}, {'A', 'F'}, {'a', 'f'}}},
    };
    for (const auto& [n, r] : kTable) {
        if (n == name) {
            out.insert(out.end(), r.begin(), r.end());
            return true;
        }
    }
    return false;
}

int hexValue(wchar_t h) {
    if (h >= '0' && h <= '9') return h - '0';
    if (h >= 'a' && h <= 'f') return h - 'a' + 10;
    if (h >= 'A' && h <= 'F') return h - 'A' + 10;
    return -1;
}

struct Node {
    enum class Kind { Empty, Class, Assert, Concat, Alt, Repeat } kind = Kind::Empty;
    int cls = 0;
    int assertion = 0;
    int min = 0, max = 0;  // max -1: unbounded
    std::vector<std::unique_ptr<Node>> kids;
};
using NodePtr = std::unique_ptr<Node>;

}  // namespace

bool PatternProgram::CharClass::contains(uint32_t c) const {
    if (c < 128) return ((ascii[c >> 6] >> (c & 63)) & 1) != 0;
    auto it = std::upper_bound(ranges.begin(), ranges.end(), c,
                               [](uint32_t v, const auto& r) { return v < r.first; });
    return it != ranges.begin() && c <= std::prev(it)->second;
}

// Recursive descent over the ECMAScript grammar, then Thompson construction. The pattern has
// already passed std::regex's ECMAScript check, so anything unexpected here is refused.
class PatternCompiler {
  public:
    PatternCompiler(const std::wstring& p, PatternProgram& prog) : p_(p), prog_(prog) {}

    void run() {
        NodePtr root = disjunction();
        if (i_ != p_.size()) unsupported("unbalanced ')'");
        prog_.starts_.push_back({0, false});
        emit(*root);
        PatternProgram::Inst match{PatternProgram::Op::Match, {}, 0, 0, 0, 0};
        push(match);
        const auto& first = prog_.insts_.front();
        prog_.starts_.back().anchored = first.op == PatternProgram::Op::Assert &&
                                        first.assertion == PatternProgram::Assertion::Begin;
        prog_.computeFirst(prog_.starts_.back());
    }

  private:
    using Op = PatternProgram::Op;
    using A = PatternProgram::Assertion;

    [[noreturn]] static void unsupported(std::string why) { throw Unsupported{std::move(why)}; }

    bool more() const { return i_ < p_.size(); }
    wchar_t peek(size_t k = 0) const { return i_ + k < p_.size() ? p_[i_ + k] : L'\0'; }

    int addClass(Ranges r, bool negate) {
        r = normalized(std::move(r));
        if (negate) r = complement(r);
        PatternProgram::CharClass cc;
        for (const auto& [lo, hi] : r) {
            for (uint32_t c = lo; c <= std::min<uint32_t>(hi, 127); ++c) {
                cc.ascii[c >> 6] |= uint64_t{1} << (c & 63);
            }
        }
        cc.ranges = std::move(r);
        prog_.classes_.push_back(std::move(cc));
        return static_cast<int>(prog_.classes_.size() - 1);
    }

    static NodePtr classNode(int cls) {
        auto n = std::make_unique<Node>();
        n->kind = Node::Kind::Class;
        n->cls = cls;
        return n;
    }

    NodePtr disjunction() {
        auto alt = std::make_unique<Node>();
        alt->kind = Node::Kind::Alt;
        alt->kids.push_back(alternative());
        while (more() && peek() == '|') {
            ++i_;
            alt->kids.push_back(alternative());
        }
        if (alt->kids.size() == 1) return std::move(alt->kids.front());
        return alt;
    }

    NodePtr alternative() {
        auto cat = std::make_unique<Node>();
        cat->kind = Node::Kind::Concat;
        while (more() && peek() != '|' && peek() != ')') cat->kids.push_back(term());
        return cat;
    }

    static bool isQuantifierStart(wchar_t c) {
        return c == '*' || c == '+' || c == '?' || c == '{';
    }

    NodePtr term() {
        wchar_t c = peek();
        int assertion = -1;
        if (c == '^') {
            assertion = static_cast<int>(A::Begin);
        } else if (c == '$') {
            assertion = static_cast<int>(A::End);
        } else if (c == '\\' && peek(1) == 'b') {
            assertion = static_cast<int>(A::WordBoundary);
        } else if (c == '\\' && peek(1) == 'B') {
            assertion = static_cast<int>(A::NotWordBoundary);
        }
        if (assertion >= 0) {
            i_ += c == '\\' ? 2 : 1;
            if (more() && isQuantifierStart(peek())) unsupported("a quantifier after an assertion");
            auto n = std::make_unique<Node>();
            n->kind = Node::Kind::Assert;
            n->assertion = assertion;
            return n;
        }
        NodePtr atom = this->atom();
        int min = 0, max = 0;
        if (!quantifier(min, max)) return atom;
        if (more() && peek() == '?') ++i_;  // lazy: the same yes/no answer
        int ignoredMin = 0, ignoredMax = 0;
        size_t before = i_;
        if (more() && isQuantifierStart(peek()) && quantifier(ignoredMin, ignoredMax)) {
            i_ = before;
            // PCRE reads "a*+" as possessive, ECMAScript's libstdc++ as (a*)+.
            unsupported("a quantifier directly after a quantifier ('a**', 'a*+', 'a{2}{3}'...)");
        }
        auto rep = std::make_unique<Node>();
        rep->kind = Node::Kind::Repeat;
        rep->min = min;
        rep->max = max;
        rep->kids.push_back(std::move(atom));
        return rep;
    }

    // Reads a quantifier at i_ (if any) into [min, max].
    bool quantifier(int& min, int& max) {
        if (!more()) return false;
        wchar_t c = peek();
        if (c == '*' || c == '+' || c == '?') {
            ++i_;
            min = c == '+' ? 1 : 0;
            max = c == '?' ? 1 : -1;
            return true;
        }
        if (c != '{') return false;
        size_t j = i_ + 1;
        auto number = [&](int& v) {
            size_t start = j;
            long long n = 0;
            while (j < p_.size() && p_[j] >= '0' && p_[j] <= '9') {
                n = std::min<long long>(n * 10 + (p_[j] - '0'), 1'000'000);
                ++j;
            }
            v = static_cast<int>(n);
            return j > start;
        };
        if (!number(min)) unsupported("'{' that does not start a repetition count");
        max = min;
        if (j < p_.size() && p_[j] == ',') {
            ++j;
            if (!number(max)) max = -1;
        }
        if (j >= p_.size() || p_[j] != '}') {
            unsupported("'{' that does not start a repetition count");
        }
        if (max != -1 && max < min) unsupported("a repetition count range out of order");
        i_ = j + 1;
        return true;
    }

    NodePtr atom() {
        wchar_t c = peek();
        switch (c) {
            case '(': {
                ++i_;
                if (peek() == '?') {
                    if (peek(1) != ':') unsupported("a '(?' group other than '(?:'");
                    i_ += 2;
                }
                NodePtr inner = disjunction();
                if (!more() || peek() != ')') unsupported("an unclosed group");
                ++i_;
                return inner;
            }
            case '.':
                ++i_;
                return classNode(addClass(kLineTerminators(), true));
            case '[':
                return classNode(bracket());
            case '\\': {
                Ranges r;
                bool negate = false;
                uint32_t single = 0;
                if (escape(false, r, negate, single)) {
                    r = {{single, single}};
                }
                return classNode(addClass(std::move(r), negate));
            }
            case '*':
            case '+':
            case '?':
            case '{':
                unsupported("nothing to repeat");
            case ')':
            case '|':
                unsupported("unexpected '" + std::string(1, static_cast<char>(c)) + "'");
            default:
                ++i_;
                return classNode(
                    addClass({{static_cast<uint32_t>(c), static_cast<uint32_t>(c)}}, false));
        }
    }

    // The escape at i_ ('\\'). Returns true for one character (`single`), false for a class
    // (`r`, complemented when `negate`).
    bool escape(bool inClass, Ranges& r, bool& negate, uint32_t& single) {
        ++i_;
        if (!more()) unsupported("a dangling '\\'");
        wchar_t c = p_[i_++];
        switch (c) {
            case 'd':
            case 'D':
                r = kDigit();
                negate = c == 'D';
                return false;
            case 'w':
            case 'W':
                r = kWord();
                negate = c == 'W';
                return false;
            case 's':
            case 'S':
                r = kSpace();
                negate = c == 'S';
                return false;
            case 'f':
                single = 0x0C;
                return true;
            case 'n':
                single = 0x0A;
                return true;
            case 'r':
                single = 0x0D;
                return true;
            case 't':
                single = 0x09;
                return true;
            case 'v':
                single = 0x0B;
                return true;
            case 'c':
                if (more() &&
                    ((peek() >= 'a' && peek() <= 'z') || (peek() >= 'A' && peek() <= 'Z'))) {
                    single = static_cast<uint32_t>(p_[i_++]) % 32;
                    return true;
                }
                unsupported("'\\c' not followed by a letter");
            case 'x':
            case 'u': {
                size_t digits = c == 'x' ? 2 : 4;
                uint32_t v = 0;
                for (size_t k = 0; k < digits; ++k) {
                    int h = hexValue(peek());
                    if (h < 0)
                        unsupported(std::string("a '\\") + static_cast<char>(c) +
                                    "' escape without " + std::to_string(digits) + " hex digits");
                    v = v * 16 + static_cast<uint32_t>(h);
                    ++i_;
                }
                single = v;
                return true;
            }
            default:
                break;
        }
        if (c < 128 && std::isalnum(static_cast<int>(c))) {
            unsupported(std::string("the escape '\\") + static_cast<char>(c) + "'" +
                        (inClass ? " inside a character class" : ""));
        }
        single = static_cast<uint32_t>(c);
        return true;
    }

    // The class at i_ ('['); returns its index.
    int bracket() {
        ++i_;
        bool negated = more() && peek() == '^';
        if (negated) ++i_;
        Ranges r;
        while (true) {
            if (!more()) unsupported("an unclosed character class");
            if (peek() == ']') {
                ++i_;
                break;
            }
            uint32_t lo = 0;
            if (!classAtom(r, lo)) continue;  // a class escape or [:name:]
            if (peek() == '-' && peek(1) != ']' && i_ + 1 < p_.size()) {
                ++i_;
                uint32_t hi = 0;
                if (!classAtom(r, hi)) unsupported("a character class escape as a range bound");
                if (hi < lo) unsupported("a character range out of order");
                r.emplace_back(lo, hi);
            } else {
                r.emplace_back(lo, lo);
            }
        }
        return addClass(std::move(r), negated);
    }

    // One member of a class. Returns true for a single character (`c`); a set is added to `r`.
    bool classAtom(Ranges& r, uint32_t& c) {
        wchar_t ch = peek();
        if (ch == '[' && (peek(1) == '.' || peek(1) == '=')) {
            // PCRE refuses collating elements and equivalence classes; ECMAScript has none.
            unsupported("'[.' and '[=' inside a character class");
        }
        if (ch == '[' && peek(1) == ':') {
            size_t close = p_.find(L":]", i_ + 2);
            if (close == std::wstring::npos) unsupported("an unclosed '[:' class");
            if (!posixClass(std::wstring_view(p_).substr(i_ + 2, close - i_ - 2), r)) {
                unsupported("this '[:name:]' class");
            }
            i_ = close + 2;
            if (peek() == '-' && peek(1) != ']') unsupported("a '[:name:]' class as a range bound");
            return false;
        }
        if (ch == '\\') {
            if (peek(1) == 'b' || peek(1) == 'B') {
                unsupported("'\\b' or '\\B' inside a character class");
            }
            Ranges set;
            bool negate = false;
            if (escape(true, set, negate, c)) return true;
            set = normalized(std::move(set));
            if (negate) set = complement(set);
            r.insert(r.end(), set.begin(), set.end());
            if (peek() == '-' && peek(1) != ']') {
                unsupported("a character class escape as a range bound");
            }
            return false;
        }
        ++i_;
        c = static_cast<uint32_t>(ch);
        return true;
    }

    int32_t pc() const { return static_cast<int32_t>(prog_.insts_.size()); }

    void push(PatternProgram::Inst inst) {
        if (prog_.insts_.size() >= PatternProgram::kMaxInstructions) throw TooLarge{};
        prog_.insts_.push_back(inst);
    }

    void emitOp(Op op, int32_t x, int32_t y = 0, int32_t arg = 0, A a = A::Begin) {
        push({op, a, x, y, arg, 0});
    }

    void emit(const Node& n) {
        switch (n.kind) {
            case Node::Kind::Empty:
                return;
            case Node::Kind::Class:
                emitOp(Op::Class, pc() + 1, 0, n.cls);
                return;
            case Node::Kind::Assert:
                emitOp(Op::Assert, pc() + 1, 0, 0, static_cast<A>(n.assertion));
                return;
            case Node::Kind::Concat:
                for (const auto& k : n.kids) emit(*k);
                return;
            case Node::Kind::Alt: {
                std::vector<int32_t> jumps;
                for (size_t k = 0; k < n.kids.size(); ++k) {
                    int32_t split = -1;
                    if (k + 1 < n.kids.size()) {
                        split = pc();
                        emitOp(Op::Split, pc() + 1);
                    }
                    emit(*n.kids[k]);
                    if (k + 1 < n.kids.size()) {
                        jumps.push_back(pc());
                        emitOp(Op::Jmp, 0);
                        prog_.insts_[split].y = pc();
                    }
                }
                for (int32_t j : jumps) prog_.insts_[j].x = pc();
                return;
            }
            case Node::Kind::Repeat: {
                const Node& kid = *n.kids.front();
                for (int k = 0; k < n.min; ++k) emit(kid);
                if (n.max == -1) {
                    int32_t loop = pc();
                    emitOp(Op::Split, loop + 1);
                    emit(kid);
                    emitOp(Op::Jmp, loop);
                    prog_.insts_[loop].y = pc();
                    return;
                }
                std::vector<int32_t> splits;
                for (int k = n.min; k < n.max; ++k) {
                    splits.push_back(pc());
                    emitOp(Op::Split, pc() + 1);
                    emit(kid);
                }
                for (int32_t s : splits) prog_.insts_[s].y = pc();
                return;
            }
        }
    }

    const std::wstring& p_;
    PatternProgram& prog_;
    size_t i_ = 0;
};

bool PatternProgram::compile(const std::wstring& pattern, PatternProgram& out, std::string& error,
                             bool& tooLarge) {
    out = PatternProgram();
    tooLarge = false;
    try {
        PatternCompiler(pattern, out).run();
        return true;
    } catch (const Unsupported& u) {
        error = u.why + " is not supported";
    } catch (const TooLarge&) {
        tooLarge = true;
        error = "more than " + std::to_string(kMaxInstructions) + " automaton instructions";
    }
    out = PatternProgram();
    return false;
}

void PatternProgram::computeFirst(Start& s) const {
    s.nullable = false;
    s.firstNonAscii = false;
    s.firstAscii[0] = s.firstAscii[1] = 0;
    std::vector<char> seen(insts_.size(), 0);
    std::vector<int32_t> stack = {s.pc};
    while (!stack.empty()) {
        int32_t pc = stack.back();
        stack.pop_back();
        if (seen[pc]) continue;
        seen[pc] = 1;
        const Inst& in = insts_[pc];
        switch (in.op) {
            case Op::Class: {
                const CharClass& cc = classes_[in.arg];
                s.firstAscii[0] |= cc.ascii[0];
                s.firstAscii[1] |= cc.ascii[1];
                s.firstNonAscii =
                    s.firstNonAscii || (!cc.ranges.empty() && cc.ranges.back().second >= 128);
                break;
            }
            case Op::Split:
                stack.push_back(in.y);
                stack.push_back(in.x);
                break;
            case Op::Jmp:
            case Op::Assert:  // may hold
                stack.push_back(in.x);
                break;
            case Op::Match:
                s.nullable = true;
                break;
        }
    }
}

void PatternProgram::indexStarts() {
    indexed_ = true;
    for (auto& list : startsBefore_) list.clear();
    for (size_t k = 0; k < starts_.size(); ++k) {
        const Start& s = starts_[k];
        for (uint32_t c = 0; c < 128; ++c) {
            if (s.nullable || ((s.firstAscii[c >> 6] >> (c & 63)) & 1) != 0) {
                startsBefore_[c].push_back(static_cast<int32_t>(k));
            }
        }
        if (s.nullable || s.firstNonAscii) startsBefore_[128].push_back(static_cast<int32_t>(k));
        if (s.nullable) startsBefore_[129].push_back(static_cast<int32_t>(k));
    }
}

void PatternProgram::append(const PatternProgram& other) {
    auto pcBase = static_cast<int32_t>(insts_.size());
    auto classBase = static_cast<int32_t>(classes_.size());
    auto index = static_cast<int32_t>(starts_.size());
    for (Inst inst : other.insts_) {
        inst.x += pcBase;
        if (inst.op == Op::Split) inst.y += pcBase;
        if (inst.op == Op::Class) inst.arg += classBase;
        if (inst.op == Op::Match) inst.arg = index;
        inst.pattern = index;
        insts_.push_back(inst);
    }
    classes_.insert(classes_.end(), other.classes_.begin(), other.classes_.end());
    for (Start s : other.starts_) {
        s.pc += pcBase;
        starts_.push_back(s);
    }
    indexStarts();
}

namespace {

// A set of program counters with O(1) insert, lookup and clear (Briggs & Torczon).
struct SparseSet {
    uint32_t* dense;
    uint32_t* sparse;
    uint32_t count = 0;
    bool contains(uint32_t pc) const {
        uint32_t s = sparse[pc];
        return s < count && dense[s] == pc;
    }
    void insert(uint32_t pc) {
        sparse[pc] = count;
        dense[count++] = pc;
    }
};

}  // namespace

void PatternProgram::search(const std::wstring& name, std::vector<char>& matched) const {
    matched.assign(starts_.size(), 0);
    const size_t n = insts_.size();
    if (n == 0) return;
    // Per-thread scratch: no allocation per lookup once warm. (References taken once: each
    // thread_local access may be a call in position-independent code.)
    thread_local std::vector<uint32_t> scratchStorage;
    thread_local std::vector<int32_t> stackStorage;
    std::vector<uint32_t>& scratch = scratchStorage;
    std::vector<int32_t>& stack = stackStorage;
    if (scratch.size() < 4 * n) scratch.resize(4 * n);
    SparseSet sets[2] = {{scratch.data(), scratch.data() + n},
                         {scratch.data() + 2 * n, scratch.data() + 3 * n}};
    size_t remaining = starts_.size();
    size_t unanchoredLeft = 0;
    for (const Start& s : starts_) unanchoredLeft += s.anchored ? 0 : 1;
    const size_t len = name.size();
    const bool indexed = indexed_;

    auto add = [&](SparseSet& set, int32_t start, size_t pos) {
        stack.clear();
        stack.push_back(start);
        while (!stack.empty()) {
            int32_t at = stack.back();
            stack.pop_back();
            auto pc = static_cast<uint32_t>(at);
            if (set.contains(pc)) continue;
            set.insert(pc);
            const Inst& in = insts_[pc];
            switch (in.op) {
                case Op::Class:
                    break;
                case Op::Jmp:
                    stack.push_back(in.x);
                    break;
                case Op::Split:
                    stack.push_back(in.y);
                    stack.push_back(in.x);
                    break;
                case Op::Assert: {
                    const bool prevWord =
                        pos > 0 && isWordChar(static_cast<uint32_t>(name[pos - 1]));
                    const bool nextWord = pos < len && isWordChar(static_cast<uint32_t>(name[pos]));
                    bool holds = false;
                    switch (in.assertion) {
                        case Assertion::Begin:
                            holds = pos == 0;
                            break;
                        case Assertion::End:
                            holds = pos == len;
                            break;
                        case Assertion::WordBoundary:
                            holds = prevWord != nextWord;
                            break;
                        case Assertion::NotWordBoundary:
                            holds = prevWord == nextWord;
                            break;
                    }
                    if (holds) stack.push_back(in.x);
                    break;
                }
                case Op::Match:
                    if (!matched[in.arg]) {
                        matched[in.arg] = 1;
                        --remaining;
                        if (!starts_[in.arg].anchored) --unanchoredLeft;
                    }
                    break;
            }
        }
    };

    int cur = 0;
    for (size_t pos = 0;; ++pos) {
        SparseSet& clist = sets[cur];
        const uint32_t next = pos < len ? static_cast<uint32_t>(name[pos]) : 0;
        // Only the starts that can consume the next character (or match the empty string).
        const size_t slot = pos == len ? 129 : next < 128 ? next : 128;
        const size_t count = indexed ? startsBefore_[slot].size() : starts_.size();
        for (size_t j = 0; j < count; ++j) {
            const size_t k = indexed ? static_cast<size_t>(startsBefore_[slot][j]) : j;
            const Start& s = starts_[k];
            if (matched[k] || (pos != 0 && s.anchored)) continue;
            if (!indexed && !s.nullable &&
                (pos == len || !(next < 128 ? ((s.firstAscii[next >> 6] >> (next & 63)) & 1) != 0
                                            : s.firstNonAscii))) {
                continue;
            }
            add(clist, s.pc, pos);
        }
        if (remaining == 0 || pos == len) return;
        if (clist.count == 0 && unanchoredLeft == 0) return;
        SparseSet& nlist = sets[1 - cur];
        nlist.count = 0;
        const auto c = static_cast<uint32_t>(name[pos]);
        for (uint32_t k = 0; k < clist.count; ++k) {
            const Inst& in = insts_[clist.dense[k]];
            if (in.op != Op::Class || matched[in.pattern]) continue;
            if (classes_[in.arg].contains(c)) add(nlist, in.x, pos + 1);
        }
        clist.count = 0;
        cur = 1 - cur;
    }
}

}  // namespace cryptd::schema
