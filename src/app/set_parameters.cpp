#include "app/set_parameters.h"

#include <algorithm>
#include <charconv>
#include <string>

#include "common/name_table.h"

namespace cryptd::app {

namespace {

bool parseBool(std::string_view name, std::string_view v) {
    if (v == "1" || v == "true") return true;
    if (v == "0" || v == "false") return false;
    throw OptionsError("setParameter " + std::string(name) + " must be true or false, not '" +
                       std::string(v) + "'");
}

void enableTestCommands(AppOptions& o, std::string_view v) {
    // Test harnesses pass it to every server; cryptd has no test-only commands yet, so it is
    // recorded (getCmdLineOpts) and changes nothing.
    o.enableTestCommands = parseBool("enableTestCommands", v);
}

void logLevel(AppOptions& o, std::string_view v) {
    int level = -1;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), level);
    if (ec != std::errc() || end != v.data() + v.size() || level < 0 || level > 5) {
        throw OptionsError("setParameter logLevel must be an integer from 0 to 5, not '" +
                           std::string(v) + "'");
    }
    o.verbosity = std::max(o.verbosity, level);
}

void diagnosticDataCollectionEnabled(AppOptions&, std::string_view v) {
    // cryptd collects no diagnostic data; accepted so shared server scripts keep working.
    parseBool("diagnosticDataCollectionEnabled", v);
}

struct Parameter {
    std::string_view name;
    void (*apply)(AppOptions&, std::string_view value);
};

constexpr auto kParameters = makeNameTable<Parameter>({
    {"diagnosticDataCollectionEnabled", &diagnosticDataCollectionEnabled},
    {"enableTestCommands", &enableTestCommands},
    {"logLevel", &logLevel},
});

std::string knownParameters() {
    std::string known;
    for (const Parameter& p : kParameters) {
        if (!known.empty()) known += ", ";
        known += p.name;
    }
    return known;
}

}  // namespace

void applySetParameter(AppOptions& options, std::string_view nameEqualsValue) {
    size_t eq = nameEqualsValue.find('=');
    if (eq == std::string_view::npos) {
        throw OptionsError("Illegal option assignment: \"" + std::string(nameEqualsValue) +
                           "\" (expected --setParameter name=value)");
    }
    std::string_view name = nameEqualsValue.substr(0, eq);
    const Parameter* parameter = kParameters.find(name);
    if (!parameter) {
        throw OptionsError("Illegal --setParameter parameter: \"" + std::string(name) +
                           "\" (known: " + knownParameters() + ")");
    }
    parameter->apply(options, nameEqualsValue.substr(eq + 1));
}

}  // namespace cryptd::app
