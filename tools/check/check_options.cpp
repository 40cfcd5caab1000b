#include "check/check_options.h"

#include <algorithm>

namespace cryptd::check {

namespace {

using Setter = bool (*)(CheckOptions& o, const std::string& value, std::string& error);

struct OptionSpec {
    std::string_view name;
    bool takesValue;
    Setter set;
};

const OptionSpec kOptions[] = {
    {"--format", true,
     [](CheckOptions& o, const std::string& v, std::string& error) {
         auto f = parseFormat(v);
         if (!f) error = "unknown --format '" + v + "' (text, json or github)";
         if (f) o.report.format = *f;
         return f.has_value();
     }},
    {"--explain", false,
     [](CheckOptions& o, const std::string&, std::string&) { return o.report.explain = true; }},
    {"--command", true,
     [](CheckOptions& o, const std::string& v, std::string&) {
         o.commandFile = v;
         return true;
     }},
    {"--namespace", true,
     [](CheckOptions& o, const std::string& v, std::string& error) {
         auto dot = v.find('.');
         if (dot == std::string::npos || dot == 0 || dot + 1 == v.size()) {
             error = "--namespace takes \"<db>.<collection>\", got '" + v + "'";
             return false;
         }
         o.shape.ns = v;
         return true;
     }},
    {"--remote", false,
     [](CheckOptions& o, const std::string&, std::string&) { return o.shape.remote = true; }},
    {"--help", false,
     [](CheckOptions& o, const std::string&, std::string&) { return o.help = true; }},
    {"-h", false, [](CheckOptions& o, const std::string&, std::string&) { return o.help = true; }},
    {"--version", false,
     [](CheckOptions& o, const std::string&, std::string&) { return o.version = true; }},
};

}  // namespace

ParsedOptions parseCheckOptions(const std::vector<std::string>& args) {
    CheckOptions o;
    bool onlyFiles = false;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (onlyFiles || a == "-" || a.empty() || a[0] != '-') {
            o.files.push_back(a);
            continue;
        }
        if (a == "--") {
            onlyFiles = true;
            continue;
        }
        auto eq = a.find('=');
        std::string name = a.substr(0, eq);
        const OptionSpec* spec = nullptr;
        for (const auto& s : kOptions) {
            if (s.name == name) spec = &s;
        }
        if (!spec) return {std::nullopt, "unknown option '" + a + "'"};
        std::string value;
        if (spec->takesValue) {
            if (eq != std::string::npos) {
                value = a.substr(eq + 1);
            } else if (i + 1 < args.size()) {
                value = args[++i];
            } else {
                return {std::nullopt, "option '" + name + "' needs a value"};
            }
        } else if (eq != std::string::npos) {
            return {std::nullopt, "option '" + name + "' takes no value"};
        }
        std::string error;
        if (!spec->set(o, value, error)) return {std::nullopt, error};
    }
    if (o.help || o.version) return {o, ""};
    if (o.files.empty()) return {std::nullopt, "no schema file given"};
    size_t stdinUses = static_cast<size_t>(std::count(o.files.begin(), o.files.end(), "-"));
    if (o.commandFile == "-") ++stdinUses;
    if (stdinUses > 1) return {std::nullopt, "standard input ('-') can be read only once"};
    return {o, ""};
}

std::string usageText(std::string_view program) {
    std::string p(program);
    return "Usage: " + p + R"( [options] FILE...

Checks CSFLE encryption schemas the way mongocryptd reads them and reports every problem with
its file, line, namespace, schema path, rule, the error code mongocryptd would return, and a hint.

FILE holds canonical or relaxed Extended JSON (UUID("...") literals are accepted) in one of:
  a schemaMap            {"db.coll": {<$jsonSchema>}, ...}       local rules
  a $jsonSchema          {"bsonType": "object", "properties": ...} local rules (--remote: remote)
  collection options     {"validator": {"$jsonSchema": ...}}     remote (validator) rules
                         (also a listCollections entry or a bare {"$jsonSchema": ...})
"-" reads standard input.

Options:
  --format text|json|github  output format (default: text; github prints ::error annotations)
  --explain                  print the resolved encrypted fields of each valid schema
  --command FILE             analyze the command in FILE against the matching schema and print
                             the reply with its markings decoded (or the error)
  --namespace DB.COLL        namespace of a bare $jsonSchema or of collection options
  --remote                   check a bare $jsonSchema as a collection validator (remote rules)
  -h, --help                 print this help
  --version                  print cryptd's version and the MongoDB release it answers as

Exit status: 0 no problems; 1 problems found or the command is rejected; 2 unreadable input or
usage error.
)";
}

}  // namespace cryptd::check
