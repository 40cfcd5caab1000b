// The cryptd-check binary itself: exit codes 0/1/2, stdin, usage errors.

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>

#include "check_test_util.h"

namespace cryptd::check {
namespace {

struct Cli {
    int exit;
    std::string out;
};

// Runs `cryptd-check <args>` through the shell (args are quoted by the caller).
Cli cli(const std::string& args, const std::string& stdinFile = "") {
    std::string cmd = std::string("'") + CRYPTD_CHECK_BINARY + "' " + args + " 2>&1";
    if (!stdinFile.empty()) cmd += " < '" + stdinFile + "'";
    FILE* p = popen(cmd.c_str(), "r");
    EXPECT_NE(p, nullptr);
    Cli r{-1, ""};
    if (!p) return r;
    std::array<char, 4096> buf;
    size_t n;
    while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
    int status = pclose(p);
    r.exit = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

std::string q(const std::string& s) {
    return "'" + s + "'";
}

TEST(Cli, CleanFilesExitZero) {
    auto r = cli(q(test::testdata("medco_explicit.json")) + " " +
                 q(test::testdata("medco_inherited_shell.json")) + " " +
                 q(test::testdata("collection_options.json")));
    EXPECT_EQ(r.exit, 0) << r.out;
    EXPECT_NE(r.out.find("checked 3 files, 3 schemas: no problems"), std::string::npos) << r.out;
}

TEST(Cli, ProblemsExitOne) {
    auto r = cli(q(test::testdata("medco_explicit.json")) + " " +
                 q(test::testdata("multi_errors.json")));
    EXPECT_EQ(r.exit, 1) << r.out;
}

TEST(Cli, UnreadableInputExitTwoEvenWithProblems) {
    auto r = cli(q(test::testdata("multi_errors.json")) + " /nonexistent/schema.json");
    EXPECT_EQ(r.exit, 2) << r.out;
    EXPECT_NE(r.out.find("/nonexistent/schema.json: error [unreadable] cannot open"),
              std::string::npos)
        << r.out;
}

TEST(Cli, StdinDash) {
    auto clean = cli("--explain -", test::testdata("medco_inherited_canonical.json"));
    EXPECT_EQ(clean.exit, 0) << clean.out;
    EXPECT_NE(clean.out.find("<stdin>: ok ($jsonSchema, 1 schema, 5 encrypted fields)"),
              std::string::npos)
        << clean.out;
    auto broken = cli("--format github -", test::testdata("hr_employees_docs.json"));
    EXPECT_EQ(broken.exit, 1);
    EXPECT_EQ(broken.out.rfind("::error line=8,col=11,title=cryptd-check%3A bad-algorithm::", 0),
              0u)
        << broken.out;
}

TEST(Cli, UsageErrorsExitTwoAndHelpZero) {
    EXPECT_EQ(cli("").exit, 2);
    EXPECT_EQ(cli("--format yaml x.json").exit, 2);
    EXPECT_EQ(cli("--bogus x.json").exit, 2);
    EXPECT_EQ(cli("- --command -").exit, 2);
    auto help = cli("--help");
    EXPECT_EQ(help.exit, 0);
    EXPECT_NE(help.out.find("Usage: cryptd-check [options] FILE..."), std::string::npos);
}

TEST(Cli, RemoteFlagAllowsValidatorKeywordsInABareSchema) {
    std::string schema = test::testdata("broken/remote-only-keyword.json");
    // The fixture is a schemaMap: local rules regardless of --remote.
    EXPECT_EQ(cli("--remote " + q(schema)).exit, 1);
    auto r = cli("--remote -", test::testdata("remote_validator_schema.json"));
    EXPECT_EQ(r.exit, 0) << r.out;
    EXPECT_EQ(cli("-", test::testdata("remote_validator_schema.json")).exit, 1);
}

}  // namespace
}  // namespace cryptd::check
