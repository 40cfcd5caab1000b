// The text format: one "file:line:column: error [rule] ..." line per problem (the form editors
// and compilers use), a hint line under it, and --explain tables for valid schemas.

#include <algorithm>
#include <array>

#include "check/json_document.h"
#include "check/json_pretty.h"
#include "check/report.h"

namespace cryptd::check {

namespace {

std::string where(const std::string& file, const std::optional<Location>& loc) {
    if (!loc) return file;
    return file + ":" + std::to_string(loc->line) + ":" + std::to_string(loc->column);
}

std::string nsLabel(const std::string& ns) {
    return ns.empty() ? "(no namespace)" : ns;
}

void writeProblem(const std::string& file, const Diagnostic& d, std::ostream& out) {
    out << where(file, d.location) << ": error [" << d.rule << "] ";
    if (!d.ns.empty()) out << d.ns << ": ";
    if (!d.schemaPath.empty()) out << d.schemaPath << ": ";
    out << d.message << " (" << codeText(d) << ")\n";
    if (!d.hint.empty()) out << "    hint: " << d.hint << "\n";
}

std::string shortAlgorithm(const ExplainRow& row) {
    return row.deterministic ? "Deterministic" : "Random";
}

std::string typesText(const ExplainRow& row) {
    if (row.bsonTypes.empty()) return "any";
    std::string out;
    for (const auto& t : row.bsonTypes) out += (out.empty() ? "" : ",") + t;
    return out;
}

}  // namespace

void writeExplainTables(const FileReport& file, std::ostream& out) {
    for (const auto& ns : file.namespaces) {
        out << nsLabel(ns.ns) << " (" << shapeName(file.shape) << ", "
            << (ns.remote ? "remote" : "local") << " rules)";
        if (!ns.valid) {
            out << ": not shown, the schema has problems\n";
            continue;
        }
        if (ns.rows.empty()) {
            out << ": no encrypted fields\n";
            continue;
        }
        out << ": " << ns.rows.size() << " encrypted field" << (ns.rows.size() == 1 ? "" : "s")
            << "\n";
        std::vector<std::array<std::string, 5>> cells;
        cells.push_back({"path", "algorithm", "keyId", "bsonType", "inherited"});
        for (const auto& r : ns.rows) {
            cells.push_back({r.path, shortAlgorithm(r),
                             r.keyIdIsPointer ? "pointer " + r.keyId : r.keyId, typesText(r),
                             inheritedText(r)});
        }
        std::array<size_t, 5> width{};
        for (const auto& row : cells) {
            for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
        }
        for (const auto& row : cells) {
            std::string line = "  ";
            for (size_t i = 0; i < row.size(); ++i) {
                line += row[i];
                if (i + 1 < row.size()) line += std::string(width[i] - row[i].size() + 2, ' ');
            }
            out << line << "\n";
        }
    }
}

void writeCommandText(const CommandOutcome& c, std::ostream& out) {
    std::string file = displayName(c.file);
    using S = CommandOutcome::Status;
    switch (c.status) {
        case S::kUnreadable:
            out << where(file, c.location) << ": error [unreadable] " << c.note << "\n";
            return;
        case S::kNoSchema:
        case S::kSchemaInvalid:
            out << file << ": error [no-schema] " << c.note << "\n";
            return;
        case S::kAccepted:
            out << file << ": command accepted against " << nsLabel(c.ns)
                << " (hasEncryptionPlaceholders: "
                << (c.hasEncryptionPlaceholders ? "true" : "false")
                << ", schemaRequiresEncryption: " << (c.schemaRequiresEncryption ? "true" : "false")
                << ")\n";
            break;
        case S::kRejected:
            out << file << ": error [command-rejected] " << nsLabel(c.ns) << ": " << c.errmsg
                << " (" << c.codeName << ", code " << c.code << ")\n";
            break;
    }
    if (!c.note.empty()) out << "    note: " << c.note << "\n";
    out << prettyJson(c.replyJson) << "\n";
}

void writeTextReport(const CheckReport& report, const ReportOptions& options, std::ostream& out) {
    for (const auto& f : report.files) {
        if (!f.readable) {
            out << where(f.name, f.unreadableAt) << ": error [unreadable] " << f.unreadable << "\n";
            continue;
        }
        for (const auto& d : f.problems) writeProblem(f.name, d, out);
        if (f.incomplete) {
            out << f.name << ": note: more problems may be hidden behind the ones above\n";
        }
        if (f.problems.empty()) {
            size_t fields = 0;
            for (const auto& ns : f.namespaces) fields += ns.rows.size();
            out << f.name << ": ok (" << shapeName(f.shape) << ", " << f.namespaces.size()
                << " schema" << (f.namespaces.size() == 1 ? "" : "s") << ", " << fields
                << " encrypted field" << (fields == 1 ? "" : "s") << ")\n";
        }
        if (options.explain) writeExplainTables(f, out);
    }
    if (report.command) writeCommandText(*report.command, out);
    out << summaryLine(report) << "\n";
}

}  // namespace cryptd::check
