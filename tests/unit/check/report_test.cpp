// The three output formats and --explain, through runCheck.

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "check_test_util.h"

namespace cryptd::check {
namespace {

using test::run;
using test::testdata;

std::vector<std::string> lines(const std::string& s) {
    std::vector<std::string> out;
    std::istringstream in(s);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
}

TEST(TextReport, OneLocatedLinePerProblemWithHint) {
    auto f = testdata("multi_errors.json");
    auto r = run({f});
    EXPECT_EQ(r.exit, 1);
    auto l = lines(r.out);
    ASSERT_EQ(l.size(), 13u) << r.out;
    EXPECT_EQ(l[0], f + ":10:30: error [deterministic-type] MedCo.patients: "
                        "properties.weight.encrypt.bsonType: Invalid schema containing the "
                        "'encrypt' keyword. Cannot use deterministic encryption for element of "
                        "type: double (FailedToParse, code 9)");
    EXPECT_EQ(l[1],
              "    hint: deterministic encryption needs exactly one bsonType; double is not "
              "allowed — use Random or change the type");
    std::vector<std::string> heads;
    for (size_t i = 0; i + 1 < l.size(); i += 2)
        heads.push_back(l[i].substr(f.size(), l[i].find(']') - f.size() + 1));
    EXPECT_EQ(heads,
              (std::vector<std::string>{
                  ":10:30: error [deterministic-type]", ":11:55: error [unknown-field]",
                  ":14:19: error [encrypt-under-items]", ":18:9: error [remote-only-keyword]",
                  ":21:46: error [encrypt-with-type]", ":29:17: error [missing-keyid]"}));
    EXPECT_EQ(l.back(), "checked 1 file, 2 schemas: 6 problems");
}

TEST(TextReport, ExplainTableForTheInheritedSeedSchema) {
    auto r = run({"--explain", testdata("medco_inherited_shell.json")});
    EXPECT_EQ(r.exit, 0) << r.out;
    auto l = lines(r.out);
    ASSERT_EQ(l.size(), 9u) << r.out;
    EXPECT_EQ(l[1], "MedCo.patients (schemaMap, local rules): 5 encrypted fields");
    EXPECT_EQ(l[2],
              "  path                    algorithm      keyId                                 "
              "bsonType  inherited");
    EXPECT_EQ(l[3],
              "  passportId              Deterministic  6c512f5e-09bc-434f-b6db-c42eee30c6b1  "
              "string    algorithm, keyId from (top level)");
    EXPECT_EQ(l[5],
              "  medicalRecords          Random         6c512f5e-09bc-434f-b6db-c42eee30c6b1  "
              "array     -");
    EXPECT_EQ(l[7],
              "  insurance.provider      Deterministic  6c512f5e-09bc-434f-b6db-c42eee30c6b1  "
              "string    algorithm, keyId from (top level)");
}

TEST(TextReport, ExplainShowsNestedAndPartialInheritance) {
    std::string schema = R"({"bsonType": "object",
      "encryptMetadata": {"algorithm": "AEAD_AES_256_CBC_HMAC_SHA_512-Random"},
      "properties": {"a": {"bsonType": "object",
        "encryptMetadata": {"keyId": "/alt"},
        "properties": {"b": {"encrypt": {}}, "c": {"encrypt": {"bsonType": ["int", "long"],
          "algorithm": "AEAD_AES_256_CBC_HMAC_SHA_512-Random"}}}}}})";
    auto r = run({"--explain", "--namespace", "db.c", "-"}, schema);
    EXPECT_EQ(r.exit, 0) << r.out;
    EXPECT_NE(
        r.out.find(
            "a.b   Random     pointer /alt  any       algorithm from (top level); keyId from a"),
        std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("a.c   Random     pointer /alt  int,long  keyId from a"),
              std::string::npos)
        << r.out;
}

TEST(TextReport, ExplainNamesPatternsAndAdditionalProperties) {
    auto r = run({"--explain", testdata("patterns_additional.json")});
    EXPECT_EQ(r.exit, 0) << r.out;
    auto l = lines(r.out);
    ASSERT_EQ(l.size(), 6u) << r.out;
    EXPECT_EQ(l[3],
              "  /^x\\.y/  Random         6c512f5e-09bc-434f-b6db-c42eee30c6b1  any       "
              "algorithm, keyId from (top level)");
    EXPECT_EQ(l[4],
              "  *.z      Deterministic  6c512f5e-09bc-434f-b6db-c42eee30c6b1  int       "
              "keyId from (top level)");
}

TEST(JsonReport, MachineReadableProblemsFilesAndSummary) {
    auto f = testdata("multi_errors.json");
    auto r = run({"--format=json", f, testdata("medco_explicit.json"), "--explain"});
    EXPECT_EQ(r.exit, 1);
    rapidjson::Document d;
    d.Parse(r.out.c_str());
    ASSERT_FALSE(d.HasParseError()) << r.out;
    ASSERT_EQ(d["problems"].Size(), 6u);
    const auto& p = d["problems"][1];
    EXPECT_STREQ(p["file"].GetString(), f.c_str());
    EXPECT_STREQ(p["namespace"].GetString(), "MedCo.patients");
    EXPECT_STREQ(p["path"].GetString(), "properties.bloodType.encrypt.keyID");
    EXPECT_STREQ(p["pointer"].GetString(), "/MedCo.patients/properties/bloodType/encrypt/keyID");
    EXPECT_EQ(p["line"].GetInt(), 11);
    EXPECT_EQ(p["column"].GetInt(), 55);
    EXPECT_STREQ(p["rule"].GetString(), "unknown-field");
    EXPECT_STREQ(p["source"].GetString(), "mongocryptd");
    EXPECT_EQ(p["code"].GetInt(), 40415);
    EXPECT_STREQ(p["codeName"].GetString(), "Location40415");
    EXPECT_STREQ(p["errmsg"].GetString(),
                 "BSON field 'encrypt.keyID' is an unknown field. (at "
                 "properties.bloodType.encrypt.keyID)");
    EXPECT_STREQ(d["files"][0]["status"].GetString(), "problems");
    EXPECT_STREQ(d["files"][1]["status"].GetString(), "ok");
    const auto& ns = d["files"][1]["namespaces"][0];
    EXPECT_EQ(ns["encryptedFields"].GetInt(), 5);
    ASSERT_EQ(ns["explain"].Size(), 5u);
    EXPECT_STREQ(ns["explain"][2]["path"].GetString(), "medicalRecords");
    EXPECT_STREQ(ns["explain"][2]["algorithm"].GetString(), "AEAD_AES_256_CBC_HMAC_SHA_512-Random");
    EXPECT_STREQ(ns["explain"][2]["keyId"].GetString(), "f3821212-e697-4d65-b740-4a6791697c6d");
    EXPECT_TRUE(ns["explain"][2]["inheritedFrom"]["keyId"].IsNull());
    EXPECT_EQ(d["summary"]["problems"].GetInt(), 6);
    EXPECT_EQ(d["summary"]["exitCode"].GetInt(), 1);
}

TEST(JsonReport, UnreadableFileAndCheckerProblemsHaveNoCode) {
    auto r =
        run({"--format", "json", testdata("broken/bad-namespace.json"), testdata("nope.json")});
    EXPECT_EQ(r.exit, 2);
    rapidjson::Document d;
    d.Parse(r.out.c_str());
    ASSERT_FALSE(d.HasParseError()) << r.out;
    EXPECT_STREQ(d["files"][1]["status"].GetString(), "unreadable");
    EXPECT_TRUE(d["files"][1]["line"].IsNull());
    ASSERT_EQ(d["problems"].Size(), 1u);
    EXPECT_TRUE(d["problems"][0]["code"].IsNull());
    EXPECT_STREQ(d["problems"][0]["source"].GetString(), "cryptd-check");
    EXPECT_EQ(d["problems"][0]["line"].GetInt(), 3);
}

TEST(GithubReport, AnnotationsWithEscapedProperties) {
    auto f = testdata("hr_employees_docs.json");
    auto r = run({"--format", "github", f});
    EXPECT_EQ(r.exit, 1);
    auto l = lines(r.out);
    ASSERT_EQ(l.size(), 2u) << r.out;
    EXPECT_EQ(l[0].rfind("::error file=" + f +
                             ",line=8,col=11,title=cryptd-check%3A bad-algorithm::"
                             "hr.employees: properties.taxid.encrypt.algorithm: Enumeration value",
                         0),
              0u)
        << l[0];
    EXPECT_NE(l[0].find("(BadValue, code 2)%0Ahint: did you mean"), std::string::npos) << l[0];
    EXPECT_EQ(l[1], "checked 1 file, 1 schema: 1 problem");
}

TEST(GithubReport, StdinHasNoFileProperty) {
    auto r = run({"--format", "github", "-"}, R"({"a.b": {"properties": {"x": {"encrypt": 1}}}})");
    EXPECT_EQ(r.exit, 1);
    EXPECT_EQ(r.out.rfind("::error line=1,col=", 0), 0u) << r.out;
}

TEST(GithubReport, CleanInputPrintsOnlyTheSummary) {
    auto r = run({"--format", "github", testdata("medco_explicit.json")});
    EXPECT_EQ(r.exit, 0);
    EXPECT_EQ(r.out, "checked 1 file, 1 schema: no problems\n");
}

}  // namespace
}  // namespace cryptd::check
