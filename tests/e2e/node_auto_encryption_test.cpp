// The Node.js driver's own automatic encryption: `mongodb` 7.9 with `mongodb-client-encryption`
// 7.2 compiled from source against libmongocrypt 1.20.2 (the e2e_node_fle_install fixture,
// node_fle_install.cmake), running node_auto_encryption.js: see driver_auto_encryption.h. On
// top of the common scenario it sends an updateOne and a countDocuments filtering on the
// encrypted field, and checks that they reach the server as mongocryptd rewrites them: every
// update statement with `multi` and `upsert`, the $group literals wrapped in $const. Three runs:
// it spawns our mongocryptd, uses one we started, and loads the built mongo_crypt_v1.so
// (cryptSharedLibPath, cryptSharedLibRequired) with no mongocryptd on PATH, where the same
// rewrites must come from the library.

#include <gtest/gtest.h>

#include <filesystem>

#include "driver_auto_encryption.h"

namespace cryptd::e2e {
namespace {

namespace fs = std::filesystem;

std::vector<uint8_t> bytesOf(const std::optional<bson::Element>& e) {
    if (!e || e->type() != BSON_TYPE_BINARY) return {};
    auto b = e->binary();
    return {b.data, b.data + b.len};
}

std::string canonical(const std::optional<bson::Element>& e) {
    if (!e || !e->isDocument()) return "<missing>";
    return bson::Doc::copyOf(e->document()).toCanonicalJson();
}

class NodeDriverAutoEncryption : public ::testing::Test {
  protected:
    void SetUp() override {
        if (std::string(CRYPTD_NODE_FLE_PREFIX).empty())
            GTEST_SKIP() << "../shared/vendor (libmongocrypt 1.20.2 sources) or node is missing";
        ASSERT_TRUE(fs::exists(fs::path(CRYPTD_NODE_FLE_PREFIX) / "installed.stamp"))
            << "the e2e_node_fle_install fixture did not install the driver into "
            << CRYPTD_NODE_FLE_PREFIX;
    }
    static DriverClient client() {
        return {
            {CRYPTD_NODE, std::string(CRYPTD_SOURCE_DIR) + "/tests/e2e/node_auto_encryption.js"},
            {"NODE_PATH=" + std::string(CRYPTD_NODE_FLE_PREFIX) + "/node_modules"}};
    }
    // The updateOne and the countDocuments as they reached the server.
    static void checkUpdateAndCount(const ScenarioResult& r) {
        auto updates = commandsOn(r, "update", "patients");
        ASSERT_EQ(updates.size(), 1u);
        auto stmt = at(updates[0]->view(), {"updates", "0"});
        ASSERT_TRUE(stmt && stmt->isDocument()) << updates[0]->toJson();
        bson::View s = stmt->document();
        auto q = at(s, {"q"});
        auto ssn = equalityValue(q ? q->document() : bson::View(), "ssn");
        EXPECT_TRUE(isFle1Ciphertext(ssn, 1, r.keyId, 0x02)) << updates[0]->toJson();
        EXPECT_EQ(bytesOf(ssn), r.storedSsn) << "the update's query finds the stored ciphertext";
        EXPECT_TRUE(isFle1Ciphertext(at(s, {"u", "$set", "notes"}), 2, r.keyId, 0x02))
            << updates[0]->toJson();
        // mongocryptd writes both flags into every update statement it returns.
        auto multi = s.find("multi");
        auto upsert = s.find("upsert");
        EXPECT_TRUE(multi && multi->isBool() && !multi->boolean())
            << "the statement must carry multi: false: " << updates[0]->toJson();
        EXPECT_TRUE(upsert && upsert->isBool() && !upsert->boolean())
            << "the statement must carry upsert: false: " << updates[0]->toJson();

        auto aggregates = commandsOn(r, "aggregate", "patients");
        ASSERT_EQ(aggregates.size(), 1u);
        bson::View agg = aggregates[0]->view();
        auto match = at(agg, {"pipeline", "0", "$match"});
        auto matched = equalityValue(match ? match->document() : bson::View(), "ssn");
        EXPECT_TRUE(isFle1Ciphertext(matched, 1, r.keyId, 0x02)) << aggregates[0]->toJson();
        EXPECT_EQ(bytesOf(matched), r.storedSsn)
            << "the count's $match finds the stored ciphertext";
        // countDocuments' {$group: {_id: 1, n: {$sum: 1}}}, with its literals as mongocryptd
        // returns them.
        EXPECT_EQ(canonical(at(agg, {"pipeline", "1", "$group"})),
                  bson::Doc::fromJson(R"({"_id": {"$const": 1}, "n": {"$sum": {"$const": 1}}})")
                      .toCanonicalJson())
            << aggregates[0]->toJson();
    }
};

TEST_F(NodeDriverAutoEncryption, SpawnsOurMongocryptdFromPathAndEncrypts) {
    auto r = runAutoEncryptionScenario(client(), SpawnMode::kSpawn);
    if (r) checkUpdateAndCount(*r);
}

TEST_F(NodeDriverAutoEncryption, BypassSpawnUsesOurDaemonOverTcp) {
    auto r = runAutoEncryptionScenario(client(), SpawnMode::kBypass);
    if (r) checkUpdateAndCount(*r);
}

TEST_F(NodeDriverAutoEncryption, CryptSharedLibraryInProcessWithoutMongocryptd) {
    if (kCryptSharedIsSanitized) GTEST_SKIP() << kSanitizedCryptSharedSkip;
    auto r = runAutoEncryptionScenario(client(), SpawnMode::kCryptShared);
    if (r) {
        checkUpdateAndCount(*r);
        EXPECT_NE(r->output.find("ok: the driver loaded cryptd's crypt_shared library"),
                  std::string::npos)
            << r->output;
    }
}

}  // namespace
}  // namespace cryptd::e2e
