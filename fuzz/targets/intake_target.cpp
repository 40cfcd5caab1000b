#include <string>
#include <vector>

#include "analysis/analyzer.h"
#include "server/dispatcher.h"
#include "server/wire_message.h"
#include "targets/targets.h"

namespace cryptd::fuzz {

namespace {

// Writes nothing but makes every log call build its attributes, and checks them.
class CheckingLogger : public server::Logger {
  public:
    bool enabled(server::Severity) const override { return true; }
    bool quiet() const override { return false; }
    void write(const server::LogRecord& r) override {
        if (!bson::isValid(r.attr.data(), r.attr.size()))
            fail("a log line with invalid attributes");
    }
};

struct Daemon {
    analysis::Analyzer analyzer;
    server::Dispatcher dispatcher{server::AnalysisRoute::to(analyzer)};
    server::ServerOptions options;
    server::ServerInfo info{"0.0.0", "fuzz", bson::Doc::fromJson(R"({"argv": [], "parsed": {}})")};
    server::ServerStats stats;
    CheckingLogger logger;
};

}  // namespace

int intakeTarget(const uint8_t* data, size_t size) {
    static Daemon* d = new Daemon();  // one engine (and schema cache) for the whole run
    // What framing guarantees before dispatch: one valid document, not nested too deep.
    std::vector<uint8_t> doc;
    if (!documentFrom(data, size, doc)) return 0;
    bson::View command(doc.data(), static_cast<uint32_t>(doc.size()));
    server::CommandContext ctx{1,          "conn1",  "127.0.0.1:1", d->info,
                               d->options, d->stats, d->logger,     [](std::string_view) {}};
    bson::Doc reply = d->dispatcher.dispatch(command, ctx);
    auto ok = reply.view().find("ok");
    if (!ok || !ok->isNumber()) fail("a reply without ok", reply.toJson());
    if (ok->asDouble() == 0.0) {
        auto code = reply.view().find("code");
        if (!code || !code->isNumber()) fail("an error reply without a code", reply.toJson());
        // InternalError is what the dispatcher turns an unexpected exception into: a bug.
        if (code->asInt64() == 1) fail("InternalError (an unexpected exception)", reply.toJson());
    }
    return 0;
}

}  // namespace cryptd::fuzz
