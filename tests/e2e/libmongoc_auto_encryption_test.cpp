// libmongoc 1.23 (Debian, linked with libmongocrypt) with automatic encryption, unmodified:
// - the driver finds `mongocryptd` on PATH (the test puts the built binary's folder first) and
//   spawns it itself, adding --idleShutdownTimeoutSecs=60;
// - with mongocryptdBypassSpawn it uses a daemon we started, over TCP or the unix socket;
// - with cryptSharedLibPath (and cryptSharedLibRequired) it loads the built mongo_crypt_v1.so
//   in-process, with no mongocryptd on PATH and none running.
// The "server" is fake_mongod.py on loopback: it answers the handshake and the key vault, stores
// inserts and records every command, so the test sees exactly what left the driver: ciphertext
// (binary subtype 6) for encrypted fields, plaintext elsewhere, and plaintext again after the
// driver's automatic decryption of a find.

#include <gtest/gtest.h>
#include <mongoc/mongoc.h>
#include <signal.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

#include "child_process.h"
#include "common/bson.h"
#include "support/daemon_process.h"
#include "wire_client.h"

namespace cryptd::e2e {
namespace {

namespace fs = std::filesystem;
constexpr const char* kSsn = "457-55-5462";

template <typename T, void (*Destroy)(T*)>
struct Deleter {
    void operator()(T* p) const { Destroy(p); }
};
using Client = std::unique_ptr<mongoc_client_t, Deleter<mongoc_client_t, mongoc_client_destroy>>;
using Collection =
    std::unique_ptr<mongoc_collection_t, Deleter<mongoc_collection_t, mongoc_collection_destroy>>;
using Cursor = std::unique_ptr<mongoc_cursor_t, Deleter<mongoc_cursor_t, mongoc_cursor_destroy>>;
using AutoOpts =
    std::unique_ptr<mongoc_auto_encryption_opts_t,
                    Deleter<mongoc_auto_encryption_opts_t, mongoc_auto_encryption_opts_destroy>>;
using ClientEncryption =
    std::unique_ptr<mongoc_client_encryption_t,
                    Deleter<mongoc_client_encryption_t, mongoc_client_encryption_destroy>>;

Client newClient(const std::string& uri) {
    spec::ensureMongocInitialized();
    bson_error_t err;
    mongoc_uri_t* u = mongoc_uri_new_with_error(uri.c_str(), &err);
    if (!u) throw std::runtime_error(std::string("bad uri: ") + err.message);
    Client c(mongoc_client_new_from_uri_with_error(u, &err));
    mongoc_uri_destroy(u);
    if (!c) throw std::runtime_error(std::string("client: ") + err.message);
    mongoc_client_set_error_api(c.get(), MONGOC_ERROR_API_VERSION_2);
    return c;
}

// fake_mongod.py on a free loopback port; exits when we close its stdin.
class FakeMongod {
  public:
    FakeMongod()
        : proc_({{"/usr/bin/python3", std::string(CRYPTD_SOURCE_DIR) + "/tests/e2e/fake_mongod.py"},
                 {},
                 true}) {
        auto line = proc_.nextLine(std::chrono::seconds(10));
        if (!line || line->rfind("PORT ", 0) != 0)
            throw std::runtime_error("fake mongod did not start:\n" + proc_.output());
        port_ = std::stoi(line->substr(5));
    }
    ~FakeMongod() {
        proc_.closeStdin();
        proc_.wait(std::chrono::seconds(5));
    }
    std::string uri() const {
        return "mongodb://127.0.0.1:" + std::to_string(port_) + "/?serverSelectionTimeoutMS=5000";
    }
    // Every command the fake received, in order.
    std::vector<bson::Doc> recorded() {
        spec::WireClient c(uri());
        auto reply = c.run("admin", bson::Doc::fromJson(R"({"fakeRecorded": 1})").view());
        std::vector<bson::Doc> out;
        if (auto cmds = reply.view().find("commands"); cmds && cmds->isArray())
            for (auto e : cmds->document()) out.push_back(bson::Doc::copyOf(e.document()));
        return out;
    }
    std::string output() const { return proc_.output(); }

  private:
    ChildProcess proc_;
    int port_ = 0;
};

// The daemon the driver spawned: found through its pidfile, stopped at the end of the test.
class SpawnedDaemon {
  public:
    explicit SpawnedDaemon(std::string pidFile) : pidFile_(std::move(pidFile)) {}
    ~SpawnedDaemon() {
        if (auto pid = this->pid()) {
            ::kill(*pid, SIGTERM);
            for (int i = 0; i < 200 && alive(*pid); ++i)
                std::this_thread::sleep_for(std::chrono::milliseconds(25));
            if (alive(*pid)) ::kill(*pid, SIGKILL);
        }
    }
    // {port, pid} from the pidfile, waiting up to 10 s for the daemon to write it.
    std::optional<bson::Doc> pidFileDoc() const {
        for (int i = 0; i < 400; ++i) {
            std::ifstream in(pidFile_);
            std::stringstream ss;
            ss << in.rdbuf();
            if (!ss.str().empty()) {
                try {
                    return bson::Doc::fromJson(ss.str());
                } catch (const std::exception&) {
                }
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(25));
        }
        return std::nullopt;
    }
    // Running (not gone, not a zombie waiting for a reaper that may not exist in a container).
    static bool alive(pid_t pid) {
        std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
        std::string content((std::istreambuf_iterator<char>(stat)),
                            std::istreambuf_iterator<char>());
        auto close = content.rfind(')');
        return close != std::string::npos && close + 2 < content.size() &&
               content[close + 2] != 'Z';
    }
    std::optional<pid_t> pid() const {
        auto doc = pidFileDoc();
        if (!doc) return std::nullopt;
        auto p = doc->view().find("pid");
        if (!p || !p->isNumber()) return std::nullopt;
        return static_cast<pid_t>(p->asInt64());
    }

  private:
    std::string pidFile_;
};

// A unix socket path as a URI host: every byte but [A-Za-z0-9._-] percent-encoded.
std::string percentEncode(const std::string& s) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char ch : s) {
        if (std::isalnum(ch) || ch == '.' || ch == '_' || ch == '-') {
            out += static_cast<char>(ch);
        } else {
            out += '%';
            out += hex[ch >> 4];
            out += hex[ch & 15];
        }
    }
    return out;
}

std::string makeTempDir() {
    std::string t = (fs::temp_directory_path() / "cryptd-e2e-XXXXXX").string();
    if (!mkdtemp(t.data())) throw std::runtime_error("mkdtemp failed");
    return t;
}

bson::Doc kmsProviders() {
    std::vector<uint8_t> key(96);
    for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<uint8_t>(255 - i);
    bson::Builder b;
    b.appendDocument("local", [&](bson::Builder& l) {
        l.appendBinary("key", BSON_SUBTYPE_BINARY, key.data(), static_cast<uint32_t>(key.size()));
    });
    return b.finish();
}

// A data key created through libmongoc's ClientEncryption: it is inserted into the fake's key
// vault exactly as a real application does it. Returns the key's UUID bytes.
std::vector<uint8_t> createKey(const std::string& fakeUri) {
    auto keyVault = newClient(fakeUri);
    auto opts = mongoc_client_encryption_opts_new();
    mongoc_client_encryption_opts_set_keyvault_client(opts, keyVault.get());
    mongoc_client_encryption_opts_set_keyvault_namespace(opts, "keyvault", "datakeys");
    auto kms = kmsProviders();
    mongoc_client_encryption_opts_set_kms_providers(opts, kms.get());
    bson_error_t err;
    ClientEncryption ce(mongoc_client_encryption_new(opts, &err));
    mongoc_client_encryption_opts_destroy(opts);
    if (!ce) throw std::runtime_error(std::string("client encryption: ") + err.message);
    auto dk = mongoc_client_encryption_datakey_opts_new();
    bson_value_t keyId;
    bool ok = mongoc_client_encryption_create_datakey(ce.get(), "local", dk, &keyId, &err);
    mongoc_client_encryption_datakey_opts_destroy(dk);
    if (!ok) throw std::runtime_error(std::string("create_datakey: ") + err.message);
    std::vector<uint8_t> id(keyId.value.v_binary.data,
                            keyId.value.v_binary.data + keyId.value.v_binary.data_len);
    bson_value_destroy(&keyId);
    return id;
}

bson::Doc schemaMap(const std::vector<uint8_t>& keyId) {
    bson::Builder m;
    m.appendDocument("medical.patients", [&](bson::Builder& s) {
        s.appendUtf8("bsonType", "object");
        s.appendDocument("properties", [&](bson::Builder& p) {
            p.appendDocument("ssn", [&](bson::Builder& f) {
                f.appendDocument("encrypt", [&](bson::Builder& e) {
                    e.appendArray("keyId", [&](bson::Builder& a) {
                        a.appendBinary("0", BSON_SUBTYPE_UUID, keyId.data(),
                                       static_cast<uint32_t>(keyId.size()));
                    });
                    e.appendUtf8("bsonType", "string");
                    e.appendUtf8("algorithm", "AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic");
                });
            });
            p.appendDocument("notes", [&](bson::Builder& f) {
                f.appendDocument("encrypt", [&](bson::Builder& e) {
                    e.appendArray("keyId", [&](bson::Builder& a) {
                        a.appendBinary("0", BSON_SUBTYPE_UUID, keyId.data(),
                                       static_cast<uint32_t>(keyId.size()));
                    });
                    e.appendUtf8("algorithm", "AEAD_AES_256_CBC_HMAC_SHA_512-Random");
                });
            });
        });
    });
    return m.finish();
}

// An auto-encrypting client to the fake mongod.
Client autoEncryptingClient(const std::string& fakeUri, const std::vector<uint8_t>& keyId,
                            const bson::Doc& extra, Client& keyVaultClient) {
    auto client = newClient(fakeUri);
    keyVaultClient = newClient(fakeUri);
    AutoOpts opts(mongoc_auto_encryption_opts_new());
    mongoc_auto_encryption_opts_set_keyvault_client(opts.get(), keyVaultClient.get());
    mongoc_auto_encryption_opts_set_keyvault_namespace(opts.get(), "keyvault", "datakeys");
    auto kms = kmsProviders();
    mongoc_auto_encryption_opts_set_kms_providers(opts.get(), kms.get());
    auto map = schemaMap(keyId);
    mongoc_auto_encryption_opts_set_schema_map(opts.get(), map.get());
    mongoc_auto_encryption_opts_set_extra(opts.get(), const_cast<bson_t*>(extra.get()));
    bson_error_t err;
    if (!mongoc_client_enable_auto_encryption(client.get(), opts.get(), &err))
        throw std::runtime_error(std::string("enable_auto_encryption: ") + err.message);
    return client;
}

std::optional<bson::Element> path(bson::View d, std::initializer_list<const char*> parts) {
    std::optional<bson::Element> e;
    bson::View cur = d;
    for (auto* p : parts) {
        e = cur.find(p);
        if (!e) return std::nullopt;
        if (e->isDocument() || e->isArray()) cur = e->document();
    }
    return e;
}

::testing::AssertionResult isCiphertext(const std::optional<bson::Element>& e, uint8_t blob) {
    if (!e) return ::testing::AssertionFailure() << "field missing";
    if (e->type() != BSON_TYPE_BINARY || e->binary().subtype != BSON_SUBTYPE_ENCRYPTED)
        return ::testing::AssertionFailure() << "not binary subtype 6";
    if (e->binary().len < 18 || e->binary().data[0] != blob)
        return ::testing::AssertionFailure()
               << "blob subtype " << int(e->binary().data[0]) << " != " << int(blob);
    return ::testing::AssertionSuccess();
}

// The last recorded command named `name` on collection `coll`.
std::optional<bson::Doc> lastCommand(FakeMongod& fake, const char* name, const char* coll) {
    std::optional<bson::Doc> found;
    for (auto& c : fake.recorded()) {
        auto first = c.view().first();
        if (first && first->key() == name && first->isString() && first->utf8() == coll)
            found = std::move(c);
    }
    return found;
}

// Insert + find through the auto-encrypting client; checks what reached the fake mongod.
void insertAndFind(mongoc_client_t* client, FakeMongod& fake) {
    Collection coll(mongoc_client_get_collection(client, "medical", "patients"));
    auto doc = bson::Doc::fromJson(
        R"({"_id": 1, "name": "Jon Doe", "ssn": "457-55-5462", "notes": "allergic"})");
    bson_error_t err;
    ASSERT_TRUE(mongoc_collection_insert_one(coll.get(), doc.get(), nullptr, nullptr, &err))
        << err.message;

    auto insert = lastCommand(fake, "insert", "patients");
    ASSERT_TRUE(insert) << "the insert never reached the server";
    auto stored = path(insert->view(), {"documents", "0"});
    ASSERT_TRUE(stored) << insert->toJson();
    auto sd = stored->document();
    EXPECT_TRUE(isCiphertext(sd.find("ssn"), 1)) << insert->toJson();
    EXPECT_TRUE(isCiphertext(sd.find("notes"), 2)) << insert->toJson();
    EXPECT_EQ(sd.find("name")->utf8(), "Jon Doe");
    EXPECT_EQ(sd.find("_id")->int32(), 1);
    EXPECT_FALSE(insert->view().find("jsonSchema")) << "the schema must not reach mongod";

    auto filter = bson::Doc::fromJson(R"({"ssn": "457-55-5462"})");
    Cursor cursor(mongoc_collection_find_with_opts(coll.get(), filter.get(), nullptr, nullptr));
    const bson_t* got = nullptr;
    ASSERT_TRUE(mongoc_cursor_next(cursor.get(), &got)) << "no document came back";
    bson::View gv = bson::View::of(got);
    EXPECT_EQ(gv.find("ssn")->utf8(), kSsn) << "automatic decryption failed: " << gv.toJson();
    EXPECT_EQ(gv.find("notes")->utf8(), "allergic");
    ASSERT_FALSE(mongoc_cursor_error(cursor.get(), &err)) << err.message;

    auto find = lastCommand(fake, "find", "patients");
    ASSERT_TRUE(find);
    auto q = path(find->view(), {"filter", "ssn", "$eq"});
    if (!q) q = path(find->view(), {"filter", "ssn"});
    EXPECT_TRUE(isCiphertext(q, 1)) << find->toJson();
    if (q && sd.find("ssn")) {
        auto a = q->binary();
        auto b = sd.find("ssn")->binary();
        EXPECT_TRUE(a.len == b.len && std::equal(a.data, a.data + a.len, b.data))
            << "the query ciphertext must equal the stored deterministic ciphertext";
    }
}

TEST(LibmongocAutoEncryption, SpawnsMongocryptdFromPathAndSendsCiphertext) {
    FakeMongod fake;
    auto keyId = createKey(fake.uri());
    std::string dir = makeTempDir();
    int port = freeTcpPort();
    // The driver finds `mongocryptd` on PATH: the built one comes first.
    std::string binDir = fs::path(test::DaemonProcess::defaultBinary()).parent_path().string();
    ASSERT_EQ(fs::path(test::DaemonProcess::defaultBinary()).filename(), "mongocryptd");
    std::string oldPath = std::getenv("PATH") ? std::getenv("PATH") : "";
    setenv("PATH", (binDir + ":" + oldPath).c_str(), 1);
    SpawnedDaemon spawned(dir + "/mongocryptd.pid");

    bson::Builder extra;
    extra.appendUtf8("mongocryptdURI", "mongodb://127.0.0.1:" + std::to_string(port) +
                                           "/?serverSelectionTimeoutMS=10000");
    extra.appendArray("mongocryptdSpawnArgs", [&](bson::Builder& a) {
        a.appendUtf8("0", "--port=" + std::to_string(port));
        a.appendUtf8("1", "--pidfilepath=" + dir + "/mongocryptd.pid");
        a.appendUtf8("2", "--unixSocketPrefix=" + dir);
    });
    auto extraDoc = extra.finish();
    Client keyVault;
    auto client = autoEncryptingClient(fake.uri(), keyId, extraDoc, keyVault);
    insertAndFind(client.get(), fake);
    setenv("PATH", oldPath.c_str(), 1);

    // The daemon was spawned by the driver, from our build, with the driver's idle timeout.
    auto pidDoc = spawned.pidFileDoc();
    ASSERT_TRUE(pidDoc) << "no pidfile: the driver did not spawn our mongocryptd";
    auto pid = spawned.pid();
    ASSERT_TRUE(pid);
    EXPECT_EQ(pidDoc->view().find("port")->asInt64(), port);
    std::ifstream cmdline("/proc/" + std::to_string(*pid) + "/cmdline");
    std::string args((std::istreambuf_iterator<char>(cmdline)), std::istreambuf_iterator<char>());
    EXPECT_NE(args.find("--idleShutdownTimeoutSecs=60"), std::string::npos) << args;
    std::error_code ec;
    EXPECT_EQ(fs::canonical("/proc/" + std::to_string(*pid) + "/exe", ec),
              fs::canonical(test::DaemonProcess::defaultBinary()));
    client.reset();
    keyVault.reset();
}

class BypassSpawn : public ::testing::TestWithParam<bool> {};

TEST_P(BypassSpawn, UsesTheDaemonWeStarted) {
    bool unixSocket = GetParam();
    test::DaemonProcess daemon;
    ASSERT_TRUE(daemon.waitUntilReady()) << daemon.log();
    FakeMongod fake;
    auto keyId = createKey(fake.uri());
    std::string uri;
    if (unixSocket) {
        ASSERT_FALSE(daemon.socketPath().empty()) << daemon.log();
        uri = "mongodb://" + percentEncode(daemon.socketPath()) + "/?serverSelectionTimeoutMS=5000";
    } else {
        uri = "mongodb://127.0.0.1:" + std::to_string(daemon.port()) +
              "/?serverSelectionTimeoutMS=5000";
    }
    bson::Builder extra;
    extra.appendBool("mongocryptdBypassSpawn", true);
    extra.appendUtf8("mongocryptdURI", uri);
    // A spawn attempt would fail loudly: there is no mongocryptd here.
    extra.appendUtf8("mongocryptdSpawnPath", "/nonexistent/");
    auto extraDoc = extra.finish();
    Client keyVault;
    auto client = autoEncryptingClient(fake.uri(), keyId, extraDoc, keyVault);
    insertAndFind(client.get(), fake);
    client.reset();
    EXPECT_TRUE(daemon.running()) << "the daemon we started must still serve";
    EXPECT_EQ(daemon.stop(), 0) << daemon.log();
}

TEST(LibmongocAutoEncryption, CryptSharedLibPathNeedsNoMongocryptd) {
    FakeMongod fake;
    auto keyId = createKey(fake.uri());
    // No mongocryptd anywhere on PATH: a spawn or a connection attempt would fail the insert.
    std::string oldPath = std::getenv("PATH") ? std::getenv("PATH") : "";
    std::string emptyDir = makeTempDir();
    setenv("PATH", emptyDir.c_str(), 1);
    bson::Builder extra;
    extra.appendUtf8("cryptSharedLibPath", CRYPTD_CRYPT_SHARED_LIB);
    extra.appendBool("cryptSharedLibRequired", true);
    extra.appendUtf8("mongocryptdURI", "mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=500");
    auto extraDoc = extra.finish();
    Client keyVault;
    auto client = autoEncryptingClient(fake.uri(), keyId, extraDoc, keyVault);
    // The driver reports the library it loaded (empty would mean mongocryptd mode).
    const char* version = mongoc_client_get_crypt_shared_version(client.get());
    ASSERT_NE(version, nullptr);
    EXPECT_EQ(std::string(version).rfind("mongo_crypt_v1-cryptd-", 0), 0u) << version;
    insertAndFind(client.get(), fake);
    setenv("PATH", oldPath.c_str(), 1);
    client.reset();
    keyVault.reset();
    fs::remove_all(emptyDir);
}

INSTANTIATE_TEST_SUITE_P(Transport, BypassSpawn, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& p) {
                             return p.param ? "unixSocket" : "tcp";
                         });

}  // namespace
}  // namespace cryptd::e2e
