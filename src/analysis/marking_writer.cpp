#include "analysis/marking_writer.h"

#include <array>
#include <cstring>
#include <limits>
#include <memory>
#include <vector>

#include "common/error.h"

namespace cryptd::analysis {

namespace {

constexpr uint8_t kFle1IntentToEncrypt = 0;  // payload byte 0, see libmongocrypt's marking parser

// The payload is written by hand into one buffer and appended once: a marking per encrypted
// value is the hot path of an insert, and building the inner document with libbson cost a heap
// bson_t, a vector and two copies (47% of a 1 KB insert's analysis). The bytes are those libbson
// writes: marking_writer_test compares them, type by type, with a document built by libbson.

// Bytes of the header and the fields before `v`: length, {a: int32}, terminator.
constexpr size_t kDocHeader = 4;
constexpr size_t kAField = 1 + 2 + 4;            // type, "a\0", int32
constexpr size_t kKiField = 1 + 3 + 4 + 1 + 16;  // type, "ki\0", length, subtype, UUID
constexpr size_t kKaFieldFixed = 1 + 3 + 4 + 1;  // type, "ka\0", length, string's NUL
constexpr size_t kVFieldFixed = 1 + 2;           // type, "v\0"
constexpr size_t kStackPayload = 256;            // most values are short strings or numbers

// One buffer sized in advance: on the stack when it fits, on the heap past that.
class PayloadBuffer {
  public:
    explicit PayloadBuffer(size_t size) {
        if (size > stack_.size()) heap_ = std::make_unique<uint8_t[]>(size);
        at_ = data();
    }
    uint8_t* data() { return heap_ ? heap_.get() : stack_.data(); }
    size_t written() { return static_cast<size_t>(at_ - data()); }

    void byte(uint8_t b) { *at_++ = b; }
    void bytes(const void* p, size_t n) {
        if (n) std::memcpy(at_, p, n);
        at_ += n;
    }
    void int32(uint32_t v) {
        v = BSON_UINT32_TO_LE(v);
        bytes(&v, 4);
    }
    void int64(uint64_t v) {
        v = BSON_UINT64_TO_LE(v);
        bytes(&v, 8);
    }
    // BSON string: int32 length including the NUL, bytes, NUL.
    void string(const char* s, uint32_t len) {
        int32(len + 1);
        bytes(s, len);
        byte(0);
    }

  private:
    std::array<uint8_t, kStackPayload> stack_;
    std::unique_ptr<uint8_t[]> heap_;
    uint8_t* at_;
};

// `v` as libbson writes it, for the types whose encoding is a plain copy of the value. The rest
// (regex: libbson reorders its flags; deprecated binary subtype 2; code, which libbson copies up
// to the first NUL; symbol, dbPointer, code with scope) takes the general path below.
bool plainValueSize(const bson_value_t& v, size_t& size) {
    switch (v.value_type) {
        case BSON_TYPE_UNDEFINED:
        case BSON_TYPE_NULL:
        case BSON_TYPE_MINKEY:
        case BSON_TYPE_MAXKEY:
            size = 0;
            return true;
        case BSON_TYPE_BOOL:
            size = 1;
            return true;
        case BSON_TYPE_INT32:
            size = 4;
            return true;
        case BSON_TYPE_DOUBLE:
        case BSON_TYPE_DATE_TIME:
        case BSON_TYPE_TIMESTAMP:
        case BSON_TYPE_INT64:
            size = 8;
            return true;
        case BSON_TYPE_OID:
            size = 12;
            return true;
        case BSON_TYPE_DECIMAL128:
            size = 16;
            return true;
        case BSON_TYPE_UTF8:
            // libbson writes a null in place of a missing string; and lengths past INT_MAX are
            // read as "use strlen": leave both to it.
            if (!v.value.v_utf8.str || v.value.v_utf8.len >= std::numeric_limits<int>::max()) {
                return false;
            }
            size = 4 + size_t{v.value.v_utf8.len} + 1;
            return true;
        case BSON_TYPE_DOCUMENT:
        case BSON_TYPE_ARRAY:
            if (v.value.v_doc.data_len < 5) return false;  // libbson refuses it
            size = v.value.v_doc.data_len;
            return true;
        case BSON_TYPE_BINARY:
            if (v.value.v_binary.subtype == BSON_SUBTYPE_BINARY_DEPRECATED) return false;
            size = 4 + 1 + size_t{v.value.v_binary.data_len};
            return true;
        default:
            return false;
    }
}

void writePlainValue(PayloadBuffer& out, const bson_value_t& v) {
    switch (v.value_type) {
        case BSON_TYPE_BOOL:
            out.byte(v.value.v_bool ? 1 : 0);
            return;
        case BSON_TYPE_INT32:
            out.int32(static_cast<uint32_t>(v.value.v_int32));
            return;
        case BSON_TYPE_DOUBLE: {
            uint64_t bits;
            std::memcpy(&bits, &v.value.v_double, 8);
            out.int64(bits);
            return;
        }
        case BSON_TYPE_DATE_TIME:
            out.int64(static_cast<uint64_t>(v.value.v_datetime));
            return;
        case BSON_TYPE_TIMESTAMP:
            out.int64((uint64_t{v.value.v_timestamp.timestamp} << 32) |
                      uint64_t{v.value.v_timestamp.increment});
            return;
        case BSON_TYPE_INT64:
            out.int64(static_cast<uint64_t>(v.value.v_int64));
            return;
        case BSON_TYPE_OID:
            out.bytes(v.value.v_oid.bytes, 12);
            return;
        case BSON_TYPE_DECIMAL128:
            out.int64(v.value.v_decimal128.low);
            out.int64(v.value.v_decimal128.high);
            return;
        case BSON_TYPE_UTF8:
            out.string(v.value.v_utf8.str, v.value.v_utf8.len);
            return;
        case BSON_TYPE_DOCUMENT:
        case BSON_TYPE_ARRAY:
            out.bytes(v.value.v_doc.data, v.value.v_doc.data_len);
            return;
        case BSON_TYPE_BINARY:
            out.int32(v.value.v_binary.data_len);
            out.byte(static_cast<uint8_t>(v.value.v_binary.subtype));
            out.bytes(v.value.v_binary.data, v.value.v_binary.data_len);
            return;
        default:  // undefined, null, minKey, maxKey: no value bytes
            return;
    }
}

// The general path, for the values the hand-written one leaves aside: the inner document built
// with bson::Builder (which writes what libbson would), then copied behind the leading byte.
void appendMarkingWithBuilder(bson::Builder& out, std::string_view key, schema::Algorithm algorithm,
                              const MarkingKey& keyRef, const bson_value_t* value) {
    bson::Builder inner;
    inner.appendInt32("a", static_cast<int32_t>(algorithm));
    if (const auto* uuid = std::get_if<Uuid>(&keyRef)) {
        inner.appendBinary("ki", BSON_SUBTYPE_UUID, uuid->bytes.data(),
                           static_cast<uint32_t>(uuid->bytes.size()));
    } else {
        inner.appendUtf8("ka", std::get<std::string_view>(keyRef));
    }
    inner.appendValue("v", value);
    bson::Doc doc = inner.finish();

    std::vector<uint8_t> payload(doc.size() + 1);
    payload[0] = kFle1IntentToEncrypt;
    std::memcpy(payload.data() + 1, doc.data(), doc.size());
    out.appendBinary(key, BSON_SUBTYPE_ENCRYPTED, payload.data(),
                     static_cast<uint32_t>(payload.size()));
}

}  // namespace

void appendMarking(bson::Builder& out, std::string_view key, schema::Algorithm algorithm,
                   const MarkingKey& keyRef, const bson_value_t* value) {
    const auto* uuid = std::get_if<Uuid>(&keyRef);
    std::string_view altName = uuid ? std::string_view() : std::get<std::string_view>(keyRef);
    size_t valueSize = 0;
    // libbson writes a null for a string without data and reads lengths past INT_MAX as "use
    // strlen": such a keyAltName (never one read from a document) takes the general path too.
    bool plainKey = uuid || (altName.data() != nullptr &&
                             altName.size() < static_cast<size_t>(std::numeric_limits<int>::max()));
    if (!plainKey || !plainValueSize(*value, valueSize)) {
        appendMarkingWithBuilder(out, key, algorithm, keyRef, value);
        return;
    }
    size_t keySize = uuid ? kKiField : kKaFieldFixed + altName.size();
    size_t docSize = kDocHeader + kAField + keySize + kVFieldFixed + valueSize + 1;
    if (docSize + 1 > static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
        fail(ErrorCode::BSONObjectTooLarge, "BSON document too large to build");
    }

    PayloadBuffer buf(docSize + 1);
    buf.byte(kFle1IntentToEncrypt);
    buf.int32(static_cast<uint32_t>(docSize));
    buf.byte(BSON_TYPE_INT32);
    buf.bytes("a", 2);
    buf.int32(static_cast<uint32_t>(algorithm));
    if (uuid) {
        buf.byte(BSON_TYPE_BINARY);
        buf.bytes("ki", 3);
        buf.int32(static_cast<uint32_t>(uuid->bytes.size()));
        buf.byte(BSON_SUBTYPE_UUID);
        buf.bytes(uuid->bytes.data(), uuid->bytes.size());
    } else {
        buf.byte(BSON_TYPE_UTF8);
        buf.bytes("ka", 3);
        buf.string(altName.data(), static_cast<uint32_t>(altName.size()));
    }
    buf.byte(static_cast<uint8_t>(value->value_type));
    buf.bytes("v", 2);
    writePlainValue(buf, *value);
    buf.byte(0);
    invariant(buf.written() == docSize + 1, "marking size computed before writing it");
    out.appendBinary(key, BSON_SUBTYPE_ENCRYPTED, buf.data(), static_cast<uint32_t>(docSize + 1));
}

bool decodeMarking(const bson::Element& e, DecodedMarking& out) {
    if (e.type() != BSON_TYPE_BINARY) return false;
    auto bin = e.binary();
    if (bin.subtype != BSON_SUBTYPE_ENCRYPTED || bin.len < 6 ||
        bin.data[0] != kFle1IntentToEncrypt) {
        return false;
    }
    if (!bson::isValid(bin.data + 1, bin.len - 1)) return false;
    out.document = bson::Doc::copyOf(bin.data + 1, bin.len - 1);
    bson::View v = out.document.view();
    auto a = v.find("a");
    if (!a || a->type() != BSON_TYPE_INT32) return false;
    out.algorithm = a->int32();
    if (auto ki = v.find("ki"); ki && ki->type() == BSON_TYPE_BINARY) {
        auto k = ki->binary();
        if (k.subtype != BSON_SUBTYPE_UUID || k.len != 16) return false;
        Uuid u;
        std::memcpy(u.bytes.data(), k.data, 16);
        out.key = u;
    } else if (auto ka = v.find("ka"); ka && ka->isString()) {
        out.key = ka->utf8();  // points into out.document
    } else {
        return false;
    }
    return v.find("v").has_value();
}

}  // namespace cryptd::analysis
