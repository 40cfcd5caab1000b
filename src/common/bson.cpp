#include "common/bson.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <utility>

#include "common/bson_validate.h"
#include "common/error.h"
#include "common/name_table.h"

namespace cryptd::bson {

namespace {
struct FreeString {
    void operator()(char* s) const { bson_free(s); }
};
using BsonString = std::unique_ptr<char, FreeString>;

std::string takeString(char* s) {
    BsonString owned(s);
    return owned ? std::string(owned.get()) : std::string();
}

// A malloc'd copy (Doc frees with std::free, as it does a Builder's buffer).
uint8_t* copyBytes(const uint8_t* data, size_t len) {
    auto* out = static_cast<uint8_t*>(std::malloc(len));
    if (!out) throw std::bad_alloc();
    std::memcpy(out, data, len);
    return out;
}
}  // namespace

// ---- Doc ----

Doc::Doc(bson_t* adopted) {
    if (!adopted) return;
    data_ = copyBytes(bson_get_data(adopted), adopted->len);
    bson_destroy(adopted);
}
Doc::Doc(Doc&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), shadow_(std::move(other.shadow_)) {}
Doc& Doc::operator=(Doc&& other) noexcept {
    if (this != &other) {
        std::free(data_);
        data_ = std::exchange(other.data_, nullptr);
        shadow_ = std::move(other.shadow_);
    }
    return *this;
}
Doc::~Doc() {
    std::free(data_);
}

Doc Doc::copyOf(const uint8_t* data, size_t len) {
    if (!isValid(data, len)) fail(ErrorCode::InvalidBSON, "invalid BSON document");
    return Doc(Owned{}, copyBytes(data, len));
}

Doc Doc::copyOf(View view) {
    if (!isFramed(view.data(), view.size())) fail(ErrorCode::InvalidBSON, "invalid BSON document");
    return Doc(Owned{}, copyBytes(view.data(), view.size()));
}

Doc Doc::fromJson(std::string_view json) {
    bson_error_t err;
    bson_t* b = bson_new_from_json(reinterpret_cast<const uint8_t*>(json.data()),
                                   static_cast<ssize_t>(json.size()), &err);
    if (!b) fail(ErrorCode::FailedToParse, std::string("invalid Extended JSON: ") + err.message);
    return Doc(b);
}

Doc Doc::clone() const {
    return data_ ? Doc(Owned{}, copyBytes(data_, size())) : Doc();
}
View Doc::view() const {
    return {data(), size()};
}
uint8_t* Doc::mutableData() {
    if (!data_) data_ = copyBytes(kEmptyDocBytes, sizeof kEmptyDocBytes);
    return data_;
}
const bson_t* Doc::get() const {
    if (!shadow_) shadow_ = std::make_unique<Shadow>();
    // Cannot fail: a Doc always holds one framed document.
    bson_init_static(&shadow_->b, data(), size());
    return &shadow_->b;
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

namespace {

// MongoDB's $type aliases, in BSON type order (kept for typeAliases()).
constexpr TypeAlias kAliasesInTypeOrder[] = {
    {"double", BSON_TYPE_DOUBLE},
    {"string", BSON_TYPE_UTF8},
    {"object", BSON_TYPE_DOCUMENT},
    {"array", BSON_TYPE_ARRAY},
    {"binData", BSON_TYPE_BINARY},
    {"undefined", BSON_TYPE_UNDEFINED},
    {"objectId", BSON_TYPE_OID},
    {"bool", BSON_TYPE_BOOL},
    {"date", BSON_TYPE_DATE_TIME},
    {"null", BSON_TYPE_NULL},
    {"regex", BSON_TYPE_REGEX},
    {"dbPointer", BSON_TYPE_DBPOINTER},
    {"javascript", BSON_TYPE_CODE},
    {"symbol", BSON_TYPE_SYMBOL},
    {"javascriptWithScope", BSON_TYPE_CODEWSCOPE},
    {"int", BSON_TYPE_INT32},
    {"timestamp", BSON_TYPE_TIMESTAMP},
    {"long", BSON_TYPE_INT64},
    {"decimal", BSON_TYPE_DECIMAL128},
    {"minKey", BSON_TYPE_MINKEY},
    {"maxKey", BSON_TYPE_MAXKEY},
};

constexpr NameTable<TypeAlias, std::size(kAliasesInTypeOrder)> kAliasesByName{
    std::to_array(kAliasesInTypeOrder)};

}  // namespace

std::string_view typeAlias(bson_type_t type) {
    for (const TypeAlias& a : kAliasesInTypeOrder) {
        if (a.type == type) return a.name;
    }
    return "unknown";
}

std::optional<bson_type_t> typeForAlias(std::string_view alias) {
    if (const TypeAlias* a = kAliasesByName.find(alias)) return a->type;
    return std::nullopt;
}

std::span<const TypeAlias> typeAliases() {
    return kAliasesInTypeOrder;
}

// ---- View ----

View::View() : data_(kEmptyDocBytes), len_(sizeof kEmptyDocBytes) {}

std::optional<Element> View::find(std::string_view key) const {
    for (const Element& e : *this) {
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

std::string View::toJson(size_t maxBytes) const {
    bson_t b = asBsonT();
    auto limit = static_cast<int32_t>(std::min<size_t>(maxBytes, INT32_MAX - 1));
    bson_json_opts_t* opts = bson_json_opts_new(BSON_JSON_MODE_RELAXED, limit + 1);
    size_t length = 0;
    std::string out = takeString(bson_as_json_with_opts(&b, &length, opts));
    bson_json_opts_destroy(opts);
    if (out.size() > static_cast<size_t>(limit)) {
        out.resize(utf8Prefix(out, static_cast<size_t>(limit)).size());
        out += "...";
    }
    return out;
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

std::string_view arrayKey(uint32_t i, char (&buf)[16]) {
    const char* key = nullptr;
    size_t len = bson_uint32_to_string(i, &key, buf, sizeof buf);
    return {key, len};
}

}  // namespace cryptd::bson
