// libmongoc, a real driver, against the real daemon: handshake, admin commands, errors, over
// TCP and the unix socket, from several clients at once.

#include <mongoc/mongoc.h>

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/bson.h"
#include "server/wire_version.h"
#include "support/daemon_process.h"

namespace cryptd::test {
namespace {

class MongocEnvironment : public ::testing::Environment {
  public:
    void SetUp() override { mongoc_init(); }
    void TearDown() override { mongoc_cleanup(); }
};
const auto* const kEnvironment = ::testing::AddGlobalTestEnvironment(new MongocEnvironment);

struct ClientDeleter {
    void operator()(mongoc_client_t* c) const { mongoc_client_destroy(c); }
};
using Client = std::unique_ptr<mongoc_client_t, ClientDeleter>;

Client connect(const std::string& uri) {
    bson_error_t error;
    mongoc_uri_t* u = mongoc_uri_new_with_error(uri.c_str(), &error);
    EXPECT_NE(u, nullptr) << error.message;
    Client c(mongoc_client_new_from_uri(u));
    mongoc_uri_destroy(u);
    return c;
}

Client tcpClient(int port) {
    return connect("mongodb://127.0.0.1:" + std::to_string(port) +
                   "/?serverSelectionTimeoutMS=5000&appname=cryptd-integration");
}

struct Result {
    bool ok = false;
    bson::Doc reply;
    uint32_t code = 0;
    std::string message;
};

Result run(mongoc_client_t* client, const char* db, const char* commandJson) {
    bson::Doc command = bson::Doc::fromJson(commandJson);
    bson_t reply;
    bson_error_t error;
    Result r;
    r.ok = mongoc_client_command_simple(client, db, command.get(), nullptr, &reply, &error);
    r.reply = bson::Doc(bson_copy(&reply));
    bson_destroy(&reply);
    if (!r.ok) {
        r.code = error.code;
        r.message = error.message;
    }
    return r;
}

class MongocClientTest : public ::testing::Test {
  protected:
    void SetUp() override { ASSERT_TRUE(daemon_.waitUntilReady()) << daemon_.log(); }
    void TearDown() override { EXPECT_EQ(daemon_.stop(), 0) << daemon_.log(); }
    DaemonProcess daemon_;
};

TEST_F(MongocClientTest, HelloPingAndBuildInfoOverTcp) {
    Client c = tcpClient(daemon_.port());
    Result hello = run(c.get(), "admin", R"({"hello": 1})");
    ASSERT_TRUE(hello.ok) << hello.message;
    EXPECT_TRUE(hello.reply.view().find("iscryptd")->boolean());
    EXPECT_EQ(hello.reply.view().find("maxWireVersion")->type(), BSON_TYPE_INT32);
    EXPECT_EQ(hello.reply.view().find("maxWireVersion")->int32(), server::kMaxWireVersion);

    Result ping = run(c.get(), "admin", R"({"ping": 1})");
    ASSERT_TRUE(ping.ok) << ping.message;
    EXPECT_EQ(ping.reply.view().find("ok")->dbl(), 1.0);

    Result info = run(c.get(), "admin", R"({"buildInfo": 1})");
    ASSERT_TRUE(info.ok) << info.message;
    EXPECT_TRUE(info.reply.view().find("version")->isString());
    EXPECT_TRUE(info.reply.view().find("versionArray")->isArray());
}

TEST_F(MongocClientTest, TheDriverSeesAStandaloneServer) {
    Client c = tcpClient(daemon_.port());
    bson_error_t error;
    mongoc_server_description_t* sd = mongoc_client_select_server(c.get(), false, nullptr, &error);
    ASSERT_NE(sd, nullptr) << error.message;
    EXPECT_STREQ(mongoc_server_description_type(sd), "Standalone");
    EXPECT_EQ(mongoc_server_description_hello_response(sd) != nullptr, true);
    mongoc_server_description_destroy(sd);
}

TEST_F(MongocClientTest, AnUnknownCommandIsCommandNotFound) {
    Client c = tcpClient(daemon_.port());
    Result r = run(c.get(), "test", R"({"frobnicate": 1})");
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.code, 59u);
    EXPECT_EQ(r.message, "no such command: 'frobnicate'");
    EXPECT_EQ(r.reply.view().find("codeName")->utf8(), "CommandNotFound");
    // The connection is still good.
    EXPECT_TRUE(run(c.get(), "admin", R"({"ping": 1})").ok);
}

TEST_F(MongocClientTest, WorksOverTheUnixSocket) {
    ASSERT_FALSE(daemon_.socketPath().empty());
    char* escaped = nullptr;
    {
        // mongodb://%2Ftmp%2F...%2Fmongocryptd.sock
        std::string path = daemon_.socketPath();
        std::string enc;
        for (char ch : path) enc += ch == '/' ? std::string("%2F") : std::string(1, ch);
        escaped = bson_strdup(enc.c_str());
    }
    Client c = connect(std::string("mongodb://") + escaped + "/?serverSelectionTimeoutMS=5000");
    bson_free(escaped);
    Result hello = run(c.get(), "admin", R"({"isMaster": 1})");
    ASSERT_TRUE(hello.ok) << hello.message;
    EXPECT_TRUE(hello.reply.view().find("iscryptd")->boolean());
    Result missing = run(c.get(), "test", R"({"noSuchCommand": 1})");
    EXPECT_EQ(missing.code, 59u);
}

TEST_F(MongocClientTest, GetCmdLineOptsAndServerStatus) {
    Client c = tcpClient(daemon_.port());
    Result opts = run(c.get(), "admin", R"({"getCmdLineOpts": 1})");
    ASSERT_TRUE(opts.ok) << opts.message;
    auto parsed = opts.reply.view().find("parsed")->document();
    EXPECT_EQ(parsed.find("net")->document().find("port")->int32(), 0);
    EXPECT_TRUE(opts.reply.view().find("argv")->isArray());

    run(c.get(), "admin", R"({"ping": 1})");
    Result status = run(c.get(), "admin", R"({"serverStatus": 1})");
    ASSERT_TRUE(status.ok) << status.message;
    auto commands = status.reply.view().find("metrics")->document().find("commands")->document();
    EXPECT_GE(commands.find("ping")->document().find("total")->int64(), 1);
    EXPECT_GE(status.reply.view().find("connections")->document().find("current")->int32(), 1);
}

TEST_F(MongocClientTest, ManyClientsInParallel) {
    constexpr int kThreads = 8;
    constexpr int kCommands = 50;
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&] {
            Client c = tcpClient(daemon_.port());
            for (int i = 0; i < kCommands; ++i) {
                if (!run(c.get(), "admin", i % 2 ? R"({"ping": 1})" : R"({"hello": 1})").ok) {
                    ++failures;
                }
            }
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(failures.load(), 0);
    Client c = tcpClient(daemon_.port());
    Result status = run(c.get(), "admin", R"({"serverStatus": 1})");
    EXPECT_GE(status.reply.view().find("connections")->document().find("totalCreated")->int64(),
              kThreads);
}

}  // namespace
}  // namespace cryptd::test
