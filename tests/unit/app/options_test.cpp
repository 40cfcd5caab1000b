#include "app/options.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace cryptd::app {
namespace {

AppOptions parse(std::vector<std::string> args) {
    args.insert(args.begin(), "mongocryptd");
    std::vector<const char*> argv;
    for (const auto& a : args) argv.push_back(a.c_str());
    return parseOptions(static_cast<int>(argv.size()), argv.data());
}

void expectBad(std::vector<std::string> args, const std::string& fragment) {
    try {
        parse(args);
        FAIL() << "expected OptionsError containing '" << fragment << "'";
    } catch (const OptionsError& e) {
        EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
}

std::string parsedJson(const AppOptions& o) {
    return o.parsed.view().toCanonicalJson();
}

std::string canonical(const char* json) {
    return bson::Doc::fromJson(json).view().toCanonicalJson();
}

TEST(OptionsTest, DefaultsMatchMongocryptd) {
    AppOptions o = parse({});
    EXPECT_EQ(o.server.port, 27020);
    EXPECT_TRUE(o.server.unixSocket);
    EXPECT_EQ(o.server.unixSocketPrefix, "/tmp");
    EXPECT_EQ(o.server.filePermissions, 0700u);
    EXPECT_EQ(o.server.idleShutdownTimeout.count(), 0);
    EXPECT_FALSE(o.server.ipv6);
    EXPECT_EQ(o.pidFilePath, (std::filesystem::current_path() / "mongocryptd.pid").string());
    EXPECT_TRUE(o.logPath.empty());
    EXPECT_EQ(o.verbosity, 0);
    EXPECT_EQ(parsedJson(o), canonical("{}"));
}

TEST(OptionsTest, AcceptsBothIdleTimeoutForms) {
    EXPECT_EQ(parse({"--idleShutdownTimeoutSecs=60"}).server.idleShutdownTimeout.count(), 60);
    EXPECT_EQ(parse({"--idleShutdownTimeoutSecs", "60"}).server.idleShutdownTimeout.count(), 60);
    expectBad({"--idleShutdownTimeoutSecs=-1"}, "idleShutdownTimeoutSecs");
    expectBad({"--idleShutdownTimeoutSecs"}, "idleShutdownTimeoutSecs");
}

TEST(OptionsTest, ReadsNetworkOptions) {
    AppOptions o = parse({"--port", "0", "--unixSocketPrefix", "/var/run/x", "--ipv6",
                          "--filePermissions", "0755", "--maxConns", "10"});
    EXPECT_EQ(o.server.port, 0);
    EXPECT_EQ(o.server.unixSocketPrefix, "/var/run/x");
    EXPECT_TRUE(o.server.ipv6);
    EXPECT_EQ(o.server.filePermissions, 0755u);
    EXPECT_EQ(o.server.maxConns, 10);
    EXPECT_EQ(o.server.ioThreads, 0);  // the server picks: one per CPU, at most 4
    EXPECT_EQ(parse({"--ioThreads", "3"}).server.ioThreads, 3);
    EXPECT_FALSE(parse({"--nounixsocket"}).server.unixSocket);
    EXPECT_EQ(parsedJson(parse({"--port=0", "--nounixsocket"})),
              canonical(R"({"net": {"port": 0, "unixDomainSocket": {"enabled": false}}})"));
}

TEST(OptionsTest, RejectsBadValuesWithExitCodeTwoMessages) {
    expectBad({"--port", "70000"}, "--port must be between 0 and 65535");
    expectBad({"--port", "abc"}, "port");
    expectBad({"--frobnicate"}, "frobnicate");
    expectBad({"extra"}, "positional");
    expectBad({"--filePermissions", "999"}, "filePermissions");
    expectBad({"--maxConns", "0"}, "maxConns");
    expectBad({"--ioThreads", "0"}, "ioThreads");
    expectBad({"--fork"}, "--logpath");
    expectBad({"--syslog"}, "not supported");
    expectBad({"--po", "1"}, "po");  // no abbreviations
}

TEST(OptionsTest, CountsVerbosityLikeMongod) {
    EXPECT_EQ(parse({"-v"}).verbosity, 1);
    EXPECT_EQ(parse({"-vvv"}).verbosity, 3);
    EXPECT_EQ(parse({"--verbose"}).verbosity, 1);
    EXPECT_EQ(parse({"--verbose=vv"}).verbosity, 2);
    EXPECT_EQ(parse({"--quiet"}).quiet, true);
    EXPECT_EQ(parsedJson(parse({"-vv"})), canonical(R"({"systemLog": {"verbosity": 2}})"));
}

TEST(OptionsTest, SetParameterKnowsItsNamesAndRefusesOthers) {
    AppOptions o =
        parse({"--setParameter", "enableTestCommands=1", "--setParameter", "logLevel=2"});
    EXPECT_TRUE(o.enableTestCommands);
    EXPECT_EQ(o.verbosity, 2);
    EXPECT_EQ(parsedJson(o),
              canonical(R"({"setParameter": {"enableTestCommands": "1", "logLevel": "2"}})"));
    expectBad({"--setParameter", "noSuchParameter=1"}, "noSuchParameter");
    expectBad({"--setParameter", "logLevel=9"}, "logLevel");
    expectBad({"--setParameter", "enableTestCommands"}, "name=value");
}

TEST(OptionsTest, BindIpIsAcceptedButIgnoredLikeTheRealOne) {
    AppOptions o = parse({"--bind_ip", "0.0.0.0", "--bind_ip_all"});
    EXPECT_EQ(o.ignored, (std::vector<std::string>{"--bind_ip", "--bind_ip_all"}));
    EXPECT_EQ(o.server.port, 27020);
}

TEST(OptionsTest, PathsBecomeAbsolute) {
    AppOptions o = parse({"--pidfilepath", "x/p.pid", "--logpath", "l.log", "--logappend"});
    EXPECT_EQ(o.pidFilePath, (std::filesystem::current_path() / "x/p.pid").string());
    EXPECT_EQ(o.logPath, (std::filesystem::current_path() / "l.log").string());
    EXPECT_TRUE(o.logAppend);
}

class ConfigFileOptionsTest : public ::testing::Test {
  protected:
    void SetUp() override {
        path_ = (std::filesystem::temp_directory_path() /
                 ("cryptd-options-" + std::to_string(getpid()) + ".yaml"))
                    .string();
    }
    void TearDown() override { std::filesystem::remove(path_); }
    void write(const std::string& text) { std::ofstream(path_) << text; }
    std::string path_;
};

TEST_F(ConfigFileOptionsTest, ReadsMongodKeysAndTheCommandLineWins) {
    write(R"(net:
  port: 27021
  unixDomainSocket:
    enabled: false
processManagement:
  idleShutdownTimeoutSecs: 5
systemLog:
  verbosity: 2
  quiet: true
setParameter:
  enableTestCommands: 1
)");
    AppOptions o = parse({"--config", path_});
    EXPECT_EQ(o.server.port, 27021);
    EXPECT_FALSE(o.server.unixSocket);
    EXPECT_EQ(o.server.idleShutdownTimeout.count(), 5);
    EXPECT_EQ(o.verbosity, 2);
    EXPECT_TRUE(o.quiet);
    EXPECT_TRUE(o.enableTestCommands);
    EXPECT_EQ(parse({"-f", path_, "--port", "27022"}).server.port, 27022);
}

TEST_F(ConfigFileOptionsTest, RefusesUnknownKeysAndBadFiles) {
    write("net:\n  port: 1\n  frobnicate: 2\n");
    expectBad({"--config", path_}, "net.frobnicate");
    write("net:\n\tport: 1\n");
    expectBad({"--config", path_}, "config file");
    write("systemLog:\n  destination: syslog\n");
    expectBad({"--config", path_}, "syslog");
    write("net:\n  port: [1, 2]\n");
    expectBad({"--config", path_}, "net.port");
    expectBad({"--config", path_ + ".missing"}, "cannot read");
}

}  // namespace
}  // namespace cryptd::app
