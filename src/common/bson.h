#pragma once
// RAII and iteration over libbson. Doc owns a bson_t; View and Element borrow bytes owned by
// someone else (a Doc, a wire message) and must not outlive them. Builder appends fields and
// hands back a Doc. Nothing here knows about MongoDB commands.

#include <bson/bson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cryptd::bson {

class Element;
class View;

// A BSON document owned by this object (a heap bson_t). Move-only.
class Doc {
  public:
    Doc();                          // the empty document {}
    explicit Doc(bson_t* adopted);  // takes ownership of a bson_new*() result
    Doc(Doc&& other) noexcept;
    Doc& operator=(Doc&& other) noexcept;
    Doc(const Doc&) = delete;
    Doc& operator=(const Doc&) = delete;
    ~Doc();

    // Copies and validates bytes; throws Error(InvalidBSON) when they are not one valid document.
    static Doc copyOf(const uint8_t* data, size_t len);
    static Doc copyOf(View view);
    // Parses canonical or relaxed Extended JSON; throws Error(FailedToParse).
    static Doc fromJson(std::string_view json);

    Doc clone() const;
    View view() const;
    const uint8_t* data() const;
    uint32_t size() const;
    const bson_t* get() const { return bson_; }
    bson_t* get() { return bson_; }
    // Relaxed Extended JSON, for logs and messages.
    std::string toJson() const;
    std::string toCanonicalJson() const;

  private:
    bson_t* bson_;
};

// One element of a document: key, type and value. Valid while the document bytes live.
class Element {
  public:
    explicit Element(const bson_iter_t& it) : it_(it) {}

    std::string_view key() const { return {bson_iter_key(&it_), bson_iter_key_len(&it_)}; }
    bson_type_t type() const { return bson_iter_type(&it_); }
    // MongoDB's $type alias: "string", "int", "objectId", ...
    std::string_view typeName() const;

    bool isDocument() const { return type() == BSON_TYPE_DOCUMENT; }
    bool isArray() const { return type() == BSON_TYPE_ARRAY; }
    bool isString() const { return type() == BSON_TYPE_UTF8; }
    bool isNumber() const;
    bool isBool() const { return type() == BSON_TYPE_BOOL; }

    // Typed accessors: the caller checks type() first (BSON_ASSERT otherwise).
    View document() const;  // embedded document or array
    std::string_view utf8() const;
    int32_t int32() const { return bson_iter_int32(&it_); }
    int64_t int64() const { return bson_iter_int64(&it_); }
    double dbl() const { return bson_iter_double(&it_); }
    bool boolean() const { return bson_iter_bool(&it_); }
    // Numbers of any type as int64 / double, and truthiness as MongoDB reads it ({x: 1} == true).
    int64_t asInt64() const { return bson_iter_as_int64(&it_); }
    double asDouble() const { return bson_iter_as_double(&it_); }
    bool truthy() const { return bson_iter_as_bool(&it_); }

    struct Binary {
        bson_subtype_t subtype;
        const uint8_t* data;
        uint32_t len;
    };
    Binary binary() const;

    const bson_value_t* value() const { return bson_iter_value(const_cast<bson_iter_t*>(&it_)); }
    const bson_iter_t& iter() const { return it_; }
    // The element's raw bytes (type byte, key, value), e.g. for hashing or copying.
    const uint8_t* rawData() const { return it_.raw + it_.off; }
    uint32_t rawSize() const { return it_.next_off - it_.off; }

  private:
    bson_iter_t it_;
};

// A borrowed, already validated document (or array: arrays are documents with keys "0", "1", ...).
class View {
  public:
    View();  // the empty document
    View(const uint8_t* data, uint32_t len) : data_(data), len_(len) {}
    static View of(const bson_t* b) { return {bson_get_data(b), b->len}; }

    const uint8_t* data() const { return data_; }
    uint32_t size() const { return len_; }
    bool empty() const { return len_ <= 5; }

    class Iterator {
      public:
        Iterator() = default;  // end
        explicit Iterator(const View& view);
        Element operator*() const { return Element(it_); }
        Iterator& operator++();
        bool operator==(const Iterator& o) const { return done_ == o.done_; }
        bool operator!=(const Iterator& o) const { return !(*this == o); }

      private:
        bson_iter_t it_{};
        bool done_ = true;
    };
    Iterator begin() const { return Iterator(*this); }
    Iterator end() const { return {}; }

    std::optional<Element> find(std::string_view key) const;  // first element with this key
    size_t count() const;                                     // number of elements
    // A read-only bson_t over the same bytes, for libbson calls.
    bson_t asBsonT() const;
    std::string toJson() const;
    std::string toCanonicalJson() const;
    bool operator==(const View& o) const;

  private:
    const uint8_t* data_;
    uint32_t len_;
};

// MongoDB's $type alias of a BSON type: "string", "int", "objectId", ... ("unknown" otherwise).
std::string_view typeAlias(bson_type_t type);

// True when the bytes are exactly one valid BSON document (common/bson_validate.h, any depth,
// any array keys): lengths consistent, keys valid UTF-8, no zero byte inside string values.
bool isValid(const uint8_t* data, size_t len);

// Appends fields to a new document. Each append copies the value.
class Builder {
  public:
    Builder();
    Builder(const Builder&) = delete;
    Builder& operator=(const Builder&) = delete;
    ~Builder();

    Builder& append(std::string_view key, const Element& e);  // same value, new key
    Builder& append(const Element& e) { return append(e.key(), e); }
    Builder& appendValue(std::string_view key, const bson_value_t* v);
    Builder& appendUtf8(std::string_view key, std::string_view v);
    Builder& appendInt32(std::string_view key, int32_t v);
    Builder& appendInt64(std::string_view key, int64_t v);
    Builder& appendDouble(std::string_view key, double v);
    Builder& appendBool(std::string_view key, bool v);
    Builder& appendNull(std::string_view key);
    Builder& appendDateTime(std::string_view key, int64_t millisSinceEpoch);
    Builder& appendDocument(std::string_view key, View v);
    Builder& appendArray(std::string_view key, View v);
    Builder& appendBinary(std::string_view key, bson_subtype_t subtype, const uint8_t* data,
                          uint32_t len);
    // Builds a nested document / array in place: fill(childBuilder).
    template <typename Fill>
    Builder& appendDocument(std::string_view key, Fill&& fill) {
        return nested(key, false, std::forward<Fill>(fill));
    }
    template <typename Fill>
    Builder& appendArray(std::string_view key, Fill&& fill) {
        return nested(key, true, std::forward<Fill>(fill));
    }

    uint32_t size() const { return target_->len; }
    View view() const { return View::of(target_); }
    Doc finish();  // the builder is empty afterwards

  private:
    explicit Builder(bson_t* child) : target_(child), owned_(false) {}
    template <typename Fill>
    Builder& nested(std::string_view key, bool array, Fill&& fill) {
        bson_t child;
        beginChild(key, array, &child);
        Builder sub(&child);
        try {
            fill(sub);
        } catch (...) {
            endChild(array, &child);
            throw;
        }
        endChild(array, &child);
        return *this;
    }
    void beginChild(std::string_view key, bool array, bson_t* child);
    void endChild(bool array, bson_t* child);
    void check(bool appended);

    bson_t* target_;
    bool owned_;
};

// Key of array element i ("0", "1", ...), valid until the next call with the same buffer.
std::string_view arrayKey(uint32_t i, char (&buf)[16]);

}  // namespace cryptd::bson
