// The schemas of the "Automatic Encryption Rules" page (seeds/004_*.txt), read from the seed
// itself in the docs' shell syntax: both MedCo.patients variants are clean and explain to the
// fields the page describes; the hr.employees example is caught on its algorithm typo.

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <fstream>

#include "check_test_util.h"
#include "support/shared_dir.h"

namespace cryptd::check {
namespace {

// The seed's one-line schemas that start with `prefix`.
std::vector<std::string> seedSchemas(const std::string& prefix) {
    std::vector<std::string> out;
    std::string dir = std::string(CRYPTD_SHARED_DIR) + "/seeds";
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
        if (e.path().filename().string().rfind("004_", 0) != 0) continue;
        std::ifstream in(e.path());
        for (std::string line; std::getline(in, line);) {
            if (line.rfind(prefix, 0) == 0) out.push_back(line);
        }
    }
    return out;
}

struct Row {
    const char* path;
    const char* algorithm;
    const char* keyId;
    const char* inherited;  // "" = own options
};

void expectExplain(const std::string& schema, const std::vector<Row>& rows) {
    auto r = test::run({"--format", "json", "--explain", "-"}, schema);
    ASSERT_EQ(r.exit, 0) << r.out << r.err;
    rapidjson::Document d;
    d.Parse(r.out.c_str());
    ASSERT_FALSE(d.HasParseError());
    EXPECT_EQ(d["problems"].Size(), 0u);
    const auto& ns = d["files"][0]["namespaces"][0];
    EXPECT_STREQ(ns["namespace"].GetString(), "MedCo.patients");
    EXPECT_FALSE(ns["remote"].GetBool());
    const auto& explain = ns["explain"];
    ASSERT_EQ(explain.Size(), rows.size());
    for (rapidjson::SizeType i = 0; i < explain.Size(); ++i) {
        SCOPED_TRACE(rows[i].path);
        EXPECT_STREQ(explain[i]["path"].GetString(), rows[i].path);
        EXPECT_STREQ(explain[i]["algorithm"].GetString(), rows[i].algorithm);
        EXPECT_STREQ(explain[i]["keyId"].GetString(), rows[i].keyId);
        const auto& types = explain[i]["bsonTypes"];
        ASSERT_EQ(types.Size(), 1u);
        EXPECT_STREQ(types[0].GetString(),
                     std::string(rows[i].path) == "medicalRecords" ? "array" : "string");
        const auto& from = explain[i]["inheritedFrom"];
        bool inherited = *rows[i].inherited != 0;
        EXPECT_EQ(from["algorithm"].IsString(), inherited);
        EXPECT_EQ(from["keyId"].IsString(), inherited);
        if (inherited) {
            EXPECT_STREQ(from["keyId"].GetString(), "");  // the top level
        }
    }
}

constexpr const char* kDet = "AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic";
constexpr const char* kRandom = "AEAD_AES_256_CBC_HMAC_SHA_512-Random";

TEST(SeedSchemas, BothMedCoVariantsAreCleanAndExplainAsThePageSays) {
    CRYPTD_SKIP_WITHOUT_SHARED("seeds");
    auto schemas = seedSchemas("{ \"MedCo.patients\"");
    ASSERT_EQ(schemas.size(), 2u);
    const char* k1 = "bffb361b-30d3-42c0-b7a4-d24a272b72e3";
    const char* k2 = "f3821212-e697-4d65-b740-4a6791697c6d";
    expectExplain(schemas[0], {{"passportId", kDet, k1, ""},
                               {"bloodType", kDet, k1, ""},
                               {"medicalRecords", kRandom, k2, ""},
                               {"insurance.policyNumber", kDet, k1, ""},
                               {"insurance.provider", kDet, k1, ""}});
    const char* k = "6c512f5e-09bc-434f-b6db-c42eee30c6b1";
    expectExplain(schemas[1], {{"passportId", kDet, k, "top"},
                               {"bloodType", kDet, k, "top"},
                               {"medicalRecords", kRandom, k, ""},
                               {"insurance.policyNumber", kDet, k, "top"},
                               {"insurance.provider", kDet, k, "top"}});
}

TEST(SeedSchemas, TheHrExampleHasTheDocsAlgorithmTypo) {
    CRYPTD_SKIP_WITHOUT_SHARED("seeds");
    auto schemas = seedSchemas("{ \"hr.employees\"");
    ASSERT_EQ(schemas.size(), 1u);
    auto r = test::run({"-"}, schemas[0]);
    EXPECT_EQ(r.exit, 1);
    EXPECT_NE(r.out.find("<stdin>:1:"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("error [bad-algorithm] hr.employees: properties.taxid.encrypt.algorithm: "
                         "Enumeration value 'AEAD_AES_256_CBC_HMAC_SHA_512_Random'"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("did you mean \"AEAD_AES_256_CBC_HMAC_SHA_512-Random\"?"),
              std::string::npos);
}

}  // namespace
}  // namespace cryptd::check
