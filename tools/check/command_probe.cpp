#include "check/command_probe.h"

#include <exception>

#include "analysis/analyzer.h"
#include "check/input_text.h"
#include "check/json_document.h"
#include "check/marking_decoder.h"
#include "common/error.h"

namespace cryptd::check {

namespace {

struct Target {
    std::string db;    // "$db", or "" when absent
    std::string coll;  // the command's collection, or "" (aggregate: 1, ...)
};

Target targetOf(bson::View cmd) {
    Target t;
    if (auto db = cmd.find("$db"); db && db->isString()) t.db = std::string(db->utf8());
    auto first = cmd.first();
    if (!first) return t;
    auto e = *first;
    // explain wraps the real command: {explain: {find: "coll", ...}}
    if (e.key() == "explain" && e.isDocument()) {
        if (auto inner = e.document().first()) e = *inner;
    }
    if (e.isString()) t.coll = std::string(e.utf8());
    return t;
}

bool hasSchemaField(bson::View cmd) {
    for (const char* k : {"jsonSchema", "encryptionInformation", "csfleEncryptionSchemas"}) {
        if (cmd.find(k)) return true;
    }
    return false;
}

// The schema for the command's namespace: an exact "db.coll" match, else the one whose
// collection matches, else the only schema there is.
const AvailableSchema* pick(const Target& t, const std::vector<AvailableSchema>& schemas,
                            std::string& note) {
    if (!t.db.empty() && !t.coll.empty()) {
        for (const auto& s : schemas) {
            if (s.ns == t.db + "." + t.coll) return &s;
        }
    }
    const AvailableSchema* byColl = nullptr;
    size_t matches = 0;
    if (!t.coll.empty()) {
        for (const auto& s : schemas) {
            auto dot = s.ns.find('.');
            std::string coll = dot == std::string::npos ? s.ns : s.ns.substr(dot + 1);
            if (coll == t.coll && (t.db.empty() || dot == std::string::npos)) {
                byColl = &s;
                ++matches;
            }
        }
    }
    if (matches == 1) return byColl;
    if (schemas.size() == 1) {
        std::string target = t.db.empty() ? t.coll : t.db + "." + t.coll;
        if (!schemas.front().ns.empty() && !target.empty()) {
            note = "the command names '" + target + "'; checking it against the only schema, '" +
                   schemas.front().ns + "'";
        }
        return &schemas.front();
    }
    std::string known;
    for (const auto& s : schemas) known += (known.empty() ? "" : ", ") + s.ns;
    note = "no checked schema matches the command's namespace '" +
           (t.db.empty() ? t.coll : t.db + "." + t.coll) +
           "' (schemas: " + (known.empty() ? "none" : known) + ")";
    return nullptr;
}

void reject(CommandOutcome& out, int32_t code, std::string codeName, std::string errmsg) {
    out.status = CommandOutcome::Status::kRejected;
    out.code = code;
    out.codeName = std::move(codeName);
    out.errmsg = std::move(errmsg);
    bson::Builder b;
    b.appendDouble("ok", 0.0);
    b.appendUtf8("errmsg", out.errmsg);
    b.appendInt32("code", out.code);
    b.appendUtf8("codeName", out.codeName);
    out.replyJson = b.finish().toJson();
}

}  // namespace

CommandOutcome probeCommand(const std::string& file, std::istream& in,
                            const std::vector<AvailableSchema>& schemas) {
    CommandOutcome out;
    out.file = file;
    std::optional<JsonDocument> cmd;
    try {
        cmd.emplace(JsonDocument::load(file, in));
    } catch (const InputError& e) {
        out.status = CommandOutcome::Status::kUnreadable;
        out.note = e.what();
        out.location = e.location;
        return out;
    }
    bson::View view = cmd->doc.view();
    bson::Builder full;
    for (auto e : view) full.append(e);
    if (!hasSchemaField(view)) {
        Target target = targetOf(view);
        const AvailableSchema* s = pick(target, schemas, out.note);
        if (!s) {
            out.status = CommandOutcome::Status::kNoSchema;
            return out;
        }
        out.ns = s->ns;
        if (!s->valid) {
            out.status = CommandOutcome::Status::kSchemaInvalid;
            out.note = "the schema for '" + s->ns + "' in " + s->file +
                       " has problems; fix them before checking commands against it";
            return out;
        }
        full.appendDocument("jsonSchema", s->schema);
        full.appendBool("isRemoteSchema", s->remote);
        if (target.db.empty()) {
            auto dot = s->ns.find('.');
            full.appendUtf8("$db", dot == std::string::npos ? "test" : s->ns.substr(0, dot));
        }
    }
    bson::Doc command = full.finish();
    try {
        analysis::Analyzer analyzer;
        bson::Doc reply = analyzer.analyze(command.view());
        bson::Doc decoded = decodeMarkings(reply.view());
        bson::Builder b;
        for (auto e : decoded.view()) b.append(e);
        b.appendDouble("ok", 1.0);
        out.status = CommandOutcome::Status::kAccepted;
        out.replyJson = b.finish().toJson();
        if (auto h = reply.view().find("hasEncryptionPlaceholders"); h && h->isBool()) {
            out.hasEncryptionPlaceholders = h->boolean();
        }
        if (auto r = reply.view().find("schemaRequiresEncryption"); r && r->isBool()) {
            out.schemaRequiresEncryption = r->boolean();
        }
    } catch (const Error& e) {
        reject(out, e.numericCode(), std::string(e.codeName()), e.reason());
    } catch (const std::exception& e) {
        // A bug in the engine, not a verdict on the command: say so plainly.
        reject(out, static_cast<int32_t>(ErrorCode::InternalError), "InternalError",
               std::string("internal error while analyzing the command: ") + e.what());
    }
    return out;
}

}  // namespace cryptd::check
