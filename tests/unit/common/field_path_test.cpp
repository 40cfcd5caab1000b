#include "common/field_path.h"

#include <gtest/gtest.h>

#include "common/error.h"

namespace cryptd {
namespace {

TEST(FieldPathTest, ParsesAndPrints) {
    FieldPath p = FieldPath::parse("a.b.c");
    EXPECT_EQ(p.size(), 3u);
    EXPECT_EQ(p[1], "b");
    EXPECT_EQ(p.dotted(), "a.b.c");
    EXPECT_TRUE(FieldPath::parse("a.b").isPrefixOf(p));
    EXPECT_FALSE(FieldPath::parse("a.c").isPrefixOf(p));
    EXPECT_EQ(p.prefix(1).dotted(), "a");
}

TEST(FieldPathTest, RejectsEmptyParts) {
    EXPECT_THROW(FieldPath::parse(""), Error);
    EXPECT_THROW(FieldPath::parse("a..b"), Error);
    EXPECT_THROW(FieldPath::parse("a."), Error);
}

TEST(FieldPathTest, ScopePushesAndPops) {
    FieldPath p = FieldPath::parse("x");
    {
        PathScope s(p, "y");
        EXPECT_EQ(p.dotted(), "x.y");
    }
    EXPECT_EQ(p.dotted(), "x");
}

}  // namespace
}  // namespace cryptd
