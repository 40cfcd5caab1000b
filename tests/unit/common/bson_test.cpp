#include "common/bson.h"

#include <gtest/gtest.h>

#include <vector>

#include "common/error.h"

namespace cryptd::bson {
namespace {

TEST(BsonTest, JsonRoundTripAndIteration) {
    Doc d = Doc::fromJson(R"({"a": 1, "b": "x", "c": {"d": [1, 2]}})");
    std::vector<std::string> keys;
    for (Element e : d.view()) keys.emplace_back(e.key());
    EXPECT_EQ(keys, (std::vector<std::string>{"a", "b", "c"}));
    auto c = d.view().find("c");
    ASSERT_TRUE(c.has_value());
    ASSERT_TRUE(c->isDocument());
    auto arr = c->document().find("d");
    ASSERT_TRUE(arr && arr->isArray());
    EXPECT_EQ(arr->document().count(), 2u);
    EXPECT_EQ(d.view().find("b")->utf8(), "x");
    EXPECT_EQ(d.view().find("a")->typeName(), "int");
    EXPECT_FALSE(d.view().find("zzz").has_value());
}

TEST(BsonTest, FirstElementIsTheCommandName) {
    Doc cmd = Doc::fromJson(R"({"find": "coll", "filter": {}, "$db": "test"})");
    EXPECT_EQ(cmd.view().firstKey(), "find");
    ASSERT_TRUE(cmd.view().first().has_value());
    EXPECT_EQ(cmd.view().first()->utf8(), "coll");
    Doc empty;
    EXPECT_EQ(empty.view().firstKey(), "");
    EXPECT_FALSE(empty.view().first().has_value());
    Doc emptyKey = Doc::fromJson(R"({"": 1, "b": 2})");
    EXPECT_EQ(emptyKey.view().firstKey(), "");
    EXPECT_EQ(emptyKey.view().first()->asInt64(), 1);
    // Bytes whose first element runs past the end: no first element, as iteration has none.
    const uint8_t truncated[] = {12, 0, 0, 0, BSON_TYPE_INT32, 'a', 0, 1, 0, 0, 0, 0};
    View bad(truncated, 9);
    EXPECT_FALSE(bad.first().has_value());
    EXPECT_EQ(bad.firstKey(), "");
}

TEST(BsonTest, BadJsonThrowsFailedToParse) {
    try {
        Doc::fromJson("{not json");
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::FailedToParse);
    }
}

TEST(BsonTest, CopyOfValidatesBytes) {
    Doc d = Doc::fromJson(R"({"a": "b"})");
    std::vector<uint8_t> bytes(d.data(), d.data() + d.size());
    EXPECT_NO_THROW(Doc::copyOf(bytes.data(), bytes.size()));
    bytes[0] = 200;  // declared length disagrees
    EXPECT_THROW(Doc::copyOf(bytes.data(), bytes.size()), Error);
    EXPECT_FALSE(isValid(bytes.data(), 3));
}

TEST(BsonTest, RejectsInvalidUtf8InKeys) {
    Builder b;
    b.appendUtf8(std::string_view("\xff\xfe", 2), "v");
    Doc d = b.finish();
    EXPECT_FALSE(isValid(d.data(), d.size()));
}

TEST(BsonTest, BuilderNestsAndFinishes) {
    Builder b;
    b.appendInt32("a", 1).appendDocument("sub", [](Builder& s) {
        s.appendUtf8("x", "y").appendArray("arr", [](Builder& a) {
            char buf[16];
            a.appendInt64(arrayKey(0, buf), 7);
            a.appendBool(arrayKey(1, buf), true);
        });
    });
    Doc d = b.finish();
    EXPECT_EQ(d.toCanonicalJson(),
              R"({ "a" : { "$numberInt" : "1" }, "sub" : { "x" : "y", "arr" : [ { "$numberLong" : "7" }, true ] } })");
    EXPECT_TRUE(b.view().empty());
}

TEST(BsonTest, BuilderStaysConsistentWhenFillThrows) {
    Builder b;
    b.appendInt32("a", 1);
    EXPECT_THROW(b.appendDocument("sub", [](Builder&) { fail(ErrorCode::BadValue, "boom"); }),
                 Error);
    b.appendInt32("c", 3);
    Doc d = b.finish();
    EXPECT_TRUE(isValid(d.data(), d.size()));
    EXPECT_TRUE(d.view().find("c").has_value());
}

TEST(BsonTest, AppendElementCopiesValue) {
    Doc src = Doc::fromJson(R"({"v": {"$binary": {"base64": "AAEC", "subType": "04"}}})");
    Builder b;
    b.append("w", *src.view().find("v"));
    Doc d = b.finish();
    auto bin = d.view().find("w")->binary();
    EXPECT_EQ(bin.subtype, BSON_SUBTYPE_UUID);
    EXPECT_EQ(bin.len, 3u);
}

}  // namespace
}  // namespace cryptd::bson
