#include "app/pid_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace cryptd::app {
namespace {

class PidFileTest : public ::testing::Test {
  protected:
    void SetUp() override {
        path_ = (std::filesystem::temp_directory_path() /
                 ("cryptd-pidfile-" + std::to_string(getpid()) + ".pid"))
                    .string();
        std::filesystem::remove(path_);
    }
    void TearDown() override { std::filesystem::remove(path_); }
    std::string contents() const {
        std::ifstream in(path_);
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    }
    std::string path_;
};

TEST_F(PidFileTest, WritesPortSocketAndPidAsJson) {
    PidFile p(path_);
    p.write(27020, "/tmp/mongocryptd.sock", 1234);
    EXPECT_EQ(contents(),
              "{\"port\":27020,\"domainSocket\":\"/tmp/mongocryptd.sock\",\"pid\":1234}\n");
    p.write(5, "", 6);  // rewritten, not appended; no socket, no domainSocket
    EXPECT_EQ(contents(), "{\"port\":5,\"pid\":6}\n");
    p.clear();
    EXPECT_EQ(contents(), "");
}

TEST_F(PidFileTest, ASecondLockFailsAndLeavesTheFileAlone) {
    PidFile first(path_);
    first.write(1, "", 2);
    try {
        PidFile second(path_);
        FAIL() << "second lock succeeded";
    } catch (const PidFileError& e) {
        EXPECT_TRUE(e.lockedByAnother());
        EXPECT_NE(std::string(e.what()).find("already running"), std::string::npos);
    }
    EXPECT_EQ(contents(), "{\"port\":1,\"pid\":2}\n");
}

TEST_F(PidFileTest, TheLockIsReleasedWithTheObject) {
    { PidFile first(path_); }
    EXPECT_NO_THROW(PidFile again(path_));
}

TEST_F(PidFileTest, AnUnwritableDirectoryIsAClearError) {
    try {
        PidFile p("/nonexistent-dir/for/cryptd/p.pid");
        FAIL();
    } catch (const PidFileError& e) {
        EXPECT_FALSE(e.lockedByAnother());
        EXPECT_NE(std::string(e.what()).find("/nonexistent-dir"), std::string::npos);
    }
}

}  // namespace
}  // namespace cryptd::app
