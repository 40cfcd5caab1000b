#pragma once
// The per-file table the runner prints at exit: file, passed, failed, skipped, and the skip
// reasons with their counts ("types | 8 | 10 | 0 |").

#include <map>
#include <ostream>
#include <string>

namespace cryptd::speclegacy {

class SummaryTable {
  public:
    void passed(const std::string& file, int n = 1) { row(file).passed += n; }
    void failed(const std::string& file, int n = 1) { row(file).failed += n; }
    void skipped(const std::string& file, const std::string& reason) {
        auto& r = row(file);
        r.skipped++;
        r.reasons[reason]++;
    }
    // Markdown, one row per file and a total row (of tests: rows named "corpus..." count fields).
    void print(std::ostream& out, const std::string& title) const;

  private:
    struct Row {
        int passed = 0, failed = 0, skipped = 0;
        std::map<std::string, int> reasons;
    };
    Row& row(const std::string& file) { return rows_[file]; }
    std::map<std::string, Row> rows_;
};

}  // namespace cryptd::speclegacy
