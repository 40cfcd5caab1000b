// Oversized, duplicated and deeply nested — but well-framed — commands against the real daemon.
// The daemon may answer {ok: 1} or {ok: 0}; it must never crash, hang, or send a value bound for
// an encrypted field in plaintext. Each case ends with a fresh `hello`.

#include <chrono>

#include "hostile/hostile_fixture.h"

namespace cryptd::test::hostile {
namespace {

using std::chrono::seconds;

// A generous bound: these are robustness checks, not benchmarks (speed lives in bench/), but a
// reply that takes longer than this is a hang as far as a driver is concerned.
constexpr milliseconds kSlowReply(30'000);

bson::Doc json(const std::string& text) {
    return bson::Doc::fromJson(text);
}

class LargeInputTest : public HostileDaemonTest {
  protected:
    bson::Doc roundTrip(const Bytes& request) {
        Client c = connect();
        Fate fate = observe(c, request, kSlowReply);
        if (!fate.reply) {
            ADD_FAILURE() << "no reply: " << fate.describe();
            return {};
        }
        return std::move(*fate.reply);
    }

    // The reply is an error, or a success whose result holds none of the secrets in plaintext.
    void expectNoPlaintext(const bson::Doc& reply, std::initializer_list<std::string> secrets) {
        ASSERT_TRUE(isErrorReply(reply) || isOkReply(reply)) << reply.toJson().substr(0, 500);
        // What the daemon chose, for the test log.
        if (isErrorReply(reply)) {
            std::printf("answered with an error: %s\n",
                        std::string(reply.view().find("errmsg")->utf8()).substr(0, 200).c_str());
        } else {
            std::printf("answered ok with %zu markings\n", countMarkings(reply.view()));
        }
        for (const auto& s : secrets) {
            auto leaks = plaintextPaths(reply.view(), s);
            EXPECT_TRUE(leaks.empty()) << "plaintext '" << s << "' at " << leaks.front() << " in "
                                       << reply.toJson().substr(0, 1000);
        }
    }

    // What a driver appends to every command: the ssn schema, isRemoteSchema and $db.
    static void appendSchemaArguments(bson::Builder& command) {
        command.appendDocument("jsonSchema", ssnSchema().view());
        command.appendBool("isRemoteSchema", false);
        command.appendUtf8("$db", "test");
    }

    static size_t countMarkings(bson::View doc) {
        size_t n = 0;
        for (auto e : doc) {
            if (e.type() == BSON_TYPE_BINARY && e.binary().subtype == BSON_SUBTYPE_ENCRYPTED) ++n;
            if (e.isDocument() || e.isArray()) n += countMarkings(e.document());
        }
        return n;
    }

    void TearDown() override {
        expectStillServing();
        HostileDaemonTest::TearDown();
    }
};

// --- duplicate field names -----------------------------------------------------------------

TEST_F(LargeInputTest, DuplicateFilterFieldsNeverLeakPlaintext) {
    bson::Builder b;
    b.appendUtf8("find", "c");
    b.appendDocument("filter", [](bson::Builder& f) { f.appendUtf8("ssn", "SECRET-1"); });
    b.appendDocument("filter", [](bson::Builder& f) { f.appendUtf8("ssn", "SECRET-2"); });
    appendSchemaArguments(b);
    expectNoPlaintext(roundTrip(wire::opMsg(1, b.finish())), {"SECRET-1", "SECRET-2"});
}

TEST_F(LargeInputTest, DuplicateKeysInsideAFilterAreAllMarked) {
    bson::Builder b;
    b.appendUtf8("find", "c");
    b.appendDocument("filter", [](bson::Builder& f) {
        f.appendUtf8("ssn", "SECRET-1");
        f.appendUtf8("ssn", "SECRET-2");
    });
    appendSchemaArguments(b);
    expectNoPlaintext(roundTrip(wire::opMsg(1, b.finish())), {"SECRET-1", "SECRET-2"});
}

TEST_F(LargeInputTest, DuplicateKeysInsideAnInsertedDocumentAreAllMarked) {
    bson::Builder b;
    b.appendUtf8("insert", "c");
    b.appendArray("documents", [](bson::Builder& docs) {
        docs.appendDocument("0", [](bson::Builder& d) {
            d.appendUtf8("ssn", "SECRET-1");
            d.appendUtf8("ssn", "SECRET-2");
        });
    });
    appendSchemaArguments(b);
    expectNoPlaintext(roundTrip(wire::opMsg(1, b.finish())), {"SECRET-1", "SECRET-2"});
}

TEST_F(LargeInputTest, DuplicateDocumentsArraysNeverLeakPlaintext) {
    bson::Builder b;
    b.appendUtf8("insert", "c");
    for (const char* secret : {"SECRET-1", "SECRET-2"}) {
        b.appendArray("documents", [&](bson::Builder& docs) {
            docs.appendDocument("0", [&](bson::Builder& d) { d.appendUtf8("ssn", secret); });
        });
    }
    appendSchemaArguments(b);
    expectNoPlaintext(roundTrip(wire::opMsg(1, b.finish())), {"SECRET-1", "SECRET-2"});
}

TEST_F(LargeInputTest, DuplicateSetOperatorsAreAllMarked) {
    bson::Builder b;
    b.appendUtf8("update", "c");
    b.appendArray("updates", [](bson::Builder& ups) {
        ups.appendDocument("0", [](bson::Builder& u) {
            u.appendDocument("q", bson::View());
            u.appendDocument("u", [](bson::Builder& ops) {
                ops.appendDocument("$set",
                                   [](bson::Builder& s) { s.appendUtf8("ssn", "SECRET-1"); });
                ops.appendDocument("$set",
                                   [](bson::Builder& s) { s.appendUtf8("ssn", "SECRET-2"); });
            });
        });
    });
    appendSchemaArguments(b);
    expectNoPlaintext(roundTrip(wire::opMsg(1, b.finish())), {"SECRET-1", "SECRET-2"});
}

// Two schemas in one command: whichever the engine reads, a value must not go out in plaintext
// because another part of the command looked at the other one.
TEST_F(LargeInputTest, DuplicateJsonSchemaNeverLeaksPlaintext) {
    for (bool encryptingFirst : {false, true}) {
        bson::Builder b;
        b.appendUtf8("find", "c");
        b.appendDocument("filter", [](bson::Builder& f) { f.appendUtf8("ssn", "SECRET-1"); });
        if (encryptingFirst) b.appendDocument("jsonSchema", ssnSchema().view());
        b.appendDocument("jsonSchema", bson::View());
        if (!encryptingFirst) b.appendDocument("jsonSchema", ssnSchema().view());
        b.appendBool("isRemoteSchema", false);
        b.appendUtf8("$db", "test");
        expectNoPlaintext(roundTrip(wire::opMsg(1, b.finish())), {"SECRET-1"});
    }
}

TEST_F(LargeInputTest, DuplicateCommandNameIsAnsweredOnce) {
    bson::Builder b;
    b.appendUtf8("find", "c");
    b.appendUtf8("find", "d");
    b.appendDocument("filter", [](bson::Builder& f) { f.appendUtf8("ssn", "SECRET-1"); });
    appendSchemaArguments(b);
    expectNoPlaintext(roundTrip(wire::opMsg(1, b.finish())), {"SECRET-1"});
}

// --- 100,000-element arrays ----------------------------------------------------------------

TEST_F(LargeInputTest, OneHundredThousandInsertedDocumentsAreAllMarked) {
    std::vector<bson::Doc> docs;
    docs.reserve(100'000);
    for (int i = 0; i < 100'000; ++i) {
        bson::Builder d;
        d.appendInt32("_id", i);
        d.appendUtf8("ssn", "SECRET-1");
        docs.push_back(d.finish());
    }
    std::vector<const bson::Doc*> ptrs;
    for (const auto& d : docs) ptrs.push_back(&d);
    bson::Builder body;
    body.appendUtf8("insert", "c");
    appendSchemaArguments(body);
    bson::Doc reply = roundTrip(wire::opMsg(1, body.finish(), 0, {{"documents", ptrs}}));
    expectNoPlaintext(reply, {"SECRET-1"});
    if (isOkReply(reply)) {
        EXPECT_EQ(countMarkings(reply.view()), 100'000u);
    }
}

TEST_F(LargeInputTest, AnInListOfOneHundredThousandValuesIsAllMarked) {
    bson::Builder b;
    b.appendUtf8("find", "c");
    b.appendDocument("filter", [](bson::Builder& f) {
        f.appendDocument("ssn", [](bson::Builder& op) {
            op.appendArray("$in", [](bson::Builder& arr) {
                char key[16];
                for (uint32_t i = 0; i < 100'000; ++i)
                    arr.appendUtf8(bson::arrayKey(i, key), "SECRET-1");
            });
        });
    });
    appendSchemaArguments(b);
    bson::Doc reply = roundTrip(wire::opMsg(1, b.finish()));
    expectNoPlaintext(reply, {"SECRET-1"});
    if (isOkReply(reply)) {
        EXPECT_EQ(countMarkings(reply.view()), 100'000u);
    }
}

TEST_F(LargeInputTest, APlainOneHundredThousandElementArrayIsEchoed) {
    bson::Builder b;
    b.appendUtf8("insert", "c");
    b.appendArray("documents", [](bson::Builder& docs) {
        docs.appendDocument("0", [](bson::Builder& d) {
            d.appendArray("plain", [](bson::Builder& arr) {
                char key[16];
                for (uint32_t i = 0; i < 100'000; ++i) arr.appendInt32(bson::arrayKey(i, key), 7);
            });
        });
    });
    appendSchemaArguments(b);
    bson::Doc reply = roundTrip(wire::opMsg(1, b.finish()));
    ASSERT_TRUE(isOkReply(reply)) << reply.toJson().substr(0, 300);
    auto result = reply.view().find("result");
    ASSERT_TRUE(result && result->isDocument());
    auto docs = result->document().find("documents");
    ASSERT_TRUE(docs && docs->isArray());
    auto first = docs->document().find("0");
    ASSERT_TRUE(first && first->isDocument());
    auto plain = first->document().find("plain");
    ASSERT_TRUE(plain && plain->isArray());
    EXPECT_EQ(plain->document().count(), 100'000u);
}

TEST_F(LargeInputTest, AOneHundredThousandElementArrayIntoADeterministicFieldIsRefused) {
    bson::Builder b;
    b.appendUtf8("insert", "c");
    b.appendArray("documents", [](bson::Builder& docs) {
        docs.appendDocument("0", [](bson::Builder& d) {
            d.appendArray("ssn", [](bson::Builder& arr) {
                char key[16];
                for (uint32_t i = 0; i < 100'000; ++i)
                    arr.appendUtf8(bson::arrayKey(i, key), "SECRET-1");
            });
        });
    });
    appendSchemaArguments(b);
    bson::Doc reply = roundTrip(wire::opMsg(1, b.finish()));
    EXPECT_TRUE(isErrorReply(reply)) << reply.toJson().substr(0, 300);
    expectNoPlaintext(reply, {"SECRET-1"});
}

// --- a 10 MB jsonSchema --------------------------------------------------------------------

// `fields` encrypted properties f0..fN, plus filler text; about 140 bytes per field.
bson::Doc wideSchema(int fields) {
    bson::Doc keyId =
        json(R"({"k": {"$binary": {"base64": "YWFhYWFhYWFhYWFhYWFhYQ==", "subType": "04"}}})");
    bson::Builder b;
    b.appendUtf8("bsonType", "object");
    b.appendDocument("properties", [&](bson::Builder& props) {
        for (int i = 0; i < fields; ++i) {
            props.appendDocument("f" + std::to_string(i), [&](bson::Builder& p) {
                p.appendDocument("encrypt", [&](bson::Builder& e) {
                    e.appendArray(
                        "keyId", [&](bson::Builder& k) { k.append("0", *keyId.view().find("k")); });
                    e.appendUtf8("algorithm", "AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic");
                    e.appendUtf8("bsonType", "string");
                });
            });
        }
    });
    return b.finish();
}

TEST_F(LargeInputTest, ATenMegabyteSchemaIsParsedOrRefused) {
    bson::Doc schema = wideSchema(75'000);
    ASSERT_GT(schema.size(), 10u * 1000 * 1000);
    ASSERT_LT(schema.size(), 16u * 1024 * 1024);
    for (int round = 0; round < 2; ++round) {  // the second time from the schema cache, if kept
        bson::Builder b;
        b.appendUtf8("find", "c");
        b.appendDocument("filter", [](bson::Builder& f) { f.appendUtf8("f74999", "SECRET-1"); });
        b.appendDocument("jsonSchema", schema.view());
        b.appendBool("isRemoteSchema", false);
        b.appendUtf8("$db", "test");
        auto started = std::chrono::steady_clock::now();
        bson::Doc reply = roundTrip(wire::opMsg(1, b.finish()));
        expectNoPlaintext(reply, {"SECRET-1"});
        if (isOkReply(reply)) {
            EXPECT_EQ(countMarkings(reply.view()), 1u) << reply.toJson();
        }
        EXPECT_LT(std::chrono::steady_clock::now() - started, kSlowReply);
        expectStillServing();
    }
}

TEST_F(LargeInputTest, ATenMegabyteSchemaStringIsHandled) {
    // One huge value inside the schema (a description), and one huge patternProperties regex.
    std::string big(10 * 1000 * 1000, 'x');
    for (const char* where : {"description", "pattern"}) {
        bson::Builder b;
        b.appendUtf8("find", "c");
        b.appendDocument("filter", [](bson::Builder& f) { f.appendUtf8("ssn", "SECRET-1"); });
        b.appendDocument("jsonSchema", [&](bson::Builder& s) {
            s.appendUtf8("bsonType", "object");
            if (std::string(where) == "description") s.appendUtf8("description", big);
            s.appendDocument("properties", ssnSchema().view().find("properties")->document());
            if (std::string(where) == "pattern") {
                s.appendDocument("patternProperties", [&](bson::Builder& pp) {
                    pp.appendDocument(
                        big, [](bson::Builder& sub) { sub.appendUtf8("bsonType", "int"); });
                });
            }
        });
        // description is a validation keyword: only remote schemas may carry it.
        b.appendBool("isRemoteSchema", std::string(where) == "description");
        b.appendUtf8("$db", "test");
        expectNoPlaintext(roundTrip(wire::opMsg(1, b.finish())), {"SECRET-1"});
        expectStillServing();
    }
}

// --- deep but legal nesting ----------------------------------------------------------------

TEST_F(LargeInputTest, DeeplyNestedFiltersAreAnsweredWithoutPlaintext) {
    // {$and: [{$and: [ ... {ssn: secret} ]}]}: two BSON levels per step; 100 steps stay under
    // the daemon's wire limit (220), so the match walker itself must cope (it may refuse).
    // 40 steps is an ordinary if odd filter: it must be answered, with the marking.
    for (int steps : {40, 100}) {
        bson::Builder leaf;
        leaf.appendUtf8("ssn", "SECRET-1");
        bson::Doc filter = leaf.finish();
        for (int i = 0; i < steps; ++i) {
            bson::Builder f;
            f.appendArray("$and",
                          [&](bson::Builder& arr) { arr.appendDocument("0", filter.view()); });
            filter = f.finish();
        }
        bson::Builder b;
        b.appendUtf8("find", "c");
        b.appendDocument("filter", filter.view());
        appendSchemaArguments(b);
        bson::Doc reply = roundTrip(wire::opMsg(1, b.finish()));
        expectNoPlaintext(reply, {"SECRET-1"});
        if (steps == 40) {
            EXPECT_TRUE(isOkReply(reply)) << reply.toJson().substr(0, 300);
            EXPECT_EQ(countMarkings(reply.view()), 1u);
        }
    }
}

TEST_F(LargeInputTest, DeeplyNestedDocumentsAndSchemasAreAnswered) {
    // 200 levels: under the daemon's wire limit (220), so the engine itself must cope.
    Bytes deepDoc = raw::nested(200);
    Bytes body = raw::doc(
        raw::concat({raw::stringField("insert", "c"),
                     raw::docField("documents", raw::doc(raw::docField("0", deepDoc)), 0x04),
                     raw::docField("jsonSchema", raw::doc({})), raw::stringField("$db", "test")}));
    Client c = connect();
    Fate fate = observe(c, raw::opMsgBody(body), kSlowReply);
    EXPECT_TRUE(fate.reply) << fate.describe();

    // Schemas nested 30 and 100 `properties` levels deep (60 and 200 BSON levels) with an
    // encrypted leaf: the first is answered with a marking, the second may be refused.
    for (int levels : {30, 100}) {
        bson::Doc schema = ssnSchema();
        for (int i = 1; i < levels; ++i) {
            bson::Builder s;
            s.appendUtf8("bsonType", "object");
            s.appendDocument("properties",
                             [&](bson::Builder& p) { p.appendDocument("a", schema.view()); });
            schema = s.finish();
        }
        std::string path;
        for (int i = 1; i < levels; ++i) path += "a.";
        path += "ssn";
        bson::Builder cmd;
        cmd.appendUtf8("find", "c");
        cmd.appendDocument("filter", [&](bson::Builder& f) { f.appendUtf8(path, "SECRET-1"); });
        cmd.appendDocument("jsonSchema", schema.view());
        cmd.appendBool("isRemoteSchema", false);
        cmd.appendUtf8("$db", "test");
        Client c2 = connect();
        Fate fate2 = observe(c2, wire::opMsg(2, cmd.finish()), kSlowReply);
        ASSERT_TRUE(fate2.reply) << fate2.describe();
        expectNoPlaintext(*fate2.reply, {"SECRET-1"});
        if (levels == 30) {
            EXPECT_TRUE(isOkReply(*fate2.reply)) << fate2.reply->toJson().substr(0, 300);
            EXPECT_EQ(countMarkings(fate2.reply->view()), 1u);
        }
    }
}

}  // namespace
}  // namespace cryptd::test::hostile
