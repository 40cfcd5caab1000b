// startup_bench: how fast the daemon is ready, and how small it is when idle.
//
//   startup_bench [--daemon BINARY] [--runs 30] [--json FILE]
//
// Each run starts the daemon (--port 0, private pidfile and socket directory) and records:
//   ready  spawn -> the "Waiting for connections" log line (id 23016) read from its stdout;
//   hello  spawn -> the reply to a `hello` sent on a fresh TCP connection right after `ready`;
//   rss    VmRSS (and its anonymous / file-backed parts) right after that hello.
// Medians are reported. For scale it also times two floors: spawning /bin/true, and
// `mongocryptd --version` (exec + dynamic linking + static initialisation, no server).

#include <fcntl.h>
#include <rapidjson/ostreamwrapper.h>
#include <rapidjson/prettywriter.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "cli_args.h"
#include "daemon_launcher.h"
#include "wire_client.h"
#include "workload.h"

extern char** environ;

using namespace cryptd::bench;
using Clock = std::chrono::steady_clock;

namespace {

struct Summary {
    double median = 0, min = 0, p90 = 0, max = 0;
};

Summary summarize(std::vector<double> v) {
    Summary s;
    if (v.empty()) return s;
    std::sort(v.begin(), v.end());
    s.min = v.front();
    s.max = v.back();
    s.median = v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
    s.p90 = v[std::min(v.size() - 1, static_cast<size_t>(0.9 * static_cast<double>(v.size())))];
    return s;
}

double ms(Clock::duration d) {
    return std::chrono::duration<double, std::milli>(d).count();
}

// Milliseconds from spawn to exit of `argv` (output discarded); -1 when it cannot run.
double timeToExit(const std::vector<std::string>& args) {
    std::vector<std::string> copy = args;
    std::vector<char*> argv;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid = 0;
    auto start = Clock::now();
    int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) return -1;
    int status = 0;
    waitpid(pid, &status, 0);
    return ms(Clock::now() - start);
}

void writeSummary(rapidjson::PrettyWriter<rapidjson::OStreamWrapper>& w, const char* key,
                  const Summary& s) {
    w.Key(key);
    w.StartObject();
    w.Key("median");
    w.Double(s.median);
    w.Key("min");
    w.Double(s.min);
    w.Key("p90");
    w.Double(s.p90);
    w.Key("max");
    w.Double(s.max);
    w.EndObject();
}

int run(const CliArgs& args) {
    const std::string binary = args.str("daemon", defaultDaemonBinary());
    const auto runs = static_cast<int>(std::max(1LL, args.num("runs", 30)));
    std::vector<double> ready, hello, rssTotal, rssAnon, rssFile, floorTrue, floorVersion;
    const cryptd::bson::Doc helloCmd = helloCommand();
    for (int i = 0; i < runs; ++i) {
        Daemon daemon(binary);
        ready.push_back(ms(daemon.waitReady()));
        BlockingClient client(connectTcp("127.0.0.1", daemon.port()));
        cryptd::bson::View reply = client.run(helloCmd.view());
        hello.push_back(ms(Clock::now() - daemon.spawnedAt()));
        if (!replyOk(reply)) throw WireError("hello failed: " + reply.toJson());
        Rss rss = readRss(daemon.pid());
        rssTotal.push_back(static_cast<double>(rss.totalKb) / 1024.0);
        rssAnon.push_back(static_cast<double>(rss.anonKb) / 1024.0);
        rssFile.push_back(static_cast<double>(rss.fileKb) / 1024.0);
        int code = daemon.stop();
        if (code != 0) throw WireError("daemon exited with code " + std::to_string(code));
        floorTrue.push_back(timeToExit({"/bin/true"}));
        floorVersion.push_back(timeToExit({binary, "--version"}));
    }
    Summary sReady = summarize(ready), sHello = summarize(hello), sRss = summarize(rssTotal),
            sAnon = summarize(rssAnon), sFile = summarize(rssFile), sTrue = summarize(floorTrue),
            sVersion = summarize(floorVersion);
    std::printf("startup_bench: %s, %d runs (ms: median / min / p90 / max)\n", binary.c_str(),
                runs);
    auto line = [](const char* what, const Summary& s, const char* unit) {
        std::printf("  %-34s %8.2f %8.2f %8.2f %8.2f %s\n", what, s.median, s.min, s.p90, s.max,
                    unit);
    };
    line("spawn -> log 23016 (ready)", sReady, "ms");
    line("spawn -> first hello answered", sHello, "ms");
    line("floor: spawn+exit of /bin/true", sTrue, "ms");
    line("floor: mongocryptd --version", sVersion, "ms");
    line("idle RSS (VmRSS)", sRss, "MiB");
    line("  of which anonymous (RssAnon)", sAnon, "MiB");
    line("  of which file-backed (RssFile)", sFile, "MiB");

    if (args.has("json")) {
        std::ofstream file(args.str("json", ""));
        rapidjson::OStreamWrapper os(file);
        rapidjson::PrettyWriter<rapidjson::OStreamWrapper> w(os);
        w.StartObject();
        w.Key("tool");
        w.String("startup_bench");
        w.Key("binary");
        w.String(binary.c_str());
        w.Key("runs");
        w.Int(runs);
        writeSummary(w, "ready_ms", sReady);
        writeSummary(w, "hello_ms", sHello);
        writeSummary(w, "floor_true_ms", sTrue);
        writeSummary(w, "floor_version_ms", sVersion);
        writeSummary(w, "idle_rss_mib", sRss);
        writeSummary(w, "idle_rss_anon_mib", sAnon);
        writeSummary(w, "idle_rss_file_mib", sFile);
        w.EndObject();
        file << "\n";
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        CliArgs args(argc, argv, {"daemon", "runs", "json"});
        if (args.has("help")) {
            std::cout << "usage: startup_bench [--daemon BINARY] [--runs 30] [--json FILE]\n";
            return 0;
        }
        return run(args);
    } catch (const std::invalid_argument& e) {
        std::fprintf(stderr, "startup_bench: %s\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "startup_bench: %s\n", e.what());
        return 1;
    }
}
