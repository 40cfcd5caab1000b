// The libmongocrypt built from ../shared/vendor is the one this binary runs: its version and the
// Queryable Encryption v2 entry points that Debian's 1.7.2 lacks. Guards the build wiring that the
// spec runner and the driver tests rely on (rpath, headers of the same build).
#include <gtest/gtest.h>
// mongocrypt.h has no extern "C" block of its own.
extern "C" {
#include <mongocrypt/mongocrypt.h>
}

#include <string>

TEST(VendoredLibmongocrypt, ReportsItsVersion) {
  EXPECT_EQ(std::string(mongocrypt_version(nullptr)), "1.20.2");
}

TEST(VendoredLibmongocrypt, IsNotDebiansBuild) {
  mongocrypt_t* crypt = mongocrypt_new();
  ASSERT_NE(crypt, nullptr);
  // Added in 1.8: a 1.7.2 header would not declare it, a 1.7.2 library would not resolve it.
  EXPECT_TRUE(mongocrypt_setopt_use_range_v2(crypt));
  mongocrypt_destroy(crypt);
}
