// bson::Builder writes BSON itself; these tests build the same documents with libbson directly and
// compare the bytes (every value type, nesting, growth, views read mid-build), then check what
// libbson refuses (zero bytes in keys, sizes past the limit) and Doc's ownership round trips.

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "common/bson.h"
#include "common/error.h"

namespace cryptd::bson {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes bytesOf(const bson_t* b) {
    const uint8_t* d = bson_get_data(b);
    return {d, d + b->len};
}
Bytes bytesOf(View v) {
    return {v.data(), v.data() + v.size()};
}

// A heap bson_t destroyed at scope end.
struct Lib {
    bson_t* b = bson_new();
    ~Lib() { bson_destroy(b); }
    Bytes bytes() const { return bytesOf(b); }
};

ErrorCode codeOf(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.code();
    }
    return ErrorCode::OK;
}

const uint8_t kOid[12] = {0x65, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b};

// bson_value_t of every type appendValue can carry, several values each. The documents and
// strings they point to live in `keep`.
struct Values {
    struct Value {  // (a vector of bson_value_t would drop its alignment attribute)
        bson_value_t v;
    };
    std::vector<Value> all;
    std::vector<Doc> keep;

    bson_value_t& add(bson_type_t type) {
        bson_value_t v;
        std::memset(&v, 0, sizeof v);
        v.value_type = type;
        all.push_back({v});
        return all.back().v;
    }
    const uint8_t* docBytes(const char* json, uint32_t& len) {
        keep.push_back(Doc::fromJson(json));
        len = keep.back().size();
        return keep.back().data();
    }

    Values() {
        for (double d : {0.0, -0.0, 1.5, -1e300, std::numeric_limits<double>::infinity(),
                         std::numeric_limits<double>::quiet_NaN(),
                         std::numeric_limits<double>::denorm_min()}) {
            add(BSON_TYPE_DOUBLE).value.v_double = d;
        }
        static const char kNul[] = "ab\0cd";
        for (auto s : {std::string_view(""), std::string_view("x"), std::string_view(kNul, 5),
                       std::string_view("\xc3\xa9t\xc3\xa9")}) {
            auto& v = add(BSON_TYPE_UTF8);
            v.value.v_utf8.str = const_cast<char*>(s.data());
            v.value.v_utf8.len = static_cast<uint32_t>(s.size());
        }
        add(BSON_TYPE_UTF8).value.v_utf8.str = nullptr;  // libbson writes null
        for (const char* json : {"{}", R"({"a": 1, "b": {"c": [1, "x", {"d": null}]}})"}) {
            auto& v = add(BSON_TYPE_DOCUMENT);
            v.value.v_doc.data = const_cast<uint8_t*>(docBytes(json, v.value.v_doc.data_len));
        }
        for (const char* json : {"{}", R"({"0": 1, "1": [true], "2": {"x": 1}})"}) {
            auto& v = add(BSON_TYPE_ARRAY);
            v.value.v_doc.data = const_cast<uint8_t*>(docBytes(json, v.value.v_doc.data_len));
        }
        static const uint8_t kBin[40] = {1, 2, 3, 0, 5, 6, 7, 8, 9, 10};
        for (int subtype : {0, 1, 2, 3, 4, 5, 6, 7, 8, 0x80, 0xff}) {
            for (uint32_t len : {0u, 1u, 16u, 40u}) {
                auto& v = add(BSON_TYPE_BINARY);
                v.value.v_binary.subtype = static_cast<bson_subtype_t>(subtype);
                v.value.v_binary.data = const_cast<uint8_t*>(kBin);
                v.value.v_binary.data_len = len;
            }
        }
        add(BSON_TYPE_UNDEFINED);
        std::memcpy(add(BSON_TYPE_OID).value.v_oid.bytes, kOid, 12);
        add(BSON_TYPE_BOOL).value.v_bool = true;
        add(BSON_TYPE_BOOL).value.v_bool = false;
        for (int64_t t : {int64_t{0}, int64_t{-62135596800000}, int64_t{1700000000123}}) {
            add(BSON_TYPE_DATE_TIME).value.v_datetime = t;
        }
        add(BSON_TYPE_NULL);
        struct Re {
            const char* pattern;
            const char* options;
        };
        for (Re re : {Re{"^a.*b$", "i"}, Re{"", ""}, Re{"x", "xzimxsu"}, Re{"y", "lsm"},
                      Re{"z", nullptr}}) {
            auto& v = add(BSON_TYPE_REGEX);
            v.value.v_regex.regex = const_cast<char*>(re.pattern);
            v.value.v_regex.options = const_cast<char*>(re.options);
        }
        for (const char* coll : {"", "db.coll"}) {
            auto& v = add(BSON_TYPE_DBPOINTER);
            v.value.v_dbpointer.collection = const_cast<char*>(coll);
            v.value.v_dbpointer.collection_len = static_cast<uint32_t>(std::strlen(coll));
            std::memcpy(v.value.v_dbpointer.oid.bytes, kOid, 12);
        }
        static const char kCodeNul[] = "f()\0g()";
        for (auto code : {std::string_view("function() { return 1; }"), std::string_view(""),
                          std::string_view(kCodeNul, 7)}) {
            auto& v = add(BSON_TYPE_CODE);  // libbson stops at the first zero byte
            v.value.v_code.code = const_cast<char*>(code.data());
            v.value.v_code.code_len = static_cast<uint32_t>(code.size());
        }
        for (auto sym : {std::string_view("sym"), std::string_view(kCodeNul, 7)}) {
            auto& v = add(BSON_TYPE_SYMBOL);
            v.value.v_symbol.symbol = const_cast<char*>(sym.data());
            v.value.v_symbol.len = static_cast<uint32_t>(sym.size());
        }
        for (const char* scope : {"{}", R"({"x": 1, "y": {"z": "w"}})"}) {
            auto& v = add(BSON_TYPE_CODEWSCOPE);
            v.value.v_codewscope.code = const_cast<char*>("x + y");
            v.value.v_codewscope.code_len = 5;
            v.value.v_codewscope.scope_data =
                const_cast<uint8_t*>(docBytes(scope, v.value.v_codewscope.scope_len));
        }
        for (int32_t i :
             {0, -1, std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()}) {
            add(BSON_TYPE_INT32).value.v_int32 = i;
        }
        auto& ts = add(BSON_TYPE_TIMESTAMP);
        ts.value.v_timestamp.timestamp = 0x11223344;
        ts.value.v_timestamp.increment = 0x55667788;
        for (int64_t i : {int64_t{0}, std::numeric_limits<int64_t>::min(),
                          std::numeric_limits<int64_t>::max()}) {
            add(BSON_TYPE_INT64).value.v_int64 = i;
        }
        bson_decimal128_t dec;
        EXPECT_TRUE(bson_decimal128_from_string("-1234.5678E+99", &dec));
        add(BSON_TYPE_DECIMAL128).value.v_decimal128 = dec;
        add(BSON_TYPE_MINKEY);
        add(BSON_TYPE_MAXKEY);
    }
};

TEST(BsonBuilderTest, EveryValueTypeMatchesLibbsonAloneAndTogether) {
    Values values;
    Builder together;
    Lib togetherLib;
    char buf[16];
    for (size_t i = 0; i < values.all.size(); ++i) {
        const bson_value_t& v = values.all[i].v;
        SCOPED_TRACE("value " + std::to_string(i) + " type " + std::to_string(v.value_type));
        Builder one;
        one.appendValue("key", &v);
        Lib lib;
        ASSERT_TRUE(bson_append_value(lib.b, "key", 3, &v));
        EXPECT_EQ(bytesOf(one.view()), lib.bytes());
        EXPECT_EQ(one.size(), lib.b->len);

        std::string_view key = arrayKey(static_cast<uint32_t>(i), buf);
        together.appendValue(key, &v);
        ASSERT_TRUE(bson_append_value(togetherLib.b, key.data(), static_cast<int>(key.size()), &v));
        EXPECT_EQ(bytesOf(together.view()), togetherLib.bytes());  // mid-build, after each append
    }
    Doc d = together.finish();
    EXPECT_EQ(bytesOf(d.view()), togetherLib.bytes());
}

TEST(BsonBuilderTest, TypedAppendsMatchLibbson) {
    Doc sub = Doc::fromJson(R"({"x": [1, 2], "y": "z"})");
    Doc arr = Doc::fromJson(R"({"0": "a", "1": {"b": 1}})");
    static const char kNul[] = "a\0b";
    const uint8_t bin[3] = {9, 8, 7};
    std::string longKey(1000, 'k');

    Builder b;
    b.appendUtf8("s", "text")
        .appendUtf8("nul", std::string_view(kNul, 3))
        .appendUtf8("empty", "")
        .appendUtf8("nodata", std::string_view())
        .appendInt32("i", -7)
        .appendInt64("l", int64_t{1} << 40)
        .appendDouble("d", 2.25)
        .appendBool("t", true)
        .appendBool("f", false)
        .appendNull("n")
        .appendDateTime("dt", -1)
        .appendDocument("doc", sub.view())
        .appendArray("arr", arr.view())
        .appendDocument("emptyDoc", View())
        .appendBinary("bin", BSON_SUBTYPE_ENCRYPTED, bin, 3)
        .appendBinary("old", BSON_SUBTYPE_BINARY_DEPRECATED, bin, 3)
        .appendBinary("none", BSON_SUBTYPE_BINARY, nullptr, 0)
        .appendRegex("re", "^a", "xsmi")
        .appendRegex("re2", "b", "")
        .appendInt32(longKey, 1)
        .appendInt32("", 2);

    Lib lib;
    bson_t* l = lib.b;
    ASSERT_TRUE(bson_append_utf8(l, "s", 1, "text", 4));
    ASSERT_TRUE(bson_append_utf8(l, "nul", 3, kNul, 3));
    ASSERT_TRUE(bson_append_utf8(l, "empty", 5, "", 0));
    ASSERT_TRUE(bson_append_utf8(l, "nodata", 6, nullptr, 0));
    ASSERT_TRUE(bson_append_int32(l, "i", 1, -7));
    ASSERT_TRUE(bson_append_int64(l, "l", 1, int64_t{1} << 40));
    ASSERT_TRUE(bson_append_double(l, "d", 1, 2.25));
    ASSERT_TRUE(bson_append_bool(l, "t", 1, true));
    ASSERT_TRUE(bson_append_bool(l, "f", 1, false));
    ASSERT_TRUE(bson_append_null(l, "n", 1));
    ASSERT_TRUE(bson_append_date_time(l, "dt", 2, -1));
    ASSERT_TRUE(bson_append_document(l, "doc", 3, sub.get()));
    ASSERT_TRUE(bson_append_array(l, "arr", 3, arr.get()));
    Doc empty;
    ASSERT_TRUE(bson_append_document(l, "emptyDoc", 8, empty.get()));
    ASSERT_TRUE(bson_append_binary(l, "bin", 3, BSON_SUBTYPE_ENCRYPTED, bin, 3));
    ASSERT_TRUE(bson_append_binary(l, "old", 3, BSON_SUBTYPE_BINARY_DEPRECATED, bin, 3));
    ASSERT_TRUE(bson_append_binary(l, "none", 4, BSON_SUBTYPE_BINARY, nullptr, 0));
    ASSERT_TRUE(bson_append_regex(l, "re", 2, "^a", "xsmi"));
    ASSERT_TRUE(bson_append_regex(l, "re2", 3, "b", ""));
    ASSERT_TRUE(bson_append_int32(l, longKey.c_str(), static_cast<int>(longKey.size()), 1));
    ASSERT_TRUE(bson_append_int32(l, "", 0, 2));

    EXPECT_EQ(bytesOf(b.view()), lib.bytes());
    Doc d = b.finish();
    EXPECT_EQ(d.view().find("nodata")->type(), BSON_TYPE_NULL);
}

// The bytes of one element of each type, written by hand where libbson would not write them
// (a regex with unsorted options).
Doc everyTypeDocument() {
    Values values;
    Lib lib;
    char buf[16];
    for (size_t i = 0; i < values.all.size(); ++i) {
        const bson_value_t& v = values.all[i].v;
        // Strings with a zero byte inside are not valid BSON (libbson writes them as given).
        if (v.value_type == BSON_TYPE_UTF8 && v.value.v_utf8.str &&
            std::memchr(v.value.v_utf8.str, 0, v.value.v_utf8.len)) {
            continue;
        }
        if (v.value_type == BSON_TYPE_SYMBOL &&
            std::memchr(v.value.v_symbol.symbol, 0, v.value.v_symbol.len)) {
            continue;
        }
        std::string_view key = arrayKey(static_cast<uint32_t>(i), buf);
        EXPECT_TRUE(bson_append_value(lib.b, key.data(), static_cast<int>(key.size()), &v));
    }
    Bytes bytes = lib.bytes();
    // Append {"raw": /p/xmi} by hand: libbson would sort the options.
    const uint8_t re[] = {0x0b, 'r', 'a', 'w', 0, 'p', 0, 'x', 'm', 'i', 0};
    bytes.pop_back();
    bytes.insert(bytes.end(), re, re + sizeof re);
    bytes.push_back(0);
    uint32_t n = static_cast<uint32_t>(bytes.size());
    std::memcpy(bytes.data(), &n, 4);
    return Doc::copyOf(bytes.data(), bytes.size());
}

TEST(BsonBuilderTest, AppendElementMatchesLibbsonAppendValue) {
    Doc src = everyTypeDocument();
    Builder b;
    Lib lib;
    size_t n = 0;
    for (Element e : src.view()) {
        std::string key = "k" + std::string(e.key());
        b.append(key, e);
        const bson_value_t v = e.value();
        ASSERT_TRUE(bson_append_value(lib.b, key.c_str(), static_cast<int>(key.size()), &v));
        ++n;
        ASSERT_EQ(bytesOf(b.view()), lib.bytes()) << "after element " << e.key();
    }
    EXPECT_GT(n, 80u);
    // Same key: the element's own bytes, except the regex, whose options libbson sorts.
    Builder same;
    for (Element e : src.view()) same.append(e);
    Doc out = same.finish();
    auto raw = out.view().find("raw");
    ASSERT_TRUE(raw.has_value());
    EXPECT_EQ(raw->regex().options, "imx");
}

// Nested documents and arrays: one random tree written through both APIs.
struct Writer {
    std::mt19937 rng;
    explicit Writer(uint32_t seed) : rng(seed) {}
    uint32_t pick(uint32_t n) { return std::uniform_int_distribution<uint32_t>(0, n - 1)(rng); }

    std::string key(bool array, uint32_t index) {
        if (array) return std::to_string(index);
        switch (pick(4)) {
            case 0:
                return "";
            case 1:
                return std::string(1 + pick(300), static_cast<char>('a' + pick(26)));
            default:
                return "f" + std::to_string(pick(1000));
        }
    }

    // Writes the same fields into `b` and `l`; recursion depth below `depth`.
    void fill(Builder& b, bson_t* l, bool array, int depth) {
        uint32_t fields = pick(7);
        for (uint32_t i = 0; i < fields; ++i) {
            std::string k = key(array, i);
            int kl = static_cast<int>(k.size());
            uint32_t kind = pick(depth > 0 ? 7 : 5);
            switch (kind) {
                case 0: {
                    int32_t v = static_cast<int32_t>(rng());
                    b.appendInt32(k, v);
                    ASSERT_TRUE(bson_append_int32(l, k.c_str(), kl, v));
                    break;
                }
                case 1: {
                    std::string s(pick(3000), 'v');
                    b.appendUtf8(k, s);
                    ASSERT_TRUE(
                        bson_append_utf8(l, k.c_str(), kl, s.c_str(), static_cast<int>(s.size())));
                    break;
                }
                case 2: {
                    std::vector<uint8_t> bin(pick(200), static_cast<uint8_t>(pick(256)));
                    auto sub = static_cast<bson_subtype_t>(pick(9));
                    b.appendBinary(k, sub, bin.data(), static_cast<uint32_t>(bin.size()));
                    ASSERT_TRUE(bson_append_binary(l, k.c_str(), kl, sub, bin.data(),
                                                   static_cast<uint32_t>(bin.size())));
                    break;
                }
                case 3:
                    b.appendNull(k);
                    ASSERT_TRUE(bson_append_null(l, k.c_str(), kl));
                    break;
                case 4: {
                    b.appendDouble(k, 0.5 * i);
                    ASSERT_TRUE(bson_append_double(l, k.c_str(), kl, 0.5 * i));
                    break;
                }
                default: {  // 5: document, 6: array
                    bool childArray = kind == 6;
                    bson_t child;
                    ASSERT_TRUE(childArray ? bson_append_array_begin(l, k.c_str(), kl, &child)
                                           : bson_append_document_begin(l, k.c_str(), kl, &child));
                    auto inner = [&](Builder& c) {
                        fill(c, &child, childArray, depth - 1);
                        // The child's view mid-build is the child's bytes so far.
                        EXPECT_EQ(bytesOf(c.view()), bytesOf(&child));
                    };
                    if (childArray) {
                        b.appendArray(k, inner);
                    } else {
                        b.appendDocument(k, inner);
                    }
                    ASSERT_TRUE(childArray ? bson_append_array_end(l, &child)
                                           : bson_append_document_end(l, &child));
                    break;
                }
            }
            ASSERT_EQ(bytesOf(b.view()), bytesOf(l));
        }
    }
};

TEST(BsonBuilderTest, RandomNestedDocumentsMatchLibbson) {
    for (uint32_t seed = 1; seed <= 300; ++seed) {
        SCOPED_TRACE("seed " + std::to_string(seed));
        Writer w(seed);
        Builder b;
        Lib lib;
        w.fill(b, lib.b, false, 1 + static_cast<int>(seed % 8));
        if (HasFatalFailure()) return;
        Doc d = b.finish();
        ASSERT_EQ(bytesOf(d.view()), lib.bytes());
        ASSERT_TRUE(isValid(d.data(), d.size()));
    }
}

// The same tree as DeepNestingAndEmptyChildren's Builder writes, through libbson.
void libDown(bson_t* l, int level) {
    bson_t c;
    if (level == 0) {
        bson_append_document_begin(l, "emptyDoc", -1, &c);
        bson_append_document_end(l, &c);
        bson_append_array_begin(l, "emptyArr", -1, &c);
        bson_append_array_end(l, &c);
        return;
    }
    bson_append_int32(l, "before", -1, level);
    if (level % 2) {
        bson_append_array_begin(l, "a", -1, &c);
        libDown(&c, level - 1);
        bson_append_array_end(l, &c);
    } else {
        bson_append_document_begin(l, "d", -1, &c);
        libDown(&c, level - 1);
        bson_append_document_end(l, &c);
    }
    bson_append_int32(l, "after", -1, level);
}

TEST(BsonBuilderTest, DeepNestingAndEmptyChildren) {
    // 40 levels, alternating documents and arrays, empty ones at the bottom.
    std::function<void(Builder&, int)> down = [&](Builder& b, int level) {
        if (level == 0) {
            b.appendDocument("emptyDoc", [](Builder&) {}).appendArray("emptyArr", [](Builder&) {});
            return;
        }
        b.appendInt32("before", level);
        auto next = [&](Builder& c) { down(c, level - 1); };
        if (level % 2) {
            b.appendArray("a", next);
        } else {
            b.appendDocument("d", next);
        }
        b.appendInt32("after", level);
    };
    Builder b;
    down(b, 40);
    Lib l;
    libDown(l.b, 40);
    EXPECT_EQ(bytesOf(b.view()), l.bytes());

    Builder empty;
    EXPECT_EQ(empty.size(), 5u);
    EXPECT_EQ(bytesOf(empty.view()), Bytes({5, 0, 0, 0, 0}));
    EXPECT_EQ(bytesOf(empty.finish().view()), Bytes({5, 0, 0, 0, 0}));
}

TEST(BsonBuilderTest, BigValuesGrowTheBufferManyTimes) {
    Builder b;
    Lib lib;
    std::string value(1024, 'x');
    std::vector<uint8_t> big(5 << 20);
    for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<uint8_t>(i * 31);
    char buf[16];
    for (uint32_t i = 0; i < 3000; ++i) {
        std::string_view key = arrayKey(i, buf);
        value[i % value.size()] = static_cast<char>('a' + i % 26);
        b.appendUtf8(key, value);
        ASSERT_TRUE(bson_append_utf8(lib.b, key.data(), static_cast<int>(key.size()), value.data(),
                                     static_cast<int>(value.size())));
        if (i % 250 == 0) {
            ASSERT_EQ(bytesOf(b.view()), lib.bytes());
        }
    }
    b.appendBinary("big", BSON_SUBTYPE_BINARY, big.data(), static_cast<uint32_t>(big.size()));
    ASSERT_TRUE(bson_append_binary(lib.b, "big", 3, BSON_SUBTYPE_BINARY, big.data(),
                                   static_cast<uint32_t>(big.size())));
    const uint8_t* before = b.view().data();
    Doc d = b.finish();
    EXPECT_EQ(d.data(), before);  // handed over, not copied
    EXPECT_EQ(bytesOf(d.view()), lib.bytes());
    EXPECT_GT(d.size(), 3000u * 1024 + (5u << 20));
}

TEST(BsonBuilderTest, KeysWithZeroBytesAreRefused) {
    static const char kKey[] = "a\0b";
    Builder b;
    b.appendInt32("ok", 1);
    Bytes before = bytesOf(b.view());
    try {
        b.appendInt32(std::string_view(kKey, 3), 2);
        FAIL() << "a key with a zero byte was written";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::BadValue);
        EXPECT_NE(std::string(e.what()).find("a\\0b"), std::string::npos) << e.what();
    }
    EXPECT_EQ(bytesOf(b.view()), before);
    bool filled = false;
    EXPECT_EQ(codeOf([&] {
                  b.appendDocument(std::string_view(kKey, 3), [&](Builder&) { filled = true; });
              }),
              ErrorCode::BadValue);
    EXPECT_FALSE(filled);
    Values values;
    for (const auto& [v] : values.all) {
        EXPECT_EQ(codeOf([&] { b.appendValue(std::string_view(kKey, 3), &v); }),
                  ErrorCode::BadValue);
    }
    EXPECT_EQ(bytesOf(b.view()), before);
    // libbson refuses the same key.
    Lib lib;
    EXPECT_FALSE(bson_append_int32(lib.b, kKey, 3, 2));
    // Nor may a regex pattern carry one (it is a C string in BSON).
    EXPECT_EQ(codeOf([&] { b.appendRegex("r", std::string_view(kKey, 3), "i"); }),
              ErrorCode::BadValue);
    b.appendInt32("more", 3);
    Doc d = b.finish();
    EXPECT_TRUE(isValid(d.data(), d.size()));
    EXPECT_EQ(d.view().count(), 2u);
}

TEST(BsonBuilderTest, KeysOfEveryShortLengthAndEveryZeroPosition) {
    // Keys are copied and checked a word at a time: every length around the word sizes, every
    // byte value, a zero byte at every position.
    Builder b;
    Lib lib;
    for (size_t n = 0; n <= 40; ++n) {
        std::string key(n, '\0');
        for (size_t i = 0; i < n; ++i) key[i] = static_cast<char>(1 + (n * 7 + i * 13) % 255);
        b.appendInt32(key, static_cast<int32_t>(n));
        ASSERT_TRUE(
            bson_append_int32(lib.b, key.data(), static_cast<int>(n), static_cast<int32_t>(n)));
        ASSERT_EQ(bytesOf(b.view()), lib.bytes()) << "key length " << n;
        for (size_t zero = 0; zero < n; ++zero) {
            std::string bad = key;
            bad[zero] = '\0';
            ASSERT_EQ(codeOf([&] { b.appendInt32(bad, 0); }), ErrorCode::BadValue)
                << "length " << n << ", zero at " << zero;
            ASSERT_EQ(bytesOf(b.view()), lib.bytes());
        }
    }
}

TEST(BsonBuilderTest, PastTheSizeLimitFailsAndChangesNothing) {
    // Lengths are checked before any byte is read, so a short buffer stands for a huge value.
    const char small[8] = "abcdefg";
    const auto* bytes = reinterpret_cast<const uint8_t*>(small);
    Builder b;
    b.appendInt32("a", 1);
    Bytes before = bytesOf(b.view());
    const size_t limit = std::numeric_limits<int32_t>::max();
    EXPECT_EQ(codeOf([&] { b.appendUtf8("s", std::string_view(small, limit - 10)); }),
              ErrorCode::BSONObjectTooLarge);
    EXPECT_EQ(codeOf([&] { b.appendUtf8("s", std::string_view(small, limit + 10)); }),
              ErrorCode::BSONObjectTooLarge);
    EXPECT_EQ(codeOf([&] { b.appendBinary("b", BSON_SUBTYPE_BINARY, bytes, 0xFFFFFFF0u); }),
              ErrorCode::BSONObjectTooLarge);
    EXPECT_EQ(
        codeOf([&] { b.appendBinary("b", BSON_SUBTYPE_BINARY_DEPRECATED, bytes, limit - 5); }),
        ErrorCode::BSONObjectTooLarge);
    EXPECT_EQ(codeOf([&] { b.appendInt32(std::string_view(small, limit), 1); }),
              ErrorCode::BSONObjectTooLarge);
    EXPECT_EQ(codeOf([&] { b.appendDocument("d", View(bytes, 0x80000000u)); }),
              ErrorCode::BSONObjectTooLarge);
    EXPECT_EQ(bytesOf(b.view()), before);
    EXPECT_EQ(codeOf([&] {
                  b.appendDocument("child", [&](Builder& c) {
                      c.appendUtf8("s", std::string_view(small, limit - 20));
                  });
              }),
              ErrorCode::BSONObjectTooLarge);
    // The failed child was closed empty; nothing else changed.
    Doc d = b.finish();
    EXPECT_TRUE(isValid(d.data(), d.size()));
    EXPECT_EQ(d.toJson(), R"({ "a" : 1, "child" : {  } })");
}

TEST(BsonBuilderTest, MisuseIsAnErrorNotCorruptBson) {
    Builder b;
    EXPECT_EQ(codeOf([&] {
                  b.appendDocument("child", [&](Builder& c) {
                      c.appendInt32("x", 1);
                      b.appendInt32("y", 2);  // the parent, while its child is open
                  });
              }),
              ErrorCode::InternalError);
    EXPECT_EQ(codeOf([&] { b.appendDocument("c2", [&](Builder&) { (void)b.finish(); }); }),
              ErrorCode::InternalError);
    EXPECT_EQ(codeOf([&] { b.appendDocument("c3", [&](Builder& c) { (void)c.finish(); }); }),
              ErrorCode::InternalError);
    Doc d = b.finish();
    EXPECT_TRUE(isValid(d.data(), d.size()));
    EXPECT_EQ(d.toJson(), R"({ "child" : { "x" : 1 }, "c2" : {  }, "c3" : {  } })");
    // Values libbson cannot take either.
    bson_value_t v;
    std::memset(&v, 0, sizeof v);
    v.value_type = BSON_TYPE_EOD;
    EXPECT_EQ(codeOf([&] { b.appendValue("v", &v); }), ErrorCode::BadValue);
    v.value_type = BSON_TYPE_DOCUMENT;
    const uint8_t bad[5] = {6, 0, 0, 0, 0};
    v.value.v_doc.data = const_cast<uint8_t*>(bad);
    v.value.v_doc.data_len = 5;
    EXPECT_EQ(codeOf([&] { b.appendValue("v", &v); }), ErrorCode::InvalidBSON);
    EXPECT_EQ(codeOf([&] { b.appendBinary("v", BSON_SUBTYPE_BINARY, nullptr, 3); }),
              ErrorCode::BadValue);
    EXPECT_EQ(b.size(), 5u);
}

TEST(BsonBuilderTest, FillThatThrowsLeavesWhatLibbsonWouldHave) {
    Builder b;
    b.appendInt32("a", 1);
    EXPECT_THROW(b.appendArray("arr",
                               [](Builder& c) {
                                   c.appendInt32("0", 1);
                                   c.appendDocument("1", [](Builder& g) {
                                       g.appendNull("n");
                                       fail(ErrorCode::BadValue, "boom");
                                   });
                               }),
                 Error);
    b.appendInt32("z", 2);
    Lib lib;
    bson_t arr, inner;
    bson_append_int32(lib.b, "a", 1, 1);
    bson_append_array_begin(lib.b, "arr", 3, &arr);
    bson_append_int32(&arr, "0", 1, 1);
    bson_append_document_begin(&arr, "1", 1, &inner);
    bson_append_null(&inner, "n", 1);
    bson_append_document_end(&arr, &inner);
    bson_append_array_end(lib.b, &arr);
    bson_append_int32(lib.b, "z", 1, 2);
    EXPECT_EQ(bytesOf(b.view()), lib.bytes());
}

TEST(BsonBuilderTest, FinishLeavesAnEmptyReusableBuilder) {
    Builder b;
    b.appendUtf8("x", "1");
    Doc first = b.finish();
    EXPECT_EQ(b.size(), 5u);
    EXPECT_TRUE(b.view().empty());
    b.appendUtf8("y", "2");
    Doc second = b.finish();
    EXPECT_EQ(first.toJson(), R"({ "x" : "1" })");
    EXPECT_EQ(second.toJson(), R"({ "y" : "2" })");
}

TEST(BsonBuilderTest, ReopensAFinishedDocumentWithoutCopying) {
    Builder b;
    b.appendUtf8("x", "1");
    b.appendDocument("d", [](Builder& c) { c.appendInt32("n", 7); });
    Doc first = b.finish();
    const uint8_t* bytes = first.data();
    Builder more(std::move(first));
    EXPECT_TRUE(first.view().empty());  // taken over, not shared
    EXPECT_EQ(more.view().data(), bytes);
    more.appendDouble("ok", 1.0);
    Doc done = more.finish();
    EXPECT_EQ(done.toJson(), R"({ "x" : "1", "d" : { "n" : 7 }, "ok" : 1.0 })");
    EXPECT_TRUE(isValid(done.data(), done.size()));

    Builder fromEmpty{Doc()};  // the empty document allocates nothing until an append
    EXPECT_EQ(fromEmpty.size(), 5u);
    fromEmpty.appendBool("b", true);
    EXPECT_EQ(fromEmpty.finish().toJson(), R"({ "b" : true })");
}

TEST(BsonDocTest, EmptyMoveCloneAndGetRoundTrips) {
    Doc empty;
    EXPECT_EQ(bytesOf(empty.view()), Bytes({5, 0, 0, 0, 0}));
    EXPECT_EQ(empty.size(), 5u);
    EXPECT_EQ(bytesOf(empty.get()), bytesOf(empty.view()));

    Doc d = Doc::fromJson(R"({"a": 1, "b": [true, {"c": "d"}]})");
    const bson_t* b = d.get();
    EXPECT_EQ(bson_get_data(b), d.data());  // over the same bytes, not a copy
    EXPECT_EQ(b->len, d.size());
    EXPECT_EQ(bytesOf(b), bytesOf(d.view()));
    // libbson reads it as a document.
    bson_iter_t it;
    ASSERT_TRUE(bson_iter_init_find(&it, b, "b"));
    EXPECT_TRUE(BSON_ITER_HOLDS_ARRAY(&it));
    EXPECT_EQ(bson_count_keys(b), 2u);

    Doc clone = d.clone();
    EXPECT_NE(clone.data(), d.data());
    EXPECT_EQ(clone.view(), d.view());
    EXPECT_EQ(bytesOf(clone.get()), bytesOf(d.view()));

    const uint8_t* bytes = d.data();
    Doc moved(std::move(d));
    EXPECT_EQ(moved.data(), bytes);      // the buffer moved, not copied
    EXPECT_EQ(bson_get_data(b), bytes);  // a bson_t from get() stays valid across the move
    EXPECT_EQ(bytesOf(d.view()), Bytes({5, 0, 0, 0, 0}));  // NOLINT(bugprone-use-after-move)
    EXPECT_EQ(bytesOf(d.get()), Bytes({5, 0, 0, 0, 0}));   // NOLINT(bugprone-use-after-move)

    Doc assigned;
    assigned = std::move(moved);
    EXPECT_EQ(assigned.data(), bytes);
    EXPECT_EQ(bytesOf(assigned.get()), bytesOf(clone.view()));
    assigned = Doc::fromJson(R"({"x": 2})");
    EXPECT_EQ(assigned.toJson(), R"({ "x" : 2 })");
    EXPECT_EQ(bytesOf(assigned.get()), bytesOf(assigned.view()));

    // Docs from a Builder, copyOf and clone of empty behave the same.
    Builder builder;
    builder.appendInt32("z", 3);
    Doc built = builder.finish();
    EXPECT_EQ(bytesOf(built.get()), bytesOf(built.view()));
    Doc copied = Doc::copyOf(built.view());
    EXPECT_EQ(copied.view(), built.view());
    EXPECT_EQ(bytesOf(Doc().clone().view()), Bytes({5, 0, 0, 0, 0}));
}

TEST(BsonDocTest, AdoptsABsonTAndPatchesInPlace) {
    bson_t* b = bson_new();
    BSON_APPEND_BOOL(b, "flag", false);
    BSON_APPEND_UTF8(b, "s", "x");
    Bytes expected = bytesOf(b);
    Doc d(b);  // copies and destroys (ASan would report a leak otherwise)
    EXPECT_EQ(bytesOf(d.view()), expected);
    EXPECT_EQ(bytesOf(Doc(static_cast<bson_t*>(nullptr)).view()), Bytes({5, 0, 0, 0, 0}));

    uint8_t* data = d.mutableData();
    EXPECT_EQ(data, d.data());
    data[4 + 1 + 5] = 1;  // the flag's value byte
    EXPECT_TRUE(d.view().find("flag")->boolean());

    Doc empty;
    EXPECT_EQ(empty.mutableData()[0], 5);
    EXPECT_EQ(empty.size(), 5u);
}

TEST(BsonDocTest, CopyOfChecksTheFrame) {
    const uint8_t wrongLength[5] = {6, 0, 0, 0, 0};
    const uint8_t noTerminator[5] = {5, 0, 0, 0, 1};
    EXPECT_EQ(codeOf([&] { (void)Doc::copyOf(View(wrongLength, 5)); }), ErrorCode::InvalidBSON);
    EXPECT_EQ(codeOf([&] { (void)Doc::copyOf(View(noTerminator, 5)); }), ErrorCode::InvalidBSON);
    EXPECT_EQ(codeOf([&] { (void)Doc::copyOf(wrongLength, 5); }), ErrorCode::InvalidBSON);
}

}  // namespace
}  // namespace cryptd::bson
