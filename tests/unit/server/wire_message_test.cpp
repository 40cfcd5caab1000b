#include "server/wire_message.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "support/wire_builder.h"

namespace cryptd::server::wire {
namespace {

namespace tw = test::wire;

bson::Doc json(const char* text) {
    return bson::Doc::fromJson(text);
}

std::string jsonOf(bson::View v) {
    return v.toCanonicalJson();
}
std::string jsonOf(const bson::Doc& d) {
    return jsonOf(d.view());
}

void expectFramingError(const std::vector<uint8_t>& msg, const std::string& fragment) {
    try {
        parseRequest(msg);
        FAIL() << "expected a FramingError containing '" << fragment << "'";
    } catch (const FramingError& e) {
        EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
}

std::vector<uint8_t> headerWith(int32_t length, int32_t opCode) {
    std::vector<uint8_t> h;
    tw::putInt32(h, length);
    tw::putInt32(h, 1);
    tw::putInt32(h, 0);
    tw::putInt32(h, opCode);
    return h;
}

TEST(WireMessageTest, ParsesAnOpMsgBody) {
    auto body = json(R"({"ping": 1, "$db": "admin"})");
    auto msg = tw::opMsg(42, body);
    Request r = parseRequest(msg);
    EXPECT_EQ(r.protocol, Protocol::kOpMsg);
    EXPECT_EQ(r.requestId, 42);
    EXPECT_FALSE(r.moreToCome);
    EXPECT_FALSE(r.checksumPresent);
    EXPECT_EQ(jsonOf(r.body), jsonOf(body));
}

TEST(WireMessageTest, FoldsDocumentSequencesIntoTheBodyAsArrays) {
    auto body = json(R"({"insert": "c", "$db": "test"})");
    auto a = json(R"({"x": 1})");
    auto b = json(R"({"x": 2})");
    auto u = json(R"({"q": {}})");
    auto msg = tw::opMsg(1, body, 0, {{"documents", {&a, &b}}, {"updates", {&u}}});
    Request r = parseRequest(msg);
    EXPECT_EQ(jsonOf(r.body),
              jsonOf(json(R"({"insert": "c", "$db": "test", "documents": [{"x": 1}, {"x": 2}],
                              "updates": [{"q": {}}]})")));
}

TEST(WireMessageTest, AnEmptyDocumentSequenceBecomesAnEmptyArray) {
    auto body = json(R"({"insert": "c", "$db": "test"})");
    auto msg = tw::opMsg(1, body, 0, {{"documents", {}}});
    Request r = parseRequest(msg);
    EXPECT_EQ(jsonOf(r.body), jsonOf(json(R"({"insert": "c", "$db": "test", "documents": []})")));
}

TEST(WireMessageTest, RejectsASequenceThatDuplicatesABodyField) {
    auto body = json(R"({"insert": "c", "documents": [], "$db": "test"})");
    auto a = json(R"({"x": 1})");
    expectFramingError(tw::opMsg(1, body, 0, {{"documents", {&a}}}), "documents");
    auto plain = json(R"({"insert": "c"})");
    expectFramingError(tw::opMsg(1, plain, 0, {{"documents", {&a}}, {"documents", {&a}}}),
                       "repeated");
}

TEST(WireMessageTest, RejectsASequenceNameThatIsNotUtf8) {
    // The name becomes a field name of the folded body (found by fuzz_wire).
    auto body = json(R"({"insert": "c", "$db": "test"})");
    auto a = json(R"({"x": 1})");
    expectFramingError(tw::opMsg(1, body, 0,
                                 {{"\x9e"
                                   "ocuments",
                                   {&a}}}),
                       "not valid UTF-8");
}

TEST(WireMessageTest, VerifiesTheChecksumWhenPresent) {
    auto body = json(R"({"ping": 1, "$db": "admin"})");
    auto msg = tw::opMsg(7, body, 0, {}, true);
    Request r = parseRequest(msg);
    EXPECT_TRUE(r.checksumPresent);
    EXPECT_EQ(jsonOf(r.body), jsonOf(body));

    msg[25] ^= 0x01;  // a bit flip inside the body
    expectFramingError(msg, "checksum");
}

TEST(WireMessageTest, ReadsMoreToComeAndIgnoresOptionalFlagBits) {
    auto body = json(R"({"ping": 1})");
    auto more = tw::opMsg(1, body, kMoreToCome);
    EXPECT_TRUE(parseRequest(more).moreToCome);
    auto optional = tw::opMsg(1, body, kExhaustAllowed | (1u << 20));
    EXPECT_NO_THROW(parseRequest(optional));
}

TEST(WireMessageTest, RejectsUnknownRequiredFlagBits) {
    expectFramingError(tw::opMsg(1, json(R"({"ping": 1})"), 1u << 3), "required flag");
}

TEST(WireMessageTest, RejectsMissingOrRepeatedBodiesAndUnknownSectionKinds) {
    auto body = json(R"({"ping": 1})");
    // Only a kind-1 section.
    auto onlySeq = tw::opMsg(1, body, 0, {{"documents", {&body}}});
    onlySeq.erase(onlySeq.begin() + 20, onlySeq.begin() + 21 + body.size());
    tw::patchInt32(onlySeq, 0, static_cast<int32_t>(onlySeq.size()));
    expectFramingError(onlySeq, "no body");

    auto twoBodies = tw::opMsg(1, body);
    twoBodies.push_back(0);
    tw::putDoc(twoBodies, body);
    tw::patchInt32(twoBodies, 0, static_cast<int32_t>(twoBodies.size()));
    expectFramingError(twoBodies, "more than one body");

    auto kind2 = tw::opMsg(1, body);
    kind2[20] = 2;
    expectFramingError(kind2, "section kind");
}

TEST(WireMessageTest, RejectsTruncatedAndInconsistentLengths) {
    auto msg = tw::opMsg(1, json(R"({"ping": 1})"));
    auto truncated = msg;
    truncated.resize(msg.size() - 3);
    expectFramingError(truncated, "does not match");

    auto shortBson = msg;
    shortBson.resize(msg.size() - 3);
    tw::patchInt32(shortBson, 0, static_cast<int32_t>(shortBson.size()));
    expectFramingError(shortBson, "invalid BSON length");

    auto bsonTooShort = msg;
    tw::patchInt32(bsonTooShort, 21, 4);
    expectFramingError(bsonTooShort, "invalid BSON length");
}

std::vector<uint8_t> opMsgWithRawBody(const std::vector<uint8_t>& doc) {
    auto msg = tw::header(1, 2013);
    tw::putInt32(msg, 0);
    msg.push_back(0);
    msg.insert(msg.end(), doc.begin(), doc.end());
    tw::patchInt32(msg, 0, static_cast<int32_t>(msg.size()));
    return msg;
}

TEST(WireMessageTest, RejectsInvalidBson) {
    // An element of unknown type 0x55.
    std::vector<uint8_t> badType = {11, 0, 0, 0, 0x55, 'a', 0, 1, 0, 0, 0, 0};
    tw::patchInt32(badType, 0, static_cast<int32_t>(badType.size()));
    expectFramingError(opMsgWithRawBody(badType), "invalid BSON");
    // A string whose length runs past the document.
    std::vector<uint8_t> longString = {0, 0, 0, 0, 0x02, 'a', 0, 50, 0, 0, 0, 'x', 0, 0};
    tw::patchInt32(longString, 0, static_cast<int32_t>(longString.size()));
    expectFramingError(opMsgWithRawBody(longString), "invalid BSON");
    // An array keyed "1" first: valid bytes, but no BSON library re-encodes it as an array.
    std::vector<uint8_t> oddArray = {0, 0,    0,   0, 0x04, 'a', 0, 12, 0, 0,
                                     0, 0x10, '1', 0, 7,    0,   0, 0,  0, 0};
    tw::patchInt32(oddArray, 0, static_cast<int32_t>(oddArray.size()));
    EXPECT_EQ(checkDocument(oddArray.data(), oddArray.size()).problem, bson::Invalid::kArrayKeys);
    expectFramingError(opMsgWithRawBody(oddArray), "array keys");
    // An embedded document whose last byte is not zero (libbson's validator misses this one).
    std::vector<uint8_t> badInner = {0, 0, 0, 0, 0x03, 'a', 0, 5, 0, 0, 0, 7, 0};
    tw::patchInt32(badInner, 0, static_cast<int32_t>(badInner.size()));
    expectFramingError(opMsgWithRawBody(badInner), "invalid BSON");
    // A document without its terminating zero.
    std::vector<uint8_t> unterminated = {0, 0, 0, 0, 0x10, 'a', 0, 1, 0, 0, 0, 1};
    tw::patchInt32(unterminated, 0, static_cast<int32_t>(unterminated.size()));
    expectFramingError(opMsgWithRawBody(unterminated), "invalid BSON");
}

// {a: {a: ... {}}} nested `depth` levels, built by hand (libbson's JSON reader caps nesting).
std::vector<uint8_t> nestedDocument(int depth) {
    std::vector<uint8_t> doc;
    for (int i = 0; i < depth; ++i) {
        tw::putInt32(doc, 0);
        if (i + 1 < depth) {
            doc.push_back(0x03);
            doc.push_back('a');
            doc.push_back(0);
        }
    }
    for (int i = depth - 1; i >= 0; --i) {
        size_t start = static_cast<size_t>(i) * 7;
        doc.push_back(0);
        tw::patchInt32(doc, start, static_cast<int32_t>(doc.size() - start));
    }
    return doc;
}

TEST(WireMessageTest, RejectsDocumentsNestedBeyondTheLimitWithoutRecursing) {
    auto ok = nestedDocument(100);
    EXPECT_EQ(checkDocument(ok.data(), ok.size()).depth, 100);
    auto okMsg = opMsgWithRawBody(ok);
    EXPECT_NO_THROW(parseRequest(okMsg));

    auto deep = nestedDocument(5000);
    EXPECT_EQ(checkDocument(deep.data(), deep.size()).problem, bson::Invalid::kTooDeep);
    expectFramingError(opMsgWithRawBody(deep), "nested deeper");
}

TEST(WireMessageTest, HeaderChecksLengthAndOpcodeBeforeAnythingIsRead) {
    EXPECT_NO_THROW(parseHeader(headerWith(kMaxMessageSizeBytes, 2013)));
    EXPECT_THROW(parseHeader(headerWith(kMaxMessageSizeBytes + 1, 2013)), FramingError);
    EXPECT_THROW(parseHeader(headerWith(0x7FFFFFFF, 2013)), FramingError);  // 2 GB
    EXPECT_THROW(parseHeader(headerWith(-1, 2013)), FramingError);
    EXPECT_THROW(parseHeader(headerWith(16, 2013)), FramingError);
    EXPECT_THROW(parseHeader(headerWith(100, 9999)), FramingError);  // unknown opcode
    EXPECT_THROW(parseHeader(headerWith(100, 1)), FramingError);     // OP_REPLY is not a request
    EXPECT_EQ(parseHeader(headerWith(100, 2004)).opCode, 2004);
    EXPECT_EQ(parseHeader(headerWith(100, 2012)).messageLength, 100);
}

TEST(WireMessageTest, ParsesALegacyOpQueryCommandAndAddsDb) {
    auto msg = tw::opQuery(5, "admin.$cmd", json(R"({"isMaster": 1, "helloOk": true})"));
    Request r = parseRequest(msg);
    EXPECT_EQ(r.protocol, Protocol::kOpQuery);
    EXPECT_EQ(r.requestId, 5);
    EXPECT_EQ(jsonOf(r.body), jsonOf(json(R"({"isMaster": 1, "helloOk": true, "$db": "admin"})")));
}

TEST(WireMessageTest, UnwrapsDollarQueryInOpQuery) {
    auto msg = tw::opQuery(
        5, "test.$cmd", json(R"({"$query": {"ping": 1}, "$readPreference": {"mode": "primary"}})"));
    Request r = parseRequest(msg);
    EXPECT_EQ(jsonOf(r.body), jsonOf(json(R"({"ping": 1, "$db": "test"})")));
}

TEST(WireMessageTest, RejectsOpQueryOutsideCommandNamespaces) {
    expectFramingError(tw::opQuery(1, "test.coll", json(R"({"a": 1})")), "commands");
    expectFramingError(tw::opQuery(1, ".$cmd", json(R"({"a": 1})")), "commands");
    auto trailing = tw::opQuery(1, "admin.$cmd", json(R"({"ping": 1})"));
    trailing.push_back(7);
    tw::patchInt32(trailing, 0, static_cast<int32_t>(trailing.size()));
    expectFramingError(trailing, "OP_QUERY");
}

TEST(WireMessageTest, AcceptsNoopCompressionAndRefusesOtherCompressors) {
    auto body = json(R"({"ping": 1, "$db": "admin"})");
    auto compressed = tw::opCompressed(9, tw::opMsg(9, body));
    Request r = parseRequest(compressed);
    EXPECT_TRUE(r.compressed);
    EXPECT_EQ(r.protocol, Protocol::kOpMsg);
    EXPECT_EQ(jsonOf(r.body), jsonOf(body));
    expectFramingError(tw::opCompressed(9, tw::opMsg(9, body), 2), "compressor 2");
    auto lying = tw::opCompressed(9, tw::opMsg(9, body));
    tw::patchInt32(lying, 20, 3);
    expectFramingError(lying, "uncompressedSize");
}

TEST(WireMessageTest, SerializesOpMsgRepliesThatParseBack) {
    auto body = json(R"({"ok": 1.0})");
    auto bytes = serializeOpMsg(77, 42, 0, body.view());
    EXPECT_EQ(tw::readInt32(bytes, 0), static_cast<int32_t>(bytes.size()));
    EXPECT_EQ(tw::readInt32(bytes, 4), 77);
    EXPECT_EQ(tw::readInt32(bytes, 8), 42);
    EXPECT_EQ(tw::readInt32(bytes, 12), 2013);
    EXPECT_EQ(jsonOf(tw::replyBody(bytes)), jsonOf(body));

    auto summed = serializeOpMsg(78, 43, kChecksumPresent, body.view());
    EXPECT_EQ(summed.size(), bytes.size() + 4);
    EXPECT_EQ(static_cast<uint32_t>(tw::readInt32(summed, summed.size() - 4)),
              tw::crc32cBitwise(summed.data(), summed.size() - 4));
}

TEST(WireMessageTest, AnOpMsgBodyIsReadInPlaceAndDetachCopiesIt) {
    auto body = json(R"({"find": "c", "filter": {"x": 1}, "$db": "test"})");
    auto msg = tw::opMsg(3, body);
    Request r = parseRequest(msg);
    // No copy: the body views the message bytes ...
    EXPECT_GE(r.body.data(), msg.data());
    EXPECT_LE(r.body.data() + r.body.size(), msg.data() + msg.size());
    // ... until detach(), after which the message may go.
    r.detach();
    std::fill(msg.begin(), msg.end(), uint8_t{0xAB});
    EXPECT_EQ(jsonOf(r.body), jsonOf(body));
    EXPECT_EQ(r.body.data(), r.storage.data());

    // Rebuilt commands (folded sequences, OP_QUERY, OP_COMPRESSED) own their bytes already.
    auto doc = json(R"({"x": 1})");
    auto folded = tw::opMsg(4, body, 0, {{"documents", {&doc}}});
    auto compressed = tw::opCompressed(5, tw::opMsg(5, body));
    auto query = tw::opQuery(6, "test.$cmd", body);
    for (auto* m : {&folded, &compressed, &query}) {
        Request owned = parseRequest(*m);
        EXPECT_EQ(owned.body.data(), owned.storage.data());
    }
}

TEST(WireMessageTest, AFramedReplyIsTheSerializedReplyInPieces) {
    auto body = json(R"({"hasEncryptionPlaceholders": true, "result": {"x": 1}, "ok": 1.0})");
    auto plain = tw::opMsg(6, json(R"({"ping": 1})"));
    auto summed = tw::opMsg(7, json(R"({"ping": 1})"), 0, {}, true);
    auto legacy = tw::opQuery(8, "admin.$cmd", json(R"({"ping": 1})"));
    for (auto* m : {&plain, &summed, &legacy}) {
        Request r = parseRequest(*m);
        ReplyFrame f = frameReply(r, 200, body.view());
        std::vector<uint8_t> gathered(f.head.begin(), f.head.begin() + f.headSize);
        gathered.insert(gathered.end(), body.data(), body.data() + body.size());
        gathered.insert(gathered.end(), f.tail.begin(), f.tail.begin() + f.tailSize);
        EXPECT_EQ(gathered, serializeReply(r, 200, body.view()));
        EXPECT_EQ(tw::readInt32(gathered, 0), static_cast<int32_t>(gathered.size()));
        EXPECT_EQ(f.tailSize, m == &summed ? 4u : 0u);
    }
    // The checksum covers header and body, computed across the two pieces.
    Request r = parseRequest(summed);
    ReplyFrame f = frameReply(r, 201, body.view());
    std::vector<uint8_t> bytes(f.head.begin(), f.head.begin() + f.headSize);
    bytes.insert(bytes.end(), body.data(), body.data() + body.size());
    EXPECT_EQ(
        static_cast<uint32_t>(tw::readInt32(std::vector<uint8_t>(f.tail.begin(), f.tail.end()), 0)),
        tw::crc32cBitwise(bytes.data(), bytes.size()));
}

TEST(WireMessageTest, RepliesInTheProtocolOfTheRequest) {
    auto body = json(R"({"ok": 1.0})");
    auto queryMsg = tw::opQuery(5, "admin.$cmd", json(R"({"isMaster": 1})"));
    Request query = parseRequest(queryMsg);
    auto reply = serializeReply(query, 100, body.view());
    EXPECT_EQ(tw::readInt32(reply, 12), 1);  // OP_REPLY
    EXPECT_EQ(tw::readInt32(reply, 8), 5);   // responseTo
    EXPECT_EQ(tw::readInt32(reply, 32), 1);  // numberReturned
    EXPECT_EQ(jsonOf(tw::replyBody(reply)), jsonOf(body));

    auto summedMsg = tw::opMsg(6, json(R"({"ping": 1})"), 0, {}, true);
    Request msg = parseRequest(summedMsg);
    auto msgReply = serializeReply(msg, 101, body.view());
    EXPECT_EQ(tw::readInt32(msgReply, 12), 2013);
    EXPECT_EQ(tw::readInt32(msgReply, 16), static_cast<int32_t>(kChecksumPresent));
}

TEST(WireMessageTest, MutatedMessagesAreParsedOrRefusedNeverAnythingElse) {
    // Bit flips, truncations and length rewrites of valid messages of every kind: each must
    // parse or throw FramingError (no crash, no other exception). Fixed seed: reproducible.
    auto body = json(R"({"insert": "c", "$db": "t", "x": [1, {"y": "z"}], "n": null})");
    auto d = json(R"({"a": 1})");
    std::vector<std::vector<uint8_t>> seeds = {
        tw::opMsg(1, body), tw::opMsg(2, body, 0, {{"documents", {&d, &d}}}),
        tw::opMsg(3, body, 0, {}, true), tw::opQuery(4, "admin.$cmd", body),
        tw::opCompressed(5, tw::opMsg(5, body))};
    std::mt19937 rng(20240501);
    int parsed = 0;
    int refused = 0;
    for (int i = 0; i < 20000; ++i) {
        auto msg = seeds[static_cast<size_t>(i) % seeds.size()];
        switch (rng() % 4) {
            case 0:  // flip a few bits
                for (int k = 0; k < 1 + static_cast<int>(rng() % 3); ++k) {
                    msg[rng() % msg.size()] ^= static_cast<uint8_t>(1u << (rng() % 8));
                }
                break;
            case 1:  // truncate and fix the header length
                msg.resize(16 + rng() % (msg.size() - 16));
                tw::patchInt32(msg, 0, static_cast<int32_t>(msg.size()));
                break;
            case 2:  // rewrite an inner int32 (lengths live there)
                tw::patchInt32(msg, 16 + rng() % (msg.size() - 20), static_cast<int32_t>(rng()));
                break;
            default:  // a random byte anywhere after the header
                msg[16 + rng() % (msg.size() - 16)] = static_cast<uint8_t>(rng());
                break;
        }
        try {
            Request r = parseRequest(msg);
            // What parses is valid BSON (a folded body is not validated a second time) ...
            ASSERT_TRUE(bson::isValid(r.body.data(), r.body.size())) << "mutation " << i;
            // ... and can be re-encoded by the layers above (they build with libbson).
            bson::Builder copy;
            for (auto e : r.body) copy.append(e);
            ++parsed;
        } catch (const FramingError&) {
            ++refused;
        }
    }
    EXPECT_GT(parsed, 0);
    EXPECT_GT(refused, 0);
}

}  // namespace
}  // namespace cryptd::server::wire
