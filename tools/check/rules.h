#pragma once
// The rule table: every kind of schema error the daemon can return, recognised by its code and
// message, with a short rule id and a one-line hint on how to fix it. A message no entry knows
// gets the rule "schema-error" and a generic hint (tests keep the table in step with the parser).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cryptd::check {

struct RuleMatch {
    std::string_view id;
    std::string hint;
};

// `message` is the daemon's errmsg (with or without the " (at <path>)" suffix).
RuleMatch classifyError(int32_t code, std::string_view message);

// Every rule id of the table, in table order (for docs and tests).
std::vector<std::string_view> ruleIds();

// The fallback rule id.
inline constexpr std::string_view kUnknownRule = "schema-error";

}  // namespace cryptd::check
