#include "app/config_file.h"

#include <gtest/gtest.h>

#include "app/options.h"

namespace cryptd::app {
namespace {

using Tokens = std::vector<std::string>;

TEST(ConfigFileTest, TurnsYamlIntoCommandLineTokens) {
    EXPECT_EQ(configTextTokens("net:\n  port: 27021\n  ipv6: true\n"),
              (Tokens{"--port=27021", "--ipv6"}));
    EXPECT_EQ(configTextTokens("net:\n  unixDomainSocket:\n    enabled: false\n"),
              (Tokens{"--nounixsocket"}));
    EXPECT_EQ(configTextTokens("net:\n  unixDomainSocket:\n    enabled: true\n"), Tokens{});
    EXPECT_EQ(configTextTokens("systemLog:\n  verbosity: 3\n  destination: file\n"),
              (Tokens{"--verbose=vvv"}));
    EXPECT_EQ(configTextTokens("setParameter:\n  logLevel: 1\n"),
              (Tokens{"--setParameter=logLevel=1"}));
}

TEST(ConfigFileTest, AcceptsDottedKeysAndAnEmptyFile) {
    EXPECT_EQ(configTextTokens("net.port: 5\n"), (Tokens{"--port=5"}));
    EXPECT_EQ(configTextTokens(""), Tokens{});
}

TEST(ConfigFileTest, RejectsWhatItCannotMap) {
    EXPECT_THROW(configTextTokens("- a\n- b\n"), OptionsError);
    EXPECT_THROW(configTextTokens("net:\n  ipv6: maybe\n"), OptionsError);
    EXPECT_THROW(configTextTokens("net:\n  port:\n"), OptionsError);
    EXPECT_THROW(configTextTokens("systemLog:\n  verbosity: 9\n"), OptionsError);
    EXPECT_THROW(configTextTokens("storage:\n  dbPath: /x\n"), OptionsError);
    EXPECT_THROW(configTextTokens("setParameter: 3\n"), OptionsError);
    EXPECT_THROW(configTextTokens("{unclosed"), OptionsError);
}

}  // namespace
}  // namespace cryptd::app
