#include "analysis/marking_writer.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

namespace cryptd::analysis {
namespace {

Uuid uuidOf(char c) {
    Uuid u;
    u.bytes.fill(static_cast<uint8_t>(c));
    return u;
}

bson::Doc oneMarking(const MarkingKey& key, const bson::Doc& value) {
    bson::Builder b;
    const bson_value_t v = value.view().find("v")->value();
    appendMarking(b, "m", schema::Algorithm::Deterministic, key, &v);
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
    const bson_value_t v = value.view().find("v")->value();
    appendMarking(b, "m", schema::Algorithm::Random, uuidOf('b'), &v);
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

// The marking as libbson builds it (the writer's former implementation): inner document with
// bson_append_*, then 0x00 + its bytes as binary subtype 6.
std::vector<uint8_t> libbsonMarking(schema::Algorithm algorithm, const MarkingKey& key,
                                    const bson_value_t* value) {
    bson_t inner;
    bson_init(&inner);
    bson_append_int32(&inner, "a", 1, static_cast<int32_t>(algorithm));
    if (const auto* uuid = std::get_if<Uuid>(&key)) {
        bson_append_binary(&inner, "ki", 2, BSON_SUBTYPE_UUID, uuid->bytes.data(), 16);
    } else {
        auto alt = std::get<std::string_view>(key);
        bson_append_utf8(&inner, "ka", 2, alt.data(), static_cast<int>(alt.size()));
    }
    bson_append_value(&inner, "v", 1, value);
    std::vector<uint8_t> payload(inner.len + 1, 0);
    std::memcpy(payload.data() + 1, bson_get_data(&inner), inner.len);
    bson_destroy(&inner);
    bson_t out;
    bson_init(&out);
    bson_append_binary(&out, "m", 1, BSON_SUBTYPE_ENCRYPTED, payload.data(),
                       static_cast<uint32_t>(payload.size()));
    std::vector<uint8_t> bytes(bson_get_data(&out), bson_get_data(&out) + out.len);
    bson_destroy(&out);
    return bytes;
}

std::vector<uint8_t> writtenMarking(schema::Algorithm algorithm, const MarkingKey& key,
                                    const bson_value_t* value) {
    bson::Builder b;
    appendMarking(b, "m", algorithm, key, value);
    bson::Doc d = b.finish();
    return {d.data(), d.data() + d.size()};
}

// A document {v: <value>} with raw BSON bytes for the value (types Extended JSON cannot spell
// freely, e.g. regex flags out of order). Not validated: the writer takes any value it is given.
std::vector<uint8_t> rawValueDoc(uint8_t type, const std::vector<uint8_t>& valueBytes) {
    uint32_t len = static_cast<uint32_t>(4 + 3 + valueBytes.size() + 1);
    std::vector<uint8_t> d;
    for (int shift = 0; shift < 32; shift += 8) d.push_back(static_cast<uint8_t>(len >> shift));
    for (uint8_t b : {type, uint8_t('v'), uint8_t(0)}) d.push_back(b);
    for (uint8_t b : valueBytes) d.push_back(b);
    d.push_back(0);
    return d;
}

// Every BSON type, short and long (past the writer's 256-byte stack buffer), with a key id and
// with keyAltNames: byte for byte what libbson writes.
TEST(MarkingWriterTest, BytesEqualLibbsonForEveryType) {
    std::string big(300, 'x'), edge(256 - 40, 'y');
    std::vector<std::vector<uint8_t>> values;
    auto fromJson = [&values](const std::string& json) {
        bson::Doc d = bson::Doc::fromJson(json);
        values.emplace_back(d.data(), d.data() + d.size());
    };
    for (
        const char* json : {
            R"({"v": 1.5})",
            R"({"v": -0.0})",
            R"({"v": {"$numberDouble": "NaN"}})",
            R"({"v": ""})",
            R"({"v": "457-55-5462"})",
            R"({"v": "h\u00e9llo \u2603"})",
            R"({"v": {"a": 1, "b": [1, "x", {"c": null}]}})",
            R"({"v": {}})",
            R"({"v": [1, 2, 3]})",
            R"({"v": []})",
            R"({"v": {"$binary": {"base64": "AAECAwQ=", "subType": "00"}}})",
            R"({"v": {"$binary": {"base64": "YWFhYWFhYWFhYWFhYWFhYQ==", "subType": "04"}}})",
            R"({"v": {"$binary": {"base64": "AAECAwQ=", "subType": "80"}}})",
            R"({"v": {"$binary": {"base64": "", "subType": "00"}}})",
            R"({"v": {"$undefined": true}})",
            R"({"v": {"$oid": "5f1d8e6a9b1e8b3a4c2d1e0f"}})",
            R"({"v": true})",
            R"({"v": false})",
            R"({"v": {"$date": {"$numberLong": "-1234567890123"}}})",
            R"({"v": null})",
            R"({"v": {"$regularExpression": {"pattern": "^a.*b$", "options": "imsx"}}})",
            R"({"v": {"$dbPointer": {"$ref": "db.coll", "$id": {"$oid": "5f1d8e6a9b1e8b3a4c2d1e0f"}}}})",
            R"({"v": {"$code": "function() { return 1; }"}})",
            R"({"v": {"$symbol": "sym"}})",
            R"({"v": {"$code": "f(x);", "$scope" : {
            "x" : 1
        }}
})",
            R"({"v": 42})",
            R"({"v": -7})",
            R"({"v": {"$timestamp": {"t": 4000000000, "i": 7}}})",
            R"({"v": {"$timestamp": {"t": 0, "i": 0}}})",
            R"({"v": {"$numberLong": "-9000000000000000000"}})",
            R"({"v": {"$numberDecimal": "1234.5678E-10"}})",
            R"({"v": {"$minKey": 1}})",
            R"({"v": {"$maxKey": 1}})",
        }) {
        fromJson(json);
    }
    fromJson("{\"v\": \"" + big + "\"}");
    fromJson("{\"v\": \"" + edge + "\"}");
    fromJson("{\"v\": {\"s\": \"" + big + "\"}}");
    // Regex flags out of order (libbson sorts them when it writes), a deprecated subtype-2 binary,
    // a string with a NUL inside.
    values.push_back(rawValueDoc(BSON_TYPE_REGEX, {'a', 'b', 0, 'x', 'i', 's', 0}));
    values.push_back(rawValueDoc(BSON_TYPE_BINARY, {7, 0, 0, 0, 2, 3, 0, 0, 0, 'a', 'b', 'c'}));
    values.push_back(rawValueDoc(BSON_TYPE_UTF8, {4, 0, 0, 0, 'a', 0, 'b', 0}));

    Uuid id;
    for (size_t i = 0; i < 16; ++i) id.bytes[i] = static_cast<uint8_t>(i * 17);
    std::string longName(400, 'k');
    const MarkingKey keys[] = {id, std::string_view("Sharlene"), std::string_view(""),
                               std::string_view(longName)};
    for (size_t i = 0; i < values.size(); ++i) {
        bson::View doc(values[i].data(), static_cast<uint32_t>(values[i].size()));
        const bson_value_t v = (*doc.begin()).value();
        for (const MarkingKey& key : keys) {
            for (auto algorithm : {schema::Algorithm::Deterministic, schema::Algorithm::Random}) {
                EXPECT_EQ(writtenMarking(algorithm, key, &v), libbsonMarking(algorithm, key, &v))
                    << "value " << i << " key " << key.index();
            }
        }
    }
}

}  // namespace
}  // namespace cryptd::analysis
