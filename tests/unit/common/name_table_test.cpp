#include "common/name_table.h"

#include <gtest/gtest.h>

#include <iterator>
#include <string_view>

namespace cryptd {
namespace {

struct Row {
    std::string_view name;
    int value;
};

// Written out of order on purpose: the table sorts at compile time.
constexpr auto kRows = makeNameTable<Row>({
    {"ping", 1},
    {"buildInfo", 2},
    {"hello", 3},
    {"isMaster", 4},
    {"buildinfo", 5},
    {"", 6},
});

// Lookups work in constant expressions, so tables can be checked where they are declared.
static_assert(kRows.find("hello")->value == 3);
static_assert(kRows.find("Hello") == nullptr);
static_assert(kRows.size() == 6);

TEST(NameTableTest, FindsEveryRowByExactName) {
    EXPECT_EQ(kRows.find("ping")->value, 1);
    EXPECT_EQ(kRows.find("buildInfo")->value, 2);
    EXPECT_EQ(kRows.find("buildinfo")->value, 5);  // case-sensitive: two different rows
    EXPECT_EQ(kRows.find("isMaster")->value, 4);
    EXPECT_EQ(kRows.find("")->value, 6);
    EXPECT_TRUE(kRows.contains("hello"));
}

TEST(NameTableTest, MissingNamesAreNull) {
    EXPECT_EQ(kRows.find("pin"), nullptr);
    EXPECT_EQ(kRows.find("pingg"), nullptr);
    EXPECT_EQ(kRows.find("a"), nullptr);    // before the first row
    EXPECT_EQ(kRows.find("zzz"), nullptr);  // after the last row
    EXPECT_EQ(kRows.find(std::string_view("ping\0", 5)), nullptr);
    EXPECT_FALSE(kRows.contains("HELLO"));
}

TEST(NameTableTest, IteratesInNameOrder) {
    std::string_view previous;
    bool first = true;
    for (const Row& r : kRows) {
        if (!first) {
            EXPECT_LT(previous, r.name);
        }
        previous = r.name;
        first = false;
    }
    EXPECT_EQ(std::distance(kRows.begin(), kRows.end()), 6);
    EXPECT_EQ(kRows.rows().front().name, "");
    EXPECT_EQ(kRows.rows().back().name, "ping");
}

// More than 16 rows: find() binary-searches instead of scanning.
constexpr auto kLarge = makeNameTable<Row>({
    {"t", 20}, {"s", 19}, {"r", 18}, {"q", 17}, {"p", 16}, {"o", 15}, {"n", 14},
    {"m", 13}, {"l", 12}, {"k", 11}, {"j", 10}, {"i", 9},  {"h", 8},  {"g", 7},
    {"f", 6},  {"e", 5},  {"d", 4},  {"c", 3},  {"b", 2},  {"a", 1},  {"aa", 21},
});
static_assert(kLarge.find("aa")->value == 21);

TEST(NameTableTest, LargeTableFindsEveryRowAndNothingElse) {
    for (const Row& r : kLarge) {
        ASSERT_NE(kLarge.find(r.name), nullptr) << r.name;
        EXPECT_EQ(kLarge.find(r.name)->value, r.value);
    }
    for (std::string_view miss : {"", "A", "ab", "b0", "u", "zz", "tt"}) {
        EXPECT_EQ(kLarge.find(miss), nullptr) << miss;
    }
}

}  // namespace
}  // namespace cryptd
