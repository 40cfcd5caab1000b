#include "summary_table.h"

namespace cryptd::speclegacy {

void SummaryTable::print(std::ostream& out, const std::string& title) const {
    out << "\n"
        << title
        << "\n\n| file | passed | failed | skipped | why skipped |\n|---|---|---|---|---|\n";
    Row total;
    for (const auto& [file, r] : rows_) {
        std::string why;
        for (const auto& [reason, n] : r.reasons)
            why +=
                (why.empty() ? "" : "; ") + reason + (n > 1 ? " (" + std::to_string(n) + ")" : "");
        out << "| " << file << " | " << r.passed << " | " << r.failed << " | " << r.skipped << " | "
            << why << " |\n";
        if (file.starts_with("corpus")) continue;  // counts fields, not tests
        total.passed += r.passed;
        total.failed += r.failed;
        total.skipped += r.skipped;
    }
    out << "| total (tests; the corpus rows count fields) | " << total.passed << " | "
        << total.failed << " | " << total.skipped << " | |\n"
        << std::flush;
}

}  // namespace cryptd::speclegacy
