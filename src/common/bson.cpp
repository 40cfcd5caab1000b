#include "common/bson.h"

#include <cstring>
#include <memory>

#include "common/bson_validate.h"
#include "common/error.h"

namespace cryptd::bson {

namespace {
constexpr uint8_t kEmptyDoc[5] = {5, 0, 0, 0, 0};

struct FreeString {
    void operator()(char* s) const { bson_free(s); }
};
using BsonString = std::unique_ptr<char, FreeString>;

std::string takeString(char* s) {
    BsonString owned(s);
    return owned ? std::string(owned.get()) : std::string();
}

int keyLen(std::string_view key) {
    // libbson takes int lengths; keys never come near 2 GB (documents are capped at 16 MB).
    return static_cast<int>(key.size());
}
}  // namespace

// ---- Doc ----

Doc::Doc() : bson_(bson_new()) {}
Doc::Doc(bson_t* adopted) : bson_(adopted ? adopted : bson_new()) {}
Doc::Doc(Doc&& other) noexcept : bson_(other.bson_) {
    other.bson_ = nullptr;
}
Doc& Doc::operator=(Doc&& other) noexcept {
    if (this != &other) {
        if (bson_) bson_destroy(bson_);
        bson_ = other.bson_;
        other.bson_ = nullptr;
    }
    return *this;
}
Doc::~Doc() {
    if (bson_) bson_destroy(bson_);
}

Doc Doc::copyOf(const uint8_t* data, size_t len) {
    if (!isValid(data, len)) fail(ErrorCode::InvalidBSON, "invalid BSON document");
    bson_t* b = bson_new_from_data(data, len);
    if (!b) fail(ErrorCode::InvalidBSON, "invalid BSON document");
    return Doc(b);
}

Doc Doc::copyOf(View view) {
    bson_t* b = bson_new_from_data(view.data(), view.size());
    if (!b) fail(ErrorCode::InvalidBSON, "invalid BSON document");
    return Doc(b);
}

Doc Doc::fromJson(std::string_view json) {
    bson_error_t err;
    bson_t* b = bson_new_from_json(reinterpret_cast<const uint8_t*>(json.data()),
                                   static_cast<ssize_t>(json.size()), &err);
    if (!b) fail(ErrorCode::FailedToParse, std::string("invalid Extended JSON: ") + err.message);
    return Doc(b);
}

Doc Doc::clone() const {
    return Doc(bson_copy(bson_));
}
View Doc::view() const {
    return View::of(bson_);
}
const uint8_t* Doc::data() const {
    return bson_get_data(bson_);
}
uint32_t Doc::size() const {
    return bson_->len;
}
std::string Doc::toJson() const {
    return view().toJson();
}
std::string Doc::toCanonicalJson() const {
    return view().toCanonicalJson();
}

// ---- Element ----

std::string_view Element::typeName() const {
    return typeAlias(type());
}

std::string_view typeAlias(bson_type_t type) {
    switch (type) {
        case BSON_TYPE_DOUBLE:
            return "double";
        case BSON_TYPE_UTF8:
            return "string";
        case BSON_TYPE_DOCUMENT:
            return "object";
        case BSON_TYPE_ARRAY:
            return "array";
        case BSON_TYPE_BINARY:
            return "binData";
        case BSON_TYPE_UNDEFINED:
            return "undefined";
        case BSON_TYPE_OID:
            return "objectId";
        case BSON_TYPE_BOOL:
            return "bool";
        case BSON_TYPE_DATE_TIME:
            return "date";
        case BSON_TYPE_NULL:
            return "null";
        case BSON_TYPE_REGEX:
            return "regex";
        case BSON_TYPE_DBPOINTER:
            return "dbPointer";
        case BSON_TYPE_CODE:
            return "javascript";
        case BSON_TYPE_SYMBOL:
            return "symbol";
        case BSON_TYPE_CODEWSCOPE:
            return "javascriptWithScope";
        case BSON_TYPE_INT32:
            return "int";
        case BSON_TYPE_TIMESTAMP:
            return "timestamp";
        case BSON_TYPE_INT64:
            return "long";
        case BSON_TYPE_DECIMAL128:
            return "decimal";
        case BSON_TYPE_MAXKEY:
            return "maxKey";
        case BSON_TYPE_MINKEY:
            return "minKey";
        default:
            return "unknown";
    }
}

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

View Element::document() const {
    const uint8_t* data = nullptr;
    uint32_t len = 0;
    if (type() == BSON_TYPE_ARRAY) {
        bson_iter_array(&it_, &len, &data);
    } else {
        bson_iter_document(&it_, &len, &data);
    }
    if (!data) return View();
    return {data, len};
}

std::string_view Element::utf8() const {
    uint32_t len = 0;
    const char* s = bson_iter_utf8(&it_, &len);
    return {s, len};
}

Element::Binary Element::binary() const {
    Binary b{};
    bson_iter_binary(&it_, &b.subtype, &b.len, &b.data);
    return b;
}

// ---- View ----

View::View() : data_(kEmptyDoc), len_(sizeof kEmptyDoc) {}

View::Iterator::Iterator(const View& view) {
    done_ = !bson_iter_init_from_data(&it_, view.data(), view.size()) || !bson_iter_next(&it_);
}

View::Iterator& View::Iterator::operator++() {
    done_ = !bson_iter_next(&it_);
    return *this;
}

std::optional<Element> View::find(std::string_view key) const {
    for (Element e : *this) {
        if (e.key() == key) return e;
    }
    return std::nullopt;
}

size_t View::count() const {
    size_t n = 0;
    for (auto it = begin(); it != end(); ++it) ++n;
    return n;
}

bson_t View::asBsonT() const {
    bson_t b;
    bson_init_static(&b, data_, len_);
    return b;
}

std::string View::toJson() const {
    bson_t b = asBsonT();
    return takeString(bson_as_relaxed_extended_json(&b, nullptr));
}

std::string View::toCanonicalJson() const {
    bson_t b = asBsonT();
    return takeString(bson_as_canonical_extended_json(&b, nullptr));
}

bool View::operator==(const View& o) const {
    return len_ == o.len_ && std::memcmp(data_, o.data_, len_) == 0;
}

bool isValid(const uint8_t* data, size_t len) {
    return static_cast<bool>(validate(data, len));
}

// ---- Builder ----

Builder::Builder() : target_(bson_new()), owned_(true) {}
Builder::~Builder() {
    if (owned_ && target_) bson_destroy(target_);
}

void Builder::check(bool appended) {
    if (!appended) {
        fail(ErrorCode::BSONObjectTooLarge, "BSON document too large to build");
    }
}

Builder& Builder::append(std::string_view key, const Element& e) {
    return appendValue(key, e.value());
}
Builder& Builder::appendValue(std::string_view key, const bson_value_t* v) {
    check(bson_append_value(target_, key.data(), keyLen(key), v));
    return *this;
}
Builder& Builder::appendUtf8(std::string_view key, std::string_view v) {
    check(bson_append_utf8(target_, key.data(), keyLen(key), v.data(), static_cast<int>(v.size())));
    return *this;
}
Builder& Builder::appendInt32(std::string_view key, int32_t v) {
    check(bson_append_int32(target_, key.data(), keyLen(key), v));
    return *this;
}
Builder& Builder::appendInt64(std::string_view key, int64_t v) {
    check(bson_append_int64(target_, key.data(), keyLen(key), v));
    return *this;
}
Builder& Builder::appendDouble(std::string_view key, double v) {
    check(bson_append_double(target_, key.data(), keyLen(key), v));
    return *this;
}
Builder& Builder::appendBool(std::string_view key, bool v) {
    check(bson_append_bool(target_, key.data(), keyLen(key), v));
    return *this;
}
Builder& Builder::appendNull(std::string_view key) {
    check(bson_append_null(target_, key.data(), keyLen(key)));
    return *this;
}
Builder& Builder::appendDateTime(std::string_view key, int64_t millis) {
    check(bson_append_date_time(target_, key.data(), keyLen(key), millis));
    return *this;
}
Builder& Builder::appendDocument(std::string_view key, View v) {
    bson_t b = v.asBsonT();
    check(bson_append_document(target_, key.data(), keyLen(key), &b));
    return *this;
}
Builder& Builder::appendArray(std::string_view key, View v) {
    bson_t b = v.asBsonT();
    check(bson_append_array(target_, key.data(), keyLen(key), &b));
    return *this;
}
Builder& Builder::appendBinary(std::string_view key, bson_subtype_t subtype, const uint8_t* data,
                               uint32_t len) {
    check(bson_append_binary(target_, key.data(), keyLen(key), subtype, data, len));
    return *this;
}

void Builder::beginChild(std::string_view key, bool array, bson_t* child) {
    bool ok = array ? bson_append_array_begin(target_, key.data(), keyLen(key), child)
                    : bson_append_document_begin(target_, key.data(), keyLen(key), child);
    check(ok);
}

void Builder::endChild(bool array, bson_t* child) {
    bool ok =
        array ? bson_append_array_end(target_, child) : bson_append_document_end(target_, child);
    check(ok);
}

Doc Builder::finish() {
    Doc out(target_);
    target_ = bson_new();
    return out;
}

std::string_view arrayKey(uint32_t i, char (&buf)[16]) {
    const char* key = nullptr;
    size_t len = bson_uint32_to_string(i, &key, buf, sizeof buf);
    return {key, len};
}

}  // namespace cryptd::bson
