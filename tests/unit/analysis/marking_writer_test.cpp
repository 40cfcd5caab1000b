#include "analysis/marking_writer.h"

#include <gtest/gtest.h>

#include <cstring>

namespace cryptd::analysis {
namespace {

Uuid uuidOf(char c) {
    Uuid u;
    u.bytes.fill(static_cast<uint8_t>(c));
    return u;
}

bson::Doc oneMarking(const MarkingKey& key, const bson::Doc& value) {
    bson::Builder b;
    appendMarking(b, "m", schema::Algorithm::Deterministic, key, (*value.view().find("v")).value());
    return b.finish();
}

// The bytes libmongocrypt's own example fixture carries for {a: 1, ki: UUID("6161..."),
// v: "457-55-5462"} (test/example/mongocryptd-reply.json).
TEST(MarkingWriterTest, MatchesLibmongocryptFixtureBytes) {
    bson::Doc value = bson::Doc::fromJson(R"({"v": "457-55-5462"})");
    bson::Doc d = oneMarking(uuidOf('a'), value);
    bson::Doc expected = bson::Doc::fromJson(
        R"({"m": {"$binary": {"base64": "ADgAAAAQYQABAAAABWtpABAAAAAEYWFhYWFhYWFhYWFhYWFhYQJ2AAwAAAA0NTctNTUtNTQ2MgAA", "subType": "06"}}})");
    EXPECT_EQ(d.toCanonicalJson(), expected.toCanonicalJson());
}

TEST(MarkingWriterTest, KeyAltNameMatchesFixtureBytes) {
    bson::Doc value = bson::Doc::fromJson(R"({"v": "457-55-5462"})");
    bson::Doc d = oneMarking(std::string_view("Sharlene"), value);
    // test/data/mongocryptd-reply-key-alt-name.json
    bson::Doc expected = bson::Doc::fromJson(
        R"({"m": {"$binary": {"base64": "ADAAAAAQYQABAAAAAmthAAkAAABTaGFybGVuZQACdgAMAAAANDU3LTU1LTU0NjIAAA==", "subType": "06"}}})");
    EXPECT_EQ(d.toCanonicalJson(), expected.toCanonicalJson());
}

TEST(MarkingWriterTest, LayoutIsFirstByteZeroThenExactlyAKiV) {
    bson::Doc value = bson::Doc::fromJson(R"({"v": {"nested": [1, 2]}})");
    bson::Builder b;
    appendMarking(b, "m", schema::Algorithm::Random, uuidOf('b'),
                  (*value.view().find("v")).value());
    bson::Doc d = b.finish();
    bson::Element e = *d.view().find("m");
    auto bin = e.binary();
    ASSERT_EQ(bin.subtype, BSON_SUBTYPE_ENCRYPTED);
    ASSERT_GE(bin.len, 6u);
    EXPECT_EQ(bin.data[0], 0);
    ASSERT_TRUE(bson::isValid(bin.data + 1, bin.len - 1));
    bson::View inner(bin.data + 1, bin.len - 1);
    std::vector<std::string> keys;
    for (bson::Element f : inner) keys.emplace_back(f.key());
    EXPECT_EQ(keys, (std::vector<std::string>{"a", "ki", "v"}));
    EXPECT_EQ(inner.find("a")->type(), BSON_TYPE_INT32);
    EXPECT_EQ(inner.find("a")->int32(), 2);
    EXPECT_EQ(inner.find("ki")->binary().subtype, BSON_SUBTYPE_UUID);
    EXPECT_EQ(inner.find("v")->document().toJson(), value.view().find("v")->document().toJson());

    DecodedMarking m;
    ASSERT_TRUE(decodeMarking(e, m));
    EXPECT_EQ(m.algorithm, 2);
    EXPECT_EQ(std::get<Uuid>(m.key), uuidOf('b'));
}

TEST(MarkingWriterTest, DecodeRejectsOtherBinaries) {
    bson::Doc d = bson::Doc::fromJson(
        R"({"ciphertext": {"$binary": {"base64": "AgFkgAAAAAAAAAAAAAAAAAAB", "subType": "06"}},
            "uuid": {"$binary": {"base64": "YWFhYWFhYWFhYWFhYWFhYQ==", "subType": "04"}}, "s": "x"})");
    for (bson::Element e : d.view()) {
        DecodedMarking m;
        EXPECT_FALSE(decodeMarking(e, m)) << e.key();
    }
}

}  // namespace
}  // namespace cryptd::analysis
