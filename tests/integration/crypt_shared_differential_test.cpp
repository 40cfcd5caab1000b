// The daemon and mongo_crypt_v1.so answer alike: every spec-tests case and every libmongocrypt
// fixture request goes to the daemon over the wire (as libmongocrypt sends it to mongocryptd)
// and to the built library (as libmongocrypt sends it to crypt_shared: `$db` appended, for explain
// also nested with QE's encryptionInformation, the namespace beside it). Success bodies must be
// byte-identical; errors must carry the same code and message. One daemon for the whole run.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "analysis/analyzer.h"
#include "corpus_pairs.h"
#include "outcome.h"
#include "run_modes.h"
#include "spec_case.h"
#include "unit/crypt_shared/loaded_library.h"

namespace cryptd::spec {
namespace {

using crypt_shared::test::LoadedLibrary;

// The command as libmongocrypt hands it to crypt_shared (_add_dollar_db, and
// mc_schema_broker_add_schemas_to_cmd with MC_CMD_SCHEMAS_FOR_CRYPT_SHARED for explain).
bson::Doc cryptSharedForm(bson::View command, const std::string& db) {
    auto first = command.begin();
    bool explain = first != command.end() && (*first).key() == "explain" && (*first).isDocument();
    bson::Builder out;
    if (explain) {
        out.appendDocument("explain", [&](bson::Builder& inner) {
            for (auto e : (*first).document()) inner.append(e);
            if (auto ei = command.find("encryptionInformation")) inner.append(*ei);
            inner.appendUtf8("$db", db);
        });
    }
    for (auto e : command) {
        if (explain && (e.key() == "explain" || e.key() == "encryptionInformation")) continue;
        out.append(e);
    }
    out.appendUtf8("$db", db);
    return out.finish();
}

// "<db>.<collection>" as libmongocrypt builds target_ns (the collection is the command's value;
// explain: the wrapped command's).
std::string namespaceOf(bson::View command, const std::string& db) {
    auto first = command.begin();
    if (first == command.end()) return db + ".";
    bson::Element e = *first;
    if (e.key() == "explain" && e.isDocument() && e.document().begin() != e.document().end())
        e = *e.document().begin();
    return db + "." + (e.isString() ? std::string(e.utf8()) : std::string());
}

class Library {
  public:
    Library() : api_(CRYPTD_CRYPT_SHARED_LIB) {
        if (!api_.handle || !api_.missing.empty()) return;
        status_ = api_.status_create();
        lib_ = api_.lib_create(status_);
    }
    ~Library() {
        if (lib_) api_.lib_destroy(lib_, status_);
        if (status_) api_.status_destroy(status_);
    }
    bool loaded() const { return lib_ != nullptr; }

    // One analyzer per call, as libmongocrypt does.
    Outcome analyze(bson::View command, const std::string& db) {
        bson::Doc input = cryptSharedForm(command, db);
        std::string ns = namespaceOf(command, db);
        Outcome out;
        auto* qa = api_.query_analyzer_create(lib_, status_);
        uint32_t len = 0;
        uint8_t* bytes = api_.analyze_query(qa, input.data(), ns.c_str(),
                                            static_cast<uint32_t>(ns.size()), &len, status_);
        if (bytes) {
            out.body = bson::Doc::copyOf(bytes, len);
            api_.bson_free(bytes);
        } else {
            out.error = ErrorOutcome{api_.status_get_code(status_), "",
                                     api_.status_get_explanation(status_)};
            if (api_.status_get_error(status_) != MONGO_CRYPT_V1_ERROR_EXCEPTION)
                out.error->code = -api_.status_get_error(status_) - 1000;
        }
        api_.query_analyzer_destroy(qa);
        return out;
    }

  private:
    LoadedLibrary api_;
    mongo_crypt_v1_status* status_ = nullptr;
    mongo_crypt_v1_lib* lib_ = nullptr;
};

// Empty when both answered alike.
std::string difference(const Outcome& daemon, const Outcome& library) {
    if (daemon.body && library.body) {
        if (daemon.body->view() == library.body->view()) return "";
        return "bodies differ\n  daemon:  " + daemon.body->toJson() +
               "\n  library: " + library.body->toJson();
    }
    if (daemon.error && library.error) {
        if (daemon.error->code == library.error->code &&
            daemon.error->errmsg == library.error->errmsg)
            return "";
        return "errors differ\n  daemon:  " + daemon.error->describe() +
               "\n  library: " + library.error->describe();
    }
    return "one succeeded, the other failed\n  daemon:  " +
           (daemon.body ? daemon.body->toJson() : daemon.error->describe()) +
           "\n  library: " + (library.body ? library.body->toJson() : library.error->describe());
}

bool analyzed(bson::View command) {
    auto first = command.begin();
    return first != command.end() && sharedAnalyzer().handles((*first).key());
}

TEST(CryptSharedDifferential, SpecCasesAnswerAsTheDaemon) {
    Library library;
    ASSERT_TRUE(library.loaded()) << CRYPTD_CRYPT_SHARED_LIB;
    int compared = 0, successes = 0;
    for (const auto& ref : listSpecCases(specRoot())) {
        SpecCase c;
        try {
            c = loadSpecCase(specRoot(), ref.file);
        } catch (const std::exception& e) {
            ADD_FAILURE() << ref.id << ": " << e.what();
            continue;
        }
        // Wire-only cases (handshake, OP_MSG framing) and admin commands are the daemon's own.
        if (!c.wire || !c.inProcess || !analyzed(c.command.view())) continue;
        Outcome daemon = runOverWire(c.command.view(), c.db);
        Outcome lib = library.analyze(c.command.view(), c.db);
        std::string d = difference(daemon, lib);
        EXPECT_EQ(d, "") << ref.id;
        ++compared;
        if (daemon.body) ++successes;
    }
    std::cout << "compared " << compared << " spec cases (" << successes << " successes)\n";
    EXPECT_GT(compared, 100);
}

TEST(CryptSharedDifferential, CorpusRequestsAnswerAsTheDaemon) {
    auto root = corpusRoot();
    if (!root) GTEST_SKIP() << "corpus folder ../shared/corpus/libmongocrypt is absent";
    Library library;
    ASSERT_TRUE(library.loaded()) << CRYPTD_CRYPT_SHARED_LIB;
    int compared = 0, successes = 0;
    for (const auto& entry : discoverCorpus(*root)) {
        bson::Doc command;
        std::string db;
        if (entry.kind == CorpusEntry::Kind::BuiltAnalysis) {
            try {
                auto built = buildCorpusCommand(entry);
                command = std::move(built.command);
                db = built.db;
            } catch (const std::exception&) {
                continue;  // libmongocrypt builds it (QE): nothing to send either way
            }
        } else if (entry.kind == CorpusEntry::Kind::Analysis ||
                   entry.kind == CorpusEntry::Kind::CommandOnly) {
            command = loadCorpusJson(entry.request);
            db = corpusDbFor(entry, command.view());
        } else {
            continue;  // isMaster and unpaired replies: no analysis request
        }
        if (!analyzed(command.view())) continue;
        Outcome daemon = runOverWire(command.view(), db);
        Outcome lib = library.analyze(command.view(), db);
        std::string d = difference(daemon, lib);
        EXPECT_EQ(d, "") << entry.id;
        ++compared;
        if (daemon.body) ++successes;
    }
    std::cout << "compared " << compared << " corpus requests (" << successes << " successes)\n";
    EXPECT_GT(compared, 20);
}

}  // namespace
}  // namespace cryptd::spec
