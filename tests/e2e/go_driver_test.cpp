// The Go driver's own automatic encryption (Debian's go.mongodb.org/mongo-driver 1.8, cgo with
// libmongocrypt, built with -tags cse into <build>/e2e-go): see driver_auto_encryption.h.

#include <gtest/gtest.h>

#include "driver_auto_encryption.h"

namespace cryptd::e2e {
namespace {

DriverClient goClient() {
    return {{CRYPTD_GO_CLIENT}, {}};
}

class GoDriver : public ::testing::Test {
  protected:
    void SetUp() override {
        if (std::string(CRYPTD_GO_CLIENT).empty())
            GTEST_SKIP()
                << "go or golang-mongodb-mongo-driver-dev is missing (scripts/setup.sh --test)";
    }
};

TEST_F(GoDriver, SpawnsOurMongocryptdFromPathAndEncrypts) {
    runAutoEncryptionScenario(goClient(), SpawnMode::kSpawn);
}

TEST_F(GoDriver, BypassSpawnUsesOurDaemonOverTcp) {
    runAutoEncryptionScenario(goClient(), SpawnMode::kBypass);
}

}  // namespace
}  // namespace cryptd::e2e
