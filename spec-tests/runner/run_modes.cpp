#include "run_modes.h"

#include "analysis/analyzer.h"
#include "common/error.h"
#include "spec_daemon.h"

namespace cryptd::spec {

const analysis::Analyzer& sharedAnalyzer() {
    static const analysis::Analyzer analyzer;
    return analyzer;
}

Outcome runInProcess(bson::View command, const std::string& db) {
    bson::Builder withDb;
    for (auto e : command) withDb.append(e);
    withDb.appendUtf8("$db", db);
    auto full = withDb.finish();
    Outcome out;
    try {
        out.body = sharedAnalyzer().analyze(full.view());
    } catch (const Error& e) {
        out.error = ErrorOutcome{e.numericCode(), std::string(e.codeName()), e.reason()};
    } catch (const std::exception& e) {
        out.error =
            ErrorOutcome{-1, "", std::string("analyze threw a non-cryptd exception: ") + e.what()};
    }
    return out;
}

Outcome runOverWire(bson::View command, const std::string& db) {
    auto reply = sharedDaemonClient().run(db, command);
    return outcomeFromReply(reply.view());
}

}  // namespace cryptd::spec
