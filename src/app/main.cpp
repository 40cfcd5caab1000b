// mongocryptd: parse options, fork if asked, lock the pid file, bind, announce, serve, exit with
// MongoDB's codes (exit_codes.h).

#include <sys/utsname.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>

#include "analysis/analyzer.h"
#include "app/daemonize.h"
#include "app/exit_codes.h"
#include "app/healthcheck.h"
#include "app/json_log.h"
#include "app/options.h"
#include "app/pid_file.h"
#include "app/shutdown_signals.h"
#include "app/version.h"
#include "server/server.h"
#include "server/wire_version.h"

using namespace cryptd;
using server::Component;
using server::Severity;

namespace {

void logStartup(server::Logger& logger, const app::AppOptions& opts) {
    log(logger, Severity::kInfo, Component::kControl, "main", 4615611, "MongoDB starting",
        [&](bson::Builder& a) {
            a.appendInt64("pid", static_cast<int64_t>(getpid()));
            a.appendInt32("port", opts.server.port);
            a.appendUtf8("process", "mongocryptd");
            a.appendUtf8("cryptdVersion", app::kVersion);
            a.appendInt32("maxWireVersion", server::kMaxWireVersion);
        });
    log(logger, Severity::kInfo, Component::kControl, "main", 23403, "Build Info",
        [&](bson::Builder& a) {
            a.appendDocument("buildInfo", [](bson::Builder& b) {
                b.appendUtf8("version", server::kCompatibleServerVersion);
                b.appendUtf8("cryptdVersion", app::kVersion);
                b.appendUtf8("gitVersion", app::kGitVersion);
            });
        });
    utsname uts{};
    if (uname(&uts) == 0) {
        log(logger, Severity::kInfo, Component::kControl, "main", 51765, "Operating System",
            [&](bson::Builder& a) {
                a.appendDocument("os", [&](bson::Builder& os) {
                    os.appendUtf8("name", uts.sysname);
                    os.appendUtf8("version", uts.release);
                });
            });
    }
    log(logger, Severity::kInfo, Component::kControl, "main", 21951, "Options set by command line",
        [&](bson::Builder& a) { a.appendDocument("options", opts.parsed.view()); });
    for (const auto& flag : opts.ignored) {
        log(logger, Severity::kWarning, Component::kControl, "main", 9100010,
            "Option has no effect on mongocryptd",
            [&](bson::Builder& a) { a.appendUtf8("option", flag); });
    }
}

bson::Doc cmdLineOpts(const app::AppOptions& opts) {
    bson::Builder b;
    b.appendArray("argv", [&](bson::Builder& arr) {
        char key[16];
        uint32_t i = 0;
        for (const auto& a : opts.argv) arr.appendUtf8(bson::arrayKey(i++, key), a);
    });
    b.appendDocument("parsed", opts.parsed.view());
    return b.finish();
}

void logExit(server::Logger& logger, int code, const std::string& reason) {
    log(logger, Severity::kInfo, Component::kControl, "main", 23138, "Shutting down",
        [&](bson::Builder& a) {
            a.appendInt32("exitCode", code);
            a.appendUtf8("reason", reason);
        });
    log(logger, Severity::kInfo, Component::kControl, "main", 20565, "Now exiting");
}

int serve(const app::AppOptions& opts, server::Logger& logger,
          std::optional<app::Daemonizer>& daemon) {
    logStartup(logger, opts);

    log(logger, Severity::kInfo, Component::kControl, "main", 9100011, "Using lock file",
        [&](bson::Builder& a) { a.appendUtf8("file", opts.pidFilePath); });
    std::unique_ptr<app::PidFile> pidFile;
    try {
        pidFile = std::make_unique<app::PidFile>(opts.pidFilePath);
    } catch (const app::PidFileError& e) {
        log(logger, Severity::kError, Component::kControl, "main", 9100012,
            "Failed to open pid file, exiting", [&](bson::Builder& a) {
                a.appendUtf8("error",
                             std::string(e.lockedByAnother() ? "DBPathInUse: " : "") + e.what());
            });
        std::fprintf(stderr, "mongocryptd: %s\n", e.what());
        return app::kExitListenFailure;
    }

    analysis::Analyzer analyzer;  // one for the daemon: it owns the schema cache, thread-safe
    server::ServerInfo info{app::kVersion, app::kGitVersion, cmdLineOpts(opts)};
    server::Server srv(opts.server, std::move(info), server::AnalysisRoute::to(analyzer), logger);
    // Before binding: a SIGTERM from now on is a clean shutdown, never the default kill.
    app::ShutdownSignals signals(srv, logger);
    try {
        srv.listen();
    } catch (const server::ListenError& e) {
        log(logger, Severity::kError, Component::kNetwork, "main", 20568,
            "Error setting up listener", [&](bson::Builder& a) {
                a.appendUtf8("address", e.address());
                a.appendDocument("error", [&](bson::Builder& err) {
                    err.appendInt32("code", 9001);
                    err.appendUtf8("codeName", "SocketException");
                    err.appendUtf8("errmsg", e.what());
                });
            });
        std::fprintf(stderr, "mongocryptd: cannot listen on %s: %s\n", e.address().c_str(),
                     e.what());
        pidFile.reset();
        return app::kExitListenFailure;
    }
    pidFile->write(srv.port(), srv.socketPath(), static_cast<long>(getpid()));
    if (daemon) daemon->ready();

    server::Server::Stop stop = srv.run();
    int code = stop.idle ? app::kExitIdleShutdown : app::kExitClean;
    pidFile->clear();
    logExit(logger, code, stop.reason);
    return code;
}

}  // namespace

int main(int argc, char* argv[]) {
    // A closed stdout pipe (the reader went away) must not kill the daemon.
    std::signal(SIGPIPE, SIG_IGN);

    app::AppOptions opts;
    try {
        opts = app::parseOptions(argc, argv);
    } catch (const app::OptionsError& e) {
        std::cerr << e.what() << "\ntry '" << (argc > 0 ? argv[0] : "mongocryptd")
                  << " --help' for more information\n";
        return app::kExitBadOptions;
    }
    if (opts.help) {
        std::cout << app::helpText();
        return app::kExitClean;
    }
    if (opts.version) {
        std::cout << "mongocryptd (cryptd) version v" << app::kVersion << "\n"
                  << "git version: " << app::kGitVersion << "\n"
                  << "wire version: " << server::kMinWireVersion << "-" << server::kMaxWireVersion
                  << " (as MongoDB " << server::kCompatibleServerVersion << ")\n";
        return app::kExitClean;
    }

    if (opts.healthcheck) {
        return app::runHealthcheck(opts.server.port, std::chrono::seconds(5), std::cout);
    }

    std::optional<app::Daemonizer> daemon;
    if (opts.fork) daemon = app::Daemonizer::fork();  // the parent exits inside

    std::unique_ptr<app::JsonLogger> logger;
    try {
        logger =
            opts.logPath.empty()
                ? std::make_unique<app::JsonLogger>(stdout, opts.verbosity, opts.quiet)
                : app::JsonLogger::toFile(opts.logPath, opts.logAppend, opts.verbosity, opts.quiet);
    } catch (const std::exception& e) {
        std::cerr << "mongocryptd: " << e.what() << "\n";
        return app::kExitFailure;
    }
    try {
        return serve(opts, *logger, daemon);
    } catch (const std::exception& e) {
        log(*logger, Severity::kFatal, Component::kControl, "main", 9100013,
            "Unrecoverable error, exiting",
            [&](bson::Builder& a) { a.appendUtf8("error", e.what()); });
        return app::kExitUncaught;
    }
}
