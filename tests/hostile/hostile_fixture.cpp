#include "hostile/hostile_fixture.h"

#include <sstream>

namespace cryptd::test::hostile {

namespace {
constexpr const char* kSsnSchema = R"({
  "bsonType": "object",
  "properties": {
    "ssn": {"encrypt": {
      "keyId": [{"$binary": {"base64": "YWFhYWFhYWFhYWFhYWFhYQ==", "subType": "04"}}],
      "algorithm": "AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic",
      "bsonType": "string"}}
  }})";
}  // namespace

bson::Doc ssnSchema() {
    return bson::Doc::fromJson(kSsnSchema);
}

std::string ssnSchemaJson() {
    return kSsnSchema;
}

namespace raw {

Bytes concat(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

Bytes doc(const Bytes& elements) {
    Bytes out;
    wire::putInt32(out, static_cast<int32_t>(elements.size() + 5));
    out.insert(out.end(), elements.begin(), elements.end());
    out.push_back(0);
    return out;
}

static void putKey(Bytes& out, uint8_t type, const std::string& key) {
    out.push_back(type);
    out.insert(out.end(), key.begin(), key.end());
    out.push_back(0);
}

Bytes int32Field(const std::string& key, int32_t v) {
    Bytes out;
    putKey(out, 0x10, key);
    wire::putInt32(out, v);
    return out;
}

Bytes stringField(const std::string& key, const std::string& v) {
    Bytes out;
    putKey(out, 0x02, key);
    wire::putInt32(out, static_cast<int32_t>(v.size() + 1));
    out.insert(out.end(), v.begin(), v.end());
    out.push_back(0);
    return out;
}

Bytes docField(const std::string& key, const Bytes& document, uint8_t type) {
    Bytes out;
    putKey(out, type, key);
    out.insert(out.end(), document.begin(), document.end());
    return out;
}

Bytes opMsgBody(const Bytes& body, int32_t requestId) {
    Bytes out = wire::header(requestId, 2013);
    wire::putInt32(out, 0);
    out.push_back(0);
    out.insert(out.end(), body.begin(), body.end());
    wire::patchInt32(out, 0, static_cast<int32_t>(out.size()));
    return out;
}

Bytes nested(int depth) {
    // Built inside out: each level is {a: <previous>}; the innermost is {}.
    Bytes inner = doc({});
    for (int i = 1; i < depth; ++i) inner = doc(docField("a", inner));
    return inner;
}

}  // namespace raw

std::string Fate::describe() const {
    std::ostringstream s;
    s << (reply ? "reply " + reply->toJson() : std::string("no reply"))
      << (closed ? ", connection closed" : ", connection open");
    return s.str();
}

Fate observe(Client& c, const Bytes& request, milliseconds timeout) {
    Fate fate;
    // The daemon may close before reading everything (an early header check): a failed send is
    // not a failure by itself, what the daemon does next is.
    c.send(request, timeout);
    auto msg = c.receive(timeout);
    if (msg) {
        fate.reply = replyBody(*msg);
        if (!fate.reply) ADD_FAILURE() << "a reply that is not a valid BSON document";
        // Drivers decode error messages strictly: whatever the request held, errmsg is UTF-8.
        if (fate.reply) {
            auto errmsg = fate.reply->view().find("errmsg");
            if (errmsg && errmsg->isString() &&
                !bson_utf8_validate(errmsg->utf8().data(), errmsg->utf8().size(), false)) {
                ADD_FAILURE() << "errmsg is not valid UTF-8: " << fate.reply->toJson();
            }
        }
        fate.closed = c.closedByPeer(milliseconds(200));
    } else {
        fate.closed = c.closedByPeer(milliseconds(200));
    }
    return fate;
}

bool isErrorReply(const bson::Doc& reply) {
    auto ok = reply.view().find("ok");
    auto code = reply.view().find("code");
    auto errmsg = reply.view().find("errmsg");
    return ok && ok->isNumber() && ok->asDouble() == 0.0 && code && code->isNumber() && errmsg &&
           errmsg->isString() && !errmsg->utf8().empty();
}

bool isOkReply(const bson::Doc& reply) {
    auto ok = reply.view().find("ok");
    return ok && ok->isNumber() && ok->asDouble() == 1.0;
}

static void findPlaintext(bson::View doc, const std::string& secret, const std::string& prefix,
                          std::vector<std::string>& out) {
    for (auto e : doc) {
        std::string path =
            prefix.empty() ? std::string(e.key()) : prefix + "." + std::string(e.key());
        if (e.isString() && e.utf8() == secret) out.push_back(path);
        if (e.isDocument() || e.isArray()) findPlaintext(e.document(), secret, path, out);
        // Subtype-6 binaries are markings: their plaintext is where it belongs.
    }
}

std::vector<std::string> plaintextPaths(bson::View doc, const std::string& secret) {
    std::vector<std::string> out;
    findPlaintext(doc, secret, "", out);
    return out;
}

void HostileDaemonTest::SetUp() {
    daemon_ = std::make_unique<DaemonProcess>(daemonArgs());
    ASSERT_TRUE(daemon_->waitUntilReady()) << daemon_->log();
}

void HostileDaemonTest::TearDown() {
    if (daemon_) {
        EXPECT_EQ(daemon_->stop(), 0) << daemon_->log();
    }
}

void HostileDaemonTest::expectStillServing() {
    std::string why;
    EXPECT_TRUE(helloWorks(port(), &why)) << why << "\n" << daemon_->log();
}

Fate HostileDaemonTest::send(const Bytes& request, milliseconds timeout) {
    Client c = connect();
    return observe(c, request, timeout);
}

bson::Doc HostileDaemonTest::command(const std::string& json) {
    Fate fate = send(wire::opMsg(7, bson::Doc::fromJson(json)));
    if (!fate.reply) {
        ADD_FAILURE() << "no reply to " << json.substr(0, 200) << ": " << fate.describe();
        return {};
    }
    return std::move(*fate.reply);
}

}  // namespace cryptd::test::hostile
