#include "corpus_pairs.h"

#include <algorithm>
#include <array>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

namespace cryptd::spec {

namespace fs = std::filesystem;

namespace {

constexpr std::array kReplyNames = {"mongocryptd-reply.json", "reply-from-mongocryptd.json",
                                    "mongocryptd_reply.json"};
constexpr std::array kDriverCommandNames = {"cmd.json", "command.json"};
constexpr std::array kSchemaNames = {
    "schema-map.json",      "schema_map.json",          "collinfo.json",
    "collection-info.json", "encrypted-field-map.json", "encrypted-field-config-map.json"};

// A fixture that is a mongocryptd reply (analysis or hello).
bool isReplyName(const std::string& name) {
    return name.find("mongocryptd-reply") != std::string::npos ||
           name == "reply-from-mongocryptd.json" || name == "mongocryptd_reply.json" ||
           name.rfind("mongocryptd-ismaster", 0) == 0;
}

std::string rel(const fs::path& root, const fs::path& p) {
    return fs::relative(p, root).generic_string();
}

// The verbatim request in the corpus that has no reply next to it, but whose reply libmongocrypt's
// tests take from another folder (test/example is the reply for test/data/mongocryptd-cmd.json).
struct ExplicitPair {
    const char* request;
    const char* reply;
};
constexpr std::array kExplicitPairs = {
    ExplicitPair{"test/data/mongocryptd-cmd.json", "test/example/mongocryptd-reply.json"},
};

}  // namespace

std::optional<fs::path> corpusRoot() {
#ifdef CRYPTD_SHARED_DIR
    fs::path root = fs::path(CRYPTD_SHARED_DIR) / "corpus" / "libmongocrypt";
#else
    fs::path root = "../shared/corpus/libmongocrypt";
#endif
    if (!fs::is_directory(root)) return std::nullopt;
    return root;
}

bson::Doc loadCorpusJson(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + file.string());
    std::stringstream ss;
    ss << in.rdbuf();
    try {
        return bson::Doc::fromJson(ss.str());
    } catch (const std::exception& e) {
        throw std::runtime_error(file.string() + ": " + e.what());
    }
}

std::vector<CorpusEntry> discoverCorpus(const fs::path& root) {
    std::vector<CorpusEntry> out;
    std::set<fs::path> used;
    std::set<fs::path> dirs{root};
    for (auto& e : fs::recursive_directory_iterator(root))
        if (e.is_directory()) dirs.insert(e.path());

    for (auto& pair : kExplicitPairs) {
        fs::path req = root / pair.request, rep = root / pair.reply;
        if (fs::exists(req) && fs::exists(rep)) {
            out.push_back({rel(root, req), CorpusEntry::Kind::Analysis, req, rep, {}});
            used.insert(req);
        }
    }

    for (auto& dir : dirs) {
        auto has = [&](const char* name) { return fs::exists(dir / name); };
        std::optional<fs::path> reply;
        for (auto* n : kReplyNames)
            if (has(n)) {
                reply = dir / n;
                break;
            }

        if (has("cmd-to-mongocryptd.json")) {
            fs::path req = dir / "cmd-to-mongocryptd.json";
            out.push_back({rel(root, req),
                           reply ? CorpusEntry::Kind::Analysis : CorpusEntry::Kind::CommandOnly,
                           req,
                           reply.value_or(fs::path()),
                           {}});
            used.insert(req);
            if (reply) used.insert(*reply);
        } else if (has("mongocryptd-command.json") && reply) {
            fs::path req = dir / "mongocryptd-command.json";
            out.push_back({rel(root, req), CorpusEntry::Kind::Analysis, req, *reply, {}});
            used.insert(req);
            used.insert(*reply);
        } else if (reply) {
            for (auto* n : kDriverCommandNames) {
                if (!has(n)) continue;
                fs::path req = dir / n;
                fs::path schema;
                for (auto* s : kSchemaNames)
                    if (has(s)) {
                        schema = dir / s;
                        break;
                    }
                out.push_back(
                    {rel(root, req), CorpusEntry::Kind::BuiltAnalysis, req, *reply, schema});
                used.insert(req);
                used.insert(*reply);
                break;
            }
        }

        if (has("ismaster-to-mongocryptd.json") && has("mongocryptd-ismaster.json")) {
            fs::path req = dir / "ismaster-to-mongocryptd.json",
                     rep = dir / "mongocryptd-ismaster.json";
            out.push_back({rel(root, req), CorpusEntry::Kind::IsMaster, req, rep, {}});
            used.insert(req);
            used.insert(rep);
        }
    }

    // Hello replies captured without their request: libmongocrypt sends {isMaster: 1}.
    for (auto& e : fs::directory_iterator(root / "test" / "data")) {
        auto name = e.path().filename().string();
        if (name.rfind("mongocryptd-ismaster-", 0) == 0 && !used.count(e.path())) {
            out.push_back({rel(root, e.path()), CorpusEntry::Kind::IsMaster, {}, e.path(), {}});
            used.insert(e.path());
        }
    }

    // Whatever reply is left over is listed, never dropped.
    for (auto& e : fs::recursive_directory_iterator(root)) {
        if (!e.is_regular_file() || used.count(e.path())) continue;
        if (!isReplyName(e.path().filename().string())) continue;
        out.push_back({rel(root, e.path()), CorpusEntry::Kind::Unpaired, {}, e.path(), {}});
    }

    std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.id < b.id; });
    return out;
}

namespace {

// First key of a command: its name; its value: the collection.
std::pair<std::string, std::string> nameAndCollection(bson::View cmd) {
    auto first = cmd.first();
    if (!first) throw std::runtime_error("empty command");
    auto e = *first;
    return {std::string(e.key()), e.isString() ? std::string(e.utf8()) : std::string()};
}

std::optional<std::string> dbFromNamespaces(bson::View holder) {
    for (auto e : holder) {
        auto ns = std::string(e.key());
        auto dot = ns.find('.');
        if (dot != std::string::npos) return ns.substr(0, dot);
    }
    return std::nullopt;
}

}  // namespace

std::string corpusDbFor(const CorpusEntry& entry, bson::View command) {
    if (auto s = command.find("csfleEncryptionSchemas"); s && s->isDocument())
        if (auto db = dbFromNamespaces(s->document())) return *db;
    if (auto ei = command.find("encryptionInformation"); ei && ei->isDocument())
        if (auto schema = ei->document().find("schema"); schema && schema->isDocument())
            if (auto db = dbFromNamespaces(schema->document())) return *db;
    if (!entry.request.empty()) {
        fs::path sibling = entry.request.parent_path() / "cmd.json";
        if (fs::exists(sibling)) {
            auto cmd = loadCorpusJson(sibling);
            if (auto db = cmd.view().find("$db"); db && db->isString())
                return std::string(db->utf8());
        }
    }
    return "db";
}

BuiltCommand buildCorpusCommand(const CorpusEntry& entry) {
    auto driverCmd = loadCorpusJson(entry.request);
    auto [name, coll] = nameAndCollection(driverCmd.view());
    if (name == "bulkWrite")
        throw std::runtime_error("bulkWrite is built by libmongocrypt (nsInfo)");
    std::string db = "db";
    if (auto d = driverCmd.view().find("$db"); d && d->isString()) db = std::string(d->utf8());
    if (name == "explain") {
        auto inner = driverCmd.view().find("explain");
        if (!inner || !inner->isDocument()) throw std::runtime_error("explain without a document");
        coll = nameAndCollection(inner->document()).second;
    }

    // The schema, as libmongocrypt finds it (contract §2.1).
    std::optional<bson::Doc> jsonSchema;
    bool isRemote = true;
    std::string schemaName = entry.schemaFile.filename().string();
    if (!entry.schemaFile.empty()) {
        auto schemaDoc = loadCorpusJson(entry.schemaFile);
        if (schemaName.find("encrypted-field") != std::string::npos)
            throw std::runtime_error("QE: encryptionInformation is built by libmongocrypt from " +
                                     schemaName + "; no verbatim request in the corpus");
        if (schemaName.find("schema") !=
            std::string::npos) {  // local schemaMap {"db.coll": schema}
            for (auto e : schemaDoc.view()) {
                std::string ns(e.key());
                auto dot = ns.find('.');
                if (dot != std::string::npos && ns.substr(dot + 1) == coll && e.isDocument()) {
                    if (!driverCmd.view().find("$db")) db = ns.substr(0, dot);
                    if (ns.substr(0, dot) == db) {
                        jsonSchema = bson::Doc::copyOf(e.document());
                        isRemote = false;
                    }
                }
            }
        } else {  // listCollections result: {name, options: {validator: {$jsonSchema},
                  // encryptedFields}}
            auto options = schemaDoc.view().find("options");
            if (options && options->isDocument()) {
                if (options->document().find("encryptedFields"))
                    throw std::runtime_error(
                        "QE: collinfo has encryptedFields; libmongocrypt builds "
                        "encryptionInformation itself");
                if (auto v = options->document().find("validator"); v && v->isDocument()) {
                    auto js = v->document().find("$jsonSchema");
                    if (js && js->isDocument()) {
                        if (v->document().count() != 1)
                            throw std::runtime_error(
                                "validator has siblings of $jsonSchema "
                                "(libmongocrypt rejects or ignores them)");
                        jsonSchema = bson::Doc::copyOf(js->document());
                    }
                }
            }
        }
    }

    bson::Builder out;
    for (auto e : driverCmd.view())
        if (e.key() != "$db") out.append(e);
    out.appendDocument("jsonSchema", jsonSchema ? jsonSchema->view() : bson::View());
    out.appendBool("isRemoteSchema", jsonSchema ? isRemote : true);
    return {out.finish(), db};
}

}  // namespace cryptd::spec
