// The PHP driver's own automatic encryption (Debian's php-mongodb, which bundles libmongoc and
// libmongocrypt), running php_auto_encryption.php: see driver_auto_encryption.h. Three runs: it
// spawns our mongocryptd, uses one we started, and loads the built mongo_crypt_v1.so
// (crypt_shared, its bundled libmongocrypt 1.5.2) with no mongocryptd on PATH.

#include <gtest/gtest.h>

#include "driver_auto_encryption.h"

namespace cryptd::e2e {
namespace {

DriverClient phpClient() {
    return {{CRYPTD_PHP, std::string(CRYPTD_SOURCE_DIR) + "/tests/e2e/php_auto_encryption.php"},
            {}};
}

class PhpDriver : public ::testing::Test {
  protected:
    void SetUp() override {
        if (std::string(CRYPTD_PHP).empty())
            GTEST_SKIP() << "php-cli or php-mongodb is missing (scripts/setup.sh --test)";
    }
};

TEST_F(PhpDriver, SpawnsOurMongocryptdFromPathAndEncrypts) {
    runAutoEncryptionScenario(phpClient(), SpawnMode::kSpawn);
}

TEST_F(PhpDriver, BypassSpawnUsesOurDaemonOverTcp) {
    runAutoEncryptionScenario(phpClient(), SpawnMode::kBypass);
}

TEST_F(PhpDriver, CryptSharedLibraryInProcessWithoutMongocryptd) {
    if (kCryptSharedIsSanitized) GTEST_SKIP() << kSanitizedCryptSharedSkip;
    runAutoEncryptionScenario(phpClient(), SpawnMode::kCryptShared);
}

}  // namespace
}  // namespace cryptd::e2e
