// View::Iterator and Element read BSON bytes themselves (common/bson_reader.cpp). Differential
// test against libbson's bson_iter_t: the same elements (key, type, raw bytes, every accessor,
// the as* conversions, bson_iter_value) on documents of every type, the libmongocrypt corpus
// fixtures read in place, random trees, and on corrupted bytes (truncated, wrong lengths, missing
// zeros, random mutations), where both must stop at the same element. Corrupted inputs live in
// buffers of exactly their size, so an ASan build catches any read past them.

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "common/bson.h"
#include "support/shared_dir.h"

namespace cryptd::bson {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<uint8_t>;

struct Lib {
    bson_t* b = bson_new();
    ~Lib() { bson_destroy(b); }
    Bytes bytes() const {
        const uint8_t* d = bson_get_data(b);
        return Bytes(d, d + b->len);
    }
};

uint64_t bitsOf(double d) {
    uint64_t u;
    std::memcpy(&u, &d, sizeof u);
    return u;
}

// Both readers agree on everything about one element.
void expectSameElement(const Element& e, const bson_iter_t& li) {
    bson_iter_t it = li;  // libbson's accessors take a non-const iterator in places
    ASSERT_EQ(e.rawData(), it.raw + it.off);
    ASSERT_EQ(e.rawSize(), it.next_off - it.off);
    ASSERT_EQ(e.type(), bson_iter_type(&it));
    ASSERT_EQ(static_cast<const void*>(e.key().data()), bson_iter_key(&it));
    ASSERT_EQ(e.key().size(), bson_iter_key_len(&it));

    EXPECT_EQ(e.int32(), bson_iter_int32(&it));
    EXPECT_EQ(e.int64(), bson_iter_int64(&it));
    EXPECT_EQ(bitsOf(e.dbl()), bitsOf(bson_iter_double(&it)));
    EXPECT_EQ(e.boolean(), bson_iter_bool(&it));
    EXPECT_EQ(e.dateTime(), bson_iter_date_time(&it));
    EXPECT_EQ(e.oid(), bson_iter_oid(&it));
    EXPECT_EQ(e.asInt64(), bson_iter_as_int64(&it));
    EXPECT_EQ(bitsOf(e.asDouble()), bitsOf(bson_iter_as_double(&it)));
    EXPECT_EQ(e.truthy(), bson_iter_as_bool(&it));
    EXPECT_EQ(e.isNumber(), BSON_ITER_HOLDS_NUMBER(&it) || BSON_ITER_HOLDS_DECIMAL128(&it));

    uint32_t ts = 7, inc = 7;
    bson_iter_timestamp(&it, &ts, &inc);
    EXPECT_EQ(e.timestamp().timestamp, ts);
    EXPECT_EQ(e.timestamp().increment, inc);

    const char* options = nullptr;
    const char* pattern = bson_iter_regex(&it, &options);
    EXPECT_EQ(e.regex().pattern.data(), pattern);
    EXPECT_EQ(e.regex().options.data(), options);
    if (pattern) {
        EXPECT_EQ(e.regex().pattern, std::string_view(pattern));
        EXPECT_EQ(e.regex().options, std::string_view(options));
    }

    uint32_t len = 0;
    const char* s = bson_iter_utf8(&it, &len);
    EXPECT_EQ(e.utf8().data(), s);
    EXPECT_EQ(e.utf8().size(), len);
    s = bson_iter_code(&it, &len);
    EXPECT_EQ(e.code().data(), s);
    EXPECT_EQ(e.code().size(), s ? len : 0u);
    s = bson_iter_symbol(&it, &len);
    EXPECT_EQ(e.symbol().data(), s);
    EXPECT_EQ(e.symbol().size(), s ? len : 0u);

    bson_subtype_t subtype = BSON_SUBTYPE_USER;
    const uint8_t* bin = nullptr;
    uint32_t binLen = 0;
    bson_iter_binary(&it, &subtype, &binLen, &bin);
    EXPECT_EQ(e.binary().subtype, subtype);
    EXPECT_EQ(e.binary().data, bin);
    EXPECT_EQ(e.binary().len, binLen);

    const uint8_t* doc = nullptr;
    uint32_t docLen = 0;
    if (BSON_ITER_HOLDS_ARRAY(&it)) {
        bson_iter_array(&it, &docLen, &doc);
    } else {
        bson_iter_document(&it, &docLen, &doc);
    }
    if (doc) {
        EXPECT_EQ(e.document().data(), doc);
        EXPECT_EQ(e.document().size(), docLen);
    } else {
        EXPECT_TRUE(e.document() == View());
    }

    // bson_iter_value, field by field for the type.
    const bson_value_t mine = e.value();
    const bson_value_t* lib = bson_iter_value(&it);
    ASSERT_NE(lib, nullptr);
    ASSERT_EQ(mine.value_type, lib->value_type);
    const auto& m = mine.value;
    const auto& l = lib->value;
    switch (mine.value_type) {
        case BSON_TYPE_DOUBLE:
            EXPECT_EQ(bitsOf(m.v_double), bitsOf(l.v_double));
            break;
        case BSON_TYPE_UTF8:
            EXPECT_EQ(m.v_utf8.str, l.v_utf8.str);
            EXPECT_EQ(m.v_utf8.len, l.v_utf8.len);
            break;
        case BSON_TYPE_DOCUMENT:
        case BSON_TYPE_ARRAY:
            EXPECT_EQ(m.v_doc.data, l.v_doc.data);
            EXPECT_EQ(m.v_doc.data_len, l.v_doc.data_len);
            break;
        case BSON_TYPE_BINARY:
            EXPECT_EQ(m.v_binary.subtype, l.v_binary.subtype);
            EXPECT_EQ(m.v_binary.data, l.v_binary.data);
            EXPECT_EQ(m.v_binary.data_len, l.v_binary.data_len);
            break;
        case BSON_TYPE_OID:
            EXPECT_EQ(0, std::memcmp(m.v_oid.bytes, l.v_oid.bytes, 12));
            break;
        case BSON_TYPE_BOOL:
            EXPECT_EQ(m.v_bool, l.v_bool);
            break;
        case BSON_TYPE_DATE_TIME:
            EXPECT_EQ(m.v_datetime, l.v_datetime);
            break;
        case BSON_TYPE_REGEX:
            EXPECT_EQ(m.v_regex.regex, l.v_regex.regex);
            EXPECT_EQ(m.v_regex.options, l.v_regex.options);
            break;
        case BSON_TYPE_DBPOINTER:
            EXPECT_EQ(m.v_dbpointer.collection, l.v_dbpointer.collection);
            EXPECT_EQ(m.v_dbpointer.collection_len, l.v_dbpointer.collection_len);
            EXPECT_EQ(0, std::memcmp(m.v_dbpointer.oid.bytes, l.v_dbpointer.oid.bytes, 12));
            break;
        case BSON_TYPE_CODE:
            EXPECT_EQ(m.v_code.code, l.v_code.code);
            EXPECT_EQ(m.v_code.code_len, l.v_code.code_len);
            break;
        case BSON_TYPE_SYMBOL:
            EXPECT_EQ(m.v_symbol.symbol, l.v_symbol.symbol);
            EXPECT_EQ(m.v_symbol.len, l.v_symbol.len);
            break;
        case BSON_TYPE_CODEWSCOPE:
            EXPECT_EQ(m.v_codewscope.code, l.v_codewscope.code);
            EXPECT_EQ(m.v_codewscope.code_len, l.v_codewscope.code_len);
            EXPECT_EQ(m.v_codewscope.scope_data, l.v_codewscope.scope_data);
            EXPECT_EQ(m.v_codewscope.scope_len, l.v_codewscope.scope_len);
            break;
        case BSON_TYPE_INT32:
            EXPECT_EQ(m.v_int32, l.v_int32);
            break;
        case BSON_TYPE_TIMESTAMP:
            EXPECT_EQ(m.v_timestamp.timestamp, l.v_timestamp.timestamp);
            EXPECT_EQ(m.v_timestamp.increment, l.v_timestamp.increment);
            break;
        case BSON_TYPE_INT64:
            EXPECT_EQ(m.v_int64, l.v_int64);
            break;
        case BSON_TYPE_DECIMAL128:
            EXPECT_EQ(m.v_decimal128.low, l.v_decimal128.low);
            EXPECT_EQ(m.v_decimal128.high, l.v_decimal128.high);
            break;
        default:
            break;
    }
}

// Walks the bytes with both readers, recursing into documents and arrays; returns the number of
// elements seen. Both must produce the same elements and stop at the same place. checkFind also
// compares find() with the walk for every key (quadratic: not for the many corrupted copies).
size_t walkBoth(const uint8_t* data, uint32_t len, bool checkFind = true, int depth = 0) {
    bson_iter_t it;
    bool lib = bson_iter_init_from_data(&it, data, len);
    View view(data, len);
    View::Iterator ours = view.begin();
    size_t n = 0;
    for (;;) {
        lib = lib && bson_iter_next(&it);
        const bool mine = ours != view.end();
        EXPECT_EQ(mine, lib) << "readers part at element " << n << " of a " << len
                             << "-byte document";
        if (!mine || !lib) break;
        const Element& e = *ours;
        expectSameElement(e, it);
        if (::testing::Test::HasFatalFailure()) return n;
        ++n;
        if ((e.isDocument() || e.isArray()) && depth < 200) {
            n += walkBoth(e.document().data(), e.document().size(), checkFind, depth + 1);
        }
        ++ours;
    }
    // count() and find() agree with the walk (find: the first element with the key).
    size_t count = 0;
    for (const Element& e : view) {
        ++count;
        if (!checkFind) continue;
        auto found = view.find(e.key());
        EXPECT_TRUE(found.has_value());
        if (found) {
            size_t firstIndex = 0;
            for (const Element& f : view) {
                if (f.key() == e.key()) break;
                ++firstIndex;
            }
            size_t i = 0;
            for (const Element& f : view) {
                if (i++ == firstIndex) {
                    EXPECT_EQ(f.rawData(), found->rawData());
                }
            }
        }
    }
    EXPECT_EQ(view.count(), count);
    return n;
}

size_t walkBoth(const Bytes& b) {
    return walkBoth(b.data(), static_cast<uint32_t>(b.size()));
}

// Every BSON type, with the values the conversions care about.
Bytes everyType() {
    Lib lib;
    bson_t* b = lib.b;
    const double doubles[] = {0.0,
                              -0.0,
                              1.5,
                              -2.75,
                              1e300,
                              -1e300,
                              9.2233720368547758e18,
                              -9.2233720368547758e18,
                              9.2233720368547748e18,
                              std::numeric_limits<double>::infinity(),
                              -std::numeric_limits<double>::infinity(),
                              std::numeric_limits<double>::quiet_NaN(),
                              std::numeric_limits<double>::denorm_min()};
    for (double d : doubles) BSON_APPEND_DOUBLE(b, "d", d);
    for (int32_t i : {0, 1, -1, INT32_MIN, INT32_MAX}) BSON_APPEND_INT32(b, "i", i);
    for (int64_t i : {int64_t(0), int64_t(-5), INT64_MIN, INT64_MAX}) BSON_APPEND_INT64(b, "l", i);
    BSON_APPEND_BOOL(b, "t", true);
    BSON_APPEND_BOOL(b, "f", false);
    BSON_APPEND_UTF8(b, "s", "hello");
    BSON_APPEND_UTF8(b, "", "");  // empty key and string
    bson_append_utf8(b, "z", 1, "a\0b", 3);
    BSON_APPEND_NULL(b, "n");
    BSON_APPEND_UNDEFINED(b, "u");
    BSON_APPEND_MINKEY(b, "min");
    BSON_APPEND_MAXKEY(b, "max");
    bson_oid_t oid;
    bson_oid_init_from_string(&oid, "0123456789abcdef01234567");
    BSON_APPEND_OID(b, "o", &oid);
    BSON_APPEND_DATE_TIME(b, "dt", -1234567890123);
    BSON_APPEND_TIMESTAMP(b, "ts", 0xfedcba98u, 0x12345678u);
    BSON_APPEND_TIMESTAMP(b, "ts0", 0, 0);
    BSON_APPEND_REGEX(b, "re", "^a.*b$", "imx");
    BSON_APPEND_REGEX(b, "re0", "", "");
    BSON_APPEND_CODE(b, "c", "function() { return 1; }");
    BSON_APPEND_SYMBOL(b, "sym", "sym");
    bson_t scope;
    bson_init(&scope);
    BSON_APPEND_INT32(&scope, "x", 1);
    BSON_APPEND_CODE_WITH_SCOPE(b, "cws", "return x;", &scope);
    bson_t emptyScope;
    bson_init(&emptyScope);
    BSON_APPEND_CODE_WITH_SCOPE(b, "cws0", "", &emptyScope);
    BSON_APPEND_DBPOINTER(b, "dbp", "db.coll", &oid);
    const uint8_t bytes[] = {1, 2, 3, 4, 5, 0, 7};
    for (bson_subtype_t st :
         {BSON_SUBTYPE_BINARY, BSON_SUBTYPE_FUNCTION, BSON_SUBTYPE_BINARY_DEPRECATED,
          BSON_SUBTYPE_UUID, BSON_SUBTYPE_ENCRYPTED, BSON_SUBTYPE_USER}) {
        BSON_APPEND_BINARY(b, "bin", st, bytes, sizeof bytes);
        BSON_APPEND_BINARY(b, "bin0", st, bytes, 0);
    }
    for (const char* dec : {"0", "-0", "1.5E+3", "NaN", "-Infinity", "12345678901234567890"}) {
        bson_decimal128_t d;
        EXPECT_TRUE(bson_decimal128_from_string(dec, &d));
        BSON_APPEND_DECIMAL128(b, "dec", &d);
    }
    BSON_APPEND_DOCUMENT(b, "doc", &scope);
    BSON_APPEND_DOCUMENT(b, "emptyDoc", &emptyScope);
    BSON_APPEND_ARRAY(b, "emptyArr", &emptyScope);
    bson_t arr;
    BSON_APPEND_ARRAY_BEGIN(b, "arr", &arr);
    BSON_APPEND_INT32(&arr, "0", 1);
    BSON_APPEND_UTF8(&arr, "1", "two");
    bson_t inner;
    BSON_APPEND_DOCUMENT_BEGIN(&arr, "2", &inner);
    BSON_APPEND_REGEX(&inner, "r", "x", "s");
    bson_append_document_end(&arr, &inner);
    bson_append_array_end(b, &arr);
    bson_destroy(&scope);
    bson_destroy(&emptyScope);
    return lib.bytes();
}

// A random tree of every type through libbson's own appends.
void randomDoc(std::mt19937& rng, bson_t* b, int depth) {
    auto pick = [&](uint32_t n) { return static_cast<uint32_t>(rng() % n); };
    const uint32_t n = pick(12);
    for (uint32_t i = 0; i < n; ++i) {
        std::string key = std::to_string(pick(1000));
        if (pick(3) == 0) key = std::string(pick(40) + 1, static_cast<char>('a' + pick(26)));
        std::string str(pick(30), static_cast<char>('A' + pick(26)));
        const char* k = key.c_str();
        switch (pick(depth < 5 ? 20 : 18)) {
            case 0: {
                uint64_t bits = (uint64_t(rng()) << 32) | rng();  // any double, NaNs included
                double d;
                std::memcpy(&d, &bits, sizeof d);
                BSON_APPEND_DOUBLE(b, k, pick(2) ? d : double(int32_t(rng())) / 8);
                break;
            }
            case 1:
                BSON_APPEND_INT32(b, k, static_cast<int32_t>(rng()));
                break;
            case 2:
                BSON_APPEND_INT64(b, k, (int64_t(rng()) << 32) | rng());
                break;
            case 3:
                BSON_APPEND_BOOL(b, k, pick(2));
                break;
            case 4:
                bson_append_utf8(b, k, -1, str.c_str(), static_cast<int>(str.size()));
                break;
            case 5:
                BSON_APPEND_NULL(b, k);
                break;
            case 6: {
                bson_oid_t oid;
                bson_oid_init(&oid, nullptr);
                BSON_APPEND_OID(b, k, &oid);
                break;
            }
            case 7:
                BSON_APPEND_DATE_TIME(b, k, (int64_t(rng()) << 32) | rng());
                break;
            case 8:
                BSON_APPEND_TIMESTAMP(b, k, rng(), rng());
                break;
            case 9:
                BSON_APPEND_REGEX(b, k, str.c_str(), pick(2) ? "i" : "msx");
                break;
            case 10:
                BSON_APPEND_BINARY(b, k, static_cast<bson_subtype_t>(pick(2) ? pick(9) : 0x80),
                                   reinterpret_cast<const uint8_t*>(str.data()),
                                   static_cast<uint32_t>(str.size()));
                break;
            case 11: {
                bson_decimal128_t d{(uint64_t(rng()) << 32) | rng(), 0x3040000000000000ull};
                BSON_APPEND_DECIMAL128(b, k, &d);
                break;
            }
            case 12:
                BSON_APPEND_CODE(b, k, str.c_str());
                break;
            case 13:
                BSON_APPEND_SYMBOL(b, k, str.c_str());
                break;
            case 14: {
                bson_oid_t oid;
                bson_oid_init(&oid, nullptr);
                BSON_APPEND_DBPOINTER(b, k, str.c_str(), &oid);
                break;
            }
            case 15:
                if (pick(2)) {
                    BSON_APPEND_UNDEFINED(b, k);
                } else {
                    BSON_APPEND_MINKEY(b, k);
                }
                break;
            case 16:
                BSON_APPEND_MAXKEY(b, k);
                break;
            case 17: {
                bson_t scope;
                bson_init(&scope);
                BSON_APPEND_UTF8(&scope, "v", str.c_str());
                BSON_APPEND_CODE_WITH_SCOPE(b, k, str.c_str(), &scope);
                bson_destroy(&scope);
                break;
            }
            case 18: {
                bson_t child;
                BSON_APPEND_DOCUMENT_BEGIN(b, k, &child);
                randomDoc(rng, &child, depth + 1);
                bson_append_document_end(b, &child);
                break;
            }
            default: {
                bson_t child;
                BSON_APPEND_ARRAY_BEGIN(b, k, &child);
                randomDoc(rng, &child, depth + 1);
                bson_append_array_end(b, &child);
                break;
            }
        }
    }
}

Bytes randomBytes(uint32_t seed) {
    std::mt19937 rng(seed);
    Lib lib;
    randomDoc(rng, lib.b, 0);
    return lib.bytes();
}

// The corpus fixtures that are Extended JSON documents, read in place from the shared folder.
std::vector<Bytes> corpusDocuments() {
    std::vector<Bytes> out;
    const fs::path root = fs::path(CRYPTD_SHARED_DIR) / "corpus" / "libmongocrypt";
    if (!fs::exists(root)) return out;
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
        if (!entry.is_regular_file() || entry.path().extension() != ".json") continue;
        std::ifstream in(entry.path(), std::ios::binary);
        std::stringstream text;
        text << in.rdbuf();
        const std::string json = text.str();
        bson_error_t err;
        bson_t* b = bson_new_from_json(reinterpret_cast<const uint8_t*>(json.data()),
                                       static_cast<ssize_t>(json.size()), &err);
        if (!b) continue;  // a JSON array or not Extended JSON
        const uint8_t* d = bson_get_data(b);
        out.emplace_back(d, d + b->len);
        bson_destroy(b);
    }
    return out;
}

// Walks bytes in a heap buffer of exactly their size (ASan sees any read past it).
void walkExact(const Bytes& b) {
    auto* exact = new uint8_t[b.size() ? b.size() : 1];
    if (!b.empty()) std::memcpy(exact, b.data(), b.size());
    walkBoth(exact, static_cast<uint32_t>(b.size()), false);
    delete[] exact;
}

void putLE32(Bytes& b, size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i));
}

// Corruptions of one valid document: every truncation (with and without a patched header and
// terminating zero), every byte set to a few values, every 4-byte window set to lengths.
void corruptAndWalk(const Bytes& doc, std::mt19937& rng, size_t randomMutations) {
    for (size_t n = 0; n < doc.size(); ++n) {
        Bytes cut(doc.begin(), doc.begin() + static_cast<std::ptrdiff_t>(n));
        walkExact(cut);
        if (n >= 5) {
            putLE32(cut, 0, static_cast<uint32_t>(n));
            cut.back() = 0;
            walkExact(cut);
        }
    }
    for (size_t i = 4; i < doc.size(); ++i) {
        for (uint8_t v : {uint8_t(0), uint8_t(1), uint8_t(0x7f), uint8_t(0xff)}) {
            Bytes m = doc;
            m[i] = v;
            walkExact(m);
        }
    }
    for (size_t i = 4; i + 4 <= doc.size(); ++i) {
        const uint32_t len = static_cast<uint32_t>(doc.size());
        for (uint32_t v : {0u, 1u, 4u, 5u, 13u, 14u, len - 1 - uint32_t(i), len - uint32_t(i), len,
                           0x7fffffffu, 0xffffffffu}) {
            Bytes m = doc;
            putLE32(m, i, v);
            walkExact(m);
        }
    }
    for (size_t r = 0; r < randomMutations; ++r) {
        Bytes m = doc;
        const uint32_t edits = 1 + rng() % 4;
        for (uint32_t e = 0; e < edits; ++e) m[4 + rng() % (m.size() - 4)] = uint8_t(rng());
        walkExact(m);
    }
}

TEST(BsonReaderTest, EveryTypeMatchesLibbson) {
    const Bytes doc = everyType();
    EXPECT_GT(walkBoth(doc), 60u);
    // Each element also alone, as a nested document and inside an array.
    for (const Element& e : View(doc.data(), static_cast<uint32_t>(doc.size()))) {
        Builder b;
        b.append(e).appendDocument("in", [&](Builder& c) { c.append(e); });
        b.appendArray("a", [&](Builder& c) { c.append("0", e); });
        Doc d = b.finish();
        walkBoth(d.data(), d.size());
    }
}

TEST(BsonReaderTest, AccessorsOnTheirTypes) {
    const Bytes bytes = everyType();
    View v(bytes.data(), static_cast<uint32_t>(bytes.size()));
    EXPECT_EQ(v.find("s")->utf8(), "hello");
    EXPECT_EQ(v.find("z")->utf8(), std::string_view("a\0b", 3));
    EXPECT_EQ(v.find("i")->int32(), 0);
    EXPECT_EQ(v.find("ts")->timestamp().timestamp, 0xfedcba98u);
    EXPECT_EQ(v.find("ts")->timestamp().increment, 0x12345678u);
    EXPECT_EQ(v.find("re")->regex().pattern, "^a.*b$");
    EXPECT_EQ(v.find("re")->regex().options, "imx");
    EXPECT_EQ(v.find("dt")->dateTime(), -1234567890123);
    char hex[25];
    bson_oid_to_string(v.find("o")->oid(), hex);
    EXPECT_STREQ(hex, "0123456789abcdef01234567");
    EXPECT_EQ(v.find("c")->code(), "function() { return 1; }");
    EXPECT_EQ(v.find("sym")->symbol(), "sym");
    EXPECT_EQ(v.find("bin")->binary().len, 7u);
    EXPECT_TRUE(v.find("t")->boolean());
    EXPECT_TRUE(v.find("t")->truthy());
    EXPECT_FALSE(v.find("n")->truthy());
    EXPECT_TRUE(v.find("dec")->truthy());  // decimal128 zero is true, as in libbson
    EXPECT_EQ(v.find("dec")->asInt64(), 0);
    EXPECT_EQ(v.find("arr")->document().count(), 3u);
    EXPECT_EQ(v.find("doc")->document().find("x")->int32(), 1);
    EXPECT_FALSE(v.find("nope").has_value());
    // Wrong type: the zero value, as libbson's accessors give.
    EXPECT_EQ(v.find("s")->int32(), 0);
    EXPECT_EQ(v.find("s")->oid(), nullptr);
    EXPECT_EQ(v.find("i")->utf8().data(), nullptr);
    EXPECT_TRUE(v.find("i")->document().empty());
    // An element is small: a pointer and two lengths, not a libbson iterator.
    EXPECT_LE(sizeof(Element), 16u);
}

TEST(BsonReaderTest, RandomTreesMatchLibbson) {
    size_t total = 0;
    for (uint32_t seed = 1; seed <= 300; ++seed) total += walkBoth(randomBytes(seed));
    EXPECT_GT(total, 3000u);
}

TEST(BsonReaderTest, CorpusFixturesMatchLibbson) {
    CRYPTD_SKIP_WITHOUT_SHARED("corpus/libmongocrypt");
    const std::vector<Bytes> docs = corpusDocuments();
    ASSERT_GT(docs.size(), 200u) << "corpus not found under " CRYPTD_SHARED_DIR;
    size_t total = 0;
    for (const Bytes& d : docs) total += walkBoth(d);
    EXPECT_GT(total, 4000u);
}

TEST(BsonReaderTest, BytesThatAreNoDocumentGiveNoElements) {
    EXPECT_EQ(View(nullptr, 0).count(), 0u);
    EXPECT_EQ(View(nullptr, 5).count(), 0u);
    const uint8_t four[] = {4, 0, 0, 0};
    EXPECT_EQ(View(four, 4).count(), 0u);
    const uint8_t noZero[] = {5, 0, 0, 0, 1};
    EXPECT_EQ(View(noZero, 5).count(), 0u);
    const uint8_t wrongLen[] = {6, 0, 0, 0, 0};
    EXPECT_EQ(View(wrongLen, 5).count(), 0u);
    const uint8_t empty[] = {5, 0, 0, 0, 0};
    EXPECT_EQ(View(empty, 5).count(), 0u);
    // A key running into the terminating zero, an unknown type, a bool that is 2.
    const uint8_t keyToEnd[] = {7, 0, 0, 0, 0x10, 'a', 0};
    walkExact(Bytes(keyToEnd, keyToEnd + sizeof keyToEnd));
    EXPECT_EQ(View(keyToEnd, sizeof keyToEnd).count(), 0u);
    const uint8_t unknownType[] = {8, 0, 0, 0, 0x14, 'a', 0, 0};
    EXPECT_EQ(View(unknownType, sizeof unknownType).count(), 0u);
    const uint8_t badBool[] = {17, 0, 0, 0, 0x08, 'a', 0, 1, 0x08, 'b', 0, 2, 0x0A, 'c', 0, 0, 0};
    EXPECT_EQ(View(badBool, sizeof badBool).count(), 1u);  // stops at the bad one
    walkExact(Bytes(badBool, badBool + sizeof badBool));
}

TEST(BsonReaderTest, CorruptedEveryTypeStopsWhereLibbsonStops) {
    std::mt19937 rng(7);
    corruptAndWalk(everyType(), rng, 3000);
}

TEST(BsonReaderTest, CorruptedRandomTreesStopWhereLibbsonStops) {
    std::mt19937 rng(11);
    for (uint32_t seed = 1; seed <= 40; ++seed) {
        const Bytes doc = randomBytes(seed);
        if (doc.size() > 5 && doc.size() < 2000) corruptAndWalk(doc, rng, 200);
    }
}

TEST(BsonReaderTest, CorruptedCorpusDocumentsStopWhereLibbsonStops) {
    CRYPTD_SKIP_WITHOUT_SHARED("corpus/libmongocrypt");
    std::mt19937 rng(13);
    const std::vector<Bytes> docs = corpusDocuments();
    size_t done = 0;
    for (size_t i = 0; i < docs.size() && done < 12; i += 17) {
        if (docs[i].size() > 1500) continue;  // every truncation is quadratic
        corruptAndWalk(docs[i], rng, 200);
        ++done;
    }
    EXPECT_GE(done, 6u);
}

}  // namespace
}  // namespace cryptd::bson
