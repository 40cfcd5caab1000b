// Reading BSON bytes without libbson's iterator: View::Iterator steps through a document and
// Element reads values in place. The bounds checks are libbson 1.23's (bson_iter_next), so the
// same bytes give the same elements, ending at the same place; the conversions are those of
// bson_iter_as_int64 / _as_double / _as_bool and bson_iter_value.
// tests/unit/common/bson_reader_test.cpp compares both on every type, the corpus, random and
// corrupted documents.

#include <bit>
#include <climits>
#include <cstring>

#include "common/bson.h"

namespace cryptd::bson {

namespace {
// The first zero byte at or after o, or len when there is none before len. Keys are the hot
// case (every element): eight bytes per step while a whole word fits before len.
uint32_t zeroFrom(const uint8_t* d, uint32_t o, uint32_t len) {
    if constexpr (std::endian::native == std::endian::little) {
        while (len - o >= 8) {  // o <= len always
            uint64_t w;
            std::memcpy(&w, d + o, sizeof w);
            // The lowest set high bit marks the first zero byte (false hits only above it).
            if (const uint64_t z = zeroByteMask(w)) {
                return o + static_cast<uint32_t>(std::countr_zero(z) >> 3);
            }
            o += 8;
        }
    }
    while (o < len && d[o] != 0) ++o;
    return o;
}

// Bytes of the value of type t starting at v, at most `avail` (what is left before the
// document's terminating zero), or -1 when it does not fit or is malformed as libbson sees it.
int64_t valueSize(uint8_t t, const uint8_t* d, uint32_t v, uint32_t avail) {
    auto fixed = [avail](int64_t n) { return n <= avail ? n : -1; };
    switch (t) {
        case BSON_TYPE_DOUBLE:
        case BSON_TYPE_DATE_TIME:
        case BSON_TYPE_INT64:
        case BSON_TYPE_TIMESTAMP:
            return fixed(8);
        case BSON_TYPE_INT32:
            return fixed(4);
        case BSON_TYPE_OID:
            return fixed(12);
        case BSON_TYPE_DECIMAL128:
            return fixed(16);
        case BSON_TYPE_NULL:
        case BSON_TYPE_UNDEFINED:
        case BSON_TYPE_MINKEY:
        case BSON_TYPE_MAXKEY:
            return 0;
        case BSON_TYPE_BOOL:
            return avail >= 1 && d[v] <= 1 ? 1 : -1;
        case BSON_TYPE_UTF8:
        case BSON_TYPE_CODE:
        case BSON_TYPE_SYMBOL: {
            // int32 length (counting the zero), bytes, zero
            if (avail < 4) return -1;
            const int64_t l = loadLE32(d + v);
            if (l == 0 || 4 + l > avail || d[v + 4 + l - 1] != 0) return -1;
            return 4 + l;
        }
        case BSON_TYPE_DOCUMENT:
        case BSON_TYPE_ARRAY: {
            if (avail < 4) return -1;
            const int64_t l = loadLE32(d + v);
            return l <= avail ? l : -1;
        }
        case BSON_TYPE_BINARY: {
            // int32 length, subtype, bytes; subtype 2 repeats the length inside the bytes
            if (avail < 4) return -1;
            const int64_t l = loadLE32(d + v);
            if (5 + l > avail) return -1;
            if (d[v + 4] == BSON_SUBTYPE_BINARY_DEPRECATED &&
                (l < 4 || int64_t(loadLE32(d + v + 5)) + 4 != l)) {
                return -1;
            }
            return 5 + l;
        }
        case BSON_TYPE_REGEX: {
            // two zero-terminated strings, pattern and options
            const uint32_t end = v + avail;  // the document's terminating zero
            const uint32_t p = zeroFrom(d, v, end);
            if (p >= end) return -1;
            const uint32_t o = zeroFrom(d, p + 1, end);
            return o < end ? int64_t(o) + 1 - v : -1;
        }
        case BSON_TYPE_DBPOINTER: {
            // string (int32 length, bytes, zero), 12-byte oid
            if (avail < 4) return -1;
            const int64_t l = loadLE32(d + v);
            if (l == 0 || 4 + l + 12 > avail || d[v + 3 + l] != 0) return -1;
            return 4 + l + 12;
        }
        case BSON_TYPE_CODEWSCOPE: {
            // int32 total, string (int32 length, bytes, zero), scope document
            if (avail < 14) return -1;
            const int64_t total = loadLE32(d + v);
            if (total < 14 || total > avail) return -1;
            const int64_t l = loadLE32(d + v + 4);
            if (l == 0 || 8 + l + 4 >= total) return -1;
            const int64_t scope = loadLE32(d + v + 8 + l);
            return 8 + l + scope == total ? total : -1;
        }
        default:  // EOD, or a type BSON does not have
            return -1;
    }
}
}  // namespace

View::Iterator::Iterator(const View& view) {
    const uint8_t* d = view.data();
    const uint32_t len = view.size();
    // What bson_iter_init_from_data checks: the length header and the terminating zero.
    if (!isFramed(d, len)) return;
    data_ = d;
    len_ = len;
    next_ = 4;
    step();
}

void View::Iterator::step() {
    const uint8_t* d = data_;
    if (!d) return;
    const uint32_t last = len_ - 1;  // the terminating zero
    const uint32_t off = next_;      // <= last: checked by the step before
    // At the terminating zero (type EOD) there is no key; a key must end before it, or there is
    // no room for a value.
    const uint32_t keyEnd = off < last ? zeroFrom(d, off + 1, last) : last;
    const int64_t size = keyEnd < last ? valueSize(d[off], d, keyEnd + 1, last - 1 - keyEnd) : -1;
    if (size < 0) {
        data_ = nullptr;  // end: a structural error, or the end of the document
        return;
    }
    const uint32_t next = keyEnd + 1 + static_cast<uint32_t>(size);
    cur_ = Element(d + off, keyEnd - off - 1, next - off);
    next_ = next;
}

// ---- Element ----

bool Element::isNumber() const {
    switch (type()) {
        case BSON_TYPE_DOUBLE:
        case BSON_TYPE_INT32:
        case BSON_TYPE_INT64:
        case BSON_TYPE_DECIMAL128:
            return true;
        default:
            return false;
    }
}

Element::Timestamp Element::timestamp() const {
    if (type() != BSON_TYPE_TIMESTAMP) return {0, 0};
    return {loadLE32(val() + 4), loadLE32(val())};  // stored increment first
}

Element::Regex Element::regex() const {
    if (type() != BSON_TYPE_REGEX) return {};
    const char* pattern = reinterpret_cast<const char*>(val());
    const size_t n = std::strlen(pattern);  // the iterator checked both zeros are there
    return {{pattern, n}, std::string_view(pattern + n + 1)};
}

Element::Binary Element::binary() const {
    if (type() != BSON_TYPE_BINARY) return {BSON_SUBTYPE_BINARY, nullptr, 0};
    Binary b{static_cast<bson_subtype_t>(val()[4]), val() + 5, loadLE32(val())};
    if (b.subtype == BSON_SUBTYPE_BINARY_DEPRECATED) {  // the old subtype's inner length
        b.data += 4;
        b.len -= 4;
    }
    return b;
}

int64_t Element::asInt64() const {
    switch (type()) {
        case BSON_TYPE_BOOL:
            return boolean() ? 1 : 0;
        case BSON_TYPE_DOUBLE: {
            // libbson's C cast; out of range (and NaN) it is what x86-64's conversion gives,
            // without the undefined behaviour.
            const double x = dbl();
            return x >= -0x1p63 && x < 0x1p63 ? static_cast<int64_t>(x) : INT64_MIN;
        }
        case BSON_TYPE_INT64:
            return int64();
        case BSON_TYPE_INT32:
            return int32();
        default:
            return 0;
    }
}

double Element::asDouble() const {
    switch (type()) {
        case BSON_TYPE_BOOL:
            return boolean() ? 1.0 : 0.0;
        case BSON_TYPE_DOUBLE:
            return dbl();
        case BSON_TYPE_INT32:
            return int32();
        case BSON_TYPE_INT64:
            return static_cast<double>(int64());
        default:
            return 0.0;
    }
}

bool Element::truthy() const {
    switch (type()) {
        case BSON_TYPE_BOOL:
            return boolean();
        case BSON_TYPE_DOUBLE:
            return dbl() != 0.0;  // NaN is true
        case BSON_TYPE_INT64:
            return int64() != 0;
        case BSON_TYPE_INT32:
            return int32() != 0;
        case BSON_TYPE_NULL:
        case BSON_TYPE_UNDEFINED:
            return false;
        default:  // strings, documents, decimal128 (even zero), ...
            return true;
    }
}

bson_value_t Element::value() const {
    bson_value_t out;
    std::memset(&out, 0, sizeof out);
    out.value_type = type();
    auto& v = out.value;
    const uint8_t* p = val();
    switch (type()) {
        case BSON_TYPE_DOUBLE:
            v.v_double = dbl();
            break;
        case BSON_TYPE_UTF8: {
            std::string_view s = utf8();
            v.v_utf8.str = const_cast<char*>(s.data());
            v.v_utf8.len = static_cast<uint32_t>(s.size());
            break;
        }
        case BSON_TYPE_DOCUMENT:
        case BSON_TYPE_ARRAY:
            v.v_doc.data = const_cast<uint8_t*>(p);
            v.v_doc.data_len = loadLE32(p);
            break;
        case BSON_TYPE_BINARY: {
            Binary b = binary();
            v.v_binary.subtype = b.subtype;
            v.v_binary.data = const_cast<uint8_t*>(b.data);
            v.v_binary.data_len = b.len;
            break;
        }
        case BSON_TYPE_OID:
            std::memcpy(v.v_oid.bytes, p, 12);
            break;
        case BSON_TYPE_BOOL:
            v.v_bool = boolean();
            break;
        case BSON_TYPE_DATE_TIME:
            v.v_datetime = dateTime();
            break;
        case BSON_TYPE_REGEX: {
            Regex r = regex();
            v.v_regex.regex = const_cast<char*>(r.pattern.data());
            v.v_regex.options = const_cast<char*>(r.options.data());
            break;
        }
        case BSON_TYPE_DBPOINTER: {
            const uint32_t l = loadLE32(p);  // counts the zero; >= 1 (checked by the iterator)
            v.v_dbpointer.collection = const_cast<char*>(reinterpret_cast<const char*>(p + 4));
            v.v_dbpointer.collection_len = l - 1;
            std::memcpy(v.v_dbpointer.oid.bytes, p + 4 + l, 12);
            break;
        }
        case BSON_TYPE_CODE: {
            std::string_view s = code();
            v.v_code.code = const_cast<char*>(s.data());
            v.v_code.code_len = static_cast<uint32_t>(s.size());
            break;
        }
        case BSON_TYPE_SYMBOL: {
            std::string_view s = symbol();
            v.v_symbol.symbol = const_cast<char*>(s.data());
            v.v_symbol.len = static_cast<uint32_t>(s.size());
            break;
        }
        case BSON_TYPE_CODEWSCOPE: {
            const uint32_t l = loadLE32(p + 4);  // code length with its zero, >= 1
            v.v_codewscope.code = const_cast<char*>(reinterpret_cast<const char*>(p + 8));
            v.v_codewscope.code_len = l - 1;
            v.v_codewscope.scope_data = const_cast<uint8_t*>(p + 8 + l);
            v.v_codewscope.scope_len = loadLE32(p + 8 + l);
            break;
        }
        case BSON_TYPE_INT32:
            v.v_int32 = int32();
            break;
        case BSON_TYPE_TIMESTAMP: {
            Timestamp t = timestamp();
            v.v_timestamp.timestamp = t.timestamp;
            v.v_timestamp.increment = t.increment;
            break;
        }
        case BSON_TYPE_INT64:
            v.v_int64 = int64();
            break;
        case BSON_TYPE_DECIMAL128:
            v.v_decimal128.low = loadLE64(p);
            v.v_decimal128.high = loadLE64(p + 8);
            break;
        default:  // null, undefined, minKey, maxKey: the type says it all
            break;
    }
    return out;
}

}  // namespace cryptd::bson
