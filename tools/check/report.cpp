#include "check/report.h"

namespace cryptd::check {

std::optional<Format> parseFormat(std::string_view name) {
    if (name == "text") return Format::kText;
    if (name == "json") return Format::kJson;
    if (name == "github") return Format::kGithub;
    return std::nullopt;
}

std::string_view sourceName(Source source) {
    switch (source) {
        case Source::kMongocryptd:
            return "mongocryptd";
        case Source::kLibmongocrypt:
            return "libmongocrypt";
        case Source::kChecker:
            return "cryptd-check";
    }
    return "";
}

void writeReport(const CheckReport& report, const ReportOptions& options, std::ostream& out) {
    switch (options.format) {
        case Format::kText:
            writeTextReport(report, options, out);
            break;
        case Format::kJson:
            writeJsonReport(report, options, out);
            break;
        case Format::kGithub:
            writeGithubReport(report, options, out);
            break;
    }
}

std::string codeText(const Diagnostic& d) {
    switch (d.source) {
        case Source::kMongocryptd:
            return d.codeName + ", code " + std::to_string(d.code.value_or(0));
        case Source::kLibmongocrypt:
            return "raised by libmongocrypt";
        case Source::kChecker:
            return "not a valid input";
    }
    return "";
}

std::string inheritedText(const ExplainRow& row) {
    if (!row.originKnown) return "?";
    if (!row.algorithmFrom && !row.keyIdFrom) return "-";
    if (row.algorithmFrom && row.keyIdFrom && *row.algorithmFrom == *row.keyIdFrom) {
        return "algorithm, keyId from " + describeOrigin(*row.algorithmFrom);
    }
    std::string out;
    if (row.algorithmFrom) out = "algorithm from " + describeOrigin(*row.algorithmFrom);
    if (row.keyIdFrom) {
        if (!out.empty()) out += "; ";
        out += "keyId from " + describeOrigin(*row.keyIdFrom);
    }
    return out;
}

std::string summaryLine(const CheckReport& report) {
    size_t unreadable = 0, namespaces = 0;
    for (const auto& f : report.files) {
        if (!f.readable) ++unreadable;
        namespaces += f.namespaces.size();
    }
    size_t problems = report.problemCount();
    auto plural = [](size_t n, std::string_view word) {
        return std::to_string(n) + " " + std::string(word) + (n == 1 ? "" : "s");
    };
    std::string line = "checked " + plural(report.files.size(), "file") + ", " +
                       plural(namespaces, "schema") + ": ";
    if (problems == 0 && unreadable == 0) {
        line += "no problems";
    } else {
        line += plural(problems, "problem");
        if (unreadable) line += ", " + std::to_string(unreadable) + " unreadable";
    }
    return line;
}

}  // namespace cryptd::check
