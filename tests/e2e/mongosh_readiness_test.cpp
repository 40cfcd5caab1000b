// mongosh-style readiness (mongodb-js/mongosh packages/cli-repl/src/mongocryptd-manager.ts, as
// described in ../shared/reference/ecosystem.md §3.4): spawn a private daemon with
//   --idleShutdownTimeoutSecs 60 --pidfilepath DIR/mongocryptd.pid --port 0 --unixSocketPrefix DIR
// read its stdout log line by line, keep only c == "NETWORK" && ctx == "listener" entries, take
// the socket from id 23015 "Listening on" (an address that is not an IP) and the port from id
// 23016 "Waiting for connections", then connect with the URI mongosh builds and keep it alive with
// isMaster. The log is parsed here independently (RapidJSON), not with DaemonProcess's reader.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/bson.h"
#include "support/daemon_process.h"
#include "wire_client.h"

namespace cryptd::e2e {
namespace {

namespace fs = std::filesystem;

struct Listener {
    std::string socket;
    int port = 0;
};

bool isIp(const std::string& s) {
    in_addr v4;
    in6_addr v6;
    return inet_pton(AF_INET, s.c_str(), &v4) == 1 || inet_pton(AF_INET6, s.c_str(), &v6) == 1;
}

// mongosh's reading of one logv2 line.
void readLogLine(const std::string& line, Listener& out) {
    rapidjson::Document d;
    if (d.Parse(line.c_str()).HasParseError() || !d.IsObject()) return;
    auto str = [&](const char* k) -> std::string {
        return d.HasMember(k) && d[k].IsString() ? d[k].GetString() : "";
    };
    if (str("c") != "NETWORK" || str("ctx") != "listener") return;
    if (!d.HasMember("id") || !d["id"].IsInt() || !d.HasMember("attr") || !d["attr"].IsObject())
        return;
    const auto& attr = d["attr"];
    if (d["id"].GetInt() == 23015 && attr.HasMember("address") && attr["address"].IsString()) {
        std::string addr = attr["address"].GetString();
        if (!isIp(addr)) out.socket = addr;
    }
    if (d["id"].GetInt() == 23016 && attr.HasMember("port") && attr["port"].IsInt())
        out.port = attr["port"].GetInt();
}

std::string encodeURIComponent(const std::string& s) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) ||
            std::string_view("-_.!~*'()").find(static_cast<char>(c)) != std::string_view::npos) {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

std::string readFile(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

TEST(MongoshReadiness, PortAndSocketFromLogIds23015And23016) {
    std::string dir = (fs::temp_directory_path() / "mongocryptd-mongosh-XXXXXX").string();
    ASSERT_TRUE(mkdtemp(dir.data()));
    ::chmod(dir.c_str(), 0700);
    std::string pidFile = dir + "/mongocryptd.pid";
    test::DaemonProcess::Options opts;
    opts.standardArgs = false;
    opts.dir = dir;
    opts.args = {"--idleShutdownTimeoutSecs", "60", "--pidfilepath", pidFile, "--port", "0",
                 "--unixSocketPrefix",        dir};
    auto daemon = std::make_unique<test::DaemonProcess>(opts);

    // Follow stdout as mongosh does until both the socket and the port are known.
    Listener found;
    size_t seen = 0;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while ((found.socket.empty() || found.port == 0) &&
           std::chrono::steady_clock::now() < deadline) {
        auto lines = daemon->logLines();
        for (; seen < lines.size(); ++seen) readLogLine(lines[seen], found);
        if (!daemon->running()) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ASSERT_NE(found.port, 0) << "no id 23016 with attr.port from NETWORK/listener:\n"
                             << daemon->log();
    ASSERT_FALSE(found.socket.empty()) << "no id 23015 socket address:\n" << daemon->log();
    EXPECT_EQ(found.socket, dir + "/mongocryptd.sock");

    // Connect right away, with the URIs mongosh builds (socket on Unix, port elsewhere).
    spec::ensureMongocInitialized();
    for (const std::string& uri :
         {"mongodb://" + encodeURIComponent(found.socket) + "/?serverSelectionTimeoutMS=2000",
          "mongodb://localhost:" + std::to_string(found.port) +
              "/?serverSelectionTimeoutMS=2000"}) {
        SCOPED_TRACE(uri);
        spec::WireClient client(uri);
        for (int keepAlive = 0; keepAlive < 3; ++keepAlive) {  // mongosh's periodic isMaster
            auto reply = client.run("admin", bson::Doc::fromJson(R"({"isMaster": 1})").view());
            auto iscryptd = reply.view().find("iscryptd");
            ASSERT_TRUE(iscryptd && iscryptd->isBool() && iscryptd->boolean()) << reply.toJson();
        }
    }

    // The pidfile names this process and the port it listens on.
    auto pidJson = readFile(pidFile);
    ASSERT_FALSE(pidJson.empty()) << "pidfile " << pidFile << " is empty while running";
    auto pidDoc = bson::Doc::fromJson(pidJson);
    auto pid = pidDoc.view().find("pid");
    auto port = pidDoc.view().find("port");
    ASSERT_TRUE(pid && pid->isNumber() && port && port->isNumber()) << pidJson;
    EXPECT_EQ(pid->asInt64(), daemon->pid());
    EXPECT_EQ(port->asInt64(), found.port);

    // A clean stop leaves an empty pidfile: mongosh reads that as "terminated".
    EXPECT_EQ(daemon->stop(), 0) << daemon->log();
    EXPECT_TRUE(fs::exists(pidFile));
    EXPECT_EQ(readFile(pidFile), "") << "pidfile not emptied on clean exit";
    daemon.reset();
    fs::remove_all(dir);
}

}  // namespace
}  // namespace cryptd::e2e
