#pragma once
// Helpers for the checker tests: fixture paths and an in-process run of the checker.

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "check/check_main.h"

namespace cryptd::check::test {

inline std::string testdata(const std::string& name) {
    return std::string(CRYPTD_CHECK_TESTDATA) + "/" + name;
}

struct RunResult {
    int exit = -1;
    std::string out;
    std::string err;
};

// runCheck with `stdinText` as standard input.
inline RunResult run(const std::vector<std::string>& args, const std::string& stdinText = "") {
    std::istringstream in(stdinText);
    std::ostringstream out, err;
    RunResult r;
    r.exit = runCheck(args, in, out, err);
    r.out = out.str();
    r.err = err.str();
    return r;
}

// Every *.json fixture below testdata/<dir> (sorted, for stable test output).
inline std::vector<std::filesystem::path> fixtures(const std::string& dir) {
    std::vector<std::filesystem::path> out;
    for (const auto& e : std::filesystem::directory_iterator(testdata(dir))) {
        if (e.path().extension() == ".json") out.push_back(e.path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace cryptd::check::test
