#include "server/admin_commands.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <string>

#include "common/error.h"
#include "common/name_table.h"
#include "server/wire_message.h"
#include "server/wire_version.h"

namespace cryptd::server {

namespace {

int64_t nowMillis() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string_view databaseOf(bson::View command) {
    auto db = command.find("$db");
    return db && db->isString() ? db->utf8() : std::string_view();
}

std::string hostName() {
    char buf[256] = {};
    if (gethostname(buf, sizeof buf - 1) != 0) return "localhost";
    return buf;
}

// hello, isMaster and ismaster: the handshake. Drivers read iscryptd (it is a mongocryptd),
// libmongocrypt requires maxWireVersion as int32. No setName/hosts: SDAM sees a Standalone.
bson::Doc handshake(const CommandContext& ctx, bson::View command, bool modern) {
    if (auto client = command.find("client"); client && client->isDocument()) {
        log(ctx.logger, Severity::kInfo, Component::kNetwork, ctx.connectionName, 51800,
            "client metadata", [&](bson::Builder& a) {
                a.appendUtf8("remote", ctx.remote);
                a.appendUtf8("client", ctx.connectionName);
                a.appendDocument("doc", client->document());
            });
    }
    bson::Builder b;
    b.appendBool(modern ? "isWritablePrimary" : "ismaster", true);
    b.appendBool("iscryptd", true);
    b.appendInt32("maxBsonObjectSize", wire::kMaxBsonObjectSize);
    b.appendInt32("maxMessageSizeBytes", wire::kMaxMessageSizeBytes);
    b.appendInt32("maxWriteBatchSize", 100'000);
    b.appendDateTime("localTime", nowMillis());
    b.appendInt32("maxWireVersion", kMaxWireVersion);
    b.appendInt32("minWireVersion", kMinWireVersion);
    b.appendBool("readOnly", false);
    b.appendInt32("connectionId", static_cast<int32_t>(ctx.connectionId));
    if (auto ok = command.find("helloOk"); ok && ok->truthy()) b.appendBool("helloOk", true);
    return b.finish();
}

bson::Doc hello(const CommandContext& ctx, bson::View command) {
    return handshake(ctx, command, true);
}

bson::Doc isMaster(const CommandContext& ctx, bson::View command) {
    return handshake(ctx, command, false);
}

bson::Doc ping(const CommandContext&, bson::View) {
    return {};
}

bson::Doc buildInfo(const CommandContext& ctx, bson::View) {
    bson::Builder b;
    b.appendUtf8("version", kCompatibleServerVersion);
    b.appendUtf8("gitVersion", ctx.info.gitVersion);
    b.appendUtf8("cryptdVersion", ctx.info.version);
    b.appendArray("modules", bson::View());
    b.appendUtf8("allocator", "system");
    b.appendUtf8("javascriptEngine", "none");
    b.appendUtf8("sysInfo", "deprecated");
    b.appendArray("versionArray", [](bson::Builder& a) {
        // "6.0.0" -> [6, 0, 0, 0]
        std::string_view v = kCompatibleServerVersion;
        char key[16];
        uint32_t i = 0;
        while (i < 3) {
            size_t dot = v.find('.');
            a.appendInt32(bson::arrayKey(i++, key),
                          std::atoi(std::string(v.substr(0, dot)).c_str()));
            if (dot == std::string_view::npos) break;
            v.remove_prefix(dot + 1);
        }
        while (i < 4) a.appendInt32(bson::arrayKey(i++, key), 0);
    });
    b.appendInt32("bits", static_cast<int32_t>(sizeof(void*) * 8));
    b.appendBool("debug", false);
    b.appendInt32("maxBsonObjectSize", wire::kMaxBsonObjectSize);
    b.appendArray("storageEngines", bson::View());
    return b.finish();
}

bson::Doc getCmdLineOpts(const CommandContext& ctx, bson::View) {
    return ctx.info.cmdLineOpts.clone();
}

bson::Doc endSessions(const CommandContext&, bson::View) {
    return {};  // no sessions are kept: nothing to end
}

bson::Doc shutdown(const CommandContext& ctx, bson::View command) {
    // As mongod: only on the admin database, so a stray {shutdown: 1} elsewhere does nothing.
    if (databaseOf(command) != "admin") {
        fail(ErrorCode::Unauthorized, "shutdown may only be run against the admin database.");
    }
    ctx.requestShutdown("shutdown command");
    return {};
}

bson::Doc serverStatus(const CommandContext& ctx, bson::View) {
    using namespace std::chrono;
    auto up = steady_clock::now() - ctx.stats.startedAt();
    int64_t current = ctx.stats.currentConnections();
    bson::Builder b;
    b.appendUtf8("host", hostName());
    b.appendUtf8("version", kCompatibleServerVersion);
    b.appendUtf8("cryptdVersion", ctx.info.version);
    b.appendUtf8("process", "mongocryptd");
    b.appendInt64("pid", static_cast<int64_t>(getpid()));
    b.appendDouble("uptime", duration<double>(up).count());
    b.appendInt64("uptimeMillis", duration_cast<milliseconds>(up).count());
    b.appendInt64("uptimeEstimate", duration_cast<seconds>(up).count());
    b.appendDateTime("localTime", nowMillis());
    b.appendDocument("connections", [&](bson::Builder& c) {
        c.appendInt32("current", static_cast<int32_t>(current));
        c.appendInt32("available",
                      static_cast<int32_t>(std::max<int64_t>(0, ctx.options.maxConns - current)));
        c.appendInt64("totalCreated", ctx.stats.totalConnections());
        c.appendInt64("rejected", ctx.stats.rejectedConnections());
    });
    bson::Doc counts = ctx.stats.commandCounts();
    b.appendDocument("metrics",
                     [&](bson::Builder& m) { m.appendDocument("commands", counts.view()); });
    return b.finish();
}

bson::Doc whatsmyuri(const CommandContext& ctx, bson::View) {
    bson::Builder b;
    b.appendUtf8("you", ctx.remote);
    return b.finish();
}

// Aliases are explicit rows.
constexpr auto kCommands = makeNameTable<AdminCommand>({
    {"buildInfo", &buildInfo, "version and build facts"},
    {"buildinfo", &buildInfo, "alias of buildInfo"},
    {"endSessions", &endSessions, "accepted; the daemon keeps no sessions"},
    {"getCmdLineOpts", &getCmdLineOpts, "argv and parsed options"},
    {"hello", &hello, "handshake (isWritablePrimary, iscryptd, wire versions)"},
    {"isMaster", &isMaster, "legacy handshake"},
    {"ismaster", &isMaster, "legacy handshake, lower-case alias"},
    {"ping", &ping, "liveness"},
    {"serverStatus", &serverStatus, "uptime, connections, per-command counts"},
    {"shutdown", &shutdown, "clean shutdown (admin database only)"},
    {"whatsmyuri", &whatsmyuri, "the caller's address"},
});

}  // namespace

std::span<const AdminCommand> adminCommands() {
    return kCommands.rows();
}

const AdminCommand* findAdminCommand(std::string_view name) {
    return kCommands.find(name);
}

}  // namespace cryptd::server
