// Process lifecycle of the real binary: pid file and lock, exit codes, idle shutdown, signals,
// shutdown command, options, --fork.

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "raw_socket.h"
#include "support/daemon_process.h"
#include "support/wire_builder.h"

namespace cryptd::test {
namespace {

using namespace std::chrono_literals;

bson::Doc json(const char* text) {
    return bson::Doc::fromJson(text);
}

std::string readFile(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

DaemonProcess::Options bare(std::vector<std::string> args, std::string dir = {}) {
    DaemonProcess::Options o;
    o.standardArgs = false;
    o.args = std::move(args);
    o.dir = std::move(dir);
    return o;
}

// Gone, or a zombie nobody reaped yet (the forked daemon's parent exited; in a container
// pid 1 may not reap).
bool processGone(pid_t pid) {
    if (::kill(pid, 0) != 0) return true;
    std::string stat = readFile("/proc/" + std::to_string(pid) + "/stat");
    size_t paren = stat.rfind(')');
    return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] == 'Z';
}

bool helloWorks(int port) {
    RawSocket s = RawSocket::tcp(port);
    if (!s.send(wire::opMsg(1, json(R"({"hello": 1, "$db": "admin"})")))) return false;
    auto reply = s.receive();
    return reply && wire::replyBody(*reply).view().find("iscryptd").has_value();
}

TEST(LifecycleTest, PidFileNamesPortSocketAndPidAndIsEmptiedOnSigterm) {
    DaemonProcess d;
    ASSERT_TRUE(d.waitUntilReady()) << d.log();
    auto pid = bson::Doc::fromJson(readFile(d.pidFilePath()));
    EXPECT_EQ(pid.view().find("port")->asInt64(), d.port());
    EXPECT_EQ(pid.view().find("pid")->asInt64(), d.pid());
    EXPECT_EQ(pid.view().find("domainSocket")->utf8(), d.dir() + "/mongocryptd.sock");
    EXPECT_EQ(d.socketPath(), d.dir() + "/mongocryptd.sock");
    EXPECT_TRUE(std::filesystem::exists(d.socketPath()));
    auto listening = d.waitForLog(23015);
    ASSERT_TRUE(listening);
    EXPECT_NE(listening->find(R"("ctx":"listener")"), std::string::npos);

    EXPECT_EQ(d.stop(), 0) << d.log();
    EXPECT_EQ(readFile(d.pidFilePath()), "");
    EXPECT_FALSE(std::filesystem::exists(d.dir() + "/mongocryptd.sock"));
    EXPECT_TRUE(d.waitForLog(23138).has_value());
}

TEST(LifecycleTest, ASecondDaemonOnTheSamePidFileExits48AtOnce) {
    DaemonProcess first;
    ASSERT_TRUE(first.waitUntilReady()) << first.log();
    std::string before = readFile(first.pidFilePath());
    auto start = std::chrono::steady_clock::now();
    DaemonProcess second(
        bare({"--port", "0", "--nounixsocket", "--pidfilepath", first.pidFilePath()}));
    EXPECT_EQ(second.waitForExit(5s), 48) << second.log();
    EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
    EXPECT_NE(second.stderrText().find("already running"), std::string::npos) << second.log();
    EXPECT_EQ(readFile(first.pidFilePath()), before);  // untouched
    EXPECT_TRUE(helloWorks(first.port()));
    EXPECT_EQ(first.stop(), 0);
}

TEST(LifecycleTest, APortInUseExits48WithLogId20568) {
    DaemonProcess first;
    ASSERT_TRUE(first.waitUntilReady()) << first.log();
    DaemonProcess second(bare({"--port", std::to_string(first.port()), "--nounixsocket",
                               "--pidfilepath", first.dir() + "/other.pid"}));
    EXPECT_EQ(second.waitForExit(5s), 48) << second.log();
    auto line = second.waitForLog(20568, 1s);
    ASSERT_TRUE(line) << second.log();
    EXPECT_NE(line->find("SocketException"), std::string::npos);
    EXPECT_EQ(first.stop(), 0);
}

TEST(LifecycleTest, ALiveUnixSocketIsNotStolenButAStaleOneIsReplaced) {
    DaemonProcess first;
    ASSERT_TRUE(first.waitUntilReady()) << first.log();
    DaemonProcess second(bare({"--port", "0", "--unixSocketPrefix", first.dir(), "--pidfilepath",
                               first.dir() + "/other.pid"}));
    EXPECT_EQ(second.waitForExit(5s), 48) << second.log();
    EXPECT_EQ(first.stop(), 0);

    // A socket file nobody listens on, as a killed daemon leaves behind.
    std::string stale = first.dir() + "/mongocryptd.sock";
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, stale.c_str(), sizeof addr.sun_path - 1);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ::close(fd);
    ASSERT_TRUE(std::filesystem::exists(stale));
    DaemonProcess third(bare({"--port", "0", "--unixSocketPrefix", first.dir(), "--pidfilepath",
                              first.dir() + "/third.pid"}));
    ASSERT_TRUE(third.waitUntilReady()) << third.log();
    RawSocket s = RawSocket::unixSocket(stale);
    EXPECT_TRUE(s.send(wire::opMsg(1, json(R"({"ping": 1, "$db": "admin"})"))));
    EXPECT_TRUE(s.receive().has_value());
    EXPECT_EQ(third.stop(), 0);
}

TEST(LifecycleTest, IdleShutdownExits12AfterTheTimeout) {
    auto start = std::chrono::steady_clock::now();
    DaemonProcess d({"--idleShutdownTimeoutSecs=1"});
    ASSERT_TRUE(d.waitUntilReady()) << d.log();
    EXPECT_EQ(d.waitForExit(6s), 12) << d.log();
    EXPECT_GE(std::chrono::steady_clock::now() - start, 1s);
    EXPECT_TRUE(d.waitForLog(9100004, 0s).has_value()) << d.log();
    EXPECT_EQ(readFile(d.pidFilePath()), "");
    EXPECT_FALSE(std::filesystem::exists(d.dir() + "/mongocryptd.sock"));
}

TEST(LifecycleTest, AnOpenConnectionKeepsAnIdleDaemonAlive) {
    DaemonProcess d({"--idleShutdownTimeoutSecs", "1"});
    ASSERT_TRUE(d.waitUntilReady()) << d.log();
    {
        RawSocket s = RawSocket::tcp(d.port());
        ASSERT_TRUE(s.send(wire::opMsg(1, json(R"({"hello": 1, "$db": "admin"})"))));
        ASSERT_TRUE(s.receive());
        std::this_thread::sleep_for(1500ms);
        EXPECT_TRUE(d.running());
    }
    EXPECT_EQ(d.waitForExit(6s), 12) << d.log();
}

TEST(LifecycleTest, TheShutdownCommandExitsCleanly) {
    DaemonProcess d;
    ASSERT_TRUE(d.waitUntilReady()) << d.log();
    RawSocket s = RawSocket::tcp(d.port());
    ASSERT_TRUE(s.send(wire::opMsg(1, json(R"({"shutdown": 1, "$db": "admin"})"))));
    auto reply = s.receive();
    ASSERT_TRUE(reply);  // the in-flight reply is written before the daemon goes
    EXPECT_EQ(wire::replyBody(*reply).view().find("ok")->dbl(), 1.0);
    EXPECT_EQ(d.waitForExit(5s), 0) << d.log();
    EXPECT_FALSE(std::filesystem::exists(d.dir() + "/mongocryptd.sock"));
}

TEST(LifecycleTest, SigintExitsCleanlyToo) {
    DaemonProcess d;
    ASSERT_TRUE(d.waitUntilReady()) << d.log();
    d.signal(SIGINT);
    EXPECT_EQ(d.waitForExit(5s), 0) << d.log();
}

TEST(LifecycleTest, BadOptionsExit2WithAMessage) {
    for (std::vector<std::string> args : {std::vector<std::string>{"--frobnicate"},
                                          {"--setParameter", "noSuchParameter=1"},
                                          {"--port", "65536"}}) {
        DaemonProcess d(bare(args));
        EXPECT_EQ(d.waitForExit(5s), 2) << d.log();
        EXPECT_NE(d.stderrText().find("try '"), std::string::npos) << d.log();
    }
}

TEST(LifecycleTest, VersionAndHelpExit0) {
    DaemonProcess version(bare({"--version"}));
    EXPECT_EQ(version.waitForExit(5s), 0);
    EXPECT_NE(version.log().find("version v"), std::string::npos) << version.log();
    DaemonProcess help(bare({"--help"}));
    EXPECT_EQ(help.waitForExit(5s), 0);
    EXPECT_NE(help.log().find("--idleShutdownTimeoutSecs"), std::string::npos) << help.log();
}

TEST(LifecycleTest, DriverSpawnArgumentsAreAccepted) {
    // pymongo/C/Go append --idleShutdownTimeoutSecs=60; node the two-argument form; test
    // harnesses add --setParameter enableTestCommands=1 and -vvv; some pass --bind_ip.
    DaemonProcess d({"--idleShutdownTimeoutSecs", "60", "--setParameter", "enableTestCommands=1",
                     "-vvv", "--bind_ip", "127.0.0.1"});
    ASSERT_TRUE(d.waitUntilReady()) << d.log();
    EXPECT_TRUE(d.waitForLog(9100010, 0s).has_value()) << d.log();  // --bind_ip has no effect
    EXPECT_TRUE(helloWorks(d.port()));
    // -v and up: one line per command, naming it but never quoting its values.
    auto command = d.waitForLog(9100005);
    ASSERT_TRUE(command) << d.log();
    EXPECT_NE(command->find(R"("s":"D1")"), std::string::npos) << *command;
    EXPECT_NE(command->find(R"("command":"hello","db":"admin")"), std::string::npos) << *command;
    EXPECT_EQ(d.stop(), 0);
}

TEST(LifecycleTest, AConfigFileIsRead) {
    std::string dir =
        std::filesystem::temp_directory_path() / ("cryptd-cfg-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    std::ofstream(dir + "/c.yaml") << "net:\n  port: 0\n  unixDomainSocket:\n    enabled: false\n"
                                      "processManagement:\n  pidFilePath: " +
                                          dir + "/p.pid\n";
    {
        DaemonProcess d(bare({"--config", dir + "/c.yaml"}, dir));
        ASSERT_TRUE(d.waitUntilReady()) << d.log();
        EXPECT_TRUE(d.socketPath().empty());
        auto options = d.waitForLog(21951, 0s);
        ASSERT_TRUE(options);
        EXPECT_NE(options->find(R"("unixDomainSocket":{"enabled":false})"), std::string::npos);
        EXPECT_TRUE(helloWorks(d.port()));
        EXPECT_EQ(d.stop(), 0);
    }
    std::filesystem::remove_all(dir);
}

TEST(LifecycleTest, QuietDropsConnectionLinesAndMaxConnsRefusesExtras) {
    DaemonProcess d({"--quiet", "--maxConns", "1"});
    ASSERT_TRUE(d.waitUntilReady()) << d.log();
    RawSocket first = RawSocket::tcp(d.port());
    ASSERT_TRUE(first.send(wire::opMsg(1, json(R"({"hello": 1, "$db": "admin"})"))));
    ASSERT_TRUE(first.receive());
    RawSocket second = RawSocket::tcp(d.port());
    EXPECT_TRUE(second.closedByPeer());
    EXPECT_TRUE(d.waitForLog(22942).has_value()) << d.log();
    EXPECT_EQ(d.stop(), 0);
    EXPECT_FALSE(d.waitForLog(22943, 0s).has_value()) << d.log();
}

TEST(LifecycleTest, EveryIoThreadCountServesTcpAndSocketClientsAndStopsCleanly) {
    // Connections are spread round robin over the I/O threads: with 1 every one is on the main
    // thread, with 3 they land on each; all must be served, held open across a shutdown request
    // that others make, and closed by it.
    for (const char* threads : {"1", "3"}) {
        DaemonProcess d({"--ioThreads", threads});
        ASSERT_TRUE(d.waitUntilReady()) << d.log();
        std::vector<RawSocket> open;
        for (int i = 0; i < 12; ++i) {
            open.push_back(i % 2 ? RawSocket::unixSocket(d.socketPath())
                                 : RawSocket::tcp(d.port()));
            ASSERT_TRUE(
                open.back().send(wire::opMsg(i + 1, json(R"({"ping": 1, "$db": "admin"})"))));
        }
        for (auto& s : open) {
            auto reply = s.receive();
            ASSERT_TRUE(reply) << "--ioThreads " << threads << "\n" << d.log();
            EXPECT_TRUE(wire::replyBody(*reply).view().find("ok")->truthy());
        }
        RawSocket admin = RawSocket::tcp(d.port());
        ASSERT_TRUE(admin.send(wire::opMsg(99, json(R"({"shutdown": 1, "$db": "admin"})"))));
        for (auto& s : open) EXPECT_TRUE(s.closedByPeer()) << "--ioThreads " << threads;
        EXPECT_EQ(d.waitForExit(), 0) << d.log();
    }
}

// True when this machine can listen on ::1 (some containers have no IPv6 loopback).
bool ipv6LoopbackWorks() {
    int fd = ::socket(AF_INET6, SOCK_STREAM, 0);
    if (fd < 0) return false;
    sockaddr_in6 addr{};
    addr.sin6_family = AF_INET6;
    addr.sin6_addr = in6addr_loopback;
    bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
}

TEST(LifecycleTest, Ipv6AlsoListensOnTheIpv6LoopbackOnTheSamePort) {
    if (!ipv6LoopbackWorks()) GTEST_SKIP() << "no IPv6 loopback here";
    DaemonProcess d({"--ipv6"});
    ASSERT_TRUE(d.waitUntilReady()) << d.log();
    bool listed = false;
    for (const auto& line : d.logLines()) {
        listed = listed || line.find(R"("address":"::1")") != std::string::npos;
    }
    EXPECT_TRUE(listed) << d.log();
    int fd = ::socket(AF_INET6, SOCK_STREAM, 0);
    sockaddr_in6 addr{};
    addr.sin6_family = AF_INET6;
    addr.sin6_addr = in6addr_loopback;
    addr.sin6_port = htons(static_cast<uint16_t>(d.port()));
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ::close(fd);
    EXPECT_EQ(d.stop(), 0) << d.log();
}

TEST(LifecycleTest, ForkReturnsOnceTheChildListens) {
    std::string dir =
        std::filesystem::temp_directory_path() / ("cryptd-fork-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    DaemonProcess parent(bare({"--fork", "--logpath", dir + "/log", "--port", "0",
                               "--unixSocketPrefix", dir, "--pidfilepath", dir + "/p.pid"},
                              dir));
    EXPECT_EQ(parent.waitForExit(10s), 0) << parent.log();
    auto pidDoc = bson::Doc::fromJson(readFile(dir + "/p.pid"));
    auto child = static_cast<pid_t>(pidDoc.view().find("pid")->asInt64());
    ASSERT_NE(child, parent.pid());
    EXPECT_TRUE(helloWorks(static_cast<int>(pidDoc.view().find("port")->asInt64())));
    ASSERT_EQ(::kill(child, SIGTERM), 0);
    for (int i = 0; i < 500 && !processGone(child); ++i) std::this_thread::sleep_for(10ms);
    EXPECT_TRUE(processGone(child)) << "forked daemon still running";
    EXPECT_EQ(readFile(dir + "/p.pid"), "");
    EXPECT_NE(readFile(dir + "/log").find(R"("id":23016)"), std::string::npos);
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace cryptd::test
