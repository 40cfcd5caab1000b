#pragma once
// Output formats: text (people), json (programs), github (GitHub Actions annotations).

#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "check/check_report.h"

namespace cryptd::check {

enum class Format { kText, kJson, kGithub };
std::optional<Format> parseFormat(std::string_view name);

struct ReportOptions {
    Format format = Format::kText;
    bool explain = false;
};

void writeReport(const CheckReport& report, const ReportOptions& options, std::ostream& out);

void writeTextReport(const CheckReport& report, const ReportOptions& options, std::ostream& out);
void writeJsonReport(const CheckReport& report, const ReportOptions& options, std::ostream& out);
void writeGithubReport(const CheckReport& report, const ReportOptions& options, std::ostream& out);

// Shared pieces of the human-readable formats.
void writeExplainTables(const FileReport& file, std::ostream& out);
void writeCommandText(const CommandOutcome& command, std::ostream& out);
std::string inheritedText(const ExplainRow& row);  // "algorithm, keyId from insurance", "-"
std::string summaryLine(const CheckReport& report);
std::string codeText(const Diagnostic& d);  // "FailedToParse, code 9" / "libmongocrypt"

}  // namespace cryptd::check
