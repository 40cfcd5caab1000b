// One ctest entry per spec case (spec-tests/cases/**.json): the case runs in-process against the
// analysis library and over the wire against a started daemon, and both must meet it.

#include <gtest/gtest.h>

#include "run_modes.h"
#include "spec_case.h"
#include "unbuilt_features.h"

namespace cryptd::spec {
namespace {}  // namespace

void PrintTo(const CaseRef& c, std::ostream* os) {
    *os << c.file.string();
}

namespace {

class Case : public ::testing::TestWithParam<CaseRef> {};

std::string joinLines(const std::vector<std::string>& lines) {
    std::string out;
    for (auto& l : lines) out += "\n" + l;
    return out;
}

TEST_P(Case, run) {
    SpecCase c;
    try {
        c = loadSpecCase(specRoot(), GetParam().file);
    } catch (const std::exception& e) {
        FAIL() << "invalid case file " << GetParam().file << ": " << e.what();
    }
    if (c.skip) GTEST_SKIP() << "skip: " << *c.skip;
    // Analysis cases (admin cases are wire-only) wait for their command to land.
    if (c.inProcess)
        if (auto why = unbuiltFeature(c.command.view())) GTEST_SKIP() << "not built yet: " << *why;

    std::vector<std::string> failures;
    if (c.inProcess) {
        auto outcome = runInProcess(c.command.view(), c.db);
        if (auto f = judge(c, outcome, Mode::InProcess)) failures.push_back("[in-process] " + *f);
    }
    if (c.wire) {
        try {
            auto outcome = runOverWire(c.command.view(), c.db);
            if (auto f = judge(c, outcome, Mode::Wire)) failures.push_back("[wire] " + *f);
        } catch (const std::exception& e) {
            failures.push_back(std::string("[wire] ") + e.what());
        }
    }

    if (c.xfail) {
        if (failures.empty())
            FAIL() << "XPASS: " << c.id << " passes although marked xfail (\"" << *c.xfail
                   << "\"): remove the xfail";
        GTEST_SKIP() << "xfail: " << *c.xfail << joinLines(failures);
    }
    if (!failures.empty())
        FAIL() << c.id << ": " << c.description << "\n  command: " << c.command.toJson()
               << joinLines(failures);
}

INSTANTIATE_TEST_SUITE_P(spec, Case, ::testing::ValuesIn(listSpecCases(specRoot())),
                         [](const ::testing::TestParamInfo<CaseRef>& p) {
                             return testNameFor(p.param.id);
                         });

}  // namespace
}  // namespace cryptd::spec
