#pragma once
// Shared pieces of the hostile-input tests: a daemon per test, raw BSON builders that can lie
// about lengths, and the checks every case ends with (the connection's fate, then a fresh
// `hello` on a new connection).

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hostile/hostile_client.h"
#include "support/daemon_process.h"
#include "support/wire_builder.h"

namespace cryptd::test::hostile {

using Bytes = std::vector<uint8_t>;

// A deterministic-encryption schema {ssn: string} with a fixed key, for commands that must carry
// markings.
bson::Doc ssnSchema();
// The same, as the JSON text inside a command.
std::string ssnSchemaJson();

// Raw BSON pieces, so tests can write documents libbson would refuse to build.
namespace raw {
Bytes doc(const Bytes& elements);  // int32 length + elements + 0
Bytes int32Field(const std::string& key, int32_t v);
Bytes stringField(const std::string& key, const std::string& v);
Bytes docField(const std::string& key, const Bytes& document, uint8_t type = 0x03);
Bytes concat(std::initializer_list<Bytes> parts);
// Wraps document bytes as the only body of an OP_MSG (no validation of the bytes).
Bytes opMsgBody(const Bytes& body, int32_t requestId = 1);
// `depth` documents nested in one another under key "a" (a flat document has depth 1).
Bytes nested(int depth);
}  // namespace raw

// What became of a connection after a request.
struct Fate {
    std::optional<bson::Doc> reply;  // the first reply, when one came
    bool closed = false;             // the daemon closed the connection
    std::string describe() const;
};
Fate observe(Client& c, const Bytes& request, milliseconds timeout = milliseconds(10000));

// True when `reply` is {ok: 0, ...} with a code and an errmsg.
bool isErrorReply(const bson::Doc& reply);
bool isOkReply(const bson::Doc& reply);
// Every UTF-8 value of `doc` (recursively) that equals `secret` outside a subtype-6 marking:
// plaintext where a marking was due. Returns the dotted paths where it was found.
std::vector<std::string> plaintextPaths(bson::View doc, const std::string& secret);

class HostileDaemonTest : public ::testing::Test {
  protected:
    void SetUp() override;
    void TearDown() override;
    int port() const { return daemon_->port(); }
    Client connect() { return Client::tcp(port()); }
    // The check every case ends with.
    void expectStillServing();
    Fate send(const Bytes& request, milliseconds timeout = milliseconds(10000));
    // A command as an OP_MSG body (JSON text), its reply body; fails the test when none came.
    bson::Doc command(const std::string& json);

    // Extra daemon arguments for a fixture that needs them.
    virtual std::vector<std::string> daemonArgs() const { return {}; }

    std::unique_ptr<DaemonProcess> daemon_;
};

}  // namespace cryptd::test::hostile
