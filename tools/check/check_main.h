#pragma once
// The schema checker's entry point: the cryptd-check binary is a call to it, and so is any front
// end that embeds the checker. Links only the schema and analysis layers.

#include <istream>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace cryptd::check {

// `args` are the checker's arguments without the program name (options and files, "-" = `in`).
// Writes the report to `out`, usage errors to `err`, and returns the exit status:
// 0 clean, 1 problems found (or the --command is rejected), 2 unreadable input or usage error.
int runCheck(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
             std::ostream& err, std::string_view program = "cryptd-check");

// The same reading standard input.
int runCheck(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace cryptd::check
