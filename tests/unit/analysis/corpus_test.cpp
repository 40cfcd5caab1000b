// Runs the libmongocrypt CSFLE fixture pairs for the commands analyzed here (request sent to
// mongocryptd -> the reply it gave) and compares our reply with theirs. Fixtures are read in place
// from CRYPTD_SHARED_DIR/corpus/libmongocrypt (see its PROVENANCE.md).
//
// Two kinds of reply fixtures exist. Captured ones (field `hasEncryptionPlaceholders`, as the
// real daemon sends) are compared exactly: flags and `result`, field order included. Hand-written
// ones (legacy `hasEncryptedPlaceholders`) are compared on what libmongocrypt consumes: the flags,
// and `result` exactly where the hand-written result is in the daemon's form; where it is not,
// the documented difference is named per fixture below. Every request fixture in the corpus is
// either run here or listed as skipped with a reason, so none is silently ignored.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "analysis/marking_writer.h"
#include "analysis_test_util.h"

namespace cryptd::analysis::test {
namespace {

namespace fs = std::filesystem;

const fs::path kCorpus = fs::path(CRYPTD_SHARED_DIR) / "corpus" / "libmongocrypt";

enum class Compare {
    Exact,         // flags + result, field order included
    MarkingsOnly,  // result written in an unparsed form by hand: compare the markings only
    FlagsOnly,     // no placeholders: libmongocrypt ignores `result` and sends the original
};

struct Pair {
    const char* name;
    const char* command;    // relative to the corpus
    const char* schemaMap;  // for driver-level commands: schema map file, key "db.coll"
    const char* reply;
    Compare compare;
    const char* note;
};

const Pair kPairs[] = {
    {"dollardb_preserved_fle1", "test/data/dollardb/preserved_fle1/cmd-to-mongocryptd.json",
     nullptr, "test/data/dollardb/preserved_fle1/mongocryptd-reply.json", Compare::Exact,
     "captured"},
    {"multikey", "test/data/multikey/command.json", "test/data/multikey/schema_map.json",
     "test/data/multikey/mongocryptd_reply.json", Compare::Exact,
     "captured; the command is the driver's, sent with the schema map entry (isRemoteSchema "
     "false)"},
    {"python_bindings_find", "bindings/python/test/data/mongocryptd-command.json", nullptr,
     "bindings/python/test/data/mongocryptd-reply.json", Compare::Exact,
     "hand-written, but its result is in the daemon's parsed form"},
    {"example_find", "test/data/mongocryptd-cmd.json", nullptr,
     "test/example/mongocryptd-reply.json", Compare::MarkingsOnly,
     "hand-written {ssn: <marking>} where the daemon writes {ssn: {$eq: <marking>}}"},
    {"fle1_collMod", "test/data/fle1-collMod/cmd-to-mongocryptd.json", nullptr,
     "test/data/fle1-collMod/mongocryptd-reply.json", Compare::Exact, "hand-written"},
    {"fle1_create_with_schema", "test/data/fle1-create/with-schema/cmd-to-mongocryptd.json",
     nullptr, "test/data/fle1-create/with-schema/mongocryptd-reply.json", Compare::Exact,
     "hand-written"},
    {"fle1_create_without_schema", "test/data/fle1-create/without-schema/cmd-to-mongocryptd.json",
     nullptr, "test/data/fle1-create/without-schema/mongocryptd-reply.json", Compare::Exact,
     "hand-written"},
    {"fle1_create_with_cmd_schema", "test/data/fle1-create/with-cmd-schema/cmd-to-mongocryptd.json",
     nullptr, "test/data/fle1-create/with-cmd-schema/mongocryptd-reply.json", Compare::FlagsOnly,
     "hand-written result drops the validator; we echo it (libmongocrypt ignores result here)"},
    {"fle1_explain", "test/data/fle1-explain/with-mongocryptd/cmd-to-mongocryptd.json", nullptr,
     "test/data/fle1-explain/with-mongocryptd/mongocryptd-reply.json", Compare::FlagsOnly,
     "hand-written result is neither re-serialized nor given the default verbosity (spec "
     "explain.yml shows it filled in); no placeholders, so libmongocrypt ignores result"},
};

// Request fixtures not run here, with the reason.
const std::map<std::string, std::string> kSkipped = {
    {"test/data/bulkWrite/jsonSchema/cmd-to-mongocryptd.json", "bulkWrite: not analyzed yet"},
    {"test/data/bulkWrite/simple/cmd-to-mongocryptd.json", "bulkWrite (QE): not analyzed yet"},
    {"test/data/bulkWrite/unencrypted/cmd-to-mongocryptd.json", "bulkWrite (QE): not analyzed yet"},
    {"test/data/dollardb/omitted/cmd-to-mongocryptd.json", "QE (encryptionInformation)"},
    {"test/data/dollardb/preserved/cmd-to-mongocryptd.json", "QE (encryptionInformation)"},
    {"test/data/dollardb/preserved_empty/cmd-to-mongocryptd.json", "QE (encryptionInformation)"},
    {"test/data/fle2-bad-str-encode-version/bad-create-cmd-to-mongocryptd.json", "QE"},
    {"test/data/fle2-create-encrypted-collection-encrypted-fields-unset-str-encode-version/"
     "cmd-to-mongocryptd.json",
     "QE"},
    {"test/data/fle2-create-encrypted-collection-with-str-encode-version/cmd-to-mongocryptd.json",
     "QE"},
    {"test/data/fle2-create-encrypted-collection/cmd-to-mongocryptd.json", "QE"},
    {"test/data/fle2-create/cmd-to-mongocryptd.json", "QE"},
    {"test/data/fle2-explain/with-mongocryptd/cmd-to-mongocryptd.json", "QE"},
    {"test/data/fle2-find-explicit/cmd-to-mongocryptd.json", "QE"},
    {"test/data/fle2-text-search-create-encrypted-collection-with-str-encode-version/"
     "cmd-to-mongocryptd.json",
     "QE"},
    {"test/data/fle2-text-search-create-encrypted-collection/cmd-to-mongocryptd.json", "QE"},
    {"test/data/qe_keyAltName/cmd-to-mongocryptd.json", "QE"},
    {"test/data/qe_keyAltName/create/cmd-to-mongocryptd.json", "QE"},
    {"test/data/lookup/csfle-only-schemaMap/cmd-to-mongocryptd.json",
     "aggregate: run by aggregate_corpus_test.cpp"},
    {"test/data/lookup/csfle-schemaMap/cmd-to-mongocryptd.json",
     "aggregate: run by aggregate_corpus_test.cpp"},
    {"test/data/lookup/csfle-self/cmd-to-mongocryptd.json",
     "aggregate: run by aggregate_corpus_test.cpp"},
    {"test/data/lookup/csfle-sibling/cmd-to-mongocryptd.json",
     "aggregate: run by aggregate_corpus_test.cpp"},
    {"test/data/lookup/csfle/cmd-to-mongocryptd.json",
     "aggregate: run by aggregate_corpus_test.cpp"},
    {"test/data/lookup/mixed/csfle/csfle/cmd-to-mongocryptd.json",
     "aggregate: run by aggregate_corpus_test.cpp"},
    {"test/data/lookup/mixed/csfle/no-schema/cmd-to-mongocryptd.json",
     "aggregate: run by aggregate_corpus_test.cpp"},
    {"test/data/lookup/mixed/csfle/qe/cmd-to-mongocryptd.json",
     "aggregate + QE: refused, checked by aggregate_corpus_test.cpp"},
    {"test/data/lookup/mixed/no-schema/csfle/cmd-to-mongocryptd.json",
     "aggregate: run by aggregate_corpus_test.cpp"},
    {"test/data/lookup/mixed/no-schema/no-schema/cmd-to-mongocryptd.json",
     "aggregate: run by aggregate_corpus_test.cpp"},
    {"test/data/lookup/mixed/no-schema/qe/cmd-to-mongocryptd.json",
     "aggregate + QE: refused, checked by aggregate_corpus_test.cpp"},
    {"test/data/lookup/mixed/qe/csfle/cmd-to-mongocryptd.json",
     "aggregate + QE: refused, checked by aggregate_corpus_test.cpp"},
    {"test/data/lookup/mixed/qe/no-schema/cmd-to-mongocryptd.json",
     "aggregate + QE: refused, checked by aggregate_corpus_test.cpp"},
    {"test/data/lookup/mixed/qe/non-csfle-schema/cmd-to-mongocryptd.json",
     "aggregate + QE: refused, checked by aggregate_corpus_test.cpp"},
    {"test/data/lookup/mixed/qe/qe/cmd-to-mongocryptd.json",
     "aggregate + QE: refused, checked by aggregate_corpus_test.cpp"},
    {"test/data/lookup/qe-encryptedFieldsMap/cmd-to-mongocryptd.json",
     "aggregate + QE: refused, checked by aggregate_corpus_test.cpp"},
    {"test/data/lookup/qe-self/cmd-to-mongocryptd.json",
     "aggregate + QE: refused, checked by aggregate_corpus_test.cpp"},
    {"test/data/lookup/qe-with-payload/cmd-to-mongocryptd.json",
     "aggregate + QE: refused, checked by aggregate_corpus_test.cpp"},
    {"test/data/lookup/qe/cmd-to-mongocryptd.json",
     "aggregate + QE: refused, checked by aggregate_corpus_test.cpp"},
};

bson::Doc load(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return bson::Doc::fromJson(ss.str());
}

// The request as the daemon receives it.
bson::Doc request(const Pair& pair) {
    bson::Doc cmd = load(kCorpus / pair.command);
    if (!pair.schemaMap) return cmd;
    bson::Doc map = load(kCorpus / pair.schemaMap);
    bson::Builder b;
    for (bson::Element e : cmd.view()) b.append(e);
    b.appendDocument("jsonSchema", map.view().find("db.coll")->document());
    b.appendBool("isRemoteSchema", false);
    return b.finish();
}

bool theirPlaceholders(bson::View reply) {
    if (auto f = reply.find("hasEncryptionPlaceholders")) return f->truthy();
    if (auto f = reply.find("hasEncryptedPlaceholders")) return f->truthy();
    ADD_FAILURE() << "reply fixture has no placeholder flag";
    return false;
}

// (path, marking) for every marking, with "$eq" steps dropped: {a: M} and {a: {$eq: M}} agree.
void collectMarkings(bson::View v, const std::string& path, std::multiset<std::string>& out) {
    for (bson::Element e : v) {
        std::string p = e.key() == "$eq" ? path : path + "." + std::string(e.key());
        DecodedMarking m;
        if (decodeMarking(e, m)) {
            out.insert(p + " = " + m.document.toCanonicalJson());
        } else if (e.isDocument() || e.isArray()) {
            collectMarkings(e.document(), p, out);
        }
    }
}

class CorpusTest : public ::testing::TestWithParam<Pair> {};

TEST_P(CorpusTest, ReplyMatchesFixture) {
    if (!fs::exists(kCorpus)) GTEST_SKIP() << "no corpus at " << kCorpus;
    const Pair& pair = GetParam();
    SCOPED_TRACE(std::string(pair.name) + " (" + pair.note + ")");
    bson::Doc cmd = request(pair);
    bson::Doc theirs = load(kCorpus / pair.reply);
    bson::Doc ours = analyzeDoc(cmd.toCanonicalJson());

    EXPECT_EQ(ours.view().find("hasEncryptionPlaceholders")->boolean(),
              theirPlaceholders(theirs.view()));
    if (auto f = theirs.view().find("schemaRequiresEncryption")) {
        EXPECT_EQ(ours.view().find("schemaRequiresEncryption")->boolean(), f->truthy());
    }
    bson::View ourResult = ours.view().find("result")->document();
    bson::View theirResult = theirs.view().find("result")->document();
    switch (pair.compare) {
        case Compare::Exact:
            EXPECT_EQ(expandMarkings(ourResult).toJson(), expandMarkings(theirResult).toJson());
            break;
        case Compare::MarkingsOnly: {
            std::multiset<std::string> a, b;
            collectMarkings(ourResult, "", a);
            collectMarkings(theirResult, "", b);
            EXPECT_FALSE(a.empty());
            EXPECT_EQ(a, b);
            break;
        }
        case Compare::FlagsOnly: {
            std::multiset<std::string> a;
            collectMarkings(ourResult, "", a);
            EXPECT_TRUE(a.empty());
            break;
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Libmongocrypt, CorpusTest, ::testing::ValuesIn(kPairs),
                         [](const auto& p) { return std::string(p.param.name); });

// Every request fixture for mongocryptd in the corpus is run above or skipped with a reason.
TEST(CorpusInventoryTest, EveryRequestFixtureIsAccountedFor) {
    if (!fs::exists(kCorpus)) GTEST_SKIP() << "no corpus at " << kCorpus;
    std::set<std::string> run;
    for (const Pair& p : kPairs) run.insert(p.command);
    std::vector<std::string> unaccounted;
    for (const auto& entry : fs::recursive_directory_iterator(kCorpus)) {
        std::string name = entry.path().filename().string();
        if (name != "cmd-to-mongocryptd.json" && name != "mongocryptd-cmd.json" &&
            name != "mongocryptd-command.json" && name != "bad-create-cmd-to-mongocryptd.json") {
            continue;
        }
        std::string rel = fs::relative(entry.path(), kCorpus).string();
        if (!run.count(rel) && !kSkipped.count(rel)) unaccounted.push_back(rel);
    }
    EXPECT_TRUE(unaccounted.empty())
        << "fixtures neither run nor skipped: " << ::testing::PrintToString(unaccounted);
    for (const auto& [file, reason] : kSkipped) {
        EXPECT_TRUE(fs::exists(kCorpus / file)) << file;
        std::cout << "[ skipped  ] " << file << ": " << reason << "\n";
    }
}

// Skipped QE fixtures are still answered with a clear error, never passed through.
TEST(CorpusInventoryTest, QueryableEncryptionRequestsAreRejectedClearly) {
    if (!fs::exists(kCorpus)) GTEST_SKIP() << "no corpus at " << kCorpus;
    for (const auto& [file, reason] : kSkipped) {
        if (reason.find("QE") == std::string::npos ||
            reason.find("aggregate") != std::string::npos ||
            file.find("bulkWrite") != std::string::npos) {
            continue;
        }
        bson::Doc cmd = load(kCorpus / file);
        expectError([&] { analyzeCommand(cmd.view(), nullptr); }, ErrorCode::NotImplemented,
                    "Queryable Encryption is not supported yet");
    }
}

}  // namespace
}  // namespace cryptd::analysis::test
