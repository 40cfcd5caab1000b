// The real consumer of our replies: libmongocrypt 1.7.2's auto-encryption state machine, with a
// local KMS key. libmongocrypt builds the request for mongocryptd itself (jsonSchema +
// isRemoteSchema appended), our Analyzer answers it, and libmongocrypt must accept every marking,
// fetch exactly the keys we named, and produce a command with ciphertext where the markings were.
#include <gtest/gtest.h>

// libmongocrypt 1.7.2's header has no C++ guards.
extern "C" {
#include <mongocrypt/mongocrypt.h>
}

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "analysis/analyzer.h"
#include "analysis/marking_writer.h"
#include "analysis_test_util.h"

namespace cryptd::analysis::test {
namespace {

struct BinaryDeleter {
    void operator()(mongocrypt_binary_t* b) const { mongocrypt_binary_destroy(b); }
};
using Binary = std::unique_ptr<mongocrypt_binary_t, BinaryDeleter>;
struct CtxDeleter {
    void operator()(mongocrypt_ctx_t* c) const { mongocrypt_ctx_destroy(c); }
};
using Ctx = std::unique_ptr<mongocrypt_ctx_t, CtxDeleter>;

// A view of `d` (not a copy): `d` must outlive the binary.
Binary binaryOf(const bson::Doc& d) {
    return Binary(mongocrypt_binary_new_from_data(const_cast<uint8_t*>(d.data()), d.size()));
}
Binary binaryOf(bson::Doc&&) = delete;
bson::Doc docOf(mongocrypt_binary_t* b) {
    return bson::Doc::copyOf(mongocrypt_binary_data(b), mongocrypt_binary_len(b));
}

std::string ctxError(mongocrypt_ctx_t* ctx) {
    mongocrypt_status_t* status = mongocrypt_status_new();
    mongocrypt_ctx_status(ctx, status);
    std::string msg = mongocrypt_status_message(status, nullptr);
    mongocrypt_status_destroy(status);
    return msg;
}

// Counts BinData subtype 6 by payload byte 0 (0 = marking, 1/2 = FLE1 ciphertext).
void countSubtype6(bson::View v, int counts[3]) {
    for (bson::Element e : v) {
        if (e.type() == BSON_TYPE_BINARY) {
            auto b = e.binary();
            if (b.subtype == BSON_SUBTYPE_ENCRYPTED && b.len > 0 && b.data[0] < 3)
                ++counts[b.data[0]];
        } else if (e.isDocument() || e.isArray()) {
            countSubtype6(e.document(), counts);
        }
    }
}

// Every UUID and string in libmongocrypt's key request (its filter names ids and keyAltNames).
void collectRequested(bson::View v, std::vector<std::string>& out) {
    for (bson::Element e : v) {
        if (e.type() == BSON_TYPE_BINARY) {
            auto b = e.binary();
            out.emplace_back(reinterpret_cast<const char*>(b.data), b.len);
        } else if (e.isString()) {
            out.emplace_back(e.utf8());
        } else if (e.isDocument() || e.isArray()) {
            collectRequested(e.document(), out);
        }
    }
}

bool isRequested(const bson::Doc& key, const std::vector<std::string>& requested) {
    auto has = [&](const std::string& s) {
        return std::find(requested.begin(), requested.end(), s) != requested.end();
    };
    auto id = key.view().find("_id")->binary();
    if (has(std::string(reinterpret_cast<const char*>(id.data), id.len))) return true;
    if (auto names = key.view().find("keyAltNames"); names && names->isArray()) {
        for (bson::Element n : names->document()) {
            if (n.isString() && has(std::string(n.utf8()))) return true;
        }
    }
    return false;
}

class LibmongocryptConsumerTest : public ::testing::Test {
  protected:
    void SetUp() override {
        // Data keys are created with a throw-away libmongocrypt handle, then the schema naming
        // them is installed as the schema map of the handle used for auto encryption.
        keyA_ = makeDataKey(std::nullopt);
        keyB_ = makeDataKey(std::string("Sharlene"));
        crypt_ = newCrypt(schemaMap());
    }
    void TearDown() override {
        if (crypt_) mongocrypt_destroy(crypt_);
    }

    static mongocrypt_t* newCrypt(const std::optional<bson::Doc>& map) {
        mongocrypt_t* crypt = mongocrypt_new();
        std::vector<uint8_t> masterKey(96, 'k');
        Binary key(mongocrypt_binary_new_from_data(masterKey.data(), 96));
        EXPECT_TRUE(mongocrypt_setopt_kms_provider_local(crypt, key.get()));
        if (map) {
            Binary m = binaryOf(*map);  // copied by libmongocrypt
            EXPECT_TRUE(mongocrypt_setopt_schema_map(crypt, m.get()));
        }
        EXPECT_TRUE(mongocrypt_init(crypt));
        return crypt;
    }

    static bson::Doc makeDataKey(const std::optional<std::string>& altName) {
        mongocrypt_t* crypt = newCrypt(std::nullopt);
        Ctx ctx(mongocrypt_ctx_new(crypt));
        bson::Doc kekDoc = bson::Doc::fromJson(R"({"provider": "local"})");
        Binary kek = binaryOf(kekDoc);
        EXPECT_TRUE(mongocrypt_ctx_setopt_key_encryption_key(ctx.get(), kek.get()));
        if (altName) {
            bson::Doc altDoc = bson::Doc::fromJson(R"({"keyAltName": ")" + *altName + "\"}");
            Binary alt = binaryOf(altDoc);
            EXPECT_TRUE(mongocrypt_ctx_setopt_key_alt_name(ctx.get(), alt.get()));
        }
        EXPECT_TRUE(mongocrypt_ctx_datakey_init(ctx.get())) << ctxError(ctx.get());
        EXPECT_EQ(mongocrypt_ctx_state(ctx.get()), MONGOCRYPT_CTX_READY) << ctxError(ctx.get());
        Binary out(mongocrypt_binary_new());
        EXPECT_TRUE(mongocrypt_ctx_finalize(ctx.get(), out.get())) << ctxError(ctx.get());
        bson::Doc key = docOf(out.get());
        ctx.reset();
        mongocrypt_destroy(crypt);
        return key;
    }

    // {"db.c": schema}: deterministic ssn (key A), random secret (key B), nested policyNumber,
    // and a JSON-pointer keyId (keyAltName of key B).
    bson::Doc schemaMap() const {
        bson::Element idA = *keyA_.view().find("_id");
        bson::Element idB = *keyB_.view().find("_id");
        auto encrypt = [](bson::Builder& field, const bson::Element* id, const char* algo,
                          const char* type) {
            field.appendDocument("encrypt", [&](bson::Builder& e) {
                if (id) {
                    e.appendArray("keyId", [&](bson::Builder& ids) { ids.append("0", *id); });
                } else {
                    e.appendUtf8("keyId", "/altName");
                }
                e.appendUtf8("algorithm", algo);
                if (type) e.appendUtf8("bsonType", type);
            });
        };
        bson::Builder b;
        b.appendDocument("db.c", [&](bson::Builder& s) {
            s.appendUtf8("bsonType", "object");
            s.appendDocument("properties", [&](bson::Builder& p) {
                p.appendDocument("ssn",
                                 [&](bson::Builder& f) { encrypt(f, &idA, kDet, "string"); });
                p.appendDocument("secret",
                                 [&](bson::Builder& f) { encrypt(f, &idB, kRnd, nullptr); });
                p.appendDocument("byName",
                                 [&](bson::Builder& f) { encrypt(f, nullptr, kRnd, nullptr); });
                p.appendDocument("insurance", [&](bson::Builder& f) {
                    f.appendUtf8("bsonType", "object");
                    f.appendDocument("properties", [&](bson::Builder& q) {
                        q.appendDocument("policyNumber", [&](bson::Builder& g) {
                            encrypt(g, &idA, kDet, "string");
                        });
                    });
                });
            });
        });
        return b.finish();
    }

    struct Outcome {
        bson::Doc encrypted;
        int markings = 0;  // markings in our reply
    };

    // Drives one command through auto encryption, answering libmongocrypt's requests.
    Outcome encrypt(const std::string& commandJson) {
        Outcome outcome;
        Ctx ctx(mongocrypt_ctx_new(crypt_));
        bson::Doc cmdDoc = bson::Doc::fromJson(commandJson);
        Binary cmd = binaryOf(cmdDoc);
        EXPECT_TRUE(mongocrypt_ctx_encrypt_init(ctx.get(), "db", -1, cmd.get()))
            << ctxError(ctx.get());
        for (int step = 0; step < 10; ++step) {
            switch (mongocrypt_ctx_state(ctx.get())) {
                case MONGOCRYPT_CTX_NEED_MONGO_MARKINGS: {
                    Binary op(mongocrypt_binary_new());
                    EXPECT_TRUE(mongocrypt_ctx_mongo_op(ctx.get(), op.get()));
                    bson::Doc request = docOf(op.get());
                    bson::Doc reply = analyzer_.analyze(request.view());
                    int counts[3] = {0, 0, 0};
                    countSubtype6(reply.view(), counts);
                    outcome.markings = counts[0];
                    bson::Builder withOk;
                    for (bson::Element e : reply.view()) withOk.append(e);
                    withOk.appendDouble("ok", 1.0);
                    bson::Doc fed = withOk.finish();
                    Binary feed = binaryOf(fed);
                    EXPECT_TRUE(mongocrypt_ctx_mongo_feed(ctx.get(), feed.get()))
                        << ctxError(ctx.get());
                    EXPECT_TRUE(mongocrypt_ctx_mongo_done(ctx.get())) << ctxError(ctx.get());
                    break;
                }
                case MONGOCRYPT_CTX_NEED_MONGO_KEYS: {
                    // Feed what a key vault would return for libmongocrypt's filter.
                    Binary op(mongocrypt_binary_new());
                    EXPECT_TRUE(mongocrypt_ctx_mongo_op(ctx.get(), op.get()));
                    bson::Doc filter = docOf(op.get());
                    std::vector<std::string> requested;
                    collectRequested(filter.view(), requested);
                    for (const bson::Doc* key : {&keyA_, &keyB_}) {
                        if (!isRequested(*key, requested)) continue;
                        Binary k = binaryOf(*key);
                        EXPECT_TRUE(mongocrypt_ctx_mongo_feed(ctx.get(), k.get()))
                            << ctxError(ctx.get());
                    }
                    EXPECT_TRUE(mongocrypt_ctx_mongo_done(ctx.get())) << ctxError(ctx.get());
                    break;
                }
                case MONGOCRYPT_CTX_READY: {
                    Binary out(mongocrypt_binary_new());
                    EXPECT_TRUE(mongocrypt_ctx_finalize(ctx.get(), out.get()))
                        << ctxError(ctx.get());
                    outcome.encrypted = docOf(out.get());
                    return outcome;
                }
                case MONGOCRYPT_CTX_ERROR:
                    ADD_FAILURE() << "libmongocrypt error: " << ctxError(ctx.get());
                    return outcome;
                default:
                    ADD_FAILURE() << "unexpected state " << mongocrypt_ctx_state(ctx.get());
                    return outcome;
            }
        }
        ADD_FAILURE() << "state machine did not finish";
        return outcome;
    }

    // Every marking became ciphertext (byte 1 deterministic, 2 random), none is left.
    void expectAllEncrypted(const std::string& commandJson, int expectedMarkings, int det,
                            int rnd) {
        SCOPED_TRACE(commandJson);
        Outcome o = encrypt(commandJson);
        EXPECT_EQ(o.markings, expectedMarkings);
        int counts[3] = {0, 0, 0};
        countSubtype6(o.encrypted.view(), counts);
        EXPECT_EQ(counts[0], 0) << o.encrypted.toJson();
        EXPECT_EQ(counts[1], det) << o.encrypted.toJson();
        EXPECT_EQ(counts[2], rnd) << o.encrypted.toJson();
    }

    Analyzer analyzer_;
    bson::Doc keyA_, keyB_;
    mongocrypt_t* crypt_ = nullptr;
};

TEST_F(LibmongocryptConsumerTest, FindCountDistinct) {
    expectAllEncrypted(R"({"find": "c", "filter": {"ssn": "457-55-5462", "x": 1}})", 1, 1, 0);
    expectAllEncrypted(
        R"({"find": "c", "filter": {"$or": [{"ssn": {"$in": ["a", "b"]}}, {"insurance.policyNumber": {"$ne": "p"}}]}})",
        3, 3, 0);
    expectAllEncrypted(R"({"count": "c", "query": {"ssn": "a"}})", 1, 1, 0);
    expectAllEncrypted(R"({"distinct": "c", "key": "ssn", "query": {"ssn": {"$nin": ["a"]}}})", 1,
                       1, 0);
}

TEST_F(LibmongocryptConsumerTest, InsertWithNestedRandomAndKeyAltName) {
    expectAllEncrypted(R"({"insert": "c", "documents": [
        {"_id": 1, "ssn": "1", "secret": {"any": ["thing", 2.5]}, "insurance": {"policyNumber": "p"}},
        {"_id": 2, "altName": "Sharlene", "byName": 42}]})",
                       4, 2, 2);
}

TEST_F(LibmongocryptConsumerTest, UpdateDeleteFindAndModifyExplain) {
    expectAllEncrypted(
        R"({"update": "c", "updates": [{"q": {"ssn": "1"}, "u": {"$set": {"secret": "s", "insurance": {"policyNumber": "q"}}}},
        {"q": {"_id": 3}, "u": {"ssn": "2", "other": 1}}]})",
        4, 3, 1);
    expectAllEncrypted(R"({"delete": "c", "deletes": [{"q": {"ssn": "1"}, "limit": 1}]})", 1, 1, 0);
    expectAllEncrypted(
        R"({"findAndModify": "c", "query": {"ssn": "1"}, "update": {"$set": {"ssn": "2"}}})", 2, 2,
        0);
    expectAllEncrypted(R"({"explain": {"find": "c", "filter": {"ssn": "1"}}})", 1, 1, 0);
}

TEST_F(LibmongocryptConsumerTest, AggregatePipelines) {
    // Markings in $match, a self-$lookup's joined documents, $expr and a $cond branch.
    expectAllEncrypted(R"({"aggregate": "c", "pipeline": [
        {"$match": {"ssn": "1"}},
        {"$lookup": {"from": "c", "localField": "ssn", "foreignField": "insurance.policyNumber", "as": "m"}},
        {"$match": {"m.ssn": {"$in": ["2", "3"]}, "$expr": {"$eq": ["$insurance.policyNumber", "4"]}}},
        {"$project": {"s": {"$cond": [true, "$ssn", "none"]}}},
        {"$match": {"s": "5"}}], "cursor": {}})",
                       6, 6, 0);
    expectAllEncrypted(
        R"({"explain": {"aggregate": "c", "pipeline": [{"$group": {"_id": "$ssn"}}, {"$match": {"_id": "1"}}]}})",
        1, 1, 0);
}

TEST_F(LibmongocryptConsumerTest, NothingToEncryptPassesThrough) {
    expectAllEncrypted(R"({"find": "c", "filter": {"x": 1}})", 0, 0, 0);
    expectAllEncrypted(R"({"insert": "c", "documents": [{"x": 1}]})", 0, 0, 0);
}

}  // namespace
}  // namespace cryptd::analysis::test
