// The libmongocrypt fixture corpus, one ctest entry per fixture: each request/reply pair runs
// in-process and over the wire and must produce the recorded reply (queries compared modulo
// re-serialization sugar, see query_normalizer.h). Entries for features not built yet are
// skipped with the reason; when the corpus folder is absent one entry says so.

#include <gtest/gtest.h>

#include <iostream>

#include "bson_matcher.h"
#include "corpus_notes.h"
#include "corpus_pairs.h"
#include "marking_codec.h"
#include "outcome.h"
#include "run_modes.h"
#include "spec_daemon.h"
#include "unbuilt_features.h"

namespace cryptd::spec {
namespace {

namespace fs = std::filesystem;

std::vector<CorpusEntry> entries() {
    auto root = corpusRoot();
    if (!root) return {CorpusEntry{"corpus_missing", CorpusEntry::Kind::Unpaired, {}, {}, {}}};
    return discoverCorpus(*root);
}

// The fixture reply as a case expectation: both flag spellings map to hasEncryptionPlaceholders;
// flags the fixture does not state (or a caveat excludes) are not judged.
bson::Doc expectationFrom(bson::View reply, const std::string& ignoreFlag) {
    bson::Builder out;
    for (auto e : reply) {
        if (e.key() == ignoreFlag) continue;
        if (e.key() == "hasEncryptionPlaceholders" || e.key() == "hasEncryptedPlaceholders")
            out.append("hasEncryptionPlaceholders", e);
        else if (e.key() == "schemaRequiresEncryption" || e.key() == "result")
            out.append(e);
    }
    return out.finish();
}

}  // namespace

// Test names carry the fixture path; gtest prints the parameter with this instead of raw bytes.
void PrintTo(const CorpusEntry& e, std::ostream* os) {
    *os << e.id;
}

namespace {

class Corpus : public ::testing::TestWithParam<CorpusEntry> {};

void runIsMaster(const CorpusEntry& entry) {
    auto expected = loadCorpusJson(entry.reply);
    bson::Doc request = entry.request.empty() ? bson::Doc::fromJson(R"({"isMaster": 1})")
                                              : loadCorpusJson(entry.request);
    bson::Doc reply;
    try {
        reply = sharedDaemonClient().run("admin", request.view());
    } catch (const std::exception& e) {
        FAIL() << "[wire] " << e.what();
    }
    // Same fields and values as the captured reply, except the clock and the server release.
    bson::Builder want;
    for (auto e : expected.view())
        if (e.key() != "localTime" && e.key() != "maxWireVersion") want.append(e);
    want.appendDocument("localTime", [](bson::Builder& b) { b.appendUtf8("$$type", "date"); });
    // libmongocrypt requires an int32 maxWireVersion (contract §1.3).
    want.appendDocument("maxWireVersion", [](bson::Builder& b) { b.appendUtf8("$$type", "int"); });
    auto w = want.finish();
    MatchOptions opts;
    opts.normalizeQueries = false;
    opts.allowExtraFields = true;
    auto m = firstDifference(w.view(), reply.view(), opts, "");
    EXPECT_FALSE(m) << "[wire] " << m->describe() << "\n  reply: " << reply.toJson();
    if (auto mwv = reply.view().find("maxWireVersion"); mwv && mwv->type() == BSON_TYPE_INT32)
        ::testing::Test::RecordProperty("maxWireVersion", mwv->int32());
}

TEST_P(Corpus, pair) {
    const CorpusEntry& entry = GetParam();
    if (entry.id == "corpus_missing")
        GTEST_SKIP() << "corpus folder ../shared/corpus/libmongocrypt is absent";
    if (entry.kind == CorpusEntry::Kind::Unpaired)
        GTEST_SKIP() << entry.id << ": " << unpairedReason(entry);
    if (entry.kind == CorpusEntry::Kind::IsMaster) return runIsMaster(entry);

    SpecCase c;
    c.id = entry.id;
    c.description = "corpus " + entry.id;
    if (entry.kind == CorpusEntry::Kind::BuiltAnalysis) {
        try {
            auto built = buildCorpusCommand(entry);
            c.command = std::move(built.command);
            c.db = built.db;
        } catch (const std::exception& e) {
            GTEST_SKIP() << entry.id << ": " << e.what();
        }
    } else {
        c.command = loadCorpusJson(entry.request);
        c.db = corpusDbFor(entry, c.command.view());
    }
    if (auto why = unbuiltFeature(c.command.view())) GTEST_SKIP() << entry.id << ": " << *why;

    if (entry.kind == CorpusEntry::Kind::CommandOnly) {
        // No recorded reply: any success must satisfy the contract; an error is reported.
        for (Mode mode : {Mode::InProcess, Mode::Wire}) {
            Outcome out;
            try {
                out = mode == Mode::InProcess ? runInProcess(c.command.view(), c.db)
                                              : runOverWire(c.command.view(), c.db);
            } catch (const std::exception& e) {
                ADD_FAILURE() << "[wire] " << e.what();
                continue;
            }
            const char* tag = mode == Mode::InProcess ? "[in-process] " : "[wire] ";
            if (out.body) {
                auto v = contractViolation(out.body->view());
                EXPECT_FALSE(v) << tag << *v;
                RecordProperty(mode == Mode::InProcess ? "inProcess" : "wire", "success");
            } else {
                RecordProperty(mode == Mode::InProcess ? "inProcess" : "wire",
                               out.error->describe());
                std::cout << tag << "no recorded reply; ours: " << out.error->describe() << "\n";
            }
        }
        return;
    }

    auto reply = loadCorpusJson(entry.reply);
    auto caveat = fixtureCaveat(entry.id);
    c.expect = expectationFrom(reply.view(), caveat ? caveat->ignoreFlag : std::string());
    if (caveat && !caveat->ignoreFlag.empty())
        std::cout << "fixture caveat (" << caveat->ignoreFlag << " not judged): " << caveat->why
                  << "\n";
    std::vector<std::string> failures;
    if (auto f = judge(c, runInProcess(c.command.view(), c.db), Mode::InProcess))
        failures.push_back("[in-process] " + *f);
    try {
        if (auto f = judge(c, runOverWire(c.command.view(), c.db), Mode::Wire))
            failures.push_back("[wire] " + *f);
    } catch (const std::exception& e) {
        failures.push_back(std::string("[wire] ") + e.what());
    }
    std::string text;
    for (auto& f : failures) text += "\n" + f;
    if (!failures.empty()) {
        if (caveat && caveat->ignoreFlag.empty())
            GTEST_SKIP() << "fixture caveat: " << caveat->why << text;
        FAIL() << entry.id << " (reply " << entry.reply.filename().string()
               << ")\n  command: " << readableJson(c.command.view())
               << "\n  fixture reply: " << readableJson(reply.view()) << text;
    }
}

INSTANTIATE_TEST_SUITE_P(libmongocrypt, Corpus, ::testing::ValuesIn(entries()),
                         [](const ::testing::TestParamInfo<CorpusEntry>& p) {
                             std::string id = p.param.id;
                             if (id.size() > 5 && id.ends_with(".json")) id.resize(id.size() - 5);
                             return testNameFor(id);
                         });

}  // namespace
}  // namespace cryptd::spec
