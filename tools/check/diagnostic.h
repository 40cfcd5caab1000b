#pragma once
// One problem the checker found, with everything the reports print: where (file, namespace,
// schema path, JSON pointer, line), what (rule, MongoDB code, message) and how to fix it (hint).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cryptd::check {

// Who rejects the input in production: the daemon (its reply code), libmongocrypt (a client-side
// error before the daemon is asked), or only this checker (an input that cannot be a schema).
enum class Source { kMongocryptd, kLibmongocrypt, kChecker };

struct Location {
    int line = 0;    // 1-based
    int column = 0;  // 1-based, in bytes
};

struct Diagnostic {
    std::string ns;          // "db.coll"; empty when the input does not name one
    std::string schemaPath;  // the daemon's dotted path inside the $jsonSchema; "" = whole input
    std::string pointer;     // RFC 6901 pointer from the file root; "" when not resolved
    std::optional<Location> location;  // omitted whenever the node cannot be found for sure
    std::string rule;                  // short id from the rule table ("deterministic-type")
    Source source = Source::kMongocryptd;
    std::optional<int32_t> code;  // the code the daemon replies with (Mongocryptd only)
    std::string codeName;
    std::string errmsg;   // the full message as the daemon sends it (with " (at ...)")
    std::string message;  // errmsg without the " (at <path>)" suffix, for located reports
    std::string hint;     // one line: how to fix it
};

std::string_view sourceName(Source source);

}  // namespace cryptd::check
