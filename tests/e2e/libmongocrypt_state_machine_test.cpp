// libmongocrypt 1.7.2 (Debian) driving our daemon: the state machine of
// ../shared/seeds/000_*.txt written out in C++ (mongocrypt_state_machine.h). Key documents come
// from a datakey context with a local 96-byte master key; the schema comes either from a local
// schemaMap or from a listCollections reply (collinfo with validator.$jsonSchema); markings come
// from our daemon over the wire. Every command libmongocrypt auto-encrypts is checked for real
// ciphertext (binary subtype 6 with the FLE1 layout), deterministic ciphertexts are asserted
// stable, and decrypt contexts give the plaintext back.
//
// Built a second time with CRYPTD_E2E_CRYPT_SHARED_LIB (the built mongo_crypt_v1.so), once per
// libmongocrypt version (Debian's 1.7.2, 1.20.2 from ../shared/vendor): libmongocrypt loads the
// library, must report its version string, and gets every marking from it; a request for
// markings over the wire fails the test. No daemon is started in that mode.

#include <gtest/gtest.h>

#include <memory>
#include <set>

#include "bson_matcher.h"
#include "common/bson.h"
#include "marking_codec.h"
#include "mongocrypt_state_machine.h"
#ifndef CRYPTD_E2E_CRYPT_SHARED_LIB
#include "support/daemon_process.h"
#include "wire_client.h"
#endif

namespace cryptd::e2e {
namespace {

constexpr const char* kSsn = "457-55-5462";
constexpr const char* kDb = "medical";

std::vector<uint8_t> localMasterKey() {
    std::vector<uint8_t> key(96);
    for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<uint8_t>(i * 7 + 3);
    return key;
}

#ifdef CRYPTD_E2E_CRYPT_SHARED_LIB
constexpr bool kCryptShared = true;
// Every Crypt of this binary loads the library (set before any test runs).
[[maybe_unused]] const bool kLibrarySet =
    (useCryptSharedLibrary(CRYPTD_E2E_CRYPT_SHARED_LIB), true);

// In crypt_shared mode libmongocrypt must never ask for markings over the wire.
bson::Doc markingsOverTheWire(const std::string&, bson::View cmd) {
    ADD_FAILURE() << "libmongocrypt asked for markings over the wire in crypt_shared mode: "
                  << cmd.toJson();
    throw CryptError("markings requested over the wire in crypt_shared mode");
}
#else
constexpr bool kCryptShared = false;

// The daemon, shared by the tests of one process.
struct Daemon {
    test::DaemonProcess process;
    std::unique_ptr<spec::WireClient> client;
};
Daemon& daemon() {
    spec::ensureMongocInitialized();
    static Daemon d;
    if (!d.client) {
        if (!d.process.waitUntilReady())
            throw std::runtime_error("daemon not ready:\n" + d.process.log());
        d.client = std::make_unique<spec::WireClient>(
            "mongodb://127.0.0.1:" + std::to_string(d.process.port()) +
            "/?serverSelectionTimeoutMS=5000");
    }
    return d;
}

bson::Doc markingsOverTheWire(const std::string& db, bson::View cmd) {
    return daemon().client->run(db, cmd);
}
#endif

// A key document's _id (binary subtype 4).
std::vector<uint8_t> keyIdOf(const bson::Doc& key) {
    auto id = key.view().find("_id");
    if (!id || id->type() != BSON_TYPE_BINARY) throw std::runtime_error("key without binary _id");
    auto b = id->binary();
    return {b.data, b.data + b.len};
}

void appendUuid(bson::Builder& b, std::string_view field, const std::vector<uint8_t>& id) {
    b.appendBinary(field, BSON_SUBTYPE_UUID, id.data(), static_cast<uint32_t>(id.size()));
}

// FLE1 ciphertext layout: blob subtype (1 deterministic, 2 random), key UUID, original BSON type.
struct Ciphertext {
    std::vector<uint8_t> bytes;
};

std::optional<bson::Element> at(bson::View doc, const std::string& dotted) {
    bson::View cur = doc;
    std::optional<bson::Element> e;
    size_t start = 0;
    while (true) {
        size_t dot = dotted.find('.', start);
        std::string part =
            dotted.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        e = cur.find(part);
        if (!e) return std::nullopt;
        if (dot == std::string::npos) return e;
        if (!e->isDocument() && !e->isArray()) return std::nullopt;
        cur = e->document();
        start = dot + 1;
    }
}

::testing::AssertionResult isCiphertext(bson::View doc, const std::string& path, uint8_t blob,
                                        const std::vector<uint8_t>& keyId, bson_type_t original,
                                        Ciphertext* out = nullptr) {
    auto e = at(doc, path);
    if (!e) return ::testing::AssertionFailure() << path << " missing in " << doc.toJson();
    if (e->type() != BSON_TYPE_BINARY || e->binary().subtype != BSON_SUBTYPE_ENCRYPTED)
        return ::testing::AssertionFailure()
               << path << " is not ciphertext (binary subtype 6): " << doc.toJson();
    auto b = e->binary();
    if (b.len < 18) return ::testing::AssertionFailure() << path << ": ciphertext too short";
    if (b.data[0] != blob)
        return ::testing::AssertionFailure()
               << path << ": blob subtype " << int(b.data[0]) << ", expected " << int(blob);
    if (!std::equal(keyId.begin(), keyId.end(), b.data + 1))
        return ::testing::AssertionFailure() << path << ": ciphertext names another key";
    if (b.data[17] != original)
        return ::testing::AssertionFailure()
               << path << ": original type " << int(b.data[17]) << ", expected " << int(original);
    if (out) out->bytes.assign(b.data, b.data + b.len);
    return ::testing::AssertionSuccess();
}

enum class SchemaSource { SchemaMap, Collinfo };

class LibmongocryptBase : public ::testing::Test {
  protected:
    explicit LibmongocryptBase(SchemaSource source) : source_(source) {}

    void SetUp() override {
        keyCrypt_ = std::make_unique<Crypt>(masterKey_);
        keyA_ = createDataKey(*keyCrypt_, io());
        keyB_ = createDataKey(*keyCrypt_, io(), {"altB"});
        vault_.push_back(keyA_.clone());
        vault_.push_back(keyB_.clone());
        schema_ = makeSchema();
        bson::Builder map;
        map.appendDocument(std::string(kDb) + ".patients", schema_.view());
        schemaMap_ = map.finish();
        crypt_ = remote() ? std::make_unique<Crypt>(masterKey_)
                          : std::make_unique<Crypt>(masterKey_, schemaMap_.view());
    }

    bool remote() const { return source_ == SchemaSource::Collinfo; }

    bson::Doc makeSchema() const {
        auto a = keyIdOf(keyA_);
        auto b = keyIdOf(keyB_);
        bson::Builder s;
        s.appendUtf8("bsonType", "object");
        s.appendDocument("encryptMetadata", [&](bson::Builder& m) {
            m.appendArray("keyId", [&](bson::Builder& arr) { appendUuid(arr, "0", a); });
        });
        auto det = "AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic";
        auto rnd = "AEAD_AES_256_CBC_HMAC_SHA_512-Random";
        s.appendDocument("properties", [&](bson::Builder& p) {
            p.appendDocument("ssn", [&](bson::Builder& f) {
                f.appendDocument("encrypt", [&](bson::Builder& e) {
                    e.appendUtf8("bsonType", "string").appendUtf8("algorithm", det);
                });
            });
            p.appendDocument("mrn", [&](bson::Builder& f) {
                f.appendDocument("encrypt", [&](bson::Builder& e) {
                    e.appendUtf8("bsonType", "int").appendUtf8("algorithm", det);
                    e.appendArray("keyId", [&](bson::Builder& arr) { appendUuid(arr, "0", b); });
                });
            });
            p.appendDocument("notes", [&](bson::Builder& f) {
                f.appendDocument("encrypt",
                                 [&](bson::Builder& e) { e.appendUtf8("algorithm", rnd); });
            });
            p.appendDocument("secret", [&](bson::Builder& f) {
                f.appendDocument("encrypt", [&](bson::Builder& e) {
                    e.appendUtf8("bsonType", "string").appendUtf8("algorithm", rnd);
                    e.appendUtf8("keyId", "/altname");
                });
            });
        });
        return s.finish();
    }

    DriverIo io() {
        DriverIo d;
        d.listCollections = [this](bson::View filter) -> std::optional<bson::Doc> {
            ++collinfoRequests_;
            auto name = filter.find("name");
            if (!name || !name->isString() || name->utf8() != "patients") return std::nullopt;
            bson::Builder info;
            info.appendUtf8("name", "patients").appendUtf8("type", "collection");
            info.appendDocument("options", [&](bson::Builder& o) {
                o.appendDocument("validator", [&](bson::Builder& v) {
                    v.appendDocument("$jsonSchema", schema_.view());
                });
            });
            return info.finish();
        };
        d.runOnMongocryptd = [this](const std::string& db, bson::View cmd) {
            sentToDaemon_.push_back(bson::Doc::copyOf(cmd));
            auto reply = markingsOverTheWire(db, cmd);
            repliesFromDaemon_.push_back(reply.clone());
            return reply;
        };
        d.findKeys = [this](bson::View filter) { return matchKeys(filter); };
        return d;
    }

    // The key vault's find: keys whose _id or keyAltNames appear in the filter.
    std::vector<bson::Doc> matchKeys(bson::View filter) const {
        std::set<std::vector<uint8_t>> ids;
        std::set<std::string> names;
        std::function<void(bson::View, bool)> walk = [&](bson::View d, bool inAltNames) {
            for (auto e : d) {
                bool alt = inAltNames || e.key() == "keyAltNames";
                if (e.type() == BSON_TYPE_BINARY && e.binary().subtype == BSON_SUBTYPE_UUID) {
                    auto b = e.binary();
                    ids.insert({b.data, b.data + b.len});
                } else if (alt && e.isString()) {
                    names.insert(std::string(e.utf8()));
                } else if (e.isDocument() || e.isArray()) {
                    walk(e.document(), alt);
                }
            }
        };
        walk(filter, false);
        std::vector<bson::Doc> out;
        for (auto& key : vault_) {
            bool match = ids.count(keyIdOf(key)) > 0;
            if (auto alts = key.view().find("keyAltNames"); alts && alts->isArray())
                for (auto n : alts->document())
                    if (n.isString() && names.count(std::string(n.utf8()))) match = true;
            if (match) out.push_back(key.clone());
        }
        return out;
    }

    bson::Doc encrypt(const char* json) {
        auto cmd = bson::Doc::fromJson(json);
        auto out = autoEncrypt(*crypt_, io(), kDb, cmd.view());
        checkLastDaemonExchange(cmd.view());
        return out;
    }

    // What libmongocrypt sent: the command plus the schema, as the contract says (§2.1).
    void checkLastDaemonExchange(bson::View original) {
        if (kCryptShared) {
            // The library was asked in-process: nothing went over the wire.
            EXPECT_TRUE(sentToDaemon_.empty());
            if (remote()) {
                EXPECT_GT(collinfoRequests_, 0);
            }
            return;
        }
        ASSERT_FALSE(sentToDaemon_.empty()) << "libmongocrypt never asked the daemon";
        auto& sent = sentToDaemon_.back();
        auto js = sent.view().find("jsonSchema");
        auto isRemote = sent.view().find("isRemoteSchema");
        ASSERT_TRUE(js && js->isDocument()) << sent.toJson();
        ASSERT_TRUE(isRemote && isRemote->isBool()) << sent.toJson();
        EXPECT_EQ(isRemote->boolean(), remote()) << sent.toJson();
        EXPECT_EQ((*sent.view().begin()).key(), (*original.begin()).key());
        if (remote()) {
            EXPECT_GT(collinfoRequests_, 0);
        }
    }

    bson::Doc decrypt(bson::View doc) { return autoDecrypt(*crypt_, io(), doc); }

    std::vector<uint8_t> a() const { return keyIdOf(keyA_); }
    std::vector<uint8_t> b() const { return keyIdOf(keyB_); }

    SchemaSource source_;
    std::vector<uint8_t> masterKey_ = localMasterKey();
    std::unique_ptr<Crypt> keyCrypt_;
    std::unique_ptr<Crypt> crypt_;
    bson::Doc keyA_, keyB_, schema_, schemaMap_;
    std::vector<bson::Doc> vault_;
    std::vector<bson::Doc> sentToDaemon_;
    std::vector<bson::Doc> repliesFromDaemon_;
    int collinfoRequests_ = 0;
};

class LibmongocryptTest : public LibmongocryptBase,
                          public ::testing::WithParamInterface<SchemaSource> {
  protected:
    LibmongocryptTest() : LibmongocryptBase(GetParam()) {}
};

std::string sourceName(SchemaSource s) {
    return s == SchemaSource::SchemaMap ? "schemaMap" : "collinfo";
}

TEST_P(LibmongocryptTest, DataKeysHaveTheLocalMasterKeyShape) {
    for (auto* key : {&keyA_, &keyB_}) {
        auto id = key->view().find("_id");
        ASSERT_TRUE(id && id->type() == BSON_TYPE_BINARY);
        EXPECT_EQ(id->binary().subtype, BSON_SUBTYPE_UUID);
        auto mk = key->view().find("masterKey");
        ASSERT_TRUE(mk && mk->isDocument());
        EXPECT_EQ(mk->document().find("provider")->utf8(), "local");
    }
}

TEST_P(LibmongocryptTest, InsertEncryptsAndDecryptsBack) {
    auto original = bson::Doc::fromJson(
        R"({"insert": "patients", "documents": [{"_id": 1, "name": "Jon Doe", "ssn": "457-55-5462",
            "mrn": 42, "notes": {"allergy": "penicillin"}}], "ordered": true})");
    auto enc = autoEncrypt(*crypt_, io(), kDb, original.view());
    checkLastDaemonExchange(original.view());
    auto v = enc.view();
    EXPECT_TRUE(isCiphertext(v, "documents.0.ssn", 1, a(), BSON_TYPE_UTF8));
    EXPECT_TRUE(isCiphertext(v, "documents.0.mrn", 1, b(), BSON_TYPE_INT32));
    EXPECT_TRUE(isCiphertext(v, "documents.0.notes", 2, a(), BSON_TYPE_DOCUMENT));
    EXPECT_EQ(at(v, "documents.0.name")->utf8(), "Jon Doe");
    EXPECT_EQ(at(v, "documents.0._id")->int32(), 1);
    EXPECT_FALSE(v.find("jsonSchema")) << "the schema must not reach mongod";
    EXPECT_FALSE(v.find("isRemoteSchema"));

    auto back = decrypt(v);
    spec::MatchOptions exact;
    exact.normalizeQueries = false;
    exact.strictNumberTypes = true;
    auto m = spec::firstDifference(original.view(), back.view(), exact);
    EXPECT_FALSE(m) << m->describe();
}

TEST_P(LibmongocryptTest, DeterministicCiphertextIsStableAndRandomIsNot) {
    const char* insert =
        R"({"insert": "patients", "documents": [{"ssn": "457-55-5462", "notes": "n"}]})";
    auto first = encrypt(insert);
    auto second = encrypt(insert);
    Ciphertext s1, s2, n1, n2;
    ASSERT_TRUE(isCiphertext(first.view(), "documents.0.ssn", 1, a(), BSON_TYPE_UTF8, &s1));
    ASSERT_TRUE(isCiphertext(second.view(), "documents.0.ssn", 1, a(), BSON_TYPE_UTF8, &s2));
    ASSERT_TRUE(isCiphertext(first.view(), "documents.0.notes", 2, a(), BSON_TYPE_UTF8, &n1));
    ASSERT_TRUE(isCiphertext(second.view(), "documents.0.notes", 2, a(), BSON_TYPE_UTF8, &n2));
    EXPECT_EQ(s1.bytes, s2.bytes) << "deterministic encryption must give the same ciphertext";
    EXPECT_NE(n1.bytes, n2.bytes) << "randomized encryption must not repeat";

    // The equality query carries exactly the stored ciphertext: that is what makes it match.
    auto find = encrypt(R"({"find": "patients", "filter": {"ssn": "457-55-5462"}})");
    Ciphertext q;
    ASSERT_TRUE(isCiphertext(find.view(), "filter.ssn.$eq", 1, a(), BSON_TYPE_UTF8, &q));
    EXPECT_EQ(q.bytes, s1.bytes);
}

// Each analyzed command: where the ciphertext must be, with which key and type.
struct Expected {
    const char* path;
    uint8_t blob;
    bool keyB;
    bson_type_t type;
};
struct CommandCase {
    const char* name;
    const char* command;
    std::vector<Expected> ciphertexts;
    std::vector<std::pair<const char*, const char*>> plaintext;  // path, string value
};

const std::vector<CommandCase>& commandCases() {
    static const std::vector<CommandCase> cases = {
        {"find",
         R"({"find": "patients", "filter": {"ssn": "457-55-5462", "name": "Jon"}})",
         {{"filter.$and.0.ssn.$eq", 1, false, BSON_TYPE_UTF8}},
         {{"filter.$and.1.name.$eq", "Jon"}}},
        {"find_expr",
         R"({"find": "patients", "filter": {"$expr": {"$eq": ["$ssn", "457-55-5462"]}}})",
         {{"filter.$expr.$eq.1", 1, false, BSON_TYPE_UTF8}},
         {{"filter.$expr.$eq.0", "$ssn"}}},
        {"count",
         R"({"count": "patients", "query": {"mrn": 42}})",
         {{"query.mrn.$eq", 1, true, BSON_TYPE_INT32}},
         {}},
        {"distinct",
         R"({"distinct": "patients", "key": "name", "query": {"ssn": "457-55-5462"}})",
         {{"query.ssn.$eq", 1, false, BSON_TYPE_UTF8}},
         {{"key", "name"}}},
        {"update",
         R"({"update": "patients", "updates": [{"q": {"ssn": "457-55-5462"}, "u": {"$set": {"mrn": 43, "name": "J"}}}]})",
         {{"updates.0.q.ssn.$eq", 1, false, BSON_TYPE_UTF8},
          {"updates.0.u.$set.mrn", 1, true, BSON_TYPE_INT32}},
         {{"updates.0.u.$set.name", "J"}}},
        {"delete",
         R"({"delete": "patients", "deletes": [{"q": {"ssn": "457-55-5462"}, "limit": 1}]})",
         {{"deletes.0.q.ssn.$eq", 1, false, BSON_TYPE_UTF8}},
         {}},
        {"findAndModify",
         R"({"findAndModify": "patients", "query": {"ssn": "457-55-5462"}, "update": {"$set": {"notes": "x"}}})",
         {{"query.ssn.$eq", 1, false, BSON_TYPE_UTF8},
          {"update.$set.notes", 2, false, BSON_TYPE_UTF8}},
         {}},
        {"aggregate",
         R"({"aggregate": "patients", "pipeline": [{"$match": {"ssn": "457-55-5462"}}], "cursor": {}})",
         {{"pipeline.0.$match.ssn.$eq", 1, false, BSON_TYPE_UTF8}},
         {}},
        {"explain",
         R"({"explain": {"find": "patients", "filter": {"ssn": "457-55-5462"}}, "verbosity": "queryPlanner"})",
         {{"explain.filter.ssn.$eq", 1, false, BSON_TYPE_UTF8}},
         {{"verbosity", "queryPlanner"}}},
    };
    return cases;
}

// Finds a path in the encrypted command, accepting the implicit-AND spelling of a filter.
std::string resolvePath(bson::View doc, const std::string& path) {
    if (at(doc, path)) return path;
    // {$and: [{ssn: {$eq: ..}}, {name: {$eq: ..}}]} may also come back as {ssn: {$eq}, name:
    // {$eq}}.
    std::string flat = path;
    for (auto pos = flat.find(".$and."); pos != std::string::npos; pos = flat.find(".$and.")) {
        auto next = flat.find('.', pos + 6);
        flat.erase(pos, next - pos);
    }
    return flat;
}

// Commands whose analysis has not landed yet: a CommandNotFound from the daemon is reported as
// a skip naming the command, never as a pass. Every other command must work.
bool notBuiltYet(const std::string& name) {
    return name == "aggregate";
}

class LibmongocryptCommandTest
    : public LibmongocryptBase,
      public ::testing::WithParamInterface<std::tuple<SchemaSource, size_t>> {
  protected:
    LibmongocryptCommandTest() : LibmongocryptBase(std::get<0>(GetParam())) {}
    const CommandCase& commandCase() const { return commandCases()[std::get<1>(GetParam())]; }
};

TEST_P(LibmongocryptCommandTest, CarriesCiphertextAndDecryptsBack) {
    Ciphertext stored;
    auto ins = encrypt(R"({"insert": "patients", "documents": [{"ssn": "457-55-5462"}]})");
    ASSERT_TRUE(isCiphertext(ins.view(), "documents.0.ssn", 1, a(), BSON_TYPE_UTF8, &stored));

    const CommandCase& c = commandCase();
    bson::Doc enc;
    try {
        enc = encrypt(c.command);
    } catch (const CryptError& e) {
        std::string what = e.what();
        if (notBuiltYet(c.name) && what.find("no such command") != std::string::npos)
            GTEST_SKIP() << c.name << " analysis is not built yet: " << what;
        FAIL() << c.name << ": " << what;
    }
    for (auto& x : c.ciphertexts) {
        Ciphertext ct;
        auto path = resolvePath(enc.view(), x.path);
        EXPECT_TRUE(isCiphertext(enc.view(), path, x.blob, x.keyB ? b() : a(), x.type, &ct))
            << enc.toJson();
        if (x.blob == 1 && x.type == BSON_TYPE_UTF8 && !x.keyB) {
            EXPECT_EQ(ct.bytes, stored.bytes)
                << c.name << ": query ciphertext differs from the stored one";
        }
    }
    for (auto& [path, value] : c.plaintext) {
        auto e = at(enc.view(), resolvePath(enc.view(), path));
        ASSERT_TRUE(e) << path << " in " << enc.toJson();
        EXPECT_TRUE(e->isString() && e->utf8() == value) << path << " in " << enc.toJson();
    }
    // And back: decrypting the outgoing command restores every plaintext.
    auto back = decrypt(enc.view());
    for (auto& e : spec::findMarkings(back.view()))
        ADD_FAILURE() << "ciphertext left after decrypt at " << e.path;
    for (auto& x : c.ciphertexts) {
        auto e = at(back.view(), resolvePath(back.view(), x.path));
        ASSERT_TRUE(e) << x.path << " in " << back.toJson();
        EXPECT_EQ(e->type(), x.type) << x.path;
    }
}

INSTANTIATE_TEST_SUITE_P(Commands, LibmongocryptCommandTest,
                         ::testing::Combine(::testing::Values(SchemaSource::SchemaMap,
                                                              SchemaSource::Collinfo),
                                            ::testing::Range<size_t>(0, commandCases().size())),
                         [](const ::testing::TestParamInfo<std::tuple<SchemaSource, size_t>>& p) {
                             return std::string(commandCases()[std::get<1>(p.param)].name) + "_" +
                                    sourceName(std::get<0>(p.param));
                         });

TEST_P(LibmongocryptTest, ServerReplyDecryptsToPlaintext) {
    auto enc = encrypt(
        R"({"insert": "patients", "documents": [{"_id": 7, "ssn": "457-55-5462", "mrn": 5, "notes": [1, 2]}]})");
    // What mongod would answer to a find: the stored (encrypted) document in a cursor.
    bson::Builder reply;
    reply.appendDocument("cursor", [&](bson::Builder& c) {
        c.appendArray("firstBatch", [&](bson::Builder& batch) {
            batch.append("0", *at(enc.view(), "documents.0"));
        });
        c.appendInt64("id", 0).appendUtf8("ns", "medical.patients");
    });
    reply.appendDouble("ok", 1.0);
    auto plain = decrypt(reply.finish().view());
    EXPECT_EQ(at(plain.view(), "cursor.firstBatch.0.ssn")->utf8(), kSsn);
    EXPECT_EQ(at(plain.view(), "cursor.firstBatch.0.mrn")->int32(), 5);
    auto notes = at(plain.view(), "cursor.firstBatch.0.notes");
    ASSERT_TRUE(notes && notes->isArray());
    EXPECT_EQ(notes->document().count(), 2u);
}

TEST_P(LibmongocryptTest, KeyAltNamePointerPicksTheNamedKey) {
    auto enc = encrypt(
        R"({"insert": "patients", "documents": [{"altname": "altB", "secret": "s3cr3t"}]})");
    EXPECT_TRUE(isCiphertext(enc.view(), "documents.0.secret", 2, b(), BSON_TYPE_UTF8));
    EXPECT_EQ(at(enc.view(), "documents.0.altname")->utf8(), "altB");
    auto back = decrypt(enc.view());
    EXPECT_EQ(at(back.view(), "documents.0.secret")->utf8(), "s3cr3t");
}

TEST_P(LibmongocryptTest, DaemonRejectionSurfacesToTheDriver) {
    try {
        encrypt(R"({"find": "patients", "filter": {"ssn": {"$gt": "1"}}})");
        FAIL() << "a range query on a deterministic field must be rejected";
    } catch (const CryptError& e) {
        EXPECT_NE(
            std::string(e.what()).find("Invalid match expression operator on encrypted field"),
            std::string::npos)
            << e.what();
    }
}

// What the driver sends on is mongocryptd's re-serialized command: update statements carry multi
// and upsert, and $group literals are $const (the forms the drivers' tests expect from it).
TEST_P(LibmongocryptTest, ReserializedFormsReachTheServer) {
    auto upd = encrypt(
        R"({"update": "patients", "updates": [{"q": {"ssn": "457-55-5462"}, "u": {"$set": {"x": 1}}}]})");
    for (const char* flag : {"updates.0.multi", "updates.0.upsert"}) {
        auto e = at(upd.view(), flag);
        ASSERT_TRUE(e && e->isBool()) << flag << " in " << upd.toJson();
        EXPECT_FALSE(e->boolean()) << flag;
    }
    auto count =
        encrypt(R"({"aggregate": "patients", "pipeline": [{"$match": {"ssn": "457-55-5462"}},
        {"$group": {"_id": 1, "n": {"$sum": 1}}}], "cursor": {}})");
    EXPECT_TRUE(isCiphertext(count.view(), "pipeline.0.$match.ssn.$eq", 1, a(), BSON_TYPE_UTF8));
    for (const char* path : {"pipeline.1.$group._id.$const", "pipeline.1.$group.n.$sum.$const"}) {
        auto e = at(count.view(), path);
        ASSERT_TRUE(e && e->isNumber()) << path << " in " << count.toJson();
        EXPECT_EQ(e->asDouble(), 1.0) << path;
    }
}

TEST_P(LibmongocryptTest, CollectionWithoutSchemaIsSentUnchanged) {
    auto original = bson::Doc::fromJson(R"({"find": "other", "filter": {"ssn": "457-55-5462"}})");
    auto out = autoEncrypt(*crypt_, io(), kDb, original.view());
    auto m = spec::firstDifference(original.view(), out.view());
    EXPECT_FALSE(m) << m->describe() << "\n" << out.toJson();
    EXPECT_TRUE(spec::findMarkings(out.view()).empty());
}

INSTANTIATE_TEST_SUITE_P(Schema, LibmongocryptTest,
                         ::testing::Values(SchemaSource::SchemaMap, SchemaSource::Collinfo),
                         [](const ::testing::TestParamInfo<SchemaSource>& p) {
                             return sourceName(p.param);
                         });

TEST(LibmongocryptStable, SameCiphertextFromSchemaMapAndCollinfo) {
    // One key vault, two handles (schemaMap and listCollections): same deterministic ciphertext.
    auto master = localMasterKey();
    Crypt keyCrypt(master);
    std::vector<bson::Doc> vault;
    DriverIo io;
    io.runOnMongocryptd = markingsOverTheWire;
    io.findKeys = [&](bson::View) {
        std::vector<bson::Doc> out;
        for (auto& k : vault) out.push_back(k.clone());
        return out;
    };
    vault.push_back(createDataKey(keyCrypt, io));
    auto id = keyIdOf(vault[0]);
    bson::Builder s;
    s.appendDocument("properties", [&](bson::Builder& p) {
        p.appendDocument("ssn", [&](bson::Builder& f) {
            f.appendDocument("encrypt", [&](bson::Builder& e) {
                e.appendArray("keyId", [&](bson::Builder& arr) { appendUuid(arr, "0", id); });
                e.appendUtf8("bsonType", "string")
                    .appendUtf8("algorithm", "AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic");
            });
        });
    });
    auto schema = s.finish();
    bson::Builder mapB;
    mapB.appendDocument("db.c", schema.view());
    auto map = mapB.finish();
    io.listCollections = [&](bson::View) -> std::optional<bson::Doc> {
        bson::Builder info;
        info.appendUtf8("name", "c");
        info.appendDocument("options", [&](bson::Builder& o) {
            o.appendDocument("validator", [&](bson::Builder& v) {
                v.appendDocument("$jsonSchema", schema.view());
            });
        });
        return info.finish();
    };
    Crypt local(master, map.view());
    Crypt remoteCrypt(master);
    auto cmd = bson::Doc::fromJson(R"({"find": "c", "filter": {"ssn": "457-55-5462"}})");
    auto x = autoEncrypt(local, io, "db", cmd.view());
    auto y = autoEncrypt(remoteCrypt, io, "db", cmd.view());
    Ciphertext cx, cy;
    ASSERT_TRUE(isCiphertext(x.view(), "filter.ssn.$eq", 1, id, BSON_TYPE_UTF8, &cx));
    ASSERT_TRUE(isCiphertext(y.view(), "filter.ssn.$eq", 1, id, BSON_TYPE_UTF8, &cy));
    EXPECT_EQ(cx.bytes, cy.bytes);
}

// Schemas mongocryptd refuses (drivers' spec tests badSchema and types): the daemon's error
// reaches the driver through libmongocrypt with the substring those tests match.
// In crypt_shared mode the same refusals come from the library.
TEST(LibmongocryptSchemaErrors, RefusedSchemasSurfaceWithTheSpecTestsText) {
    auto master = localMasterKey();
    DriverIo io;
    io.runOnMongocryptd = markingsOverTheWire;
    io.findKeys = [](bson::View) { return std::vector<bson::Doc>{}; };
    io.listCollections = [](bson::View) -> std::optional<bson::Doc> { return std::nullopt; };
    const std::string enc =
        R"({"encrypt": {"keyId": [{"$binary": {"base64": "AAAAAAAAAAAAAAAAAAAAAA==",
            "subType": "04"}}], "bsonType": "string",
            "algorithm": "AEAD_AES_256_CBC_HMAC_SHA_512-Random"}})";
    struct Row {
        std::string schema;
        const char* expected;  // the spec test's substring
        const char* rule;      // and the daemon's reason
    };
    const std::vector<Row> rows = {
        {R"({"bsonType": "array", "properties": {"s": )" + enc + "}}", "Invalid schema",
         "must have bsonType 'object'"},
        {R"({"properties": {"foo": {"properties": {"bar": )" + enc + "}}}}", "Invalid schema",
         "must have bsonType 'object'"},
        {R"({"anyOf": [{"properties": {"s": )" + enc + "}}]}", "Invalid schema",
         "not allowed below 'anyOf'"},
        {R"({"bsonType": "object", "properties": {"d": {"encrypt": {"keyId": [{"$binary":
            {"base64": "AAAAAAAAAAAAAAAAAAAAAA==", "subType": "04"}}], "bsonType": "double",
            "algorithm": "AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic"}}}})",
         "element of type: double", "Cannot use deterministic encryption"},
    };
    for (const auto& row : rows) {
        SCOPED_TRACE(row.schema);
        bson::Builder mapB;
        mapB.appendDocument("db.c", bson::Doc::fromJson(row.schema).view());
        auto map = mapB.finish();
        Crypt crypt(master, map.view());
        auto cmd = bson::Doc::fromJson(R"({"insert": "c", "documents": [{"s": "x"}]})");
        try {
            autoEncrypt(crypt, io, "db", cmd.view());
            ADD_FAILURE() << "the schema must be refused";
        } catch (const CryptError& e) {
            EXPECT_NE(std::string(e.what()).find(row.expected), std::string::npos) << e.what();
            EXPECT_NE(std::string(e.what()).find(row.rule), std::string::npos) << e.what();
        }
    }
}

}  // namespace
}  // namespace cryptd::e2e
