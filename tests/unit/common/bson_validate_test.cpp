#include "common/bson_validate.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "common/bson.h"

namespace cryptd::bson {
namespace {

std::vector<uint8_t> bytesOf(const bson_t* b) {
    const uint8_t* d = bson_get_data(b);
    return {d, d + b->len};
}

// One of every type libbson writes, nested a little, with a non-ASCII key.
std::vector<uint8_t> everyType() {
    bson_t b = BSON_INITIALIZER;
    bson_oid_t oid;
    bson_oid_init_from_string(&oid, "5f1d2c3b4a5968778695a4b3");
    bson_decimal128_t dec;
    bson_decimal128_from_string("1.5", &dec);
    const uint8_t bin[] = {1, 2, 3};
    bson_append_double(&b, "double", -1, 1.5);
    bson_append_utf8(&b, "string", -1, "héllo", -1);
    bson_t child;
    bson_append_document_begin(&b, "doc", -1, &child);
    bson_append_int32(&child, "clé", -1, 1);
    bson_append_document_end(&b, &child);
    bson_append_array_begin(&b, "array", -1, &child);
    bson_append_int32(&child, "0", -1, 1);
    bson_append_utf8(&child, "1", -1, "x", -1);
    bson_append_array_end(&b, &child);
    bson_append_binary(&b, "bin", -1, BSON_SUBTYPE_BINARY, bin, 3);
    bson_append_binary(&b, "oldbin", -1, BSON_SUBTYPE_BINARY_DEPRECATED, bin, 3);
    bson_append_undefined(&b, "undef", -1);
    bson_append_oid(&b, "oid", -1, &oid);
    bson_append_bool(&b, "bool", -1, true);
    bson_append_date_time(&b, "date", -1, 12345);
    bson_append_null(&b, "null", -1);
    bson_append_regex(&b, "regex", -1, "^a.*", "i");
    bson_append_dbpointer(&b, "dbptr", -1, "db.coll", &oid);
    bson_append_code(&b, "code", -1, "function() {}");
    bson_append_symbol(&b, "symbol", -1, "sym", -1);
    bson_t scope = BSON_INITIALIZER;
    bson_append_int32(&scope, "x", -1, 1);
    bson_append_code_with_scope(&b, "cws", -1, "x + 1", &scope);
    bson_destroy(&scope);
    bson_append_int32(&b, "int32", -1, 7);
    bson_append_timestamp(&b, "ts", -1, 1, 2);
    bson_append_int64(&b, "int64", -1, 8);
    bson_append_decimal128(&b, "dec", -1, &dec);
    bson_append_maxkey(&b, "max", -1);
    bson_append_minkey(&b, "min", -1);
    auto out = bytesOf(&b);
    bson_destroy(&b);
    return out;
}

TEST(BsonValidateTest, AcceptsEveryTypeAndReportsDepth) {
    auto d = everyType();
    Validation v = validate(d.data(), d.size());
    EXPECT_TRUE(v) << v.describe() << " at " << v.offset;
    EXPECT_EQ(v.depth, 2);
    ValidateOptions strict;
    strict.arrayKeysInOrder = true;
    strict.maxDepth = 2;
    EXPECT_TRUE(validate(d.data(), d.size(), strict));
    strict.maxDepth = 1;
    EXPECT_EQ(validate(d.data(), d.size(), strict).problem, Invalid::kTooDeep);
}

TEST(BsonValidateTest, NamesEachProblem) {
    Builder keys;
    keys.appendInt32(std::string_view("\xed\xa0\x80", 3), 1);  // a surrogate
    Doc k = keys.finish();
    EXPECT_EQ(validate(k.data(), k.size()).problem, Invalid::kKeyUtf8);

    Builder zero;
    zero.appendUtf8("s", std::string_view("a\0b", 3));
    Doc z = zero.finish();
    EXPECT_EQ(validate(z.data(), z.size()).problem, Invalid::kStringZeroByte);

    // {a: [1]} keyed "1": fine as bytes, refused when array keys must be in order.
    std::vector<uint8_t> odd = {20, 0,    0,   0, 0x04, 'a', 0, 12, 0, 0,
                                0,  0x10, '1', 0, 1,    0,   0, 0,  0, 0};
    EXPECT_TRUE(validate(odd.data(), odd.size()));
    ValidateOptions inOrder;
    inOrder.arrayKeysInOrder = true;
    EXPECT_EQ(validate(odd.data(), odd.size(), inOrder).problem, Invalid::kArrayKeys);

    // A boolean byte of 2, an embedded document not ending in zero, an unknown type.
    std::vector<uint8_t> badBool = {9, 0, 0, 0, 0x08, 'a', 0, 2, 0};
    EXPECT_EQ(validate(badBool.data(), badBool.size()).problem, Invalid::kStructure);
    std::vector<uint8_t> badInner = {13, 0, 0, 0, 0x03, 'a', 0, 5, 0, 0, 0, 7, 0};
    EXPECT_EQ(validate(badInner.data(), badInner.size()).problem, Invalid::kStructure);
    std::vector<uint8_t> badType = {12, 0, 0, 0, 0x55, 'a', 0, 1, 0, 0, 0, 0};
    EXPECT_EQ(validate(badType.data(), badType.size()).problem, Invalid::kStructure);
}

TEST(BsonValidateTest, KeyUtf8FollowsTheStandard) {
    struct Case {
        std::string key;
        bool ok;
    };
    const Case cases[] = {
        {"plain_ascii_key_longer_than_eight", true},
        {"\xc3\xa9", true},           // é
        {"\xe2\x82\xac", true},       // €
        {"\xf0\x9f\x94\x91", true},   // 🔑
        {"\xf4\x8f\xbf\xbf", true},   // U+10FFFF
        {"\xc3\x28", false},          // bad continuation
        {"\xc0\xaf", false},          // overlong
        {"\xe0\x80\xaf", false},      // overlong
        {"\xf0\x80\x80\xaf", false},  // overlong
        {"\xed\xa0\x80", false},      // surrogate
        {"\xf4\x90\x80\x80", false},  // above U+10FFFF
        {"\xff", false},
        {"abcdefg\xc3", false},  // truncated at the end of the key
        {"abcdefgh\xe2\x82", false},
    };
    for (const auto& c : cases) {
        Builder b;
        b.appendInt32(c.key, 1);
        Doc d = b.finish();
        EXPECT_EQ(static_cast<bool>(validate(d.data(), d.size())), c.ok) << c.key;
    }
}

TEST(BsonValidateTest, DeepNestingNeedsNoRecursion) {
    constexpr int kDepth = 100000;
    std::vector<uint8_t> doc;
    doc.reserve(kDepth * 8);
    for (int i = 0; i < kDepth; ++i) {
        doc.insert(doc.end(), {0, 0, 0, 0});
        if (i + 1 < kDepth) doc.insert(doc.end(), {0x03, 'a', 0});
    }
    for (int i = kDepth - 1; i >= 0; --i) {
        size_t start = static_cast<size_t>(i) * 7;
        doc.push_back(0);
        auto len = static_cast<uint32_t>(doc.size() - start);
        for (int k = 0; k < 4; ++k) doc[start + k] = static_cast<uint8_t>(len >> (8 * k));
    }
    Validation v = validate(doc.data(), doc.size());
    EXPECT_TRUE(v);
    EXPECT_EQ(v.depth, kDepth);
    ValidateOptions limited;
    limited.maxDepth = 220;
    EXPECT_EQ(validate(doc.data(), doc.size(), limited).problem, Invalid::kTooDeep);
}

// Walks every element with libbson's iterators, as the layers above do; false if any step fails.
bool libbsonWalks(const uint8_t* data, size_t len, int depth = 0) {
    if (depth > 300) return false;
    bson_t b;
    if (!bson_init_static(&b, data, len)) return false;
    bson_iter_t it;
    if (!bson_iter_init(&it, &b)) return false;
    while (bson_iter_next(&it)) {
        uint32_t l = 0;
        const uint8_t* child = nullptr;
        if (BSON_ITER_HOLDS_DOCUMENT(&it)) bson_iter_document(&it, &l, &child);
        if (BSON_ITER_HOLDS_ARRAY(&it)) bson_iter_array(&it, &l, &child);
        if (BSON_ITER_HOLDS_CODEWSCOPE(&it)) {
            uint32_t codeLen = 0;
            bson_iter_codewscope(&it, &codeLen, &l, &child);
        }
        if (child != nullptr && !libbsonWalks(child, l, depth + 1)) return false;
    }
    return it.err_off == 0;
}

// The reference: libbson's verdict on structure, with the rules it skips applied element by
// element (libbson 1.23 stops checking at the first string value that is not UTF-8, does not
// check an embedded document's last byte or the terminator of code-with-scope's code, and lets
// zero bytes through in code and symbols, which re-encoding would then cut short).
bool libbsonAccepts(const uint8_t* data, size_t len, int depth = 0) {
    bson_t b;
    if (len < 5 || data[len - 1] != 0 || !bson_init_static(&b, data, len)) return false;
    size_t offset = 0;
    if (depth == 0 && !bson_validate(&b, BSON_VALIDATE_NONE, &offset)) return false;
    bson_iter_t it;
    if (!bson_iter_init(&it, &b)) return false;
    while (bson_iter_next(&it)) {
        if (!bson_utf8_validate(bson_iter_key(&it), bson_iter_key_len(&it), false)) return false;
        uint32_t l = 0;
        const uint8_t* child = nullptr;
        const char* text = nullptr;
        switch (bson_iter_type(&it)) {
            case BSON_TYPE_DOCUMENT:
                bson_iter_document(&it, &l, &child);
                break;
            case BSON_TYPE_ARRAY:
                bson_iter_array(&it, &l, &child);
                break;
            case BSON_TYPE_CODEWSCOPE: {
                uint32_t codeLen = 0;
                const char* code = bson_iter_codewscope(&it, &codeLen, &l, &child);
                if (std::strlen(code) != codeLen) return false;  // zero inside or none after
                break;
            }
            case BSON_TYPE_UTF8:
                text = bson_iter_utf8(&it, &l);
                break;
            case BSON_TYPE_CODE:
                text = bson_iter_code(&it, &l);
                break;
            case BSON_TYPE_SYMBOL:
                text = bson_iter_symbol(&it, &l);
                break;
            case BSON_TYPE_DBPOINTER: {
                const bson_oid_t* oid = nullptr;
                bson_iter_dbpointer(&it, &l, &text, &oid);
                break;
            }
            default:
                break;
        }
        if (text != nullptr && std::strlen(text) != l) {
            return false;  // a zero byte inside
        }
        if (child != nullptr && !libbsonAccepts(child, l, depth + 1)) return false;
    }
    return it.err_off == 0;
}

// libbson writes regex options sorted and drops unknown ones, so only such options survive a
// copy unchanged (we accept any, as mongod does).
bool regexOptionsCanonical(const std::vector<uint8_t>& doc) {
    bson_t b;
    bson_iter_t it;
    if (!bson_init_static(&b, doc.data(), doc.size()) || !bson_iter_init(&it, &b)) return false;
    while (bson_iter_next(&it)) {
        if (!BSON_ITER_HOLDS_REGEX(&it)) continue;
        const char* options = nullptr;
        bson_iter_regex(&it, &options);
        std::string seen;
        for (const char* o = options; *o; ++o) {
            if (std::strchr("ilmsux", *o) == nullptr || (!seen.empty() && seen.back() >= *o)) {
                return false;
            }
            seen += *o;
        }
    }
    return true;
}

std::string diffOf(const std::vector<uint8_t>& base, const std::vector<uint8_t>& m) {
    std::string out;
    for (size_t i = 0; i < m.size(); ++i) {
        if (m[i] != base[i]) {
            out += " [" + std::to_string(i) + "] " + std::to_string(base[i]) + "->" +
                   std::to_string(m[i]);
        }
    }
    return out;
}

// Differential: random byte mutations of a document with every type. Whatever we accept,
// libbson walks and copies byte for byte; whatever the reference accepts, we accept.
TEST(BsonValidateTest, AgreesWithLibbsonOnMutatedDocuments) {
    const auto base = everyType();
    std::mt19937 rng(20261122);
    int accepted = 0;
    int refused = 0;
    for (int round = 0; round < 20000; ++round) {
        auto m = base;
        int edits = 1 + static_cast<int>(rng() % 3);
        for (int e = 0; e < edits; ++e) {
            size_t at = rng() % m.size();
            switch (rng() % 4) {
                case 0:
                    m[at] = static_cast<uint8_t>(rng());
                    break;
                case 1:
                    m[at] ^= static_cast<uint8_t>(1u << (rng() % 8));
                    break;
                case 2:
                    m[at] = static_cast<uint8_t>(m[at] + 1);
                    break;
                default:
                    m[at] = 0;
                    break;
            }
        }
        bool ours = static_cast<bool>(validate(m.data(), m.size()));
        if (ours) {
            ++accepted;
            ASSERT_TRUE(libbsonWalks(m.data(), m.size())) << "round " << round << diffOf(base, m);
            // Copying element by element (what bson::Builder does) gives the same bytes back.
            bson_t b;
            ASSERT_TRUE(bson_init_static(&b, m.data(), m.size()));
            bson_t copy = BSON_INITIALIZER;
            bson_iter_t it;
            ASSERT_TRUE(bson_iter_init(&it, &b));
            while (bson_iter_next(&it)) {
                ASSERT_TRUE(bson_append_value(&copy, bson_iter_key(&it), -1, bson_iter_value(&it)))
                    << "round " << round << diffOf(base, m);
            }
            if (regexOptionsCanonical(m)) {
                EXPECT_EQ(bytesOf(&copy), m) << "round " << round << diffOf(base, m);
            }
            bson_destroy(&copy);
        } else {
            ++refused;
            if (libbsonAccepts(m.data(), m.size())) {
                ADD_FAILURE() << "round " << round << diffOf(base, m)
                              << ": libbson accepts what we refuse: "
                              << validate(m.data(), m.size()).describe() << " at "
                              << validate(m.data(), m.size()).offset;
            }
        }
    }
    // Both verdicts must actually occur, or the comparison proves nothing.
    EXPECT_GT(accepted, 1000);
    EXPECT_GT(refused, 1000);
}

}  // namespace
}  // namespace cryptd::bson
