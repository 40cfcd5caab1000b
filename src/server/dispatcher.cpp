#include "server/dispatcher.h"

#include <string>

#include "analysis/analyzer.h"
#include "common/error.h"
#include "schema/property_pattern.h"
#include "server/wire_message.h"

namespace cryptd::server {

AnalysisRoute AnalysisRoute::to(const analysis::Analyzer& analyzer) {
    return {[&analyzer](std::string_view name) { return analyzer.handles(name); },
            [&analyzer](bson::View command) { return analyzer.analyze(command); }};
}

bson::Doc errorReply(const Error& error) {
    bson::Builder b;
    b.appendDouble("ok", 0.0);
    b.appendUtf8("errmsg", error.reason());
    b.appendInt32("code", error.numericCode());
    b.appendUtf8("codeName", error.codeName());
    return b.finish();
}

namespace {

bool hasOk(bson::View body) {
    for (auto e : body) {
        if (e.key() == "ok") return true;
    }
    return false;
}

// body + {ok: 1.0}, appended in place (the body is not copied); an `ok` already in the body is
// replaced, never duplicated.
bson::Doc withOk(bson::Doc body) {
    if (hasOk(body.view())) {
        bson::Builder without;
        for (auto e : body.view()) {
            if (e.key() != "ok") without.append(e);
        }
        body = without.finish();
    }
    bson::Builder b(std::move(body));
    b.appendDouble("ok", 1.0);
    if (b.size() > static_cast<uint32_t>(wire::kMaxReplySize)) {
        fail(ErrorCode::BSONObjectTooLarge,
             "reply of " + std::to_string(b.size()) + " bytes exceeds the maximum BSON size");
    }
    return b.finish();
}

}  // namespace

bson::Doc Dispatcher::dispatch(bson::View command, const CommandContext& ctx) const {
    std::string_view name = command.firstKey();  // "" for {}
    bool known = false;
    try {
        bson::Doc body;
        if (const AdminCommand* admin = findAdminCommand(name)) {
            known = true;
            body = admin->run(ctx, command);
        } else if (!name.empty() && analysis_.handles && analysis_.handles(name)) {
            known = true;
            body = analysis_.analyze(command);
        } else {
            fail(ErrorCode::CommandNotFound, "no such command: '" + std::string(name) + "'");
        }
        bson::Doc reply = withOk(std::move(body));
        ctx.stats.commandRun(name, known, false);
        return reply;
    } catch (const Error& e) {
        ctx.stats.commandRun(name, known, true);
        return errorReply(e);
    } catch (const schema::MatchWorkDeferred&) {
        throw;  // the caller reruns the command off the I/O thread (see connection.cpp)
    } catch (const std::exception& e) {
        // Our bug, not the client's: say so, and leave a trace to find it.
        ctx.stats.commandRun(name, known, true);
        log(ctx.logger, Severity::kError, Component::kCommand, ctx.connectionName, 9100001,
            "Command failed with an internal error", [&](bson::Builder& a) {
                a.appendUtf8("command", name.substr(0, 256));
                a.appendUtf8("error", e.what());
            });
        return errorReply(Error(ErrorCode::InternalError, "internal error while running '" +
                                                              std::string(name.substr(0, 256)) +
                                                              "': " + e.what()));
    }
}

}  // namespace cryptd::server
