#pragma once
// A fixed table of rows found by name. Rows are written in whatever order reads best; the table
// sorts them at compile time and refuses to compile with two rows of the same name, so no comment
// has to promise an order nobody checks.
//
//   struct Row { std::string_view name; int value; };
//   constexpr auto kRows = makeNameTable<Row>({{"b", 2}, {"a", 1}});
//   const Row* r = kRows.find("a");  // nullptr when absent

#include <algorithm>
#include <array>
#include <cstddef>
#include <string_view>
#include <utility>

namespace cryptd {

template <typename Row, std::size_t N>
class NameTable {
  public:
    // consteval: a duplicate name is a compile error (the throw is not a constant expression).
    consteval explicit NameTable(std::array<Row, N> rows) : rows_(sortedUnique(rows)) {}

    // The row named exactly `name` (case-sensitive), or nullptr. Small tables are scanned: a
    // string_view == rejects most rows on their length alone (callgrind, 11 rows: 70 instructions a
    // lookup against 96 for a binary search's ordered compares); larger tables binary-search.
    constexpr const Row* find(std::string_view name) const {
        if constexpr (N <= kScanMax) {
            auto it = std::find_if(rows_.begin(), rows_.end(),
                                   [&](const Row& r) { return nameOf(r) == name; });
            return it != rows_.end() ? &*it : nullptr;
        } else {
            auto it =
                std::lower_bound(rows_.begin(), rows_.end(), name,
                                 [](const Row& r, std::string_view n) { return nameOf(r) < n; });
            return it != rows_.end() && nameOf(*it) == name ? &*it : nullptr;
        }
    }
    constexpr bool contains(std::string_view name) const { return find(name) != nullptr; }

    // Rows in name order.
    constexpr auto begin() const { return rows_.begin(); }
    constexpr auto end() const { return rows_.end(); }
    constexpr std::size_t size() const { return N; }
    constexpr const std::array<Row, N>& rows() const { return rows_; }

  private:
    static constexpr std::size_t kScanMax = 16;
    static constexpr std::string_view nameOf(const Row& r) { return r.name; }

    static consteval std::array<Row, N> sortedUnique(std::array<Row, N> rows) {
        std::sort(rows.begin(), rows.end(),
                  [](const Row& a, const Row& b) { return nameOf(a) < nameOf(b); });
        for (std::size_t i = 1; i < N; ++i) {
            if (nameOf(rows[i - 1]) == nameOf(rows[i]))
                throw "NameTable: two rows have the same name";
        }
        return rows;
    }

    std::array<Row, N> rows_;
};

// makeNameTable<Row>({{"name", ...}, ...}): the row count is deduced.
template <typename Row, std::size_t N>
consteval NameTable<Row, N> makeNameTable(Row (&&rows)[N]) {
    return NameTable<Row, N>(std::to_array(std::move(rows)));
}

}  // namespace cryptd
