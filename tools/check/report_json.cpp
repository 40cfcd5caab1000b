// The json format: one document with every file, every problem (flat, for easy filtering), the
// --explain tables and the --command outcome.

#include <rapidjson/document.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include "check/json_document.h"
#include "check/report.h"

namespace cryptd::check {

namespace {

using Writer = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

void str(Writer& w, std::string_view key, std::string_view value) {
    w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
    w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

void optionalLocation(Writer& w, const std::optional<Location>& loc) {
    w.Key("line");
    loc ? w.Int(loc->line) : w.Null();
    w.Key("column");
    loc ? w.Int(loc->column) : w.Null();
}

void optionalString(Writer& w, std::string_view key, const std::optional<std::string>& value) {
    w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
    value ? w.String(value->c_str(), static_cast<rapidjson::SizeType>(value->size())) : w.Null();
}

void problem(Writer& w, const std::string& file, const Diagnostic& d) {
    w.StartObject();
    str(w, "file", file);
    str(w, "namespace", d.ns);
    str(w, "path", d.schemaPath);
    str(w, "pointer", d.pointer);
    optionalLocation(w, d.location);
    str(w, "rule", d.rule);
    str(w, "source", sourceName(d.source));
    w.Key("code");
    d.code ? w.Int(*d.code) : w.Null();
    w.Key("codeName");
    d.code ? w.String(d.codeName.c_str()) : w.Null();
    str(w, "message", d.message);
    str(w, "errmsg", d.errmsg);
    str(w, "hint", d.hint);
    w.EndObject();
}

void explainRow(Writer& w, const ExplainRow& r) {
    w.StartObject();
    str(w, "path", r.path);
    str(w, "algorithm", r.algorithm);
    str(w, "keyId", r.keyId);
    str(w, "keyIdType", r.keyIdIsPointer ? "jsonPointer" : "uuid");
    w.Key("bsonTypes");
    w.StartArray();
    for (const auto& t : r.bsonTypes) w.String(t.c_str());
    w.EndArray();
    w.Key("inheritedFrom");
    if (r.originKnown) {
        w.StartObject();
        optionalString(w, "algorithm", r.algorithmFrom);
        optionalString(w, "keyId", r.keyIdFrom);
        w.EndObject();
    } else {
        w.Null();
    }
    w.EndObject();
}

void file(Writer& w, const FileReport& f, bool explain) {
    w.StartObject();
    str(w, "file", f.name);
    str(w, "status", !f.readable ? "unreadable" : f.problems.empty() ? "ok" : "problems");
    if (!f.readable) {
        str(w, "error", f.unreadable);
        optionalLocation(w, f.unreadableAt);
        w.EndObject();
        return;
    }
    str(w, "shape", shapeName(f.shape));
    w.Key("problems");
    w.Uint64(f.problems.size());
    w.Key("incomplete");
    w.Bool(f.incomplete);
    w.Key("namespaces");
    w.StartArray();
    for (const auto& ns : f.namespaces) {
        w.StartObject();
        str(w, "namespace", ns.ns);
        w.Key("remote");
        w.Bool(ns.remote);
        w.Key("valid");
        w.Bool(ns.valid);
        w.Key("encryptedFields");
        if (ns.valid) {
            w.Uint64(ns.rows.size());
        } else {
            w.Null();
        }
        if (explain && ns.valid) {
            w.Key("explain");
            w.StartArray();
            for (const auto& r : ns.rows) explainRow(w, r);
            w.EndArray();
        }
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
}

void command(Writer& w, const CommandOutcome& c) {
    using S = CommandOutcome::Status;
    w.StartObject();
    str(w, "file", displayName(c.file));
    std::string_view status = c.status == S::kAccepted        ? "accepted"
                              : c.status == S::kRejected      ? "rejected"
                              : c.status == S::kNoSchema      ? "no-schema"
                              : c.status == S::kSchemaInvalid ? "schema-invalid"
                                                              : "unreadable";
    str(w, "status", status);
    str(w, "namespace", c.ns);
    if (!c.note.empty()) str(w, "note", c.note);
    if (c.status == S::kUnreadable) optionalLocation(w, c.location);
    if (c.status == S::kAccepted || c.status == S::kRejected) {
        w.Key("reply");
        // Re-emitted through the writer so the reply is indented like the rest.
        rapidjson::Document reply;
        reply.Parse(c.replyJson.c_str(), c.replyJson.size());
        if (reply.HasParseError()) {
            w.RawValue(c.replyJson.c_str(), c.replyJson.size(), rapidjson::kObjectType);
        } else {
            reply.Accept(w);
        }
    }
    w.EndObject();
}

}  // namespace

void writeJsonReport(const CheckReport& report, const ReportOptions& options, std::ostream& out) {
    rapidjson::StringBuffer buf;
    Writer w(buf);
    w.SetIndent(' ', 2);
    w.StartObject();
    w.Key("files");
    w.StartArray();
    for (const auto& f : report.files) file(w, f, options.explain);
    w.EndArray();
    w.Key("problems");
    w.StartArray();
    for (const auto& f : report.files) {
        for (const auto& d : f.problems) problem(w, f.name, d);
    }
    w.EndArray();
    if (report.command) {
        w.Key("command");
        command(w, *report.command);
    }
    w.Key("summary");
    w.StartObject();
    w.Key("files");
    w.Uint64(report.files.size());
    w.Key("problems");
    w.Uint64(report.problemCount());
    size_t unreadable = 0;
    for (const auto& f : report.files) unreadable += f.readable ? 0 : 1;
    w.Key("unreadable");
    w.Uint64(unreadable);
    w.Key("exitCode");
    w.Int(report.exitCode());
    w.EndObject();
    w.EndObject();
    out << buf.GetString() << "\n";
}

}  // namespace cryptd::check
