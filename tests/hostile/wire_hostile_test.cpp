// Malformed wire messages against the real daemon. Each case is sent on its own connection; the
// daemon must close that connection (or answer {ok: 0}) and, in every case, go on serving: a new
// connection still gets `hello`.

#include <functional>
#include <random>

#include "hostile/hostile_fixture.h"

namespace cryptd::test::hostile {
namespace {

enum class Expect {
    kClosed,         // a framing error: no reply, the connection is closed
    kErrorOrClosed,  // either {ok: 0} or a closed connection, never {ok: 1}
    kSurvived,  // any reply or a close: the input is legal enough (checked: the daemon goes on)
};

struct WireCase {
    const char* name;
    std::function<Bytes()> make;
    Expect expect;
};

bson::Doc json(const std::string& text) {
    return bson::Doc::fromJson(text);
}

Bytes ping() {
    return wire::opMsg(1, json(R"({"ping": 1, "$db": "admin"})"));
}

Bytes headerOnly(int32_t length, int32_t opCode) {
    Bytes out;
    wire::putInt32(out, length);
    wire::putInt32(out, 1);
    wire::putInt32(out, 0);
    wire::putInt32(out, opCode);
    return out;
}

Bytes withOpCode(int32_t opCode) {
    Bytes m = ping();
    wire::patchInt32(m, 12, opCode);
    return m;
}

// A valid OP_MSG (body {ping: 1, $db: admin}) followed by extra section bytes.
Bytes pingWithSection(const Bytes& section) {
    Bytes m = ping();
    m.insert(m.end(), section.begin(), section.end());
    wire::patchInt32(m, 0, static_cast<int32_t>(m.size()));
    return m;
}

// pingWithSection with one kind-1 section named "d" holding the bytes `doc`.
Bytes pingWithSequence(const Bytes& doc) {
    Bytes s{1};
    wire::putInt32(s, static_cast<int32_t>(4 + 2 + doc.size()));
    s.push_back('d');
    s.push_back(0);
    s.insert(s.end(), doc.begin(), doc.end());
    return pingWithSection(s);
}

Bytes pingBody() {
    return raw::doc(raw::concat({raw::int32Field("ping", 1), raw::stringField("$db", "admin")}));
}

// OP_MSG whose body has its own length field overwritten.
Bytes bodyLength(int32_t claimed) {
    Bytes body = pingBody();
    wire::patchInt32(body, 0, claimed);
    return raw::opMsgBody(body);
}

Bytes junk(size_t n, uint32_t seed) {
    std::mt19937 rng(seed);
    Bytes out(n);
    for (auto& b : out) b = static_cast<uint8_t>(rng());
    // Keep the claimed length plausible so the daemon has to look further than the header.
    wire::patchInt32(out, 0, static_cast<int32_t>(n));
    return out;
}

Bytes opCompressed(int32_t original, int32_t size, uint8_t compressor, const Bytes& payload) {
    Bytes out = wire::header(1, 2012);
    wire::putInt32(out, original);
    wire::putInt32(out, size);
    out.push_back(compressor);
    out.insert(out.end(), payload.begin(), payload.end());
    wire::patchInt32(out, 0, static_cast<int32_t>(out.size()));
    return out;
}

Bytes pingPayload() {
    Bytes m = ping();
    return Bytes(m.begin() + 16, m.end());
}

Bytes opQueryRaw(const std::string& ns, const Bytes& query, bool terminateNs = true) {
    Bytes out = wire::header(1, 2004);
    wire::putInt32(out, 0);
    out.insert(out.end(), ns.begin(), ns.end());
    if (terminateNs) out.push_back(0);
    wire::putInt32(out, 0);
    wire::putInt32(out, -1);
    out.insert(out.end(), query.begin(), query.end());
    wire::patchInt32(out, 0, static_cast<int32_t>(out.size()));
    return out;
}

const std::vector<WireCase>& cases() {
    static const std::vector<WireCase> all = {
        // Junk and lengths.
        {"junk_http",
         [] {
             std::string s = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
             return Bytes(s.begin(), s.end());
         },
         Expect::kClosed},
        {"junk_random_4k", [] { return junk(4096, 1); }, Expect::kClosed},
        {"junk_random_64k", [] { return junk(65536, 2); }, Expect::kClosed},
        {"length_0", [] { return headerOnly(0, 2013); }, Expect::kClosed},
        {"length_15", [] { return headerOnly(15, 2013); }, Expect::kClosed},
        {"length_16_no_body", [] { return headerOnly(16, 2013); }, Expect::kClosed},
        {"length_48000001", [] { return headerOnly(48'000'001, 2013); }, Expect::kClosed},
        {"length_2pow31", [] { return headerOnly(INT32_MIN, 2013); }, Expect::kClosed},
        {"length_minus_1", [] { return headerOnly(-1, 2013); }, Expect::kClosed},
        {"length_shorter_than_content",
         [] {
             Bytes m = ping();
             wire::patchInt32(m, 0, 21);
             return m;
         },
         Expect::kClosed},
        {"truncated_header_then_eof", [] { return Bytes{0x20, 0, 0, 0, 1, 0}; }, Expect::kClosed},
        {"truncated_body_then_eof",
         [] {
             Bytes m = ping();
             m.resize(m.size() - 7);
             return m;
         },
         Expect::kClosed},
        // Opcodes.
        {"opcode_0", [] { return withOpCode(0); }, Expect::kClosed},
        {"opcode_reply_1", [] { return withOpCode(1); }, Expect::kClosed},
        {"opcode_update_2001", [] { return withOpCode(2001); }, Expect::kClosed},
        {"opcode_insert_2002", [] { return withOpCode(2002); }, Expect::kClosed},
        {"opcode_getmore_2005", [] { return withOpCode(2005); }, Expect::kClosed},
        {"opcode_delete_2006", [] { return withOpCode(2006); }, Expect::kClosed},
        {"opcode_killcursors_2007", [] { return withOpCode(2007); }, Expect::kClosed},
        {"opcode_9999", [] { return withOpCode(9999); }, Expect::kClosed},
        {"opcode_minus_1", [] { return withOpCode(-1); }, Expect::kClosed},
        // OP_MSG flags and sections.
        {"flags_unknown_required_bit",
         [] { return wire::opMsg(1, json(R"({"ping": 1, "$db": "admin"})"), 1u << 2); },
         Expect::kClosed},
        {"section_kind_2",
         [] {
             return pingWithSection({2, 5, 0, 0, 0, 0});
         },
         Expect::kClosed},
        {"section_kind_3",
         [] {
             return pingWithSection({3, 5, 0, 0, 0, 0});
         },
         Expect::kClosed},
        {"section_kind_255", [] { return pingWithSection({255}); }, Expect::kClosed},
        {"no_sections",
         [] {
             Bytes out = wire::header(1, 2013);
             wire::putInt32(out, 0);
             wire::patchInt32(out, 0, static_cast<int32_t>(out.size()));
             return out;
         },
         Expect::kClosed},
        {"only_a_sequence",
         [] {
             Bytes out = wire::header(1, 2013);
             wire::putInt32(out, 0);
             Bytes d = pingBody();
             out.push_back(1);
             wire::putInt32(out, static_cast<int32_t>(4 + 2 + d.size()));
             out.push_back('x');
             out.push_back(0);
             out.insert(out.end(), d.begin(), d.end());
             wire::patchInt32(out, 0, static_cast<int32_t>(out.size()));
             return out;
         },
         Expect::kClosed},
        {"duplicate_bodies",
         [] {
             Bytes b = pingBody();
             Bytes section{0};
             section.insert(section.end(), b.begin(), b.end());
             return pingWithSection(section);
         },
         Expect::kClosed},
        {"sequence_size_past_end",
         [] {
             Bytes s{1};
             wire::putInt32(s, 1000);
             s.push_back('d');
             s.push_back(0);
             return pingWithSection(s);
         },
         Expect::kClosed},
        {"sequence_size_negative",
         [] {
             Bytes s{1};
             wire::putInt32(s, -8);
             s.push_back('d');
             s.push_back(0);
             return pingWithSection(s);
         },
         Expect::kClosed},
        {"sequence_name_unterminated",
         [] {
             Bytes s{1};
             wire::putInt32(s, 7);
             s.insert(s.end(), {'d', 'o', 'c'});
             return pingWithSection(s);
         },
         Expect::kClosed},
        {"sequence_with_bad_document",
         [] {
             Bytes d = pingBody();
             wire::patchInt32(d, 0, static_cast<int32_t>(d.size() + 3));
             return pingWithSequence(d);
         },
         Expect::kClosed},
        {"sequence_named_like_the_body_field",
         [] {
             auto d = json(R"({"x": 1})");
             return wire::opMsg(1, json(R"({"ping": 1, "documents": [], "$db": "admin"})"), 0,
                                {{"documents", {&d}}});
         },
         Expect::kClosed},
        {"bad_checksum",
         [] {
             Bytes m = wire::opMsg(1, json(R"({"ping": 1, "$db": "admin"})"), 0, {}, true);
             m.back() ^= 0x5A;
             return m;
         },
         Expect::kClosed},
        {"checksum_flag_without_room",
         [] {
             Bytes m = wire::header(1, 2013);
             wire::putInt32(m, 1);
             m.push_back(0);
             wire::patchInt32(m, 0, static_cast<int32_t>(m.size()));
             return m;
         },
         Expect::kClosed},
        {"trailing_garbage",
         [] {
             return pingWithSection({0xde, 0xad});
         },
         Expect::kClosed},
        // BSON with lying lengths.
        {"bson_length_0", [] { return bodyLength(0); }, Expect::kClosed},
        {"bson_length_4", [] { return bodyLength(4); }, Expect::kClosed},
        {"bson_length_negative", [] { return bodyLength(-5); }, Expect::kClosed},
        {"bson_length_too_small", [] { return bodyLength(12); }, Expect::kClosed},
        {"bson_length_past_message", [] { return bodyLength(10'000); }, Expect::kClosed},
        {"bson_missing_terminator",
         [] {
             Bytes body = pingBody();
             body.back() = 0x7F;
             return raw::opMsgBody(body);
         },
         Expect::kClosed},
        {"bson_string_length_past_end",
         [] {
             Bytes s = raw::stringField("$db", "admin");
             wire::patchInt32(s, 5, 4000);
             return raw::opMsgBody(raw::doc(raw::concat({raw::int32Field("ping", 1), s})));
         },
         Expect::kClosed},
        {"bson_string_length_negative",
         [] {
             Bytes s = raw::stringField("$db", "admin");
             wire::patchInt32(s, 5, -1);
             return raw::opMsgBody(raw::doc(raw::concat({raw::int32Field("ping", 1), s})));
         },
         Expect::kClosed},
        {"bson_string_without_nul",
         [] {
             Bytes s = raw::stringField("$db", "admin");
             s.back() = 'x';
             return raw::opMsgBody(raw::doc(raw::concat({raw::int32Field("ping", 1), s})));
         },
         Expect::kClosed},
        {"bson_embedded_length_wrong",
         [] {
             Bytes inner = raw::doc(raw::int32Field("b", 1));
             wire::patchInt32(inner, 0, static_cast<int32_t>(inner.size() + 8));
             return raw::opMsgBody(
                 raw::doc(raw::concat({raw::int32Field("ping", 1), raw::docField("x", inner),
                                       raw::stringField("$db", "admin")})));
         },
         Expect::kClosed},
        {"bson_unknown_element_type",
         [] {
             Bytes e{0x42, 'q', 0, 1, 2, 3, 4};
             return raw::opMsgBody(raw::doc(raw::concat({raw::int32Field("ping", 1), e})));
         },
         Expect::kClosed},
        {"bson_binary_length_huge",
         [] {
             Bytes e{0x05, 'b', 0};
             wire::putInt32(e, 0x7FFFFFF0);
             e.push_back(0);
             return raw::opMsgBody(raw::doc(raw::concat({raw::int32Field("ping", 1), e})));
         },
         Expect::kClosed},
        {"bson_invalid_utf8_key",
         [] {
             return raw::opMsgBody(
                 raw::doc(raw::concat({raw::int32Field("ping", 1), raw::int32Field("\xff\xfe", 1),
                                       raw::stringField("$db", "admin")})));
         },
         Expect::kClosed},
        // MongoDB does not validate UTF-8 inside string values (nor does libbson 1.23's
        // bson_validate), so these may be answered; any error message must still be UTF-8.
        {"bson_invalid_utf8_value",
         [] {
             return raw::opMsgBody(raw::doc(raw::concat(
                 {raw::int32Field("ping", 1), raw::stringField("$db", "ad\xc3\x28min")})));
         },
         Expect::kSurvived},
        {"bson_invalid_utf8_in_names_echoed_by_errors",
         [] {
             return raw::opMsgBody(raw::doc(raw::concat(
                 {raw::stringField("find", "co\xff\xfell"),
                  raw::docField("filter", raw::doc(raw::docField(
                                              "ssn", raw::doc(raw::int32Field("$gt", 1))))),
                  raw::docField("jsonSchema", raw::doc({})),
                  raw::stringField("$db", "te\xc3st")})));
         },
         Expect::kSurvived},
        {"bson_invalid_utf8_unknown_command_value",
         [] {
             return raw::opMsgBody(raw::doc(raw::concat(
                 {raw::stringField("frobnicate", "\xc0\xaf"), raw::stringField("$db", "\xff")})));
         },
         Expect::kSurvived},
        {"bson_invalid_utf8_key_in_schema",
         [] {
             Bytes schema = raw::doc(raw::docField(
                 "properties", raw::doc(raw::docField("\xed\xa0\x80", raw::doc({})))));
             return raw::opMsgBody(raw::doc(
                 raw::concat({raw::stringField("find", "c"), raw::docField("jsonSchema", schema),
                              raw::stringField("$db", "test")})));
         },
         Expect::kClosed},
        {"nesting_1000_deep",
         [] {
             return raw::opMsgBody(raw::doc(
                 raw::concat({raw::int32Field("ping", 1), raw::docField("x", raw::nested(1000)),
                              raw::stringField("$db", "admin")})));
         },
         Expect::kClosed},
        {"nesting_1000_deep_in_a_sequence", [] { return pingWithSequence(raw::nested(1000)); },
         Expect::kClosed},
        // Arrays whose keys are not "0", "1", ... are valid BSON to bson_validate, but libbson
        // refuses to append them to a new document: code that rebuilds the body must cope.
        {"array_with_odd_keys_and_a_sequence",
         [] {
             Bytes arr = raw::doc(raw::int32Field("7", 1));
             Bytes body =
                 raw::doc(raw::concat({raw::int32Field("ping", 1), raw::docField("x", arr, 0x04),
                                       raw::stringField("$db", "admin")}));
             Bytes m = raw::opMsgBody(body);
             Bytes d = raw::doc(raw::int32Field("a", 1));
             Bytes seq{1};
             wire::putInt32(seq, static_cast<int32_t>(4 + 2 + d.size()));
             seq.push_back('d');
             seq.push_back(0);
             seq.insert(seq.end(), d.begin(), d.end());
             m.insert(m.end(), seq.begin(), seq.end());
             wire::patchInt32(m, 0, static_cast<int32_t>(m.size()));
             return m;
         },
         Expect::kSurvived},
        {"array_with_odd_keys_in_op_query",
         [] {
             Bytes arr = raw::doc(raw::int32Field("x", 1));
             return opQueryRaw("admin.$cmd",
                               raw::doc(raw::concat({raw::int32Field("isMaster", 1),
                                                     raw::docField("x", arr, 0x04)})));
         },
         Expect::kSurvived},
        {"array_with_odd_keys_in_a_command",
         [] {
             Bytes arr = raw::doc(raw::concat({raw::int32Field("1", 1), raw::int32Field("1", 2)}));
             Bytes docs = raw::doc(raw::docField("0", raw::doc(raw::docField("ssn", arr, 0x04))));
             return raw::opMsgBody(raw::doc(raw::concat(
                 {raw::stringField("insert", "c"), raw::docField("documents", docs, 0x04),
                  raw::docField("jsonSchema", raw::doc({})), raw::stringField("$db", "test")})));
         },
         Expect::kSurvived},
        // Legacy OP_QUERY and OP_COMPRESSED.
        {"op_query_not_a_command_namespace", [] { return opQueryRaw("test.coll", pingBody()); },
         Expect::kErrorOrClosed},
        {"op_query_unterminated_namespace", [] { return opQueryRaw("admin.$cmd", {}, false); },
         Expect::kClosed},
        {"op_query_bad_document",
         [] {
             Bytes q = pingBody();
             wire::patchInt32(q, 0, 3);
             return opQueryRaw("admin.$cmd", q);
         },
         Expect::kClosed},
        {"op_compressed_snappy", [] { return opCompressed(2013, 24, 1, pingPayload()); },
         Expect::kClosed},
        {"op_compressed_unknown_compressor",
         [] {
             Bytes p = pingPayload();
             return opCompressed(2013, static_cast<int32_t>(p.size()), 77, p);
         },
         Expect::kClosed},
        {"op_compressed_size_mismatch",
         [] {
             Bytes p = pingPayload();
             return opCompressed(2013, static_cast<int32_t>(p.size() + 100), 0, p);
         },
         Expect::kClosed},
        {"op_compressed_negative_size", [] { return opCompressed(2013, -1, 0, pingPayload()); },
         Expect::kClosed},
        {"op_compressed_nested",
         [] {
             Bytes p = pingPayload();
             Bytes inner = opCompressed(2013, static_cast<int32_t>(p.size()), 0, p);
             Bytes innerPayload(inner.begin() + 16, inner.end());
             return opCompressed(2012, static_cast<int32_t>(innerPayload.size()), 0, innerPayload);
         },
         Expect::kClosed},
    };
    return all;
}

class WireCaseTest : public HostileDaemonTest, public ::testing::WithParamInterface<size_t> {};

TEST_P(WireCaseTest, IsRefusedAndTheDaemonGoesOn) {
    const WireCase& c = cases()[GetParam()];
    Client client = connect();
    Bytes request = c.make();
    bool eof = std::string(c.name).find("then_eof") != std::string::npos;
    Fate fate;
    if (eof) {
        // The peer stops sending in the middle of a message.
        client.send(request);
        client.shutdownWrite();
        fate.closed = client.closedByPeer();
    } else {
        fate = observe(client, request);
    }
    switch (c.expect) {
        case Expect::kClosed:
            EXPECT_TRUE(fate.closed && !fate.reply) << c.name << ": " << fate.describe();
            break;
        case Expect::kErrorOrClosed:
            EXPECT_TRUE(fate.closed || (fate.reply && isErrorReply(*fate.reply)))
                << c.name << ": " << fate.describe();
            if (fate.reply) {
                EXPECT_FALSE(isOkReply(*fate.reply)) << fate.describe();
            }
            break;
        case Expect::kSurvived:
            break;
    }
    expectStillServing();
}

INSTANTIATE_TEST_SUITE_P(Hostile, WireCaseTest, ::testing::Range<size_t>(0, cases().size()),
                         [](const ::testing::TestParamInfo<size_t>& p) {
                             return std::string(cases()[p.param].name);
                         });

}  // namespace
}  // namespace cryptd::test::hostile
