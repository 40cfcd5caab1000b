// The github format: workflow commands that GitHub Actions turns into annotations on the file
// and line (https://docs.github.com/actions/using-workflows/workflow-commands-for-github-actions).

#include "check/json_document.h"
#include "check/report.h"

namespace cryptd::check {

namespace {

// Message data: %, CR and LF are escaped; properties also escape ':' and ','.
std::string escape(std::string_view s, bool property) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '%':
                out += "%25";
                break;
            case '\r':
                out += "%0D";
                break;
            case '\n':
                out += "%0A";
                break;
            case ':':
                out += property ? "%3A" : ":";
                break;
            case ',':
                out += property ? "%2C" : ",";
                break;
            default:
                out += c;
        }
    }
    return out;
}

void annotation(std::ostream& out, const std::string& file, const std::optional<Location>& loc,
                std::string_view title, std::string_view message) {
    out << "::error ";
    std::string props;
    if (file != "<stdin>") props += "file=" + escape(file, true);
    if (loc) {
        props += (props.empty() ? "" : ",") + std::string("line=") + std::to_string(loc->line) +
                 ",col=" + std::to_string(loc->column);
    }
    props += (props.empty() ? "" : ",") + std::string("title=") + escape(title, true);
    out << props << "::" << escape(message, false) << "\n";
}

}  // namespace

void writeGithubReport(const CheckReport& report, const ReportOptions& options, std::ostream& out) {
    for (const auto& f : report.files) {
        if (!f.readable) {
            annotation(out, f.name, f.unreadableAt, "cryptd-check: unreadable", f.unreadable);
            continue;
        }
        for (const auto& d : f.problems) {
            std::string msg;
            if (!d.ns.empty()) msg += d.ns + ": ";
            if (!d.schemaPath.empty()) msg += d.schemaPath + ": ";
            msg += d.message + " (" + codeText(d) + ")";
            if (!d.hint.empty()) msg += "\nhint: " + d.hint;
            annotation(out, f.name, d.location, "cryptd-check: " + d.rule, msg);
        }
        if (options.explain) writeExplainTables(f, out);
    }
    if (const auto& c = report.command) {
        using S = CommandOutcome::Status;
        std::string file = displayName(c->file);
        if (c->status == S::kRejected) {
            annotation(out, file, std::nullopt, "cryptd-check: command-rejected",
                       (c->ns.empty() ? "" : c->ns + ": ") + c->errmsg + " (" + c->codeName +
                           ", code " + std::to_string(c->code) + ")");
        } else if (c->status != S::kAccepted) {
            annotation(out, file, c->location,
                       c->status == S::kUnreadable ? "cryptd-check: unreadable"
                                                   : "cryptd-check: no-schema",
                       c->note);
        } else {
            writeCommandText(*c, out);
        }
    }
    out << summaryLine(report) << "\n";
}

}  // namespace cryptd::check
