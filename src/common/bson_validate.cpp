#include "common/bson_validate.h"

#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "common/bson_bytes.h"

namespace cryptd::bson {

namespace {

constexpr size_t kNotFound = std::numeric_limits<size_t>::max();

// Length of the well-formed UTF-8 sequence starting at s (first byte >= 0x80), or 0.
size_t utf8Sequence(const uint8_t* s, size_t available) {
    uint8_t c = s[0];
    size_t n;
    uint8_t lo = 0x80;
    uint8_t hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0) lo = 0xA0;  // overlong
        if (c == 0xED) hi = 0x9F;  // surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0) lo = 0x90;  // overlong
        if (c == 0xF4) hi = 0x8F;  // above U+10FFFF
    } else {
        return 0;  // a continuation byte, an overlong lead (C0, C1) or F5-FF
    }
    if (available < n) return 0;
    if (s[1] < lo || s[1] > hi) return 0;
    for (size_t i = 2; i < n; ++i) {
        if ((s[i] & 0xC0) != 0x80) return 0;
    }
    return n;
}

// The offset of the zero byte ending the key that starts at `at`, checking UTF-8 on the way.
// Keys are nearly always ASCII: eight bytes are checked at a time until a zero or a byte above
// 0x7F shows up.
size_t scanKey(const uint8_t* d, size_t at, size_t limit, Invalid& problem) {
    size_t i = at;
    while (i < limit) {
        if (limit - i >= 8) {
            uint64_t w;
            std::memcpy(&w, d + i, 8);
            // No byte is zero and none has its high bit set: eight ASCII key bytes.
            if (zeroByteMask(w) | (w & 0x8080808080808080ull)) {
                // fall through to the byte-wise path for this word
            } else {
                i += 8;
                continue;
            }
        }
        uint8_t c = d[i];
        if (c == 0) return i;
        if (c < 0x80) {
            ++i;
            continue;
        }
        size_t n = utf8Sequence(d + i, limit - i);
        if (n == 0) {
            problem = Invalid::kKeyUtf8;
            return kNotFound;
        }
        i += n;
    }
    problem = Invalid::kStructure;  // no terminating zero before the document's end
    return kNotFound;
}

bool keyIsIndex(const uint8_t* key, size_t len, uint32_t index) {
    char digits[10];
    size_t n = 0;
    do {
        digits[n++] = static_cast<char>('0' + index % 10);
        index /= 10;
    } while (index != 0);
    if (len != n) return false;
    for (size_t i = 0; i < n; ++i) {
        if (key[i] != static_cast<uint8_t>(digits[n - 1 - i])) return false;
    }
    return true;
}

struct Frame {
    size_t end;          // offset of the document's terminating zero byte
    uint32_t nextIndex;  // arrays: the key the next element must have
    bool array;
};

// A stack that lives on the C++ stack until documents nest deeper than 32 levels.
class FrameStack {
  public:
    void push(Frame f) {
        if (size_ < kInline) {
            inline_[size_] = f;
        } else {
            spill_.push_back(f);
        }
        ++size_;
    }
    void pop() {
        if (size_ > kInline) spill_.pop_back();
        --size_;
    }
    Frame& top() { return size_ > kInline ? spill_.back() : inline_[size_ - 1]; }
    size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }

  private:
    static constexpr size_t kInline = 32;
    Frame inline_[kInline];
    std::vector<Frame> spill_;
    size_t size_ = 0;
};

constexpr size_t kZeroInside = kNotFound - 1;

// Size of a BSON string value at v (int32 length, bytes, zero): kNotFound when it does not fit
// or lacks its terminator, kZeroInside when a zero byte comes earlier (libbson re-encodes code,
// symbols and collection names up to their first zero, which would change the value).
size_t textValue(const uint8_t* d, size_t v, size_t room) {
    if (room < 5) return kNotFound;
    uint32_t l = loadLE32(d + v);
    if (l < 1 || l > INT32_MAX || 4 + size_t(l) > room || d[v + 4 + l - 1] != 0) return kNotFound;
    if (std::memchr(d + v + 4, 0, l - 1) != nullptr) return kZeroInside;
    return 4 + size_t(l);
}

size_t fixedSize(uint8_t type) {
    switch (type) {
        case 0x01:  // double
        case 0x09:  // date
        case 0x11:  // timestamp
        case 0x12:  // int64
            return 8;
        case 0x07:  // ObjectId
            return 12;
        case 0x13:  // decimal128
            return 16;
        case 0x10:  // int32
            return 4;
        case 0x06:  // undefined
        case 0x0A:  // null
        case 0x7F:  // maxKey
        case 0xFF:  // minKey
            return 0;
        default:
            return kNotFound;
    }
}

}  // namespace

const char* Validation::describe() const {
    switch (problem) {
        case Invalid::kNone:
            return "valid";
        case Invalid::kStructure:
            return "a length, terminator or type byte is wrong";
        case Invalid::kArrayKeys:
            return "array keys must be \"0\", \"1\", ... in order";
        case Invalid::kTooDeep:
            return "nested too deeply";
        case Invalid::kKeyUtf8:
            return "a field name is not valid UTF-8";
        case Invalid::kStringZeroByte:
            return "a string value contains a zero byte";
    }
    return "invalid";
}

bool isValidKey(const uint8_t* data, size_t len) {
    for (size_t i = 0; i < len;) {
        if (data[i] == 0) return false;
        if (data[i] < 0x80) {
            ++i;
            continue;
        }
        size_t n = utf8Sequence(data + i, len - i);
        if (n == 0) return false;
        i += n;
    }
    return true;
}

Validation validate(const uint8_t* d, size_t len, ValidateOptions options) {
    Validation r;
    auto fail = [&r](Invalid why, size_t at) {
        r.problem = why;
        r.offset = at;
        return r;
    };
    if (!isFramed(d, len)) {
        return fail(Invalid::kStructure, 0);
    }
    if (options.maxDepth < 1) return fail(Invalid::kTooDeep, 0);
    FrameStack stack;
    stack.push({len - 1, 0, false});
    r.depth = 1;
    size_t p = 4;
    while (!stack.empty()) {
        Frame& f = stack.top();
        if (p == f.end) {  // its terminating zero was checked when the frame was pushed
            stack.pop();
            ++p;
            continue;
        }
        const uint8_t type = d[p];
        Invalid keyProblem = Invalid::kNone;
        size_t keyEnd = scanKey(d, p + 1, f.end, keyProblem);
        if (keyEnd == kNotFound) return fail(keyProblem, p + 1);
        if (f.array && !keyIsIndex(d + p + 1, keyEnd - p - 1, f.nextIndex++)) {
            return fail(Invalid::kArrayKeys, p + 1);
        }
        const size_t v = keyEnd + 1;
        const size_t room = f.end - v;  // bytes the value may take (keyEnd < f.end)
        size_t size = fixedSize(type);
        switch (type) {
            case 0x08:  // bool
                if (room < 1 || d[v] > 1) return fail(Invalid::kStructure, v);
                size = 1;
                break;
            case 0x02:  // string
            case 0x0D:  // JavaScript code
            case 0x0E:  // symbol
            case 0x0C:  // DBPointer: string + ObjectId
                size = textValue(d, v, room);
                if (size == kNotFound) return fail(Invalid::kStructure, v);
                if (size == kZeroInside) return fail(Invalid::kStringZeroByte, v);
                if (type == 0x0C) {
                    if (room - size < 12) return fail(Invalid::kStructure, v);
                    size += 12;
                }
                break;
            case 0x05: {  // binary: int32 length, subtype, bytes
                if (room < 5) return fail(Invalid::kStructure, v);
                uint32_t l = loadLE32(d + v);
                if (l > INT32_MAX || 5 + size_t(l) > room) return fail(Invalid::kStructure, v);
                if (d[v + 4] == 0x02 && (l < 4 || loadLE32(d + v + 5) != l - 4)) {
                    return fail(Invalid::kStructure, v);  // old binary repeats its length
                }
                size = 5 + size_t(l);
                break;
            }
            case 0x0B: {  // regex: pattern and options, both C strings
                const void* z1 = std::memchr(d + v, 0, room);
                if (z1 == nullptr) return fail(Invalid::kStructure, v);
                size_t o = static_cast<size_t>(static_cast<const uint8_t*>(z1) - d) + 1;
                const void* z2 = std::memchr(d + o, 0, f.end - o);
                if (z2 == nullptr) return fail(Invalid::kStructure, o);
                size = static_cast<size_t>(static_cast<const uint8_t*>(z2) - d) + 1 - v;
                break;
            }
            case 0x03:    // document
            case 0x04: {  // array
                if (room < 5) return fail(Invalid::kStructure, v);
                uint32_t l = loadLE32(d + v);
                if (l < 5 || l > room || d[v + l - 1] != 0) return fail(Invalid::kStructure, v);
                if (stack.size() + 1 > static_cast<size_t>(options.maxDepth)) {
                    r.depth = options.maxDepth + 1;
                    return fail(Invalid::kTooDeep, v);
                }
                if (type == 0x03 && options.trustedSize != 0 && v == options.trustedOffset &&
                    l == options.trustedSize) {
                    const size_t depth = stack.size() + static_cast<size_t>(options.trustedDepth);
                    if (depth > static_cast<size_t>(options.maxDepth)) {
                        r.depth = options.maxDepth + 1;
                        return fail(Invalid::kTooDeep, v);
                    }
                    r.depth = std::max(r.depth, static_cast<int>(depth));
                    p = v + l;
                    continue;
                }
                stack.push({v + l - 1, 0, type == 0x04 && options.arrayKeysInOrder});
                r.depth = std::max(r.depth, static_cast<int>(stack.size()));
                p = v + 4;
                continue;
            }
            case 0x0F: {  // code with scope: int32 total, string, document
                if (room < 14) return fail(Invalid::kStructure, v);
                uint32_t total = loadLE32(d + v);
                if (total < 14 || total > room) return fail(Invalid::kStructure, v);
                size_t code = textValue(d, v + 4, total - 4);
                if (code == kZeroInside) return fail(Invalid::kStringZeroByte, v);
                if (code == kNotFound || total - 4 - code < 5) return fail(Invalid::kStructure, v);
                size_t s = v + 4 + code;
                uint32_t scopeLen = loadLE32(d + s);
                if (scopeLen != total - 4 - code || d[s + scopeLen - 1] != 0) {
                    return fail(Invalid::kStructure, s);
                }
                if (stack.size() + 1 > static_cast<size_t>(options.maxDepth)) {
                    r.depth = options.maxDepth + 1;
                    return fail(Invalid::kTooDeep, v);
                }
                stack.push({s + scopeLen - 1, 0, false});
                r.depth = std::max(r.depth, static_cast<int>(stack.size()));
                p = s + 4;
                continue;
            }
            default:
                if (size == kNotFound) return fail(Invalid::kStructure, p);  // unknown type
                if (size > room) return fail(Invalid::kStructure, v);
                break;
        }
        if (size == kNotFound) return fail(Invalid::kStructure, v);
        p = v + size;
    }
    return r;
}

}  // namespace cryptd::bson
