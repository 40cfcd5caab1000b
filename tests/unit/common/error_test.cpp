#include "common/error.h"

#include <gtest/gtest.h>

namespace cryptd {
namespace {

TEST(ErrorTest, CarriesCodeNameAndReason) {
    try {
        fail(ErrorCode::CommandNotFound, "no such command: 'foo'");
        FAIL() << "fail() returned";
    } catch (const Error& e) {
        EXPECT_EQ(e.numericCode(), 59);
        EXPECT_EQ(e.codeName(), "CommandNotFound");
        EXPECT_EQ(e.reason(), "no such command: 'foo'");
        EXPECT_STREQ(e.what(), "no such command: 'foo'");
    }
}

TEST(ErrorTest, LocationCodesHaveLocationNames) {
    EXPECT_EQ(codeName(ErrorCode::Location51088), "Location51088");
    EXPECT_EQ(static_cast<int>(ErrorCode::Location51088), 51088);
    EXPECT_EQ(codeName(ErrorCode::FailedToParse), "FailedToParse");
    EXPECT_EQ(codeName(static_cast<ErrorCode>(123456789)), "UnknownError");
}

TEST(ErrorTest, RequirePassesOrThrows) {
    EXPECT_NO_THROW(require(true, ErrorCode::BadValue, "x"));
    EXPECT_THROW(require(false, ErrorCode::BadValue, "x"), Error);
}

}  // namespace
}  // namespace cryptd
