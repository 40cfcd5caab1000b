#pragma once
// BSON ownership, iteration and writing. Doc owns a document's bytes; View and Element borrow bytes
// owned by someone else (a Doc, a wire message) and must not outlive them; reading steps through
// the bytes directly (bson_reader.cpp). Builder writes BSON bytes itself (bson_builder.cpp) and
// hands back a Doc. Nothing here knows about MongoDB commands.

#include <bson/bson.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/bson_bytes.h"

namespace cryptd::bson {

class Element;
class View;

inline uint64_t loadLE64(const uint8_t* p) {
    return uint64_t(loadLE32(p)) | uint64_t(loadLE32(p + 4)) << 32;
}
inline double doubleAt(const uint8_t* p) {
    uint64_t bits = loadLE64(p);
    double d;
    std::memcpy(&d, &bits, sizeof d);
    return d;
}
inline constexpr uint8_t kEmptyDocBytes[5] = {5, 0, 0, 0, 0};
// What a default Element (the end iterator's) points at: type EOD, key "", zero bytes after.
inline constexpr uint8_t kNoElementBytes[8] = {};

// A BSON document owned by this object: a plain heap buffer (malloc'd, so a Builder's grown buffer
// is handed over without a copy). Move-only; a moved-from Doc is the empty document.
class Doc {
  public:
    Doc() = default;                // the empty document {} (allocates nothing)
    explicit Doc(bson_t* adopted);  // copies a bson_new*() result's bytes and destroys it
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
    const uint8_t* data() const { return data_ ? data_ : kEmptyDocBytes; }
    uint32_t size() const { return loadLE32(data()); }
    // For patching bytes in place without changing the length (e.g. a placeholder flag).
    uint8_t* mutableData();
    // A read-only bson_t over the bytes, for libbson / libmongoc / libmongocrypt calls. Valid until
    // the Doc is assigned or destroyed (moves keep it). Each call re-points one bson_t held by the
    // Doc, so one Doc is not for get() from several threads at once (View::asBsonT() is).
    const bson_t* get() const;
    // Relaxed Extended JSON, for logs and messages.
    std::string toJson() const;
    std::string toCanonicalJson() const;

  private:
    friend class Builder;
    struct Owned {};
    Doc(Owned, uint8_t* data) : data_(data) {}

    uint8_t* data_ = nullptr;  // nullptr: the empty document
    // Made on the first get(); a static bson_t points at data_, so it lives on the heap and is
    // never memcpy-moved with the Doc.
    struct Shadow {
        bson_t b;
    };
    mutable std::unique_ptr<Shadow> shadow_;
};

// One element of a document: key, type and value, read from the bytes themselves. An Element is
// made only by View's iterator, which has checked that the key and the value lie inside the
// document, so every accessor is a plain load. Valid while the document bytes live.
class Element {
  public:
    std::string_view key() const { return {reinterpret_cast<const char*>(p_ + 1), keyLen_}; }
    bson_type_t type() const { return static_cast<bson_type_t>(p_[0]); }
    // MongoDB's $type alias: "string", "int", "objectId", ...
    std::string_view typeName() const;

    bool isDocument() const { return type() == BSON_TYPE_DOCUMENT; }
    bool isArray() const { return type() == BSON_TYPE_ARRAY; }
    bool isString() const { return type() == BSON_TYPE_UTF8; }
    bool isNumber() const;
    bool isBool() const { return type() == BSON_TYPE_BOOL; }

    // Typed accessors give what libbson's bson_iter_* give: on another type, a zero value (0,
    // false, an empty view, nullptr), so the caller checks type() first.
    View document() const;  // embedded document or array
    std::string_view utf8() const { return stringOf(BSON_TYPE_UTF8); }
    std::string_view code() const { return stringOf(BSON_TYPE_CODE); }
    std::string_view symbol() const { return stringOf(BSON_TYPE_SYMBOL); }
    int32_t int32() const {
        return type() == BSON_TYPE_INT32 ? static_cast<int32_t>(loadLE32(val())) : 0;
    }
    int64_t int64() const {
        return type() == BSON_TYPE_INT64 ? static_cast<int64_t>(loadLE64(val())) : 0;
    }
    double dbl() const { return type() == BSON_TYPE_DOUBLE ? doubleAt(val()) : 0.0; }
    bool boolean() const { return type() == BSON_TYPE_BOOL && *val() != 0; }
    int64_t dateTime() const {  // milliseconds since the epoch
        return type() == BSON_TYPE_DATE_TIME ? static_cast<int64_t>(loadLE64(val())) : 0;
    }
    const bson_oid_t* oid() const {
        return type() == BSON_TYPE_OID ? reinterpret_cast<const bson_oid_t*>(val()) : nullptr;
    }
    struct Timestamp {
        uint32_t timestamp;
        uint32_t increment;
    };
    Timestamp timestamp() const;
    struct Regex {
        std::string_view pattern;
        std::string_view options;  // as stored (no data() when this is not a regex)
    };
    Regex regex() const;
    // Numbers of any type as int64 / double, and truthiness as MongoDB reads it ({x: 1} == true);
    // the same results as bson_iter_as_int64 / _as_double / _as_bool for every type.
    int64_t asInt64() const;
    double asDouble() const;
    bool truthy() const;

    struct Binary {
        bson_subtype_t subtype;
        const uint8_t* data;
        uint32_t len;
    };
    Binary binary() const;

    // The value as libbson's bson_iter_value fills it, for the few libbson-shaped callers
    // (pointers into the document bytes: valid while they live).
    bson_value_t value() const;
    // The element's raw bytes (type byte, key, value), e.g. for hashing or copying.
    const uint8_t* rawData() const { return p_; }
    uint32_t rawSize() const { return size_; }

  private:
    friend class View;
    Element() = default;
    Element(const uint8_t* p, uint32_t keyLen, uint32_t size)
        : p_(p), keyLen_(keyLen), size_(size) {}
    const uint8_t* val() const { return p_ + keyLen_ + 2; }  // after the type byte and key zero
    std::string_view stringOf(bson_type_t t) const {
        if (type() != t) return {};
        return {reinterpret_cast<const char*>(val() + 4), loadLE32(val()) - 1};  // length >= 1
    }

    const uint8_t* p_ = kNoElementBytes;  // the type byte
    uint32_t keyLen_ = 0;                 // key bytes without its zero
    uint32_t size_ = 0;                   // type byte, key, zero and value
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

    // Steps through the bytes itself. Memory-safe on any bytes: each step checks, as libbson's
    // iterator does, that the key's zero and the value lie inside the document, and ends the
    // iteration at the first element that does not (bson_reader.cpp). No UTF-8 checks: documents
    // from outside were validated (bson_validate.h) before anything reads them.
    class Iterator {
      public:
        Iterator() = default;  // end
        explicit Iterator(const View& view);
        Element operator*() const { return cur_; }  // a copy: 16 bytes, stays valid after ++
        Iterator& operator++() {
            step();
            return *this;
        }
        bool operator==(const Iterator& o) const {
            return (data_ == nullptr) == (o.data_ == nullptr);
        }
        bool operator!=(const Iterator& o) const { return !(*this == o); }

      private:
        void step();  // reads the element at next_, or ends (data_ = nullptr)

        const uint8_t* data_ = nullptr;  // nullptr: at the end
        uint32_t len_ = 0;
        uint32_t next_ = 0;  // offset of the element after cur_
        Element cur_;
    };
    Iterator begin() const { return Iterator(*this); }
    Iterator end() const { return {}; }

    // The first element (a command's name and value), or nullopt for {}.
    std::optional<Element> first() const {
        Iterator it = begin();
        if (it == end()) return std::nullopt;
        return *it;
    }
    // The first element's key (a command's name), "" for {}.
    std::string_view firstKey() const {
        Iterator it = begin();
        return it == end() ? std::string_view() : (*it).key();
    }
    std::optional<Element> find(std::string_view key) const;  // first element with this key
    size_t count() const;                                     // number of elements
    // A read-only bson_t over the same bytes, for libbson calls.
    bson_t asBsonT() const;
    std::string toJson() const;
    // At most about `maxBytes` of it, for error messages: cut with "..." (libbson stops
    // rendering there, so a huge document costs no more than the limit).
    std::string toJson(size_t maxBytes) const;
    std::string toCanonicalJson() const;
    bool operator==(const View& o) const;

  private:
    const uint8_t* data_;
    uint32_t len_;
};

inline View Element::document() const {
    if (type() != BSON_TYPE_DOCUMENT && type() != BSON_TYPE_ARRAY) return View();
    return {val(), loadLE32(val())};  // the iterator checked it fits (not what is inside)
}

// MongoDB's $type alias of a BSON type: "string", "int", "objectId", ... ("unknown" otherwise).
std::string_view typeAlias(bson_type_t type);

// True when the bytes are exactly one valid BSON document (common/bson_validate.h, any depth,
// any array keys): lengths consistent, keys valid UTF-8, no zero byte inside string values.
bool isValid(const uint8_t* data, size_t len);

// Writes a new document into one growable heap buffer; the bytes are those libbson would write.
// Each append copies the value (the source must not be this builder's own buffer, which may move).
// Nested documents and arrays are written in place into the same buffer. Between appends the buffer
// always holds a complete document, so view() and size() may be read at any time (a view is
// invalidated by the next append). Keys containing a zero byte are refused (Error BadValue); a
// document that would pass 2^31-1 bytes fails with Error BSONObjectTooLarge and is left unchanged.
class Builder {
  public:
    Builder() = default;  // allocates on the first append
    // Goes on appending to a finished document: its bytes are taken over, not copied.
    explicit Builder(Doc&& doc);
    Builder(const Builder&) = delete;
    Builder& operator=(const Builder&) = delete;
    ~Builder() {
        if (buf_ == &own_) std::free(own_.data);  // nested builders own nothing (inline: cheap)
    }

    // The element's value bytes as they are (regexes re-encoded as libbson does: options sorted).
    Builder& append(std::string_view key, const Element& e);
    Builder& append(const Element& e) { return append(e.key(), e); }
    Builder& appendValue(std::string_view key, const bson_value_t* v);
    // A string_view without data (nullptr) is written as null, as libbson does.
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
    // Options are kept as libbson keeps them: only i l m s u x, sorted, each once.
    Builder& appendRegex(std::string_view key, std::string_view pattern, std::string_view options);
    // Builds a nested document / array in place: fill(childBuilder). If fill throws, the child is
    // closed with what it holds and the exception goes on.
    template <typename Fill>
    Builder& appendDocument(std::string_view key, Fill&& fill) {
        return nested(key, BSON_TYPE_DOCUMENT, std::forward<Fill>(fill));
    }
    template <typename Fill>
    Builder& appendArray(std::string_view key, Fill&& fill) {
        return nested(key, BSON_TYPE_ARRAY, std::forward<Fill>(fill));
    }

    uint32_t size() const { return buf_->data ? loadLE32(buf_->data + start_) : 5; }
    View view() const;
    Doc finish();  // hands the buffer over without copying; the builder is empty afterwards

  private:
    // The bytes being written, shared by a builder and the children nested in it. `len` ends
    // just after the innermost open document's terminating zero; each of the `open` children
    // still owes its parent one terminating zero, for which `cap` always keeps room.
    struct Buffer {
        uint8_t* data = nullptr;
        uint32_t len = 0;
        uint32_t cap = 0;
        uint32_t open = 0;
    };
    Builder(Buffer* buf, uint32_t start, uint32_t depth)
        : buf_(buf), start_(start), depth_(depth) {}

    template <typename Fill>
    Builder& nested(std::string_view key, bson_type_t type, Fill&& fill) {
        Builder child(buf_, beginChild(key, type), depth_ + 1);
        try {
            fill(child);
        } catch (...) {
            endChild();
            throw;
        }
        endChild();
        return *this;
    }
    uint32_t beginChild(std::string_view key, bson_type_t type);  // returns the child's offset
    void endChild() noexcept;
    // Writes type and key, ends this document after a value of valueSize bytes and returns where
    // the value goes. Throws (changing nothing) on a bad key, a misuse or the size limit.
    uint8_t* element(bson_type_t type, std::string_view key, size_t valueSize);
    uint8_t* reserve(bson_type_t type, std::string_view key, size_t valueSize);
    void grow(size_t need);
    void writeString(bson_type_t type, std::string_view key, const char* s, size_t n);
    void writeBinary(std::string_view key, bson_subtype_t subtype, const uint8_t* data, size_t n);
    void writeRegex(std::string_view key, std::string_view pattern, std::string_view options);
    void writeBytes(bson_type_t type, std::string_view key, const uint8_t* data, size_t n);

    Buffer own_;           // used by a top-level builder only
    Buffer* buf_ = &own_;  // a nested builder's points at its parent's (never moved: no copy/move)
    uint32_t start_ = 0;   // where this document's length header is
    uint32_t depth_ = 0;   // how many documents enclose this one
};

// Key of array element i ("0", "1", ...), valid until the next call with the same buffer.
std::string_view arrayKey(uint32_t i, char (&buf)[16]);

}  // namespace cryptd::bson
