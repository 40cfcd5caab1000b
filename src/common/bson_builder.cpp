// bson::Builder: writes BSON bytes directly into one growable buffer. libbson's append path (a
// varargs copy loop, a bson_t per nested child, a key scan and a grow check per call) was about a
// quarter of a dispatch; here an append is a size check, one key copy and the value's stores.
// The bytes are the ones libbson 1.23 writes for the same calls (tests/unit/common/
// bson_builder_test.cpp compares them type by type).

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>
#include <string>

#include "common/bson.h"
#include "common/error.h"

namespace cryptd::bson {

namespace {

// libbson refuses to grow a document past INT32_MAX bytes; so do we.
constexpr size_t kMaxSize = std::numeric_limits<int32_t>::max();
// The first allocation; then the capacity doubles. Measured with callgrind per dispatch of
// loadgen's find / insert (1 KB, 20 fields): 128 B 17,477 / 26,404 instructions, 256 B 16,830 /
// 26,107, 512 B 16,125 / 26,127, 1 KB 16,125 / 25,868, 2 KB 16,459 / 25,066. 512 B holds a find's
// documents (its reply is 382 B) and costs the insert's 1.6 KB reply two doublings.
constexpr size_t kFirstCapacity = 512;

void store32(uint8_t* p, uint32_t v) {
    p[0] = static_cast<uint8_t>(v);
    p[1] = static_cast<uint8_t>(v >> 8);
    p[2] = static_cast<uint8_t>(v >> 16);
    p[3] = static_cast<uint8_t>(v >> 24);
}
void store64(uint8_t* p, uint64_t v) {
    store32(p, static_cast<uint32_t>(v));
    store32(p + 4, static_cast<uint32_t>(v >> 32));
}

// libbson keeps only the regex options it knows, in this order, each once.
constexpr std::string_view kRegexOptionsSorted = "ilmsux";

size_t sortOptions(std::string_view options, char (&out)[8]) {
    size_t n = 0;
    for (char c : kRegexOptionsSorted) {
        if (options.find(c) != std::string_view::npos) out[n++] = c;
    }
    return n;
}

// A key for an error message: zero bytes shown as \0, cut after 100 bytes.
std::string printable(std::string_view key) {
    std::string out;
    for (char c : key.substr(0, 100)) {
        if (c == '\0') {
            out += "\\0";
        } else {
            out += c;
        }
    }
    if (key.size() > 100) out += "...";
    return out;
}

// Copies a key unless it holds a zero byte (then writes nothing and returns false). Most keys are
// short: one or two overlapping word loads cover them, with no call to memchr and memcpy.
bool copyKey(uint8_t* dst, std::string_view key) {
    const char* src = key.data();
    const size_t n = key.size();
    if (n >= 8 && n <= 16) {
        uint64_t head, tail;
        std::memcpy(&head, src, 8);
        std::memcpy(&tail, src + n - 8, 8);
        if (zeroByteMask(head) | zeroByteMask(tail)) return false;
        std::memcpy(dst, &head, 8);
        std::memcpy(dst + n - 8, &tail, 8);
        return true;
    }
    if (n >= 4 && n < 8) {
        uint32_t head, tail;
        std::memcpy(&head, src, 4);
        std::memcpy(&tail, src + n - 4, 4);
        if (zeroByteMask(uint64_t{head} << 32 | tail)) return false;
        std::memcpy(dst, &head, 4);
        std::memcpy(dst + n - 4, &tail, 4);
        return true;
    }
    if (n < 4) {
        for (size_t i = 0; i < n; ++i) {
            if (src[i] == 0) return false;
        }
        for (size_t i = 0; i < n; ++i) dst[i] = static_cast<uint8_t>(src[i]);
        return true;
    }
    if (std::memchr(src, 0, n)) return false;
    std::memcpy(dst, src, n);
    return true;
}

[[noreturn]] void tooLarge() {
    fail(ErrorCode::BSONObjectTooLarge, "BSON document too large to build");
}

std::string_view cString(const char* s, const char* what) {
    if (!s) fail(ErrorCode::BadValue, std::string("BSON ") + what + " without data");
    return s;
}

}  // namespace

Builder::Builder(Doc&& doc) {
    if (!doc.data_) return;  // the empty document: allocate on the first append
    own_.data = doc.data_;
    own_.len = doc.size();
    own_.cap = own_.len;  // unknown spare room: the first append reallocs (often in place)
    doc.data_ = nullptr;
    doc.shadow_.reset();
}

View Builder::view() const {
    if (!buf_->data) return View();
    return {buf_->data + start_, loadLE32(buf_->data + start_)};
}

Doc Builder::finish() {
    if (buf_ != &own_ || own_.open != 0) {
        fail(ErrorCode::InternalError, "finish() on a nested or unfinished BSON builder");
    }
    Doc out(Doc::Owned{}, own_.data);
    own_ = Buffer{};
    return out;
}

void Builder::grow(size_t need) {
    Buffer& b = *buf_;
    size_t cap = std::max({need, size_t{b.cap} * 2, kFirstCapacity});
    cap = std::min(cap, std::max(need, kMaxSize));
    auto* data = static_cast<uint8_t*>(std::realloc(b.data, cap));
    if (!data) throw std::bad_alloc();
    if (!b.data) {
        std::memcpy(data, kEmptyDocBytes, sizeof kEmptyDocBytes);
        b.len = sizeof kEmptyDocBytes;
    }
    b.data = data;
    b.cap = static_cast<uint32_t>(cap);
}

uint8_t* Builder::reserve(bson_type_t type, std::string_view key, size_t valueSize) {
    Buffer& b = *buf_;
    if (b.open != depth_) {
        fail(ErrorCode::InternalError, "append to a BSON document while its child is open");
    }
    // The element replaces this document's terminating zero and brings its own; every open
    // ancestor still needs one more byte. Sizes first: nothing is read before they are checked.
    size_t len = b.data ? b.len : sizeof kEmptyDocBytes;
    if (key.size() > kMaxSize || valueSize > kMaxSize) tooLarge();
    size_t need = len + 2 + key.size() + valueSize + b.open;
    if (need > kMaxSize) tooLarge();
    if (need > b.cap) grow(need);
    uint8_t* p = b.data + b.len - 1;
    if (!copyKey(p + 1, key)) {
        fail(ErrorCode::BadValue, "BSON field name contains a zero byte: '" + printable(key) + "'");
    }
    *p = static_cast<uint8_t>(type);
    p += 1 + key.size();
    *p++ = 0;
    return p;
}

uint8_t* Builder::element(bson_type_t type, std::string_view key, size_t valueSize) {
    uint8_t* value = reserve(type, key, valueSize);
    Buffer& b = *buf_;
    uint8_t* end = value + valueSize;
    *end = 0;
    b.len = static_cast<uint32_t>(end + 1 - b.data);
    store32(b.data + start_, b.len - start_);
    return value;
}

uint32_t Builder::beginChild(std::string_view key, bson_type_t type) {
    uint8_t* child = reserve(type, key, sizeof kEmptyDocBytes);
    Buffer& b = *buf_;
    std::memcpy(child, kEmptyDocBytes, sizeof kEmptyDocBytes);
    b.len = static_cast<uint32_t>(child + sizeof kEmptyDocBytes - b.data);
    ++b.open;  // this document's terminating zero waits until endChild (reserve kept room)
    return static_cast<uint32_t>(child - b.data);
}

void Builder::endChild() noexcept {
    Buffer& b = *buf_;
    b.data[b.len++] = 0;
    --b.open;
    store32(b.data + start_, b.len - start_);
}

void Builder::writeBytes(bson_type_t type, std::string_view key, const uint8_t* data, size_t n) {
    uint8_t* v = element(type, key, n);
    if (n) std::memcpy(v, data, n);
}

void Builder::writeString(bson_type_t type, std::string_view key, const char* s, size_t n) {
    if (n + 1 > kMaxSize) tooLarge();
    uint8_t* v = element(type, key, 4 + n + 1);
    store32(v, static_cast<uint32_t>(n + 1));
    if (n) std::memcpy(v + 4, s, n);
    v[4 + n] = 0;
}

void Builder::writeBinary(std::string_view key, bson_subtype_t subtype, const uint8_t* data,
                          size_t n) {
    if (!data && n) fail(ErrorCode::BadValue, "BSON binary value without data");
    // The old binary subtype 2 repeats the length inside the value.
    const bool old = subtype == BSON_SUBTYPE_BINARY_DEPRECATED;
    const size_t inner = old ? 4 : 0;
    if (n + inner > kMaxSize) tooLarge();
    uint8_t* v = element(BSON_TYPE_BINARY, key, 4 + 1 + inner + n);
    store32(v, static_cast<uint32_t>(n + inner));
    v[4] = static_cast<uint8_t>(subtype);
    if (old) store32(v + 5, static_cast<uint32_t>(n));
    if (n) std::memcpy(v + 5 + inner, data, n);
}

void Builder::writeRegex(std::string_view key, std::string_view pattern, std::string_view options) {
    if (pattern.find('\0') != std::string_view::npos) {
        fail(ErrorCode::BadValue, "BSON regex pattern contains a zero byte");
    }
    char sorted[8];
    size_t o = sortOptions(options, sorted);
    if (pattern.size() > kMaxSize) tooLarge();
    uint8_t* v = element(BSON_TYPE_REGEX, key, pattern.size() + 1 + o + 1);
    if (!pattern.empty()) std::memcpy(v, pattern.data(), pattern.size());
    v += pattern.size();
    *v++ = 0;
    std::memcpy(v, sorted, o);
    v[o] = 0;
}

Builder& Builder::append(std::string_view key, const Element& e) {
    const bson_type_t type = e.type();
    if (type == BSON_TYPE_REGEX) {
        const Element::Regex r = e.regex();
        writeRegex(key, r.pattern, r.options);
        return *this;
    }
    // Validated bytes: every other value's bytes are what libbson would re-encode from them.
    const size_t skip = 2 + e.key().size();  // type byte, key, its zero
    writeBytes(type, key, e.rawData() + skip, e.rawSize() - skip);
    return *this;
}

Builder& Builder::appendValue(std::string_view key, const bson_value_t* v) {
    const auto type = v->value_type;
    switch (type) {
        case BSON_TYPE_DOUBLE: {
            uint64_t bits;
            std::memcpy(&bits, &v->value.v_double, sizeof bits);
            store64(element(type, key, 8), bits);
            break;
        }
        case BSON_TYPE_UTF8:
            if (!v->value.v_utf8.str) return appendNull(key);  // as bson_append_utf8
            writeString(type, key, v->value.v_utf8.str, v->value.v_utf8.len);
            break;
        case BSON_TYPE_SYMBOL:
            if (!v->value.v_symbol.symbol) return appendNull(key);  // as bson_append_symbol
            writeString(type, key, v->value.v_symbol.symbol, v->value.v_symbol.len);
            break;
        case BSON_TYPE_CODE: {
            // libbson writes code up to its first zero byte, whatever code_len says.
            std::string_view code = cString(v->value.v_code.code, "code");
            writeString(type, key, code.data(), code.size());
            break;
        }
        case BSON_TYPE_DOCUMENT:
        case BSON_TYPE_ARRAY:
            if (!isFramed(v->value.v_doc.data, v->value.v_doc.data_len)) {
                fail(ErrorCode::InvalidBSON, "embedded BSON document is malformed");
            }
            writeBytes(type, key, v->value.v_doc.data, v->value.v_doc.data_len);
            break;
        case BSON_TYPE_BINARY:
            writeBinary(key, v->value.v_binary.subtype, v->value.v_binary.data,
                        v->value.v_binary.data_len);
            break;
        case BSON_TYPE_UNDEFINED:
        case BSON_TYPE_NULL:
        case BSON_TYPE_MINKEY:
        case BSON_TYPE_MAXKEY:
            element(type, key, 0);
            break;
        case BSON_TYPE_OID:
            writeBytes(type, key, v->value.v_oid.bytes, sizeof v->value.v_oid.bytes);
            break;
        case BSON_TYPE_BOOL:
            *element(type, key, 1) = v->value.v_bool ? 1 : 0;
            break;
        case BSON_TYPE_DATE_TIME:
            store64(element(type, key, 8), static_cast<uint64_t>(v->value.v_datetime));
            break;
        case BSON_TYPE_REGEX: {
            std::string_view pattern = cString(v->value.v_regex.regex, "regex");
            const char* options = v->value.v_regex.options;
            writeRegex(key, pattern, options ? std::string_view(options) : std::string_view());
            break;
        }
        case BSON_TYPE_DBPOINTER: {
            std::string_view coll = cString(v->value.v_dbpointer.collection, "DBPointer");
            if (coll.size() + 1 > kMaxSize) tooLarge();
            uint8_t* p = element(type, key, 4 + coll.size() + 1 + 12);
            store32(p, static_cast<uint32_t>(coll.size() + 1));
            std::memcpy(p + 4, coll.data(), coll.size());
            p[4 + coll.size()] = 0;
            std::memcpy(p + 5 + coll.size(), v->value.v_dbpointer.oid.bytes, 12);
            break;
        }
        case BSON_TYPE_CODEWSCOPE: {
            std::string_view code = cString(v->value.v_codewscope.code, "code");
            const uint8_t* scope = v->value.v_codewscope.scope_data;
            const size_t scopeLen = v->value.v_codewscope.scope_len;
            if (!isFramed(scope, scopeLen)) {
                fail(ErrorCode::InvalidBSON, "code-with-scope's scope is malformed");
            }
            // int32 total, string (int32 length, bytes, zero), scope document
            const size_t total = 4 + 4 + code.size() + 1 + scopeLen;
            if (total > kMaxSize) tooLarge();
            uint8_t* p = element(type, key, total);
            store32(p, static_cast<uint32_t>(total));
            store32(p + 4, static_cast<uint32_t>(code.size() + 1));
            std::memcpy(p + 8, code.data(), code.size());
            p[8 + code.size()] = 0;
            std::memcpy(p + 9 + code.size(), scope, scopeLen);
            break;
        }
        case BSON_TYPE_INT32:
            store32(element(type, key, 4), static_cast<uint32_t>(v->value.v_int32));
            break;
        case BSON_TYPE_TIMESTAMP: {
            uint8_t* p = element(type, key, 8);
            store32(p, v->value.v_timestamp.increment);
            store32(p + 4, v->value.v_timestamp.timestamp);
            break;
        }
        case BSON_TYPE_INT64:
            store64(element(type, key, 8), static_cast<uint64_t>(v->value.v_int64));
            break;
        case BSON_TYPE_DECIMAL128: {
            uint8_t* p = element(type, key, 16);
            store64(p, v->value.v_decimal128.low);
            store64(p + 8, v->value.v_decimal128.high);
            break;
        }
        default:
            fail(ErrorCode::BadValue,
                 "cannot append a value of BSON type " + std::to_string(static_cast<int>(type)));
    }
    return *this;
}

Builder& Builder::appendUtf8(std::string_view key, std::string_view v) {
    if (!v.data()) return appendNull(key);  // as bson_append_utf8 with a NULL string
    writeString(BSON_TYPE_UTF8, key, v.data(), v.size());
    return *this;
}
Builder& Builder::appendInt32(std::string_view key, int32_t v) {
    store32(element(BSON_TYPE_INT32, key, 4), static_cast<uint32_t>(v));
    return *this;
}
Builder& Builder::appendInt64(std::string_view key, int64_t v) {
    store64(element(BSON_TYPE_INT64, key, 8), static_cast<uint64_t>(v));
    return *this;
}
Builder& Builder::appendDouble(std::string_view key, double v) {
    uint64_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    store64(element(BSON_TYPE_DOUBLE, key, 8), bits);
    return *this;
}
Builder& Builder::appendBool(std::string_view key, bool v) {
    *element(BSON_TYPE_BOOL, key, 1) = v ? 1 : 0;
    return *this;
}
Builder& Builder::appendNull(std::string_view key) {
    element(BSON_TYPE_NULL, key, 0);
    return *this;
}
Builder& Builder::appendDateTime(std::string_view key, int64_t millis) {
    store64(element(BSON_TYPE_DATE_TIME, key, 8), static_cast<uint64_t>(millis));
    return *this;
}
Builder& Builder::appendDocument(std::string_view key, View v) {
    writeBytes(BSON_TYPE_DOCUMENT, key, v.data(), v.size());
    return *this;
}
Builder& Builder::appendArray(std::string_view key, View v) {
    writeBytes(BSON_TYPE_ARRAY, key, v.data(), v.size());
    return *this;
}
Builder& Builder::appendBinary(std::string_view key, bson_subtype_t subtype, const uint8_t* data,
                               uint32_t len) {
    writeBinary(key, subtype, data, len);
    return *this;
}
Builder& Builder::appendRegex(std::string_view key, std::string_view pattern,
                              std::string_view options) {
    writeRegex(key, pattern, options);
    return *this;
}

}  // namespace cryptd::bson
