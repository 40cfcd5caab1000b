// Every mongo_crypt_v1 entry point, called as libmongocrypt calls them and as it must not: the
// library reports each misuse as a status and never throws, aborts or reads past its input.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "analysis/analyzer.h"
#include "analysis/compatible_version.h"
#include "common/error.h"
#include "crypt_shared_test_util.h"

namespace cryptd::crypt_shared::test {
namespace {

std::string resultOf(const bson::Doc& reply) {
    auto r = reply.view().find("result");
    return r && r->isDocument() ? r->document().toCanonicalJson() : std::string("<no result>");
}

bson::View resultView(const bson::Doc& reply) {
    auto r = reply.view().find("result");
    return r ? r->document() : bson::View();
}

// What the daemon's engine answers for the same command (the daemon calls Analyzer::analyze).
bson::Doc engineReply(const bson::Doc& cmd) {
    static analysis::Analyzer engine;
    return engine.analyze(cmd.view());
}

TEST(CryptSharedApi, StatusWorksBeforeTheLibraryExists) {
    Status st;
    ASSERT_NE(st.s, nullptr);
    EXPECT_EQ(st.error(), MONGO_CRYPT_V1_SUCCESS);
    EXPECT_EQ(st.explanation(), "");
    EXPECT_EQ(mongo_crypt_v1_status_get_error(nullptr), MONGO_CRYPT_V1_ERROR_UNKNOWN);
    EXPECT_NE(mongo_crypt_v1_status_get_explanation(nullptr), nullptr);
    mongo_crypt_v1_status_destroy(nullptr);  // NULL-safe
    mongo_crypt_v1_bson_free(nullptr);       // NULL-safe
}

TEST(CryptSharedApi, VersionIsTheEnginesCompatibleRelease) {
    EXPECT_EQ(mongo_crypt_v1_get_version(), 0x0008000100000000ull);
    EXPECT_EQ(mongo_crypt_v1_get_version(), analysis::kCompatibleVersionWords);
    uint64_t v = mongo_crypt_v1_get_version();
    std::string words = std::to_string(v >> 48) + "." + std::to_string((v >> 32) & 0xffff) + "." +
                        std::to_string((v >> 16) & 0xffff);
    EXPECT_EQ(words, analysis::kCompatibleServerVersion);
    std::string s = mongo_crypt_v1_get_version_str();
    EXPECT_EQ(s.rfind("mongo_crypt_v1-cryptd-", 0), 0u) << s;
    EXPECT_NE(s.find(std::string("+mongodb-") + analysis::kCompatibleServerVersion),
              std::string::npos)
        << s;
}

TEST(CryptSharedApi, OneLibraryPerProcessAndANewOneAfterDestroy) {
    Status st;
    mongo_crypt_v1_lib* lib = mongo_crypt_v1_lib_create(st);
    ASSERT_NE(lib, nullptr) << st.explanation();
    EXPECT_EQ(st.error(), MONGO_CRYPT_V1_SUCCESS);

    EXPECT_EQ(mongo_crypt_v1_lib_create(st), nullptr);
    EXPECT_EQ(st.error(), MONGO_CRYPT_V1_ERROR_LIBRARY_ALREADY_INITIALIZED);
    EXPECT_NE(st.explanation().find("already exists"), std::string::npos) << st.explanation();
    EXPECT_EQ(mongo_crypt_v1_lib_create(nullptr), nullptr);  // no status: still refused

    EXPECT_EQ(mongo_crypt_v1_lib_destroy(lib, st), MONGO_CRYPT_V1_SUCCESS);
    EXPECT_EQ(st.error(), MONGO_CRYPT_V1_SUCCESS);
    mongo_crypt_v1_lib* again = mongo_crypt_v1_lib_create(st);
    ASSERT_NE(again, nullptr) << st.explanation();
    EXPECT_EQ(mongo_crypt_v1_lib_destroy(again, nullptr), MONGO_CRYPT_V1_SUCCESS);
}

TEST(CryptSharedApi, DestroyWithoutALibraryOrWithAForeignHandle) {
    Status st;
    EXPECT_EQ(mongo_crypt_v1_lib_destroy(nullptr, st),
              MONGO_CRYPT_V1_ERROR_LIBRARY_NOT_INITIALIZED);
    EXPECT_EQ(st.error(), MONGO_CRYPT_V1_ERROR_LIBRARY_NOT_INITIALIZED);

    Lib lib;
    ASSERT_NE(lib.lib, nullptr);
    EXPECT_EQ(mongo_crypt_v1_lib_destroy(nullptr, st), MONGO_CRYPT_V1_ERROR_INVALID_LIB_HANDLE);
    EXPECT_NE(st.explanation().find("null"), std::string::npos) << st.explanation();
    alignas(16) unsigned char foreign[256] = {};
    auto* fake = reinterpret_cast<mongo_crypt_v1_lib*>(foreign);
    EXPECT_EQ(mongo_crypt_v1_lib_destroy(fake, st), MONGO_CRYPT_V1_ERROR_INVALID_LIB_HANDLE);
    EXPECT_EQ(mongo_crypt_v1_query_analyzer_create(fake, st), nullptr);
    EXPECT_EQ(st.error(), MONGO_CRYPT_V1_ERROR_INVALID_LIB_HANDLE);
    EXPECT_EQ(mongo_crypt_v1_query_analyzer_create(nullptr, st), nullptr);
    EXPECT_EQ(st.error(), MONGO_CRYPT_V1_ERROR_INVALID_LIB_HANDLE);
}

TEST(CryptSharedApi, AnalyzerNeedsALibrary) {
    Status st;
    EXPECT_EQ(mongo_crypt_v1_query_analyzer_create(nullptr, st), nullptr);
    EXPECT_EQ(st.error(), MONGO_CRYPT_V1_ERROR_LIBRARY_NOT_INITIALIZED);
    // A handle of a library that was destroyed is not used.
    mongo_crypt_v1_lib* lib = mongo_crypt_v1_lib_create(st);
    ASSERT_NE(lib, nullptr);
    ASSERT_EQ(mongo_crypt_v1_lib_destroy(lib, st), MONGO_CRYPT_V1_SUCCESS);
    EXPECT_EQ(mongo_crypt_v1_query_analyzer_create(lib, st), nullptr);
    EXPECT_EQ(st.error(), MONGO_CRYPT_V1_ERROR_LIBRARY_NOT_INITIALIZED);
}

TEST(CryptSharedApi, LibraryOutlivesItsAnalyzers) {
    Status st;
    mongo_crypt_v1_lib* lib = mongo_crypt_v1_lib_create(st);
    ASSERT_NE(lib, nullptr);
    mongo_crypt_v1_query_analyzer* a = mongo_crypt_v1_query_analyzer_create(lib, st);
    mongo_crypt_v1_query_analyzer* b = mongo_crypt_v1_query_analyzer_create(lib, st);
    ASSERT_NE(a, nullptr);
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(mongo_crypt_v1_lib_destroy(lib, st), MONGO_CRYPT_V1_ERROR_EXCEPTION);
    EXPECT_NE(st.explanation().find("2 query analyzer(s)"), std::string::npos) << st.explanation();
    EXPECT_EQ(st.code(), static_cast<int>(ErrorCode::IllegalOperation));
    mongo_crypt_v1_query_analyzer_destroy(a);
    EXPECT_EQ(mongo_crypt_v1_lib_destroy(lib, st), MONGO_CRYPT_V1_ERROR_EXCEPTION);
    // The refused destroy left everything usable.
    bson::Doc reply = analyze(b, command(R"("find": "c", "filter": {"ssn": "x"})"), st);
    EXPECT_EQ(st.error(), MONGO_CRYPT_V1_SUCCESS) << st.explanation();
    mongo_crypt_v1_query_analyzer_destroy(b);
    EXPECT_EQ(mongo_crypt_v1_lib_destroy(lib, st), MONGO_CRYPT_V1_SUCCESS);
    mongo_crypt_v1_query_analyzer_destroy(nullptr);  // NULL-safe
}

TEST(CryptSharedApi, AnalyzeAnswersAsTheDaemonsEngine) {
    Lib lib;
    Status st;
    QueryAnalyzer qa(lib.lib);
    ASSERT_NE(qa.qa, nullptr);
    for (const char* body : {
             R"("find": "c", "filter": {"ssn": "123-45-6789", "name": "x"})",
             R"("insert": "c", "documents": [{"ssn": "1", "age": 3, "name": "n"}])",
             R"("update": "c", "updates": [{"q": {"ssn": "1"}, "u": {"$set": {"age": 4}}}])",
             R"("delete": "c", "deletes": [{"q": {"ssn": "1"}, "limit": 1}])",
             R"("aggregate": "c", "pipeline": [{"$match": {"ssn": "1"}}], "cursor": {})",
             R"("count": "c", "query": {"name": "n"})",
         }) {
        SCOPED_TRACE(body);
        bson::Doc cmd = command(body);
        bson::Doc reply = analyze(qa, cmd, st);
        ASSERT_EQ(st.error(), MONGO_CRYPT_V1_SUCCESS) << body << ": " << st.explanation();
        bson::Doc expected = engineReply(cmd);
        EXPECT_EQ(reply.view(), expected.view()) << body << "\n"
                                                 << reply.toJson() << "\n"
                                                 << expected.toJson();
        for (const char* f : {"hasEncryptionPlaceholders", "schemaRequiresEncryption", "result"})
            EXPECT_TRUE(reply.view().find(f)) << f;
    }
    bson::Doc reply = analyze(qa, command(R"("find": "c", "filter": {"ssn": "1"})"), st);
    EXPECT_TRUE(reply.view().find("hasEncryptionPlaceholders")->boolean());
}

TEST(CryptSharedApi, DbComesFromTheNamespaceWhenTheCommandHasNone) {
    Lib lib;
    Status st;
    QueryAnalyzer qa(lib.lib);
    const char* body = R"("find": "c", "filter": {"ssn": "1"})";
    bson::Doc with = analyze(qa, command(body, true), st);
    ASSERT_EQ(st.error(), MONGO_CRYPT_V1_SUCCESS) << st.explanation();
    bson::Doc without = analyze(qa, command(body, false), st);
    ASSERT_EQ(st.error(), MONGO_CRYPT_V1_SUCCESS) << st.explanation();
    EXPECT_EQ(without.view(), with.view());
}

// libmongocrypt nests $db in explain's command for crypt_shared (_add_dollar_db); the daemon gets
// it without. Both answer the same result.
TEST(CryptSharedApi, ExplainWithNestedDbAnswersAsTheDaemon) {
    Lib lib;
    Status st;
    QueryAnalyzer qa(lib.lib);
    bson::Doc daemonForm =
        command(R"("explain": {"find": "c", "filter": {"ssn": "1"}}, "verbosity": "queryPlanner")");
    bson::Doc inner = withDb(bson::Doc::fromJson(R"({"find": "c", "filter": {"ssn": "1"}})"));
    bson::Builder b;
    b.appendDocument("explain", inner.view());
    for (bson::Element e : daemonForm.view()) {
        if (e.key() != "explain") b.append(e);
    }
    bson::Doc sharedForm = b.finish();
    bson::Doc reply = analyze(qa, sharedForm, st);
    ASSERT_EQ(st.error(), MONGO_CRYPT_V1_SUCCESS) << st.explanation();
    EXPECT_EQ(resultView(reply), resultView(engineReply(daemonForm))) << resultOf(reply);
    EXPECT_TRUE(reply.view().find("hasEncryptionPlaceholders")->boolean());
}

TEST(CryptSharedApi, RejectionIsAnExceptionWithTheDaemonsCodeAndMessage) {
    Lib lib;
    Status st;
    QueryAnalyzer qa(lib.lib);
    for (const char* body : {
             R"("frobnicate": "c")",
             R"("find": "c", "filter": {"ssn": {"$gt": "1"}})",
             R"("find": "c", "filter": {"ssn": "1"}, "bogus": 1)",
         }) {
        bson::Doc cmd = command(body);
        uint32_t len = 12345;
        uint8_t* out = mongo_crypt_v1_analyze_query(qa, cmd.data(), "db.c", 4, &len, st);
        EXPECT_EQ(out, nullptr) << body;
        EXPECT_EQ(st.error(), MONGO_CRYPT_V1_ERROR_EXCEPTION) << body;
        try {
            engineReply(cmd);
            ADD_FAILURE() << "the engine accepted " << body;
        } catch (const Error& e) {
            EXPECT_EQ(st.code(), e.numericCode()) << body;
            EXPECT_EQ(st.explanation(), e.reason()) << body;
        }
    }
    // The same status reports success again after an error.
    analyze(qa, command(R"("find": "c")"), st);
    EXPECT_EQ(st.error(), MONGO_CRYPT_V1_SUCCESS);
}

TEST(CryptSharedApi, NullArgumentsAreReported) {
    Lib lib;
    Status st;
    QueryAnalyzer qa(lib.lib);
    bson::Doc cmd = command(R"("find": "c")");
    uint32_t len = 0;
    EXPECT_EQ(mongo_crypt_v1_analyze_query(nullptr, cmd.data(), "db.c", 4, &len, st), nullptr);
    EXPECT_EQ(st.error(), MONGO_CRYPT_V1_ERROR_INVALID_LIB_HANDLE);
    alignas(16) unsigned char foreign[256] = {};
    EXPECT_EQ(
        mongo_crypt_v1_analyze_query(reinterpret_cast<mongo_crypt_v1_query_analyzer*>(foreign),
                                     cmd.data(), "db.c", 4, &len, st),
        nullptr);
    EXPECT_EQ(st.error(), MONGO_CRYPT_V1_ERROR_INVALID_LIB_HANDLE);
    mongo_crypt_v1_query_analyzer_destroy(
        reinterpret_cast<mongo_crypt_v1_query_analyzer*>(foreign));

    EXPECT_EQ(mongo_crypt_v1_analyze_query(qa, nullptr, "db.c", 4, &len, st), nullptr);
    EXPECT_EQ(st.error(), MONGO_CRYPT_V1_ERROR_EXCEPTION);
    EXPECT_EQ(st.code(), static_cast<int>(ErrorCode::BadValue));
    EXPECT_EQ(mongo_crypt_v1_analyze_query(qa, cmd.data(), "db.c", 4, nullptr, st), nullptr);
    EXPECT_EQ(st.error(), MONGO_CRYPT_V1_ERROR_EXCEPTION);
    EXPECT_NE(st.explanation().find("bson_len"), std::string::npos);
    EXPECT_EQ(mongo_crypt_v1_analyze_query(qa, cmd.data(), nullptr, 0, &len, st), nullptr);
    EXPECT_EQ(st.code(), static_cast<int>(ErrorCode::InvalidNamespace));
    // No status given: the call still fails cleanly.
    EXPECT_EQ(mongo_crypt_v1_analyze_query(qa, nullptr, "db.c", 4, &len, nullptr), nullptr);
    QueryAnalyzer noStatus(lib.lib);
    EXPECT_NE(noStatus.qa, nullptr);
}

TEST(CryptSharedApi, NamespaceMustBeDbDotCollectionInUtf8) {
    Lib lib;
    Status st;
    QueryAnalyzer qa(lib.lib);
    bson::Doc cmd = command(R"("find": "c", "filter": {"ssn": "1"})");
    auto call = [&](const char* ns, uint32_t n) {
        uint32_t len = 0;
        uint8_t* out = mongo_crypt_v1_analyze_query(qa, cmd.data(), ns, n, &len, st);
        mongo_crypt_v1_bson_free(out);
        return st.error() == MONGO_CRYPT_V1_SUCCESS ? 0 : st.code();
    };
    const int bad = static_cast<int>(ErrorCode::InvalidNamespace);
    EXPECT_EQ(call("db.c", 4), 0);
    EXPECT_EQ(call("nodot", 5), bad);
    EXPECT_EQ(call(".c", 2), bad);
    EXPECT_EQ(call("", 0), bad);
    EXPECT_EQ(call("db.\xff\xfe", 5), bad);
    EXPECT_EQ(call("db\0.c", 5), bad);
    // ns_len shorter than the string: only ns_len bytes count.
    EXPECT_EQ(call("db.coll", 2), bad);
    EXPECT_EQ(call("db.coll", 4), 0);
    // Not zero-terminated: nothing past ns_len is read.
    char unterminated[4] = {'d', 'b', '.', 'c'};
    EXPECT_EQ(call(unterminated, 4), 0);
}

TEST(CryptSharedApi, InvalidAndTruncatedBsonIsRefused) {
    Lib lib;
    Status st;
    QueryAnalyzer qa(lib.lib);
    auto call = [&](const std::vector<uint8_t>& bytes) {
        uint32_t len = 0;
        uint8_t* out = mongo_crypt_v1_analyze_query(qa, bytes.data(), "db.c", 4, &len, st);
        mongo_crypt_v1_bson_free(out);
        EXPECT_EQ(out, nullptr);
        EXPECT_EQ(st.error(), MONGO_CRYPT_V1_ERROR_EXCEPTION);
        return st.code();
    };
    const int invalid = static_cast<int>(ErrorCode::InvalidBSON);
    EXPECT_EQ(call({3, 0, 0, 0, 0}), invalid);  // length below 5
    EXPECT_EQ(call({5, 0, 0, 0, 1}), invalid);  // no terminator
    // A string element whose length runs past the document.
    EXPECT_EQ(call({16, 0, 0, 0, 2, 'a', 0, 100, 0, 0, 0, 'x', 'y', 0, 0, 0}), invalid);
    // A valid command cut short: its header still claims the whole length.
    bson::Doc cmd = command(R"("find": "c", "filter": {"ssn": "1"})");
    std::vector<uint8_t> cut(cmd.data(), cmd.data() + cmd.size());
    cut[cut.size() / 2] = 0x7f;  // a byte in the middle no longer fits
    cut.back() = 1;
    EXPECT_EQ(call(cut), invalid);
    // Claims 2 GB: refused by its header before anything is read.
    EXPECT_EQ(call({0xff, 0xff, 0xff, 0x7f, 0}), static_cast<int>(ErrorCode::BSONObjectTooLarge));
    // Nested deeper than the engine's limit.
    bson::Doc nested = bson::Doc::fromJson(R"({"a": 1})");
    for (int i = 0; i < 300; ++i) {
        bson::Builder level;
        level.appendDocument("a", nested.view());
        nested = level.finish();
    }
    bson::Builder deep;
    deep.appendUtf8("find", "c");
    deep.appendDocument("filter", nested.view());
    bson::Doc tooDeep = deep.finish();
    std::vector<uint8_t> d(tooDeep.data(), tooDeep.data() + tooDeep.size());
    EXPECT_EQ(call(d), static_cast<int>(ErrorCode::Overflow)) << st.explanation();
}

TEST(CryptSharedApi, SixteenMegabyteDocumentIsAnalyzed) {
    Lib lib;
    Status st;
    QueryAnalyzer qa(lib.lib);
    std::string big(16 * 1024 * 1024 - 1024, 'x');
    bson::Builder doc;
    doc.appendUtf8("ssn", "123");
    doc.appendUtf8("blob", big);
    bson::Doc user = doc.finish();
    bson::Builder b;
    b.appendUtf8("insert", "c");
    b.appendArray("documents", [&](bson::Builder& a) { a.appendDocument("0", user.view()); });
    bson::Doc schema = bson::Doc::fromJson(kSchemaJson);
    b.appendDocument("jsonSchema", schema.view());
    b.appendBool("isRemoteSchema", false);
    b.appendUtf8("$db", "db");
    bson::Doc cmd = b.finish();
    ASSERT_GT(cmd.size(), 16u * 1024 * 1024 - 1024);
    bson::Doc reply = analyze(qa, cmd, st);
    ASSERT_EQ(st.error(), MONGO_CRYPT_V1_SUCCESS) << st.explanation();
    EXPECT_GT(reply.size(), big.size());
    EXPECT_EQ(reply.view(), engineReply(cmd).view());
}

}  // namespace
}  // namespace cryptd::crypt_shared::test

namespace cryptd::crypt_shared::test {
namespace {

// A schema validated once is not read again (validated_schemas.h), but everything around it is,
// and bytes that differ from it in any way are validated in full.
TEST(CryptSharedApi, RememberedSchemaSkipsOnlyItsOwnBytes) {
    Lib lib;
    Status st;
    QueryAnalyzer qa(lib.lib);
    bson::Doc good = command(R"("find": "c", "filter": {"ssn": "1"})");
    ASSERT_TRUE(analyze(qa, good, st).size() > 5) << st.explanation();  // remembered now

    // The same schema, a string with a zero byte inside elsewhere in the command.
    bson::Builder b;
    b.appendUtf8("find", "c");
    b.appendDocument("filter",
                     [](bson::Builder& f) { f.appendUtf8("name", std::string_view("a\0b", 3)); });
    b.append(*good.view().find("jsonSchema"));
    b.appendBool("isRemoteSchema", false);
    b.appendUtf8("$db", "db");
    bson::Doc zeroInside = b.finish();
    uint32_t len = 0;
    EXPECT_EQ(mongo_crypt_v1_analyze_query(qa, zeroInside.data(), "db.c", 4, &len, st), nullptr);
    EXPECT_EQ(st.code(), static_cast<int>(ErrorCode::InvalidBSON)) << st.explanation();

    // The schema's bytes changed in place (an array key "0" -> "1", same length): not trusted.
    std::vector<uint8_t> bytes(good.data(), good.data() + good.size());
    bson::View schema = good.view().find("jsonSchema")->document();
    size_t start = static_cast<size_t>(schema.data() - good.data());
    std::string keyId = std::string("keyId") + '\0';
    auto at = std::search(bytes.begin() + static_cast<long>(start), bytes.end(), keyId.begin(),
                          keyId.end());
    ASSERT_NE(at, bytes.end());
    // keyId's array: 4 length bytes, then its first element's type byte and key "0".
    auto key0 = at + static_cast<long>(keyId.size()) + 4 + 1;
    ASSERT_EQ(*key0, '0');
    *key0 = '1';
    EXPECT_EQ(mongo_crypt_v1_analyze_query(qa, bytes.data(), "db.c", 4, &len, st), nullptr);
    EXPECT_EQ(st.code(), static_cast<int>(ErrorCode::InvalidBSON)) << st.explanation();

    // And the remembered schema still answers as before.
    EXPECT_EQ(analyze(qa, good, st).view(), engineReply(good).view());
}

}  // namespace
}  // namespace cryptd::crypt_shared::test
