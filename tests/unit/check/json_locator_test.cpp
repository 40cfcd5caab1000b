// The JSON scanner behind line numbers: members are found at their key, elements at their value,
// and anything it does not understand yields no location at all (never a wrong one).

#include <gtest/gtest.h>

#include "check/input_text.h"
#include "check/json_locator.h"

namespace cryptd::check {
namespace {

std::pair<int, int> at(const JsonLocator& l, const Segments& s, bool last = false) {
    auto loc = l.find(s, last);
    return loc ? std::pair{loc->line, loc->column} : std::pair{0, 0};
}

TEST(JsonLocator, FindsMembersAtTheirKeyAndElementsAtTheirValue) {
    const char* text =
        "{\n"
        "  \"db.coll\": {\n"
        "    \"properties\": {\n"
        "      \"ssn\": {\"encrypt\": {\"keyId\": [\n"
        "        {\"$uuid\": \"6c512f5e-09bc-434f-b6db-c42eee30c6b1\"}]}}\n"
        "    }\n"
        "  }\n"
        "}\n";
    JsonLocator l(text);
    ASSERT_TRUE(l.valid());
    EXPECT_EQ(at(l, {}), (std::pair{1, 1}));
    EXPECT_EQ(at(l, {"db.coll"}), (std::pair{2, 3}));
    EXPECT_EQ(at(l, {"db.coll", "properties", "ssn"}), (std::pair{4, 7}));
    EXPECT_EQ(at(l, {"db.coll", "properties", "ssn", "encrypt", "keyId"}), (std::pair{4, 27}));
    EXPECT_EQ(at(l, {"db.coll", "properties", "ssn", "encrypt", "keyId", "0"}), (std::pair{5, 9}));
    EXPECT_EQ(at(l, {"db.coll", "nope"}), (std::pair{0, 0}));
}

TEST(JsonLocator, DecodesEscapedKeysLikeBson) {
    JsonLocator l("{\"a\\u00e9\\\"b\": 1,\n \"c/d~e\": 2}");
    ASSERT_TRUE(l.valid());
    EXPECT_EQ(at(l, {"a\xc3\xa9\"b"}), (std::pair{1, 2}));
    EXPECT_EQ(at(l, {"c/d~e"}), (std::pair{2, 2}));
    EXPECT_EQ(toPointer({"c/d~e", "x"}), "/c~1d~0e/x");
}

TEST(JsonLocator, DuplicateKeysFirstOrLast) {
    JsonLocator l("{\n\"a\": 1,\n\"a\": 2\n}");
    EXPECT_EQ(at(l, {"a"}), (std::pair{2, 1}));
    EXPECT_EQ(at(l, {"a"}, true), (std::pair{3, 1}));
}

TEST(JsonLocator, ShellLiteralsAreOneScalar) {
    JsonLocator l("{\"keyId\": [UUID(\"6c512f5e-09bc-434f-b6db-c42eee30c6b1\")],\n \"b\": true}");
    ASSERT_TRUE(l.valid());
    EXPECT_EQ(at(l, {"keyId", "0"}), (std::pair{1, 12}));
    EXPECT_EQ(at(l, {"b"}), (std::pair{2, 2}));
}

TEST(JsonLocator, MalformedTextLocatesNothing) {
    for (const char* bad :
         {"{\"a\": }", "{\"a\" 1}", "{\"a\": [1, 2}", "{\"a\": \"x", "", "{,}", "{\"a\": )"}) {
        SCOPED_TRACE(bad);
        JsonLocator l(bad);
        EXPECT_FALSE(l.valid());
        EXPECT_FALSE(l.find({"a"}));
    }
}

TEST(JsonLocator, ValueEndShowsTrailingText) {
    std::string text = "{\"a\": {}}  \n{\"b\": 1}";
    JsonLocator l(text);
    ASSERT_TRUE(l.valid());
    EXPECT_EQ(text.substr(l.valueEnd()), "  \n{\"b\": 1}");
}

TEST(JsonLocator, DeepNestingDoesNotRecurse) {
    std::string text(100000, '[');
    text += std::string(100000, ']');
    JsonLocator l(text);
    EXPECT_TRUE(l.valid());
}

TEST(ShellLiterals, RewritesUuidOutsideStringsOnly) {
    std::string text =
        "{\"k\": [UUID(\"6c512f5e-09bc-434f-b6db-c42eee30c6b1\")], "
        "\"s\": \"UUID(\\\"x\\\")\", \"q\": [UUID( '6c512f5e' )]}";
    ShellLiterals lit(text);
    EXPECT_EQ(lit.json(),
              "{\"k\": [{\"$uuid\":\"6c512f5e-09bc-434f-b6db-c42eee30c6b1\"}], "
              "\"s\": \"UUID(\\\"x\\\")\", \"q\": [{\"$uuid\":\"6c512f5e\"}]}");
    // Offsets after a rewrite map back to the original text.
    size_t sInJson = lit.json().find("\"s\"");
    EXPECT_EQ(lit.offsetInOriginal(sInJson), text.find("\"s\""));
    EXPECT_EQ(lit.offsetInOriginal(0), 0u);
}

TEST(ShellLiterals, LeavesOtherTextAlone) {
    for (const char* t : {"{\"a\": MYUUID(\"x\")}", "{\"a\": UUID(\"x\"\n)}", "{\"a\": UUID(x)}"}) {
        EXPECT_EQ(ShellLiterals(t).json(), t);
    }
}

TEST(Location, CountsLinesAndColumns) {
    auto loc = locationAt("ab\ncd\n", 4);
    EXPECT_EQ(loc.line, 2);
    EXPECT_EQ(loc.column, 2);
}

}  // namespace
}  // namespace cryptd::check
