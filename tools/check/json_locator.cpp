#include "check/json_locator.h"

#include <cstdint>

#include "common/utf8.h"

namespace cryptd::check {

namespace {

enum class Tok {
    kLBrace,
    kRBrace,
    kLBracket,
    kRBracket,
    kColon,
    kComma,
    kString,
    kScalar,
    kEnd,
    kBad
};

struct Token {
    Tok kind = Tok::kBad;
    size_t offset = 0;
    std::string text;  // decoded string (String only)
};

class Lexer {
  public:
    explicit Lexer(std::string_view text) : t_(text) {}

    size_t pos() const { return p_; }

    Token next() {
        skipSpace();
        Token tok;
        tok.offset = p_;
        if (p_ >= t_.size()) {
            tok.kind = Tok::kEnd;
            return tok;
        }
        char c = t_[p_];
        switch (c) {
            case '{':
                ++p_;
                tok.kind = Tok::kLBrace;
                return tok;
            case '}':
                ++p_;
                tok.kind = Tok::kRBrace;
                return tok;
            case '[':
                ++p_;
                tok.kind = Tok::kLBracket;
                return tok;
            case ']':
                ++p_;
                tok.kind = Tok::kRBracket;
                return tok;
            case ':':
                ++p_;
                tok.kind = Tok::kColon;
                return tok;
            case ',':
                ++p_;
                tok.kind = Tok::kComma;
                return tok;
            case '"':
                tok.kind = readString(tok.text) ? Tok::kString : Tok::kBad;
                return tok;
            default:
                tok.kind = readScalar() ? Tok::kScalar : Tok::kBad;
                return tok;
        }
    }

  private:
    void skipSpace() {
        while (p_ < t_.size() &&
               (t_[p_] == ' ' || t_[p_] == '\t' || t_[p_] == '\n' || t_[p_] == '\r')) {
            ++p_;
        }
    }

    bool hex4(uint32_t& out) {
        if (p_ + 4 > t_.size()) return false;
        out = 0;
        for (int i = 0; i < 4; ++i) {
            char c = t_[p_++];
            out <<= 4;
            if (c >= '0' && c <= '9') {
                out |= static_cast<uint32_t>(c - '0');
            } else if (c >= 'a' && c <= 'f') {
                out |= static_cast<uint32_t>(c - 'a' + 10);
            } else if (c >= 'A' && c <= 'F') {
                out |= static_cast<uint32_t>(c - 'A' + 10);
            } else {
                return false;
            }
        }
        return true;
    }

    // A JSON string starting at the opening quote; decodes escapes so keys compare with BSON keys.
    bool readString(std::string& out) {
        ++p_;
        while (p_ < t_.size()) {
            char c = t_[p_++];
            if (c == '"') return true;
            if (c != '\\') {
                out += c;
                continue;
            }
            if (p_ >= t_.size()) return false;
            char e = t_[p_++];
            switch (e) {
                case '"':
                    out += '"';
                    break;
                case '\\':
                    out += '\\';
                    break;
                case '/':
                    out += '/';
                    break;
                case 'b':
                    out += '\b';
                    break;
                case 'f':
                    out += '\f';
                    break;
                case 'n':
                    out += '\n';
                    break;
                case 'r':
                    out += '\r';
                    break;
                case 't':
                    out += '\t';
                    break;
                case 'u': {
                    uint32_t cp = 0;
                    if (!hex4(cp)) return false;
                    if (cp >= 0xD800 && cp < 0xDC00 && p_ + 1 < t_.size() && t_[p_] == '\\' &&
                        t_[p_ + 1] == 'u') {
                        p_ += 2;
                        uint32_t low = 0;
                        if (!hex4(low)) return false;
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                    }
                    appendUtf8(out, cp);
                    break;
                }
                default:
                    return false;
            }
        }
        return false;
    }

    // true, -1.5, null, and shell literals like UUID("...") or NumberLong(5): everything up to a
    // delimiter outside parentheses and quotes.
    bool readScalar() {
        size_t start = p_;
        int parens = 0;
        while (p_ < t_.size()) {
            char c = t_[p_];
            if (c == '"' || c == '\'') {
                if (parens == 0) return false;  // a quote only belongs inside a literal's (...)
                char quote = c;
                ++p_;
                while (p_ < t_.size() && t_[p_] != quote) p_ += (t_[p_] == '\\') ? 2 : 1;
                if (p_ >= t_.size()) return false;
                ++p_;
                continue;
            }
            if (c == '(') {
                ++parens;
            } else if (c == ')') {
                if (--parens < 0) return false;
            } else if (parens == 0 &&
                       (c == ',' || c == ':' || c == '}' || c == ']' || c == '{' || c == '[' ||
                        c == ' ' || c == '\t' || c == '\n' || c == '\r')) {
                break;
            }
            ++p_;
        }
        return parens == 0 && p_ > start;
    }

    std::string_view t_;
    size_t p_ = 0;
};

}  // namespace

std::string toPointer(const Segments& segments) {
    std::string out;
    for (const auto& s : segments) {
        out += '/';
        for (char c : s) {
            if (c == '~') {
                out += "~0";
            } else if (c == '/') {
                out += "~1";
            } else {
                out += c;
            }
        }
    }
    return out;
}

Location locationAt(std::string_view text, size_t offset) {
    Location loc{1, 1};
    for (size_t i = 0; i < offset && i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++loc.line;
            loc.column = 1;
        } else {
            ++loc.column;
        }
    }
    return loc;
}

JsonLocator::JsonLocator(std::string_view text) {
    valid_ = scan(text);
    if (!valid_) {
        nodes_.clear();
        children_.clear();
    }
}

std::string JsonLocator::childKey(uint32_t parent, std::string_view key) {
    std::string out = std::to_string(parent);
    out += '/';
    out += key;
    return out;
}

bool JsonLocator::scan(std::string_view text) {
    struct Frame {
        bool object;
        uint32_t node;  // the container's node id
        size_t count = 0;
    };
    Lexer lx(text);
    std::vector<Frame> stack;
    // Line/column by offset, computed incrementally (tokens arrive in order).
    size_t lastOffset = 0;
    Location cursor{1, 1};
    auto locate = [&](size_t offset) {
        for (; lastOffset < offset; ++lastOffset) {
            if (text[lastOffset] == '\n') {
                ++cursor.line;
                cursor.column = 1;
            } else {
                ++cursor.column;
            }
        }
        return cursor;
    };
    uint32_t current = 0;  // the node whose value comes next
    auto record = [&](std::string_view key, size_t offset) {
        current = static_cast<uint32_t>(nodes_.size());
        nodes_.push_back(locate(offset));
        children_[childKey(stack.back().node, key)].push_back(current);
    };
    // Reads one token that starts a value: containers open a frame, scalars are complete.
    auto beginValue = [&](const Token& tok) {
        switch (tok.kind) {
            case Tok::kLBrace:
            case Tok::kLBracket:
                stack.push_back(Frame{tok.kind == Tok::kLBrace, current});
                return true;
            case Tok::kString:
            case Tok::kScalar:
                return true;
            default:
                return false;
        }
    };

    Token tok = lx.next();
    if (tok.kind != Tok::kLBrace && tok.kind != Tok::kLBracket) return false;
    nodes_.push_back(locate(tok.offset));
    beginValue(tok);
    while (!stack.empty()) {
        Frame& f = stack.back();
        tok = lx.next();
        Tok close = f.object ? Tok::kRBrace : Tok::kRBracket;
        if (tok.kind == close) {  // (after a comma it is not: "[1,]" fails below)
            stack.pop_back();
            continue;
        }
        if (f.count > 0) {
            if (tok.kind != Tok::kComma) return false;
            tok = lx.next();
        }
        ++f.count;
        if (f.object) {
            if (tok.kind != Tok::kString) return false;
            record(tok.text, tok.offset);
            if (lx.next().kind != Tok::kColon) return false;
            tok = lx.next();
        } else {
            record(std::to_string(f.count - 1), tok.offset);
        }
        if (!beginValue(tok)) return false;
    }
    valueEnd_ = lx.pos();
    return true;
}

std::optional<Location> JsonLocator::find(const Segments& segments, bool lastOccurrence) const {
    if (nodes_.empty()) return std::nullopt;
    uint32_t node = 0;
    for (size_t i = 0; i < segments.size(); ++i) {
        auto it = children_.find(childKey(node, segments[i]));
        if (it == children_.end() || it->second.empty()) return std::nullopt;
        bool last = lastOccurrence && i + 1 == segments.size();
        node = last ? it->second.back() : it->second.front();
    }
    return nodes_[node];
}

}  // namespace cryptd::check
