// Adversarial review probes of the analysis engine and the schema layer. In this product a wrong
// answer is a security bug: an accepted command whose `result` carries plaintext where the schema
// says a field is encrypted. Every probe puts the sentinel "LEAK" only where a value is bound for
// an encrypted field and asserts the safe outcome: the command is rejected, or no "LEAK" appears
// in `result` outside a marking (and, where stated, the markings carry the right metadata).
#include <gtest/gtest.h>

#include <new>

#include <optional>
#include <string>
#include <vector>

#include "analysis/analyzer.h"
#include "analysis/marking_writer.h"
#include "analysis_test_util.h"

namespace cryptd::analysis::test {
namespace {

constexpr std::string_view kSentinel = "LEAK";

std::string uuidKey(const char* uuid) {
    return std::string("[") + uuid + "]";
}

std::string encrypt(const std::string& keyId, const char* algorithm, const std::string& type) {
    std::string s = R"({"encrypt": {"keyId": )" + keyId + R"(, "algorithm": ")" + algorithm + "\"";
    if (!type.empty()) s += R"(, "bsonType": ")" + type + "\"";
    return s + "}}";
}

// ssn: deterministic string key A; rnd: random key B; ptr: random, keyId JSON pointer /alt;
// a.b: deterministic string key A; a.c.d: deterministic string key B; alt, x, arr: plain.
std::string schemaJson() {
    std::string a = uuidKey(kUuidA), b = uuidKey(kUuidB);
    return R"({"bsonType": "object", "properties": {"ssn": )" + encrypt(a, kDet, "string") +
           R"(, "ssn2": )" + encrypt(a, kDet, "string") + R"(, "rnd": )" + encrypt(b, kRnd, "") +
           R"(, "ptr": )" + encrypt(R"("/alt")", kRnd, "") +
           R"(, "a": {"bsonType": "object", "properties": {"b": )" + encrypt(a, kDet, "string") +
           R"(, "c": {"bsonType": "object", "properties": {"d": )" + encrypt(b, kDet, "string") +
           R"(}}}}, "alt": {"bsonType": "string"}}})";
}

// `json` is a command without the schema fields; appends jsonSchema (default: schemaJson()).
bson::Doc command(const std::string& json, const std::string& schema = schemaJson(),
                  bool remote = true) {
    std::string s = json.substr(0, json.rfind('}'));
    return bson::Doc::fromJson(s + R"(, "jsonSchema": )" + schema + R"(, "isRemoteSchema": )" +
                               (remote ? "true" : "false") + "}");
}

struct Outcome {
    std::optional<bson::Doc> reply;  // nullopt: rejected
    std::string error;
};

Outcome run(bson::View cmd) {
    static const Analyzer analyzer;
    try {
        return {analyzer.analyze(cmd), ""};
    } catch (const Error& e) {
        return {std::nullopt, e.reason()};
    }
}

bool hasSentinel(std::string_view s) {
    return s.find(kSentinel) != std::string_view::npos;
}

// Every place "LEAK" shows up in `v` outside a marking: keys, strings, regexes, code, symbols,
// and the bytes of non-marking binaries.
void collectPlaintext(bson::View v, const std::string& path, std::vector<std::string>& hits) {
    for (bson::Element e : v) {
        std::string here = path.empty() ? std::string(e.key()) : path + "." + std::string(e.key());
        if (hasSentinel(e.key())) hits.push_back(here + " (key)");
        DecodedMarking m;
        if (decodeMarking(e, m)) continue;
        switch (e.type()) {
            case BSON_TYPE_UTF8:
                if (hasSentinel(e.utf8())) hits.push_back(here);
                break;
            case BSON_TYPE_DOCUMENT:
            case BSON_TYPE_ARRAY:
                collectPlaintext(e.document(), here, hits);
                break;
            case BSON_TYPE_REGEX:
                if (hasSentinel(e.regex().pattern)) hits.push_back(here);
                break;
            case BSON_TYPE_CODE:
                if (hasSentinel(e.code())) hits.push_back(here);
                break;
            case BSON_TYPE_SYMBOL:
                if (hasSentinel(e.symbol())) hits.push_back(here);
                break;
            case BSON_TYPE_BINARY: {
                auto bin = e.binary();
                std::string_view bytes(reinterpret_cast<const char*>(bin.data), bin.len);
                if (hasSentinel(bytes)) hits.push_back(here + " (binary)");
                break;
            }
            default:
                break;
        }
    }
}

// The safe outcome: rejected, or nothing bound for an encrypted field left in the clear.
void expectSafe(const bson::Doc& cmd) {
    Outcome o = run(cmd.view());
    if (!o.reply) return;
    bson::View result = o.reply->view().find("result")->document();
    std::vector<std::string> hits;
    collectPlaintext(result, "result", hits);
    std::string where;
    for (const auto& h : hits) where += " " + h;
    EXPECT_TRUE(hits.empty()) << "PLAINTEXT LEAK at" << where << "\nresult: " << result.toJson();
}

void expectSafe(const std::string& json) {
    SCOPED_TRACE(json);
    expectSafe(command(json));
}

void expectRejected(const bson::Doc& cmd, const std::string& substring = "") {
    Outcome o = run(cmd.view());
    EXPECT_FALSE(o.reply.has_value())
        << "accepted, result: "
        << (o.reply ? o.reply->view().find("result")->document().toJson() : "");
    if (!o.reply && !substring.empty()) {
        EXPECT_NE(o.error.find(substring), std::string::npos) << o.error;
    }
}

void expectRejected(const std::string& json, const std::string& substring = "") {
    SCOPED_TRACE(json);
    expectRejected(command(json), substring);
}

// Accepted, no plaintext, and exactly `markings` markings.
bson::Doc expectMarked(const bson::Doc& cmd, size_t markings) {
    Outcome o = run(cmd.view());
    if (!o.reply) {
        ADD_FAILURE() << "rejected: " << o.error;
        return bson::Doc();
    }
    expectSafe(cmd);
    bson::View result = o.reply->view().find("result")->document();
    EXPECT_EQ(countMarkings(result), markings) << o.reply->toJson();
    EXPECT_EQ(o.reply->view().find("hasEncryptionPlaceholders")->boolean(), markings > 0);
    return bson::Doc::copyOf(result);
}

bson::Doc expectMarked(const std::string& json, size_t markings) {
    SCOPED_TRACE(json);
    return expectMarked(command(json), markings);
}

// The marking found at `path` of `result`, parts separated by '/' (keys may contain dots; array
// indexes are keys).
std::optional<DecodedMarking> markingAt(bson::View result, const std::string& path) {
    bson::View scope = result;
    size_t start = 0;
    while (true) {
        size_t dot = path.find('/', start);
        std::string part = path.substr(start, dot == std::string::npos ? path.npos : dot - start);
        auto e = scope.find(part);
        if (!e) return std::nullopt;
        if (dot == std::string::npos) {
            DecodedMarking m;
            if (!decodeMarking(*e, m)) return std::nullopt;
            return m;
        }
        if (!e->isDocument() && !e->isArray()) return std::nullopt;
        scope = e->document();
        start = dot + 1;
    }
}

void expectMarkingMetadata(bson::View result, const std::string& path, int32_t algorithm,
                           const std::string& keyIdOrAltName) {
    auto m = markingAt(result, path);
    ASSERT_TRUE(m.has_value()) << "no marking at " << path << " in " << result.toJson();
    EXPECT_EQ(m->algorithm, algorithm) << path;
    if (const auto* u = std::get_if<Uuid>(&m->key)) {
        EXPECT_EQ(u->toString(), keyIdOrAltName) << path;
    } else {
        EXPECT_EQ(std::string(std::get<std::string_view>(m->key)), keyIdOrAltName) << path;
    }
}

std::string find(const std::string& filter) {
    return R"({"find": "c", "filter": )" + filter + "}";
}

// ---------------------------------------------------------------- sanity of the probe itself

TEST(AdversarialProbe, DetectorSeesPlaintextAndMarkings) {
    // A collection with no encryption echoes the value: the detector must see it.
    Outcome o = run(command(find(R"({"ssn": "LEAK"})"), "{}").view());
    ASSERT_TRUE(o.reply.has_value());
    std::vector<std::string> hits;
    collectPlaintext(o.reply->view().find("result")->document(), "result", hits);
    EXPECT_EQ(hits.size(), 1u);
    bson::Doc r = expectMarked(find(R"({"ssn": "LEAK"})"), 1);
    expectMarkingMetadata(r.view(), "filter/ssn/$eq", 1, kUuidAString);
}

// ---------------------------------------------------------------- match expressions

TEST(AdversarialMatch, DottedAndNestedSpellings) {
    bson::Doc r = expectMarked(find(R"({"a.b": "LEAK"})"), 1);
    expectMarkingMetadata(r.view(), "filter/a.b/$eq", 1, kUuidAString);
    r = expectMarked(find(R"({"a.c.d": "LEAK"})"), 1);
    for (const char* f : {
             R"({"a": {"b": "LEAK"}})",
             R"({"a": {"$eq": {"b": "LEAK"}}})",
             R"({"a": {"$ne": {"b": "LEAK"}}})",
             R"({"a": {"$in": [{"b": "LEAK"}]}})",
             R"({"a": {"$nin": [{"b": "LEAK"}]}})",
             R"({"a": {"$in": [[{"b": "LEAK"}]]}})",
             R"({"a": {"$not": {"$eq": {"b": "LEAK"}}}})",
             R"({"a": {"$all": [{"b": "LEAK"}]}})",
             R"({"a": {"$gt": {"b": "LEAK"}}})",
             R"({"a": {"$elemMatch": {"b": "LEAK"}}})",
             R"({"a": {"$ref": "x", "$id": {"b": "LEAK"}}})",
             R"({"a.c": {"d": "LEAK"}})",
             R"({"a.c": {"$eq": {"d": "LEAK"}}})",
             R"({"ssn": {"$elemMatch": {"$eq": "LEAK"}}})",
             R"({"ssn.x": "LEAK"})",
             R"({"a.b.x": "LEAK"})",
             R"({"ssn": {"$ref": "LEAK", "$id": 1}})",
             R"({"ssn": {"x": 1, "$eq": "LEAK"}})",
             R"({"ssn": {"$eq": "x", "$foo": "LEAK"}})",
             R"({"ssn": ["LEAK"]})",
             R"({"ssn": {"$eq": ["LEAK"]}})",
             R"({"ssn": {"$in": [["LEAK"]]}})",
         }) {
        expectSafe(find(f));
    }
}

TEST(AdversarialMatch, LogicalNesting) {
    expectMarked(find(R"({"$and": [{"ssn": "LEAK"}, {"a.b": "LEAK"}]})"), 2);
    expectMarked(find(R"({"$or": [{"ssn": "LEAK"}, {"x": 1}]})"), 1);
    expectMarked(find(R"({"$nor": [{"ssn": {"$in": ["LEAK", "LEAK2"]}}]})"), 2);
    expectMarked(find(R"({"$and": [{"$or": [{"$nor": [{"$and": [{"ssn": "LEAK"}]}]}]}]})"), 1);
    expectMarked(find(R"({"ssn": {"$not": {"$eq": "LEAK"}}})"), 1);
    expectMarked(find(R"({"ssn": {"$not": {"$in": ["LEAK"]}}})"), 1);
    expectMarked(find(R"({"ssn": {"$not": {"$ne": "LEAK"}}})"), 1);
    expectMarked(find(R"({"ssn": {"$nin": ["LEAK"], "$ne": "LEAK"}})"), 2);
    expectMarked(find(R"({"a.b": {"$not": {"$not": {"$eq": "LEAK"}}}})"), 1);
    for (const char* f : {
             R"({"$and": [{"a": {"b": "LEAK"}}]})",
             R"({"$or": [{"ssn": {"$gt": "LEAK"}}]})",
             R"({"$nor": [{"ssn": {"$not": {"$gt": "LEAK"}}}]})",
             R"({"$and": [{"ssn": {"$regex": "LEAK"}}]})",
             R"({"$and": {"ssn": "LEAK"}})",
             R"({"$and": ["LEAK"]})",
             R"({"$or": []})",
         }) {
        expectSafe(find(f));
    }
}

TEST(AdversarialMatch, DuplicateKeysAreAllMarked) {
    // The same field twice: libbson keeps both; both must be marked, not only the first.
    expectMarked(find(R"({"ssn": "x", "ssn": "LEAK"})"), 2);
    expectMarked(find(R"({"ssn": {"$eq": "x", "$eq": "LEAK"}})"), 2);
    expectMarked(find(R"({"ssn": {"$in": ["x"], "$in": ["LEAK"]}})"), 2);
    expectMarked(find(R"({"ssn": {"$not": {"$eq": "x", "$eq": "LEAK"}}})"), 2);
    expectMarked(find(R"({"$and": [{"ssn": "x"}], "$and": [{"ssn": "LEAK"}]})"), 2);
    expectSafe(R"({"find": "c", "filter": {"ssn": "x"}, "filter": {"ssn": "LEAK"}})");
    expectSafe(R"({"find": "c", "filter": {"ssn": "x"}, "filter": {"rnd": "LEAK"}})");
}

TEST(AdversarialMatch, RegexNullRandomPointer) {
    for (const char* f : {
             R"({"ssn": {"$regularExpression": {"pattern": "LEAK", "options": ""}}})",
             R"({"ssn": {"$regex": "LEAK"}})",
             R"({"ssn": {"$eq": {"$regularExpression": {"pattern": "LEAK", "options": ""}}}})",
             R"({"ssn": {"$in": [{"$regularExpression": {"pattern": "LEAK", "options": ""}}]}})",
             R"({"ssn": {"$not": {"$regularExpression": {"pattern": "LEAK", "options": ""}}}})",
             R"({"ssn": null})",
             R"({"ssn": {"$in": [null, "LEAK"]}})",
             R"({"rnd": "LEAK"})",
             R"({"rnd": {"$in": ["LEAK"]}})",
             R"({"rnd": {"$ne": "LEAK"}})",
             R"({"rnd": {"$not": {"$eq": "LEAK"}}})",
             R"({"ptr": "LEAK"})",
             R"({"ptr": {"$nin": ["LEAK"]}})",
             R"({"ssn": {"$gt": "LEAK"}})",
             R"({"ssn": {"$all": ["LEAK"]}})",
             R"({"ssn": {"$type": "LEAK"}})",
             R"({"ssn": {"$mod": ["LEAK", 1]}})",
             R"({"ssn": {"$size": "LEAK"}})",
             R"({"ssn": {"$geoWithin": "LEAK"}})",
             R"({"ssn": {"$near": "LEAK"}})",
             R"({"ssn": 5, "x": "LEAK"})",  // x is plain but ssn's int is the wrong type
             R"({"ssn": {"$in": [1, "LEAK"]}})",
         }) {
        SCOPED_TRACE(f);
        expectRejected(command(find(f)));
    }
    expectMarked(find(R"({"ssn": {"$exists": true}, "rnd": {"$exists": false}})"), 0);
}

TEST(AdversarialMatch, ElemMatchAndExpr) {
    for (
        const char* f : {
            R"({"arr": {"$elemMatch": {"$expr": {"$eq": ["$ssn", "LEAK"]}}}})",
            R"({"arr": {"$elemMatch": {"x": {"$elemMatch": {"$expr": {"$eq": ["$$ROOT.ssn", "LEAK"]}}}}}})",
            R"({"$expr": {"$eq": ["$ssn", "LEAK"]}})",
            R"({"$expr": {"$eq": ["$a.b", "LEAK"]}})",
            R"({"$expr": {"$eq": ["$a", {"b": "LEAK"}]}})",
            R"({"$expr": {"$eq": ["$$ROOT.ssn", "LEAK"]}})",
            R"({"$expr": {"$eq": ["$$CURRENT.a.b", "LEAK"]}})",
            R"({"$expr": {"$eq": [{"$getField": "ssn"}, "LEAK"]}})",
            R"({"$expr": {"$eq": [{"$getField": {"field": "ssn", "input": "$$ROOT"}}, "LEAK"]}})",
            R"({"$expr": {"$let": {"vars": {"r": "$$ROOT"}, "in": {"$eq": ["$$r.ssn", "LEAK"]}}}})",
            R"({"$expr": {"$let": {"vars": {"CURRENT": "$a"}, "in": {"$eq": ["$b", "LEAK"]}}}})",
            R"({"$expr": {"$in": ["LEAK", ["$ssn"]]}})",
            R"({"$expr": {"$in": ["LEAK", {"$objectToArray": "$$ROOT"}]}})",
            R"({"$expr": {"$eq": [{"$toLower": "$ssn"}, "LEAK"]}})",
            R"({"$expr": {"$eq": [{"$arrayElemAt": [{"$objectToArray": "$a"}, 0]}, "LEAK"]}})",
            R"({"$expr": {"$anyElementTrue": {"$map": {"input": ["$$ROOT"], "as": "d", "in": {"$eq": ["$$d.ssn", "LEAK"]}}}}})",
            R"({"$expr": {"$eq": [{"$mergeObjects": ["$$ROOT"]}, {"ssn": "LEAK"}]}})",
            R"({"$or": [{"$expr": {"$eq": ["$ssn", "LEAK"]}}]})",
            R"({"$where": "this.ssn == 'LEAK'"})",
            R"({"$text": {"$search": "LEAK"}})",
            R"({"$jsonSchema": {"properties": {"ssn": {"enum": ["LEAK"]}}}})",
            R"({"arr": {"$elemMatch": {"$where": "this.ssn == 'LEAK'"}}})",
        }) {
        expectSafe(find(f));
    }
    // The command's `let` variables referenced by $expr next to an encrypted field.
    expectSafe(
        R"({"find": "c", "filter": {"$expr": {"$eq": ["$ssn", "$$v"]}}, "let": {"v": "LEAK"}})");
    expectSafe(R"({"find": "c", "filter": {"$expr": {"$eq": ["$$v", "LEAK"]}},
                   "let": {"v": "$ssn"}})");
}

// A numeric component may address an array element: `a.0.b` reaches the encrypted field `a.b` of
// the first element when `a` is an array. The schema describes `a` as an object (properties do not
// apply to arrays), but a value compared there is bound for the encrypted field all the same.
TEST(AdversarialMatch, NumericPathComponents) {
    for (const char* f : {
             R"({"a.0.b": "LEAK"})",
             R"({"a.0": {"b": "LEAK"}})",
             R"({"a.c.0.d": "LEAK"})",
             R"({"a.0.c.d": {"$in": ["LEAK"]}})",
             R"({"ssn.0": "LEAK"})",
         }) {
        expectSafe(find(f));
    }
}

TEST(AdversarialMatch, EmptyAndDollarKeys) {
    expectRejected(find(R"({"": "LEAK"})"));
    expectRejected(find(R"({"$ssn": "LEAK"})"));
    expectRejected(find(R"({"a..b": "LEAK"})"));
    expectRejected(find(R"({"a.b.": "LEAK"})"));
    expectRejected(find(R"({".ssn": "LEAK"})"));
}

// ---------------------------------------------------------------- commands: find and friends

TEST(AdversarialFind, ProjectionSortHintMinMax) {
    for (const char* c : {
             R"({"find": "c", "projection": {"x": {"$eq": ["$ssn", "LEAK"]}}})",
             R"({"find": "c", "projection": {"a": {"b": "LEAK"}}})",
             R"({"find": "c", "projection": {"ssn": "LEAK"}})",
             R"({"find": "c", "projection": {"ssn": {"$literal": "LEAK"}}})",
             R"({"find": "c", "projection": {"x": {"$cond": [{"$eq": ["$a.b", "LEAK"]}, 1, 0]}}})",
             R"({"find": "c", "min": {"ssn": "LEAK"}})",
             R"({"find": "c", "max": {"a": {"b": "LEAK"}}})",
             R"({"find": "c", "max": {"a.b": "LEAK"}})",
             R"({"find": "c", "sort": {"ssn": 1}, "filter": {"ssn": "LEAK"}})",
         }) {
        expectSafe(c);
    }
    expectMarked(R"({"find": "c", "filter": {"ssn": "LEAK"}, "projection": {"ssn": 1, "a.b": 0},
                     "sort": {"x": -1}, "hint": {"ssn": 1}, "collation": {"locale": "en"}})",
                 1);
}

TEST(AdversarialFind, CountDistinctDelete) {
    expectMarked(R"({"count": "c", "query": {"a.b": "LEAK"}})", 1);
    expectRejected(R"({"count": "c", "filter": {"ssn": "LEAK"}})");
    expectMarked(R"({"distinct": "c", "key": "ssn", "query": {"ssn": {"$in": ["LEAK"]}}})", 1);
    expectRejected(R"({"distinct": "c", "key": "rnd"})");
    expectRejected(R"({"distinct": "c", "key": "ptr"})");
    expectRejected(R"({"distinct": "c", "key": "ssn.x"})");
    expectRejected(R"({"distinct": "c", "key": 1})");
    expectMarked(R"({"delete": "c", "deletes": [{"q": {"ssn": "LEAK"}, "limit": 1},
                     {"q": {"a.b": "LEAK"}, "limit": 0}]})",
                 2);
    expectSafe(
        R"({"delete": "c", "deletes": [{"q": {"x": 1}, "q": {"ssn": "LEAK"}, "limit": 1}]})");
    expectSafe(R"({"delete": "c", "deletes": [{"q": {"ssn": "LEAK"}, "limit": 1}],
                   "deletes": [{"q": {"ssn": "LEAK"}, "limit": 1}]})");
    expectRejected(R"({"delete": "c", "deletes": [{"q": {"ssn": "LEAK"}, "limit": 1, "u": 1}]})");
}

TEST(AdversarialFind, CommandShapes) {
    // Command name not first, case variants, unknown commands: not analyzed, so rejected.
    for (const char* c : {
             R"({"filter": {"ssn": "LEAK"}, "find": "c"})",
             R"({"Find": "c", "filter": {"ssn": "LEAK"}})",
             R"({"FindAndModify": "c", "query": {"ssn": "LEAK"}})",
             R"({"findAndmodify": "c", "query": {"ssn": "LEAK"}})",
             R"({"bulkWrite": 1, "ops": [{"insert": 0, "document": {"ssn": "LEAK"}}]})",
             R"({"find": "c", "filter": {"ssn": "LEAK"}, "unknownField": 1})",
             R"({"find": "c", "filter": {"ssn": "LEAK"}, "encryptionInformation": {}})",
             R"({"find": "c", "filter": {"ssn": "LEAK"}, "csfleEncryptionSchemas": {}})",
         }) {
        expectRejected(c);
    }
    expectMarked(R"({"findandmodify": "c", "query": {"ssn": "LEAK"}, "remove": true})", 1);
}

// ---------------------------------------------------------------- schema arguments

TEST(AdversarialSchemaArguments, MissingWrongOrDuplicated) {
    auto raw = [](const std::string& json) { return bson::Doc::fromJson(json); };
    std::string schema = schemaJson();
    expectRejected(raw(R"({"find": "c", "filter": {"ssn": "LEAK"}})"));
    expectRejected(
        raw(R"({"find": "c", "filter": {"ssn": "LEAK"}, "jsonSchema": )" + schema + "}"));
    expectRejected(raw(R"({"find": "c", "filter": {"ssn": "LEAK"}, "isRemoteSchema": true})"));
    expectRejected(raw(R"({"find": "c", "filter": {"ssn": "LEAK"}, "jsonSchema": "x",
                           "isRemoteSchema": true})"));
    expectRejected(raw(R"({"find": "c", "filter": {"ssn": "LEAK"}, "jsonSchema": )" + schema +
                       R"(, "isRemoteSchema": 1})"));
    // Two jsonSchema fields: whichever one the engine reads, the other one may be the real one.
    expectSafe(raw(R"({"find": "c", "filter": {"ssn": "LEAK"}, "jsonSchema": )" + schema +
                   R"(, "jsonSchema": {}, "isRemoteSchema": true})"));
    expectSafe(raw(R"({"find": "c", "filter": {"ssn": "LEAK"}, "jsonSchema": {}, "jsonSchema": )" +
                   schema + R"(, "isRemoteSchema": true})"));
    // A local schema may not carry validation keywords.
    expectRejected(command(find(R"({"ssn": "LEAK"})"),
                           R"({"required": ["ssn"], "properties": {"ssn": )" +
                               encrypt(uuidKey(kUuidA), kDet, "string") + "}}",
                           false));
    expectMarked(command(find(R"({"ssn": "LEAK"})"), schemaJson(), false), 1);
}

// ---------------------------------------------------------------- insert

TEST(AdversarialInsert, DocumentsMarkedEverywhere) {
    bson::Doc r = expectMarked(
        R"({"insert": "c", "documents": [{"ssn": "LEAK", "rnd": {"LEAK": ["LEAK"]},
            "ptr": "LEAK", "alt": "keyName", "a": {"b": "LEAK", "c": {"d": "LEAK"}}},
            {"ssn": "x", "ssn": "LEAK"}]})",
        7);
    expectMarkingMetadata(r.view(), "documents/0/ssn", 1, kUuidAString);
    expectMarkingMetadata(r.view(), "documents/0/rnd", 2, kUuidBString);
    expectMarkingMetadata(r.view(), "documents/0/ptr", 2, "keyName");
    expectMarkingMetadata(r.view(), "documents/0/a/b", 1, kUuidAString);
    expectMarkingMetadata(r.view(), "documents/0/a/c/d", 1, kUuidBString);
    // Two `documents` fields (e.g. an inline array plus a folded document sequence).
    expectMarked(
        R"({"insert": "c", "documents": [{"ssn": "LEAK"}], "documents": [{"ssn": "LEAK"}]})", 2);
}

TEST(AdversarialInsert, RejectedShapes) {
    for (
        const char* c : {
            R"({"insert": "c", "documents": [{"a": [{"b": "LEAK"}]}]})",
            R"({"insert": "c", "documents": [{"a": {"c": [{"d": "LEAK"}]}}]})",
            R"({"insert": "c", "documents": [{"ssn": ["LEAK"]}]})",
            R"({"insert": "c", "documents": [{"ssn": {"v": "LEAK"}}]})",
            R"({"insert": "c", "documents": [{"ssn": 1, "x": "LEAK"}]})",
            R"({"insert": "c", "documents": [{"ssn": {"$timestamp": {"t": 0, "i": 0}}}]})",
            R"({"insert": "c", "documents": [{"rnd": {"$timestamp": {"t": 0, "i": 0}}, "x": "LEAK"}]})",
            R"({"insert": "c", "documents": [{"rnd": null, "x": "LEAK"}]})",
            R"({"insert": "c", "documents": [{"rnd": {"$minKey": 1}, "x": "LEAK"}]})",
            R"({"insert": "c", "documents": "LEAK"})",
            R"({"insert": "c", "documents": ["LEAK"]})",
            R"({"insert": "c", "documents": {"0": {"ssn": "LEAK"}}})",
        }) {
        SCOPED_TRACE(c);
        expectRejected(command(c));
    }
}

// Literal dotted field names (allowed by MongoDB 5.0+) are not the nested encrypted field, but a
// document that spells an encrypted path that way is stored in the clear: reject.
TEST(AdversarialInsert, DottedKeysSpellingEncryptedPaths) {
    for (const char* c : {
             R"({"insert": "c", "documents": [{"a.b": "LEAK"}]})",
             R"({"insert": "c", "documents": [{"a": {"c.d": "LEAK"}}]})",
             R"({"insert": "c", "documents": [{"a.c": {"d": "LEAK"}}]})",
             R"({"update": "c", "updates": [{"q": {}, "u": {"a.b": "LEAK"}}]})",
             R"({"update": "c", "updates": [{"q": {}, "u": {"$set": {"a": {"c.d": "LEAK"}}}}]})",
             R"({"findAndModify": "c", "query": {}, "update": {"a.c.d": "LEAK"}})",
         }) {
        expectSafe(c);
    }
}

TEST(AdversarialInsert, JsonPointerKeyIds) {
    // The pointer must resolve to a plaintext string of the same document.
    for (
        const char* c : {
            R"({"insert": "c", "documents": [{"ptr": "LEAK"}]})",
            R"({"insert": "c", "documents": [{"ptr": "LEAK", "alt": 5}]})",
            R"({"insert": "c", "documents": [{"ptr": "LEAK", "alt": {"k": "v"}}]})",
            R"({"insert": "c", "documents": [{"ptr": "LEAK", "alt": null}]})",
            R"({"update": "c", "updates": [{"q": {}, "u": {"ptr": "LEAK", "alt": "k"}}]})",
            R"({"update": "c", "updates": [{"q": {}, "u": {"$set": {"ptr": "LEAK", "alt": "k"}}}]})",
            R"({"findAndModify": "c", "query": {}, "update": {"ptr": "LEAK", "alt": "k"}})",
        }) {
        SCOPED_TRACE(c);
        expectRejected(command(c));
    }
    // Pointers into encrypted values: the key name would travel in the clear.
    auto pointerSchema = [](const std::string& pointer) {
        return R"({"bsonType": "object", "properties": {"p": )" +
               encrypt("\"" + pointer + "\"", kRnd, "") + R"(, "ssn": )" +
               encrypt(uuidKey(kUuidA), kDet, "string") +
               R"(, "a": {"bsonType": "object", "properties": {"b": )" +
               encrypt(uuidKey(kUuidA), kDet, "string") + "}}}}";
    };
    for (const char* pointer : {"/ssn", "/a/b", "/p", "/p/x", "/a"}) {
        SCOPED_TRACE(pointer);
        expectRejected(
            command(R"({"insert": "c", "documents": [{"p": "LEAK", "ssn": "k", "a": {"b": "k"}}]})",
                    pointerSchema(pointer)));
    }
    // Escapes and array elements resolve like RFC 6901 says.
    bson::Doc r = expectMarked(
        command(R"({"insert": "c", "documents": [{"p": "LEAK", "x/y": ["k0", "k1"]}]})",
                pointerSchema("/x~1y/1")),
        1);
    expectMarkingMetadata(r.view(), "documents/0/p", 2, "k1");
}

TEST(AdversarialInsert, EncryptedIdIsNeverWrittenByInsertOrUpsert) {
    std::string idSchema = R"({"bsonType": "object", "properties": {"_id": )" +
                           encrypt(uuidKey(kUuidA), kDet, "string") + "}}";
    expectRejected(command(R"({"insert": "c", "documents": [{"x": "LEAK"}]})", idSchema));
    expectRejected(command(R"({"insert": "c", "documents": [{"_id": "LEAK"}]})", idSchema));
    // A plain replacement (no upsert) keeps the stored _id: the supplied one is marked.
    expectMarked(
        command(R"({"update": "c", "updates": [{"q": {}, "u": {"_id": "LEAK"}}]})", idSchema), 1);
    expectRejected(command(
        R"({"update": "c", "updates": [{"q": {}, "u": {"x": 1}, "upsert": true}]})", idSchema));
    expectRejected(command(
        R"({"findAndModify": "c", "query": {}, "update": {"x": 1}, "upsert": true})", idSchema));
}

// An operator-style upsert inserts a document built from the query's equalities and $set /
// $setOnInsert; with no _id among them the server generates a plaintext ObjectId where the schema
// says _id is encrypted. Not user plaintext, but a stored document that breaks the schema.
TEST(AdversarialInsert, OperatorUpsertWithoutEncryptedId) {
    std::string idSchema = R"({"bsonType": "object", "properties": {"_id": )" +
                           encrypt(uuidKey(kUuidA), kDet, "string") + "}}";
    expectRejected(command(
        R"({"update": "c", "updates": [{"q": {"x": 1}, "u": {"$set": {"y": 1}}, "upsert": true}]})",
        idSchema));
    expectRejected(command(
        R"({"findAndModify": "c", "query": {"x": 1}, "update": {"$set": {"y": 1}}, "upsert": true})",
        idSchema));
}

// ---------------------------------------------------------------- update / findAndModify

TEST(AdversarialUpdate, OperatorsMarkOrReject) {
    auto upd = [](const std::string& u, const std::string& extra = "") {
        return R"({"update": "c", "updates": [{"q": {"ssn": "LEAK"}, "u": )" + u + extra + "}]}";
    };
    bson::Doc r = expectMarked(upd(R"({"$set": {"ssn": "LEAK", "a.b": "LEAK", "a.c": {"d": "LEAK"}},
                                        "$setOnInsert": {"rnd": "LEAK"}})",
                                   R"(, "upsert": true)"),
                               5);
    expectMarkingMetadata(r.view(), "updates/0/u/$set/a.c/d", 1, kUuidBString);
    expectMarked(upd(R"({"$set": {"a": {"b": "LEAK", "c": {"d": "LEAK"}}}})"), 3);
    expectMarked(upd(R"({"$set": {"ssn": "x", "ssn": "LEAK"}, "$set": {"a.b": "LEAK"}})"), 4);
    expectMarked(upd(R"({"ssn": "LEAK", "a": {"b": "LEAK"}})"), 3);  // replacement
    for (const char* u : {
             R"({"$set": {"a": [{"b": "LEAK"}]}})",
             R"({"$set": {"a.c": [{"d": "LEAK"}]}})",
             R"({"$set": {"ssn.x": "LEAK"}})",
             R"({"$set": {"ssn": ["LEAK"]}})",
             R"({"$set": {"ssn": {"$literal": "LEAK"}}})",
             R"({"$set": {"a.$.b": "LEAK"}})",
             R"({"$set": {"a.$[].b": "LEAK"}})",
             R"({"$set": {"a.$[i].b": "LEAK"}})",
             R"({"$set": {"$[].ssn": "LEAK"}})",
             R"({"$set": {"ptr": "LEAK", "alt": "k"}})",
             R"({"$set": {"": "LEAK"}})",
             R"({"$inc": {"ssn": 1}, "$set": {"x": "LEAK"}})",
             R"({"$push": {"a": {"b": "LEAK"}}})",
             R"({"$push": {"a": {"$each": [{"b": "LEAK"}]}}})",
             R"({"$addToSet": {"a.b": "LEAK"}})",
             R"({"$addToSet": {"a": {"$each": [{"b": "LEAK"}]}}})",
             R"({"$max": {"a": {"b": "LEAK"}}})",
             R"({"$min": {"ssn": "LEAK"}})",
             R"({"$pull": {"a": {"b": "LEAK"}}})",
             R"({"$pull": {"ssn": "LEAK"}})",
             R"({"$pullAll": {"a.b": ["LEAK"]}})",
             R"({"$currentDate": {"ssn": true}, "$set": {"x": "LEAK"}})",
             R"({"$bit": {"ssn": {"and": 1}}, "$set": {"x": "LEAK"}})",
             R"({"$rename": {"x": "ssn"}, "$set": {"x": "LEAK"}})",
             R"({"$rename": {"ssn": "x"}, "$set": {"x": "LEAK"}})",
             R"({"$rename": {"ssn": "rnd"}, "$set": {"x": "LEAK"}})",
             R"({"$rename": {"a": "z"}, "$set": {"x": "LEAK"}})",
             R"({"$rename": {"a.b": "a.c.d"}, "$set": {"x": "LEAK"}})",
             R"({"$foo": {"ssn": "LEAK"}})",
             R"({"$set": "LEAK"})",
             R"({"$set": {"ssn": "LEAK"}, "ssn": "LEAK"})",
         }) {
        SCOPED_TRACE(u);
        expectSafe(upd(u));
    }
    // Pipeline updates and their constants.
    expectRejected(upd(R"([{"$set": {"ssn": "LEAK"}}])"));
    expectRejected(upd(R"([{"$set": {"x": "$$c"}}])", R"(, "c": {"v": "LEAK"})"));
    expectRejected(upd("\"LEAK\""));
    // $rename between fields of identical metadata moves ciphertext: allowed.
    expectMarked(upd(R"({"$rename": {"ssn": "ssn2", "a.b": "ssn"}, "$unset": {"a": 1}})"), 1);
}

TEST(AdversarialUpdate, NumericComponentsInTargets) {
    auto upd = [](const std::string& u) {
        return R"({"update": "c", "updates": [{"q": {}, "u": )" + u + "}]}";
    };
    for (const char* u : {
             R"({"$set": {"a.0.b": "LEAK"}})",
             R"({"$set": {"a.0": {"b": "LEAK"}}})",
             R"({"$set": {"a.c.1.d": "LEAK"}})",
             R"({"$setOnInsert": {"a.0.c": {"d": "LEAK"}}})",
         }) {
        SCOPED_TRACE(u);
        expectSafe(upd(u));
    }
}

TEST(AdversarialUpdate, ArrayFiltersAndStatementFields) {
    expectSafe(R"({"update": "c", "updates": [{"q": {}, "u": {"$set": {"a.$[i]": 1}},
                   "arrayFilters": [{"i.b": "LEAK"}]}]})");
    expectSafe(R"({"update": "c", "updates": [{"q": {}, "u": {"$set": {"x": 1}},
                   "arrayFilters": [{"$expr": {"$eq": ["$ssn", "LEAK"]}}]}]})");
    expectSafe(R"({"update": "c", "updates": [{"q": {}, "u": {"$set": {"arr.$[i]": 1}},
                   "arrayFilters": [{"$or": [{"i": 1}, {"$expr": {"$eq": ["$a.b", "LEAK"]}}]}]}]})");
    expectSafe(R"({"findAndModify": "c", "query": {}, "update": {"$set": {"arr.$[i]": 1}},
                   "arrayFilters": [{"$where": "this.ssn == 'LEAK'"}]})");
    // Plain array filters keep working.
    expectMarked(
        R"({"update": "c", "updates": [{"q": {"ssn": "LEAK"}, "u": {"$set": {"arr.$[i]": 1}},
                     "arrayFilters": [{"i": {"$gt": 1}}, {"j.x": "y"}]}]})",
        1);
    expectSafe(R"({"update": "c", "updates": [{"q": {}, "u": {"$set": {"x": 1}},
                   "sort": {"ssn": 1}, "hint": {"ssn": 1}, "collation": {"locale": "fr"},
                   "q": {"ssn": "LEAK"}}]})");
    expectSafe(R"({"update": "c", "updates": [{"q": {}, "u": {"$set": {"x": 1}}}],
                   "updates": [{"q": {"ssn": "LEAK"}, "u": {"$set": {"ssn": "LEAK"}}}]})");
    expectRejected(R"({"update": "c", "updates": [{"q": {}, "u": {}, "upsert": true,
                       "unknown": "LEAK"}]})");
}

TEST(AdversarialFindAndModify, AllParts) {
    bson::Doc r = expectMarked(
        R"({"findAndModify": "c", "query": {"ssn": "LEAK"}, "update": {"$set": {"a.b": "LEAK"}},
            "new": true, "upsert": true, "fields": {"ssn": 1}, "sort": {"x": 1}})",
        2);
    expectMarked(R"({"findAndModify": "c", "query": {}, "update": {"ssn": "LEAK", "alt": "x"}})",
                 1);
    for (
        const char* c : {
            R"({"findAndModify": "c", "query": {}, "update": [{"$set": {"ssn": "LEAK"}}]})",
            R"({"findAndModify": "c", "query": {}, "update": {"$inc": {"ssn": 1}}, "fields": {"x": "LEAK"}})",
            R"({"findAndModify": "c", "query": {"rnd": "LEAK"}, "remove": true})",
            R"({"findAndModify": "c", "query": {}, "sort": {"a": 1}, "update": {"$set": {"ssn": "LEAK"}}})",
            R"({"findAndModify": "c", "query": {}, "fields": {"x": {"$eq": ["$ssn", "LEAK"]}}})",
            R"({"findAndModify": "c", "query": {}, "update": {"$set": {"a.$[i].b": "LEAK"}}, "arrayFilters": [{"i": 1}]})",
        }) {
        expectSafe(c);
    }
}

// ---------------------------------------------------------------- explain

TEST(AdversarialExplain, WrapsEachCommand) {
    expectMarked(R"({"explain": {"find": "c", "filter": {"ssn": "LEAK"}}})", 1);
    expectMarked(
        R"({"explain": {"count": "c", "query": {"ssn": "LEAK"}}, "verbosity": "queryPlanner"})", 1);
    expectMarked(R"({"explain": {"distinct": "c", "key": "x", "query": {"a.b": "LEAK"}}})", 1);
    expectMarked(R"({"explain": {"delete": "c", "deletes": [{"q": {"ssn": "LEAK"}, "limit": 1}]}})",
                 1);
    expectMarked(
        R"({"explain": {"update": "c", "updates": [{"q": {"ssn": "LEAK"}, "u": {"$set": {"ssn": "LEAK"}}}]}})",
        2);
    expectMarked(R"({"explain": {"findAndModify": "c", "query": {"ssn": "LEAK"}, "remove": true}})",
                 1);
    for (
        const char* c : {
            R"({"explain": {"explain": {"find": "c", "filter": {"ssn": "LEAK"}}}})",
            R"({"explain": {"insert": "c", "documents": [{"ssn": "LEAK"}]}})",
            R"({"explain": {"find": "c", "filter": {"ssn": "LEAK"}, "encryptionInformation": {}}})",
            R"({"explain": {"find": "c", "filter": {"ssn": "LEAK"}}, "verbosity": 1})",
            R"({"explain": {"find": "c", "filter": {"ssn": "LEAK"}}, "filter": {"ssn": "LEAK"}})",
            R"({"explain": "LEAK"})",
            R"({"explain": {}})",
            R"({"verbosity": "queryPlanner", "explain": {"find": "c", "filter": {"ssn": "LEAK"}}})",
        }) {
        SCOPED_TRACE(c);
        expectRejected(command(c));
    }
    // A second `explain` key must not carry an unanalyzed command through.
    expectSafe(
        R"({"explain": {"find": "c", "filter": {}}, "explain": {"find": "c", "filter": {"ssn": "LEAK"}}})");
    // The schema nested inside explain (crypt_shared style) with none at the top: rejected.
    expectRejected(bson::Doc::fromJson(R"({"explain": {"find": "c", "filter": {"ssn": "LEAK"},
                                           "jsonSchema": )" +
                                       schemaJson() + R"(, "isRemoteSchema": true}})"));
}

// ---------------------------------------------------------------- create / collMod / createIndexes

TEST(AdversarialStoredFilters, ValidatorsAndPartialIndexes) {
    for (
        const char* c : {
            R"({"create": "c", "validator": {"ssn": "LEAK"}})",
            R"({"create": "c", "validator": {"$or": [{"a.b": {"$in": ["LEAK"]}}]}})",
            R"({"create": "c", "validator": {"$expr": {"$eq": ["$ssn", "LEAK"]}}})",
            R"({"collMod": "c", "validator": {"a": {"b": "LEAK"}}})",
            R"({"collMod": "c", "validator": {"$jsonSchema": {"properties": {"x": {"bsonType": "string"}}}, "ssn": "LEAK"}})",
            R"({"collMod": "c", "validator": {"$jsonSchema": {"properties": {"x": {"bsonType": "string"}}}, "$jsonSchema": {"properties": {"ssn": {"bsonType": "string"}}}, "ssn": "LEAK"}})",
            R"({"create": "c", "validator": {"$jsonSchema": {"properties": {"ssn": {"encrypt": {"keyId": [{"$binary": {"base64": "YWFhYWFhYWFhYWFhYWFhYQ==", "subType": "04"}}], "algorithm": "AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic", "bsonType": "string"}}}}, "ssn": "LEAK"}})",
            R"({"create": "c", "viewOn": "d", "pipeline": [{"$match": {"ssn": "LEAK"}}]})",
            R"({"createIndexes": "c", "indexes": [{"key": {"x": 1}, "name": "x", "partialFilterExpression": {"ssn": "LEAK"}}]})",
            R"({"createIndexes": "c", "indexes": [{"key": {"x": 1}, "name": "x", "partialFilterExpression": {"a.b": {"$in": ["LEAK"]}}}]})",
            R"({"createIndexes": "c", "indexes": [{"key": {"x": 1}, "name": "x", "partialFilterExpression": {}, "partialFilterExpression": {"ssn": "LEAK"}}]})",
            R"({"createIndexes": "c", "indexes": [{"key": {"x": 1}, "name": "x", "partialFilterExpression": {"$expr": {"$eq": ["$ssn", "LEAK"]}}}]})",
        }) {
        expectSafe(c);
    }
}

// ---------------------------------------------------------------- schema layer

TEST(AdversarialSchema, PatternAndAdditionalProperties) {
    std::string det = encrypt(uuidKey(kUuidA), kDet, "string");
    std::string rnd = encrypt(uuidKey(kUuidB), kRnd, "");
    // Unanchored patterns match anywhere in the name.
    std::string s = R"({"bsonType": "object", "patternProperties": {"ssn": )" + det + "}}";
    expectMarked(command(find(R"({"user_ssn_x": "LEAK"})"), s), 1);
    expectMarked(
        command(R"({"insert": "c", "documents": [{"my_ssn": "LEAK", "SSN": "plain"}]})", s), 1);
    // additionalProperties applies to every name not matched by properties/patternProperties.
    // (additionalProperties also covers _id, which no insert may write encrypted.)
    s = R"({"bsonType": "object", "properties": {"x": {"bsonType": "string"}}, "additionalProperties": )" +
        rnd + "}";
    expectRejected(command(R"({"insert": "c", "documents": [{"x": "plain"}]})", s));  // _id
    expectRejected(command(R"({"insert": "c", "documents": [{"_id": 1, "x": "p"}]})", s));
    s = R"({"bsonType": "object", "properties": {"_id": {}, "x": {"bsonType": "string"}}, "additionalProperties": )" +
        rnd + "}";
    expectMarked(
        command(
            R"({"insert": "c", "documents": [{"_id": 1, "x": "plain", "y": "LEAK", "": "LEAK"}]})",
            s),
        2);
    expectRejected(command(find(R"({"y": "LEAK"})"), s));  // random
    expectRejected(command(find(R"({"y.z": "LEAK"})"), s));
    expectSafe(command(find(R"({"$expr": {"$eq": ["$anything", "LEAK"]}})"), s));
    // properties + a matching pattern that disagree: ambiguous, rejected.
    s = R"({"bsonType": "object", "properties": {"ssn": {"bsonType": "string"}}, "patternProperties": {"^s": )" +
        det + "}}";
    expectRejected(command(R"({"insert": "c", "documents": [{"ssn": "LEAK"}]})", s));
    // Nested patterns below properties.
    s = R"({"bsonType": "object", "properties": {"o": {"bsonType": "object", "patternProperties": {"^k[0-9]+$": )" +
        det + "}}}}";
    expectMarked(
        command(
            R"({"update": "c", "updates": [{"q": {"o.k12": "LEAK"}, "u": {"$set": {"o": {"k1": "LEAK", "kx": "p"}}}}]})",
            s),
        2);
}

// MongoDB's patternProperties use PCRE, where `$` also matches before a final newline and `.`
// matches "\r". A name the server's schema engine (and so the real mongocryptd) sees as encrypted
// must not come out in the clear here.
TEST(AdversarialSchema, PatternDialectLineTerminators) {
    std::string det = encrypt(uuidKey(kUuidA), kDet, "string");
    auto insertWithKey = [](const std::string& key) {
        bson_t* doc = bson_new();
        bson_append_utf8(doc, "insert", -1, "c", -1);
        bson_t docs, d0;
        bson_append_array_begin(doc, "documents", -1, &docs);
        bson_append_document_begin(&docs, "0", -1, &d0);
        bson_append_utf8(&d0, key.data(), static_cast<int>(key.size()), "LEAK", -1);
        bson_append_document_end(&docs, &d0);
        bson_append_array_end(doc, &docs);
        return doc;
    };
    struct Case {
        const char* pattern;
        std::string key;
    };
    for (const Case& c : {Case{"^ssn$", "ssn\n"}, Case{"^ss.$", "ss\r"},
                          Case{"^ss.$", "ss\xe2\x80\xa8"}, Case{"^ssn$", "ssn"}}) {
        SCOPED_TRACE(c.pattern);
        std::string s = std::string(R"({"bsonType": "object", "patternProperties": {")") +
                        c.pattern + "\": " + det + "}}";
        bson::Doc schema = bson::Doc::fromJson(s);
        bson::Doc base(insertWithKey(c.key));
        bson::Builder b;
        for (bson::Element e : base.view()) b.append(e);
        b.appendDocument("jsonSchema", [&](bson::Builder& j) {
            for (bson::Element e : schema.view()) j.append(e);
        });
        b.appendBool("isRemoteSchema", true);
        expectSafe(b.finish());
    }
}

// Escapes and classes that PCRE (MongoDB) and ECMAScript (here) read differently: libstdc++ takes
// "\\A" as the letter A, so a PCRE-anchored pattern would match nothing and leave "ssn" in the
// clear. Such schemas are refused; the shared syntax keeps working.
TEST(AdversarialSchema, PatternDialectEscapes) {
    std::string det = encrypt(uuidKey(kUuidA), kDet, "string");
    auto schemaFor = [&](const std::string& patternJson) {
        return R"({"bsonType": "object", "patternProperties": {)" + patternJson + ": " + det + "}}";
    };
    for (const char* pattern :
         {R"("\\Assn")", R"("^ssn\\z")", R"("^ssn\\Z")", R"("\\Qssn\\E")", R"("^ss\\v$")",
          R"("^ss[]n]$")", R"("^ss[^]n]$")", R"("\\hssn")", R"("^s\\0?sn")", R"("\\essn")"}) {
        SCOPED_TRACE(pattern);
        expectRejected(command(find(R"({"ssn": "LEAK", "xssn": "LEAK"})"), schemaFor(pattern)));
    }
    for (const char* pattern : {R"("^s\\w\\d?n$")", R"("^s[s\\]]n$")", R"("^s\\.?sn$")",
                                R"("^s[^\\s]n\\b")", R"("^\\x73sn$")"}) {
        SCOPED_TRACE(pattern);
        expectMarked(command(find(R"({"ssn": "LEAK"})"), schemaFor(pattern)), 1);
    }
}

TEST(AdversarialSchema, MetadataInheritance) {
    std::string a = uuidKey(kUuidA), b = uuidKey(kUuidB);
    std::string s = R"({"bsonType": "object", "encryptMetadata": {"keyId": )" + a +
                    R"(, "algorithm": ")" + kDet +
                    R"("}, "properties": {)"
                    R"("top": {"encrypt": {"bsonType": "string"}},)"
                    R"("o": {"bsonType": "object", "encryptMetadata": {"keyId": )" +
                    b +
                    R"(}, "properties": {"k": {"encrypt": {"bsonType": "string"}},)"
                    R"("r": {"encrypt": {"algorithm": ")" +
                    kRnd +
                    R"("}},)"
                    R"("p": {"bsonType": "object", "encryptMetadata": {"algorithm": ")" +
                    kRnd + R"("}, "properties": {"q": {"encrypt": {}}}}}}}})";
    bson::Doc r = expectMarked(
        command(
            R"({"insert": "c", "documents": [{"top": "LEAK", "o": {"k": "LEAK", "r": 1, "p": {"q": "LEAK"}}}]})",
            s),
        4);
    expectMarkingMetadata(r.view(), "documents/0/top", 1, kUuidAString);
    expectMarkingMetadata(r.view(), "documents/0/o/k", 1, kUuidBString);
    expectMarkingMetadata(r.view(), "documents/0/o/r", 2, kUuidBString);
    expectMarkingMetadata(r.view(), "documents/0/o/p/q", 2, kUuidBString);
    // Incomplete metadata is a schema error, never a default.
    expectRejected(command(
        find(R"({"x": "LEAK"})"),
        R"({"bsonType": "object", "properties": {"x": {"encrypt": {"bsonType": "string"}}}})"));
    expectRejected(command(
        find(R"({"x": "LEAK"})"),
        R"({"encryptMetadata": {"keyId": )" + a + R"(}, "properties": {"x": {"encrypt": {}}}})"));
}

TEST(AdversarialSchema, ForbiddenPlacesForEncrypt) {
    std::string det = encrypt(uuidKey(kUuidA), kDet, "string");
    for (
        const std::string& s : {
            R"({"properties": {"arr": {"items": )" + det + "}}}",
            R"({"properties": {"arr": {"items": [)" + det + "]}}}",
            R"({"properties": {"arr": {"additionalItems": )" + det + "}}}",
            R"({"anyOf": [{"properties": {"ssn": )" + det + "}}]}",
            R"({"properties": {"o": {"not": {"properties": {"ssn": )" + det + "}}}}}",
            R"({"dependencies": {"x": {"properties": {"ssn": )" + det + "}}}}",
            R"({"properties": {"a.b": )" + det + "}}",
            R"({"properties": {"ssn": {"encrypt": {"keyId": [], "algorithm": ")" +
                std::string(kDet) + R"(", "bsonType": "string"}}}})",
            R"({"properties": {"ssn": {"encrypt": {"keyId": "noslash", "algorithm": ")" +
                std::string(kRnd) + R"("}}}})",
            R"({"properties": {"ssn": {"encrypt": {"keyId": [{"$binary": {"base64": "YWFh", "subType": "04"}}], "algorithm": ")" +
                std::string(kRnd) + R"("}}}})",
            R"({"properties": {"ssn": {"encrypt": {"keyId": [{"$binary": {"base64": "YWFhYWFhYWFhYWFhYWFhYQ==", "subType": "03"}}], "algorithm": ")" +
                std::string(kRnd) + R"("}}}})",
            R"({"properties": {"ssn": )" + det + R"(, "ssn": {"bsonType": "string"}}})",
            R"({"properties": {"ssn": {"encrypt": {"keyId": )" + uuidKey(kUuidA) +
                R"(, "algorithm": ")" + std::string(kDet) + R"("}}}})",
            R"({"properties": {"ssn": {"encrypt": {"keyId": )" + uuidKey(kUuidA) +
                R"(, "algorithm": ")" + std::string(kDet) + R"(", "bsonType": "double"}}}})",
            R"({"properties": {"ssn": {"encrypt": {"keyId": )" + uuidKey(kUuidA) +
                R"(, "algorithm": "AEAD_AES_256_CBC_HMAC_SHA_512-deterministic", "bsonType": "string"}}}})",
            "{\"encrypt\": {\"keyId\": " + uuidKey(kUuidA) + ", \"algorithm\": \"" + kRnd + "\"}}",
        }) {
        SCOPED_TRACE(s);
        expectRejected(command(find(R"({"ssn": "LEAK", "a.b": "LEAK"})"), s));
    }
}

// ---------------------------------------------------------------- hostile input: no crash, no hang

bson::Doc nested(const std::string& open, const std::string& leaf, const std::string& close,
                 int depth) {
    std::string s;
    for (int i = 0; i < depth; ++i) s += open;
    s += leaf;
    for (int i = 0; i < depth; ++i) s += close;
    return bson::Doc::fromJson(s);
}

// Builds {find: "c", filter: <filter>, jsonSchema, isRemoteSchema} from an already built filter.
bson::Doc findWith(bson::View filter) {
    bson::Doc schema = bson::Doc::fromJson(schemaJson());
    bson::Builder b;
    b.appendUtf8("find", "c");
    b.appendDocument("filter", [&](bson::Builder& f) {
        for (bson::Element e : filter) f.append(e);
    });
    b.appendDocument("jsonSchema", [&](bson::Builder& j) {
        for (bson::Element e : schema.view()) j.append(e);
    });
    b.appendBool("isRemoteSchema", true);
    return b.finish();
}

// bson_t is over-aligned (128 bytes): `new bson_t[n]` gets GCC's aligned operator new[] but
// `delete[]` the plain one (ASan: new-delete-type-mismatch). Allocate and free explicitly, with the
// same alignment on both sides.
struct BsonStack {
    explicit BsonStack(size_t n)
        : at(static_cast<bson_t*>(
              ::operator new[](n * sizeof(bson_t), std::align_val_t{alignof(bson_t)}))) {}
    ~BsonStack() { ::operator delete[](at, std::align_val_t{alignof(bson_t)}); }
    BsonStack(const BsonStack&) = delete;
    BsonStack& operator=(const BsonStack&) = delete;
    bson_t* at;
};

// Deeply nested documents built with libbson directly (the JSON reader has its own limits).
bson::Doc deepDocument(const char* key, int depth, const char* leafKey,
                       const char* leafValue = "LEAK") {
    // bson_t is over-aligned: no std::vector<bson_t> (its alignment attribute would be dropped).
    BsonStack storage(static_cast<size_t>(depth) + 1);
    bson_t* stack = storage.at;
    bson_init(&stack[0]);
    for (int i = 0; i < depth; ++i) bson_append_document_begin(&stack[i], key, -1, &stack[i + 1]);
    bson_append_utf8(&stack[depth], leafKey, -1, leafValue, -1);
    for (int i = depth; i > 0; --i) bson_append_document_end(&stack[i - 1], &stack[i]);
    // Adopted, not copied: Doc::copyOf validates with libbson, whose validator recurses once per
    // level (the daemon bounds depth before that, see server/wire_message.h kMaxBsonDepth).
    bson::Doc out(bson_copy(&stack[0]));
    bson_destroy(&stack[0]);
    return out;
}

TEST(AdversarialHostile, DeepNestingIsRejectedNotCrashed) {
    // libbson's JSON reader stops at 100 levels: 90 stays below it, the rest is built directly.
    expectSafe(findWith(nested(R"({"$and": [)", R"({"ssn": "LEAK"})", "]}", 45).view()));
    expectSafe(findWith(nested(R"({"ssn": {"$not": )", R"({"$eq": "LEAK"})", "}}", 45).view()));
    // (Inside $elemMatch, "ssn" is a field of an array element, not the encrypted field.)
    EXPECT_TRUE(
        run(findWith(nested(R"({"arr": {"$elemMatch": )", R"({"ssn": 1})", "}}", 45).view()).view())
            .reply.has_value());
    expectSafe(findWith(deepDocument("$not", 5000, "ssn").view()));
    expectSafe(findWith(deepDocument("$elemMatch", 5000, "ssn").view()));
    expectSafe(findWith(deepDocument("$and", 5000, "ssn").view()));  // malformed, deep
    expectSafe(findWith(deepDocument("a", 5000, "b").view()));       // {a: {a: ... {b: LEAK}}}
    expectSafe(findWith(deepDocument("$or", 5000, "ssn").view()));
    bson::Doc deepExpr = deepDocument("$expr", 5000, "x");
    expectSafe(findWith(deepExpr.view()));
    // Deep values under written fields and deep projection expressions.
    // As deep as the daemon lets through (server/wire_message.h kMaxBsonDepth = 220).
    bson::Doc deep = deepDocument("x", 215, "y", "plain");
    for (const char* field : {"documents", "updates"}) {
        bson::Doc schema = bson::Doc::fromJson(schemaJson());
        bson::Builder b;
        b.appendUtf8(std::string(field) == "documents" ? "insert" : "update", "c");
        b.appendArray(field, [&](bson::Builder& arr) {
            arr.appendDocument("0", [&](bson::Builder& d) {
                if (std::string(field) == "documents") {
                    d.appendUtf8("ssn", "LEAK");
                    d.appendDocument("rnd", [&](bson::Builder& v) {
                        for (bson::Element e : deep.view()) v.append(e);
                    });
                } else {
                    d.appendDocument("q", [&](bson::Builder&) {});
                    d.appendDocument("u", [&](bson::Builder& u) {
                        u.appendDocument("$set", [&](bson::Builder& set) {
                            set.appendDocument("a", [&](bson::Builder& v) {
                                for (bson::Element e : deep.view()) v.append(e);
                                v.appendUtf8("b", "LEAK");
                            });
                        });
                    });
                }
            });
        });
        b.appendDocument("jsonSchema", [&](bson::Builder& j) {
            for (bson::Element e : schema.view()) j.append(e);
        });
        b.appendBool("isRemoteSchema", true);
        expectSafe(b.finish());
    }
}

TEST(AdversarialHostile, HugeArraysAndLongPaths) {
    std::string in = R"({"ssn": {"$in": [)";
    for (int i = 0; i < 100000; ++i) in += i ? ",\"LEAK\"" : "\"LEAK\"";
    in += "]}}";
    expectMarked(find(in), 100000);
    std::string below = "ssn", numeric = "a", plain = "a";
    for (int i = 0; i < 50000; ++i) {
        below += ".x";
        numeric += ".0";
        plain += ".a";
    }
    expectRejected(find("{\"" + below + "\": \"LEAK\"}"));
    expectRejected(find("{\"" + numeric + ".b\": \"LEAK\"}"));
    EXPECT_TRUE(run(command(find("{\"" + plain + "\": 1}")).view()).reply.has_value());
    // Arrays nested past the JSON reader's limit, built directly: {v: [[[ ... {b: "LEAK"} ]]]}.
    const int depth = 5000;
    BsonStack storage(depth + 1);
    bson_t* stack = storage.at;
    bson_init(&stack[0]);
    for (int i = 0; i < depth; ++i) {
        bson_append_array_begin(&stack[i], i == 0 ? "v" : "0", -1, &stack[i + 1]);
    }
    bson_t leaf;
    bson_append_document_begin(&stack[depth], "0", -1, &leaf);
    bson_append_utf8(&leaf, "b", -1, "LEAK", -1);
    bson_append_document_end(&stack[depth], &leaf);
    for (int i = depth; i > 0; --i) bson_append_array_end(&stack[i - 1], &stack[i]);
    bson::Doc holder(bson_copy(&stack[0]));
    bson_destroy(&stack[0]);
    bson::Element deepArray = *holder.view().find("v");
    bson::Doc schema = bson::Doc::fromJson(schemaJson());
    auto withSchema = [&](bson::Builder& b) {
        b.appendDocument("jsonSchema", [&](bson::Builder& j) {
            for (bson::Element e : schema.view()) j.append(e);
        });
        b.appendBool("isRemoteSchema", true);
        return b.finish();
    };
    for (const char* op : {"$in", "$eq", "$all", "$nin"}) {
        SCOPED_TRACE(op);
        bson::Builder b;
        b.appendUtf8("find", "c");
        b.appendDocument("filter", [&](bson::Builder& f) {
            f.appendDocument("a", [&](bson::Builder& o) { o.append(op, deepArray); });
        });
        expectSafe(withSchema(b));
    }
    bson::Builder b;
    b.appendUtf8("update", "c");
    b.appendArray("updates", [&](bson::Builder& arr) {
        arr.appendDocument("0", [&](bson::Builder& st) {
            st.appendDocument("q", [](bson::Builder&) {});
            st.appendDocument("u", [&](bson::Builder& u) {
                u.appendDocument("$push", [&](bson::Builder& p) { p.append("a", deepArray); });
            });
        });
    });
    expectSafe(withSchema(b));
}

TEST(AdversarialHostile, InvalidUtf8Keys) {
    // The server validates BSON (UTF-8 included) before analysis; in-process callers may not.
    bson_t* doc = bson_new();
    bson_append_utf8(doc, "find", -1, "c", -1);
    bson_t filter;
    bson_append_document_begin(doc, "filter", -1, &filter);
    bson_append_utf8(&filter, "ss\xff", -1, "LEAK", -1);
    bson_append_utf8(&filter, "ssn", -1, "LEAK", -1);
    bson_append_document_end(doc, &filter);
    bson::Doc base(doc);
    bson::Doc schema =
        bson::Doc::fromJson(R"({"bsonType": "object", "patternProperties": {"^ss.$": )" +
                            encrypt(uuidKey(kUuidA), kDet, "string") + "}}");
    bson::Builder b;
    for (bson::Element e : base.view()) b.append(e);
    b.appendDocument("jsonSchema", [&](bson::Builder& j) {
        for (bson::Element e : schema.view()) j.append(e);
    });
    b.appendBool("isRemoteSchema", true);
    expectSafe(b.finish());
}

}  // namespace
}  // namespace cryptd::analysis::test
