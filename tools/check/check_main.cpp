#include "check/check_main.h"

#include <exception>
#include <iostream>

#include "analysis/compatible_version.h"
#include "check/check_options.h"
#include "check/checker.h"

namespace cryptd::check {

int runCheck(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
             std::ostream& err, std::string_view program) {
    ParsedOptions parsed = parseCheckOptions(args);
    if (!parsed.options) {
        err << program << ": " << parsed.error << "\nTry '" << program << " --help'.\n";
        return 2;
    }
    const CheckOptions& o = *parsed.options;
    if (o.help) {
        out << usageText(program);
        return 0;
    }
    if (o.version) {
        // The same two numbers as mongocryptd --version, buildInfo and mongo_crypt_v1.so.
        out << program << " (cryptd) version v" << CRYPTD_VERSION << " (as MongoDB "
            << analysis::kCompatibleServerVersion << ")\n";
        return 0;
    }
    try {
        Checker checker(o.shape);
        CheckReport report;
        for (const auto& file : o.files) report.files.push_back(checker.checkFile(file, in));
        if (o.commandFile) {
            report.command = probeCommand(*o.commandFile, in, checker.availableSchemas());
        }
        writeReport(report, o.report, out);
        out.flush();
        return report.exitCode();
    } catch (const std::exception& e) {
        err << program << ": internal error: " << e.what() << "\n";
        return 2;
    }
}

int runCheck(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    return runCheck(args, std::cin, out, err);
}

}  // namespace cryptd::check
