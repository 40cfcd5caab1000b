// The libmongocrypt $lookup fixtures (test/data/lookup/, read in place from CRYPTD_SHARED_DIR):
// every CSFLE request for mongocryptd is analyzed through the front door and compared with the
// recorded reply when there is one; Queryable Encryption ones must be refused clearly.
//
// The CSFLE replies in that folder were written by libmongocrypt's authors to drive their own
// tests, not captured from a daemon; where they differ from what a daemon sends (contract §2.2,
// §4.1) the difference is named per fixture and checked precisely, never ignored:
// - `$lookup` keys: the server re-serializes them as from, as, localField, foreignField (the
//   captured QE replies of the same folder show it); the CSFLE replies keep the request's order.
// - `$match: {e1: "foo"}`: we write the parsed form {e1: {$eq: ..}} (captured find replies show
//   it; the spec's find.yml too), the hand-written replies keep the request's form.
// - Flags that contradict the reply's own `result` (hasEncryptionPlaceholders false next to a
//   marking) or the schemas (schemaRequiresEncryption true when no schema encrypts anything).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "analysis/marking_writer.h"
#include "pipeline_test_util.h"

namespace cryptd::analysis::test {
namespace {

namespace fs = std::filesystem;

const fs::path kLookup =
    fs::path(CRYPTD_SHARED_DIR) / "corpus" / "libmongocrypt" / "test" / "data" / "lookup";

bson::Doc load(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return bson::Doc::fromJson(ss.str());
}

// The command as mongocryptd receives it: the driver adds $db (contract §2.1).
bson::Doc withDb(bson::View cmd) {
    bson::Builder b;
    for (bson::Element e : cmd) b.append(e);
    b.appendUtf8("$db", "db");
    return b.finish();
}

// The fixture's result written the way the daemon writes it (see the file comment).
void daemonFormStage(bson::Builder& out, const bson::Element& stage) {
    bson::Element spec = *stage.document().begin();
    out.appendDocument(stage.key(), [&](bson::Builder& s) {
        if (spec.key() == "$lookup") {
            s.appendDocument("$lookup", [&](bson::Builder& l) {
                for (auto key : {"from", "as", "localField", "foreignField", "let", "pipeline"}) {
                    if (auto f = spec.document().find(key)) l.append(*f);
                }
            });
        } else if (spec.key() == "$match") {
            s.appendDocument("$match", [&](bson::Builder& m) {
                for (bson::Element f : spec.document()) {
                    bool sugar =
                        f.key().front() != '$' && !(f.isDocument() && !f.document().empty() &&
                                                    (*f.document().begin()).key().front() == '$');
                    if (!sugar) {
                        m.append(f);
                    } else {
                        m.appendDocument(f.key(), [&](bson::Builder& eq) { eq.append("$eq", f); });
                    }
                }
            });
        } else {
            s.append(spec);
        }
    });
}

bson::Doc daemonForm(bson::View result) {
    bson::Builder b;
    for (bson::Element e : result) {
        if (e.key() != "pipeline") {
            b.append(e);
            continue;
        }
        b.appendArray("pipeline", [&](bson::Builder& p) {
            for (bson::Element stage : e.document()) daemonFormStage(p, stage);
        });
    }
    return b.finish();
}

struct ReplyPair {
    const char* dir;
    bool placeholders;  // our flags: placeholders == a marking in result,
    bool requiresEnc;   // requires == some collection's schema encrypts something
    const char* note;   // non-null: the fixture's flags differ from ours, and why
};

// Request + recorded reply.
const ReplyPair kReplyPairs[] = {
    {"csfle-sibling", false, true, nullptr},
    {"mixed/csfle/csfle", true, true,
     "hasEncryptionPlaceholders is false next to the marking of e1 in its own result"},
    {"mixed/csfle/no-schema", true, true,
     "hasEncryptionPlaceholders is false next to the marking of e1 in its own result"},
    {"mixed/no-schema/csfle", true, true,
     "hasEncryptionPlaceholders is false next to the marking of matched.e2 in its own result"},
    {"mixed/no-schema/no-schema", false, false,
     "schemaRequiresEncryption is true though neither collection's schema encrypts anything "
     "(contract §4.1); with false libmongocrypt sends the original command, equal to result"},
};

class LookupReplyTest : public ::testing::TestWithParam<ReplyPair> {};

TEST_P(LookupReplyTest, ReplyMatchesFixture) {
    if (!fs::exists(kLookup)) GTEST_SKIP() << "no corpus at " << kLookup;
    const ReplyPair& pair = GetParam();
    bson::Doc cmd = withDb(load(kLookup / pair.dir / "cmd-to-mongocryptd.json").view());
    bson::Doc theirs = load(kLookup / pair.dir / "reply-from-mongocryptd.json");
    bson::Doc ours = frontDoor().analyze(cmd.view());

    // `result`, markings included, exactly (field order too) once written in the daemon's form.
    bson::View ourResult = ours.view().find("result")->document();
    bson::View theirResult = theirs.view().find("result")->document();
    EXPECT_EQ(expandMarkings(ourResult).toJson(),
              expandMarkings(daemonForm(theirResult).view()).toJson());
    EXPECT_EQ(countMarkings(ourResult), countMarkings(theirResult));

    bool ourPlaceholders = ours.view().find("hasEncryptionPlaceholders")->boolean();
    bool ourRequires = ours.view().find("schemaRequiresEncryption")->boolean();
    EXPECT_EQ(ourPlaceholders, pair.placeholders);
    EXPECT_EQ(ourRequires, pair.requiresEnc);
    EXPECT_EQ(ourPlaceholders, countMarkings(ourResult) > 0);
    bool theirPlaceholders = theirs.view().find("hasEncryptionPlaceholders")->truthy();
    bool theirRequires = theirs.view().find("schemaRequiresEncryption")->truthy();
    if (!pair.note) {
        EXPECT_EQ(ourPlaceholders, theirPlaceholders);
        EXPECT_EQ(ourRequires, theirRequires);
    } else {
        // The noted difference is still there (else the note must go).
        EXPECT_TRUE(ourPlaceholders != theirPlaceholders || ourRequires != theirRequires)
            << pair.note;
    }
}

INSTANTIATE_TEST_SUITE_P(Libmongocrypt, LookupReplyTest, ::testing::ValuesIn(kReplyPairs),
                         [](const auto& p) {
                             std::string name = p.param.dir;
                             for (char& c : name) {
                                 if (c == '/' || c == '-') c = '_';
                             }
                             return name;
                         });

// Requests without a recorded reply: the reply we must give.
TEST(LookupRequestTest, CsfleRequestsWithoutRecordedReplies) {
    if (!fs::exists(kLookup)) GTEST_SKIP() << "no corpus at " << kLookup;
    auto expected = [](const std::string& from) {
        return normalized(
            R"({"hasEncryptionPlaceholders": false, "schemaRequiresEncryption": true,
            "result": {"aggregate": "c1", "pipeline": [{"$lookup": {"from": ")" +
            from +
            R"(", "as": "matched", "localField": "joinme", "foreignField": "joinme"}}],
            "cursor": {}}})");
    };
    for (const char* dir : {"csfle-self", "csfle", "csfle-schemaMap", "csfle-only-schemaMap"}) {
        SCOPED_TRACE(dir);
        bson::Doc cmd = withDb(load(kLookup / dir / "cmd-to-mongocryptd.json").view());
        EXPECT_EQ(frontDoor().analyze(cmd.view()).toJson(),
                  expected(std::string(dir) == "csfle-self" ? "c1" : "c2"));
    }
}

// Driver-level commands of the folder (cmd.json): sent as libmongocrypt would, with the schemas
// of every collection they name, taken from the folder's listCollections fixtures.
std::string schemaOf(const char* collInfo) {
    bson::Doc info = load(kLookup / collInfo);
    return info.view()
        .find("options")
        ->document()
        .find("validator")
        ->document()
        .find("$jsonSchema")
        ->document()
        .toJson();
}

bson::Doc driverCommand(const char* dir,
                        const std::vector<std::pair<const char*, const char*>>& ns) {
    bson::Doc cmd = load(kLookup / dir / "cmd.json");
    std::string json = cmd.toJson();
    json.pop_back();  // the closing brace
    while (json.back() == ' ') json.pop_back();
    json += R"(, "csfleEncryptionSchemas": {)";
    for (size_t i = 0; i < ns.size(); ++i) {
        if (i) json += ", ";
        json += std::string("\"") + ns[i].first + R"(": {"jsonSchema": )" + schemaOf(ns[i].second) +
                R"(, "isRemoteSchema": true})";
    }
    json += R"(}, "$db": "db"})";
    return bson::Doc::fromJson(json);
}

TEST(LookupRequestTest, DriverCommandsNamingMoreCollections) {
    if (!fs::exists(kLookup)) GTEST_SKIP() << "no corpus at " << kLookup;
    // $facet: its sub-pipeline's $lookup is analyzed like a top-level one.
    bson::Doc facet = driverCommand(
        "csfle-facet", {{"db.c1", "csfle/collInfo-c1.json"}, {"db.c2", "csfle/collInfo-c2.json"}});
    EXPECT_EQ(frontDoor().analyze(facet.view()).toJson(),
              normalized(R"({"hasEncryptionPlaceholders": false, "schemaRequiresEncryption": true,
                  "result": {"aggregate": "c1", "pipeline": [{"$facet": {"output": [{"$lookup":
                  {"from": "c2", "as": "matched", "localField": "joinme", "foreignField": "joinme"}}]}}],
                  "cursor": {}}})"));
    // A $lookup inside a $lookup's pipeline reads a third collection.
    bson::Doc nested =
        driverCommand("csfle-nested", {{"db.c1", "csfle/collInfo-c1.json"},
                                       {"db.c2", "csfle/collInfo-c2.json"},
                                       {"db.c3", "csfle-mismatch/collInfo-c3.json"}});
    EXPECT_EQ(frontDoor().analyze(nested.view()).toJson(),
              normalized(R"({"hasEncryptionPlaceholders": false, "schemaRequiresEncryption": true,
                  "result": {"aggregate": "c1", "pipeline": [{"$lookup": {"from": "c2", "as": "matched",
                  "localField": "joinme", "foreignField": "joinme", "pipeline": [{"$lookup": {"from": "c3",
                  "as": "matched", "localField": "joinme", "foreignField": "joinme"}}]}}],
                  "cursor": {}}})"));
    // Without c3's schema the nested join is refused, not guessed.
    bson::Doc missing = driverCommand(
        "csfle-nested", {{"db.c1", "csfle/collInfo-c1.json"}, {"db.c2", "csfle/collInfo-c2.json"}});
    expectError([&] { frontDoor().analyze(missing.view()); }, ErrorCode::BadValue,
                "carries no schema for 'db.c3'");
    // $unionWith is not an allowed stage.
    bson::Doc unionWith =
        driverCommand("csfle-unionWith", {{"db.c1", "csfle/collInfo-c1.json"},
                                          {"db.c2", "csfle/collInfo-c2.json"},
                                          {"db.c3", "csfle-mismatch/collInfo-c3.json"}});
    expectError(
        [&] { frontDoor().analyze(unionWith.view()); }, ErrorCode::BadValue,
        "Aggregation stage $unionWith is not allowed or supported with automatic encryption.");
    // Not ours: csfle-view (libmongocrypt refuses views before asking mongocryptd) and
    // csfle-mismatch (its collInfo fixtures do not match the collections the command names; a
    // libmongocrypt-side test).
}

// Queryable Encryption requests of the folder: refused with a clear error (not built yet).
TEST(LookupRequestTest, QueryableEncryptionRequestsAreRefusedClearly) {
    if (!fs::exists(kLookup)) GTEST_SKIP() << "no corpus at " << kLookup;
    size_t seen = 0;
    for (const auto& entry : fs::recursive_directory_iterator(kLookup)) {
        if (entry.path().filename() != "cmd-to-mongocryptd.json") continue;
        bson::Doc cmd = load(entry.path());
        if (!cmd.view().find("encryptionInformation")) continue;
        ++seen;
        SCOPED_TRACE(entry.path().string());
        bson::Doc full = withDb(cmd.view());
        expectError([&] { frontDoor().analyze(full.view()); }, ErrorCode::NotImplemented,
                    "Queryable Encryption is not supported yet");
    }
    EXPECT_EQ(seen,
              10u);  // qe, qe-self, qe-with-payload, qe-encryptedFieldsMap, mixed/*/qe, mixed/qe/*
}

}  // namespace
}  // namespace cryptd::analysis::test
