// --command: a sample command analyzed against the checked schema, markings decoded.

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "check/marking_decoder.h"
#include "check_test_util.h"

namespace cryptd::check {
namespace {

using test::run;
using test::testdata;

TEST(MarkingDecoder, DecodesFle1MarkingsAnywhere) {
    bson::Builder payload;
    payload.appendInt32("a", 1);
    const uint8_t key[16] = {0x6c, 0x51, 0x2f, 0x5e, 0x09, 0xbc, 0x43, 0x4f,
                             0xb6, 0xdb, 0xc4, 0x2e, 0xee, 0x30, 0xc6, 0xb1};
    payload.appendBinary("ki", BSON_SUBTYPE_UUID, key, 16);
    payload.appendUtf8("v", "457-55-5462");
    auto p = payload.finish();
    std::vector<uint8_t> bytes{0};
    bytes.insert(bytes.end(), p.data(), p.data() + p.size());
    bson::Builder doc;
    doc.appendArray("xs", [&](bson::Builder& a) {
        a.appendBinary("0", BSON_SUBTYPE_ENCRYPTED, bytes.data(),
                       static_cast<uint32_t>(bytes.size()));
        const uint8_t junk[7] = {9, 1, 2, 3, 4, 5, 6};
        a.appendBinary("1", BSON_SUBTYPE_ENCRYPTED, junk, 7);
    });
    auto decoded = decodeMarkings(doc.finish().view());
    EXPECT_EQ(decoded.toJson(),
              "{ \"xs\" : [ { \"$marking\" : { \"algorithm\" : "
              "\"AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic\", \"keyId\" : "
              "\"6c512f5e-09bc-434f-b6db-c42eee30c6b1\", \"value\" : \"457-55-5462\" } }, "
              "{ \"$binary\" : { \"base64\" : \"CQECAwQFBg==\", \"subType\" : \"06\" } } ] }");
}

rapidjson::Document jsonRun(const std::vector<std::string>& args, int expectedExit,
                            const std::string& stdinText = "") {
    auto r = run(args, stdinText);
    EXPECT_EQ(r.exit, expectedExit) << r.out << r.err;
    rapidjson::Document d;
    d.Parse(r.out.c_str());
    EXPECT_FALSE(d.HasParseError()) << r.out;
    return d;
}

TEST(CommandProbe, EqualityOnADeterministicFieldIsMarked) {
    auto d = jsonRun({"--format", "json", testdata("medco_explicit.json"), "--command",
                      testdata("cmd_find_passport.json")},
                     0);
    const auto& c = d["command"];
    EXPECT_STREQ(c["status"].GetString(), "accepted");
    EXPECT_STREQ(c["namespace"].GetString(), "MedCo.patients");
    const auto& reply = c["reply"];
    EXPECT_TRUE(reply["hasEncryptionPlaceholders"].GetBool());
    EXPECT_TRUE(reply["schemaRequiresEncryption"].GetBool());
    EXPECT_EQ(reply["ok"].GetDouble(), 1.0);
    // The marking, wherever the engine puts it in the filter, carries the field's key and value.
    std::string text = test::run({"--format", "text", testdata("medco_explicit.json"), "--command",
                                  testdata("cmd_find_passport.json")})
                           .out;
    EXPECT_NE(text.find("\"$marking\": {\n"), std::string::npos) << text;
    EXPECT_NE(text.find("\"keyId\": \"bffb361b-30d3-42c0-b7a4-d24a272b72e3\""), std::string::npos);
    EXPECT_NE(text.find("\"value\": \"A1234567\""), std::string::npos);
    // The unencrypted field is not marked.
    EXPECT_NE(text.find("\"Jo\""), std::string::npos);
}

TEST(CommandProbe, QueryOnARandomFieldIsRejected) {
    auto d = jsonRun({"--format", "json", testdata("medco_inherited_shell.json"), "--command",
                      testdata("cmd_find_random.json")},
                     1);
    const auto& c = d["command"];
    EXPECT_STREQ(c["status"].GetString(), "rejected");
    EXPECT_EQ(c["reply"]["ok"].GetDouble(), 0.0);
    EXPECT_NE(c["reply"]["code"].GetInt(), 0);
    EXPECT_NE(std::string(c["reply"]["errmsg"].GetString()).find("medicalRecords"),
              std::string::npos);
}

TEST(CommandProbe, InsertMarksNestedFieldsWithInheritedKey) {
    auto r =
        run({testdata("medco_inherited_shell.json"), "--command", testdata("cmd_insert.json")});
    EXPECT_EQ(r.exit, 0) << r.out;
    size_t markings = 0;
    for (size_t at = r.out.find("\"$marking\""); at != std::string::npos;
         at = r.out.find("\"$marking\"", at + 1)) {
        ++markings;
    }
    EXPECT_EQ(markings, 3u) << r.out;  // passportId, insurance.policyNumber, insurance.provider
    EXPECT_NE(r.out.find("\"value\": \"MaxCare\""), std::string::npos) << r.out;
}

TEST(CommandProbe, NamespaceMustMatchAmongSeveralSchemas) {
    std::string schemas = R"({"a.x": {"properties": {}}, "b.y": {"properties": {}}})";
    auto d = jsonRun({"--format", "json", "-", "--command", testdata("cmd_find_passport.json")}, 2,
                     schemas);
    EXPECT_STREQ(d["command"]["status"].GetString(), "no-schema");
    EXPECT_NE(std::string(d["command"]["note"].GetString()).find("MedCo.patients"),
              std::string::npos);
}

TEST(CommandProbe, TheOnlySchemaIsUsedWithANote) {
    auto r = run({"--namespace", "hr.people", testdata("medco_inherited_canonical.json"),
                  "--command", testdata("cmd_find_passport.json")});
    EXPECT_EQ(r.exit, 0) << r.out;
    EXPECT_NE(r.out.find("note: the command names 'MedCo.patients'; checking it against the only "
                         "schema, 'hr.people'"),
              std::string::npos)
        << r.out;
}

TEST(CommandProbe, ABrokenSchemaIsNotUsed) {
    auto r = run({testdata("multi_errors.json"), "--command", testdata("cmd_find_passport.json")});
    EXPECT_EQ(r.exit, 1);
    EXPECT_NE(r.out.find("error [no-schema] the schema for 'MedCo.patients'"), std::string::npos)
        << r.out;
}

TEST(CommandProbe, UnreadableCommandIsExit2) {
    auto r = run({testdata("medco_explicit.json"), "--command", "-"}, "{\"find\": ");
    EXPECT_EQ(r.exit, 2);
    EXPECT_NE(r.out.find("<stdin>: error [unreadable]"), std::string::npos) << r.out;
}

TEST(CommandProbe, UnknownCommandIsReportedAsTheDaemonWould) {
    auto r = run({testdata("medco_explicit.json"), "--command", "-"},
                 R"({"frobnicate": "patients", "$db": "MedCo"})");
    EXPECT_EQ(r.exit, 1) << r.out;
    EXPECT_NE(r.out.find("no such command: 'frobnicate'"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("(CommandNotFound, code 59)"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace cryptd::check
