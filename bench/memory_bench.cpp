// memory_bench: does the daemon's memory stay flat under load?
//
//   memory_bench [--daemon BINARY] [--commands 200000] [--first 10000] [--connections 8]
//                [--checkpoints 10] [--json FILE]
//
// Starts the daemon, records its idle RSS, sends `--first` mixed commands and records RSS (the
// baseline: caches, arenas and buffers are warm by then), then sends the rest of `--commands` in
// `--checkpoints` slices, recording RSS after each. The target compares 1,000,000
// commands with the first 10,000; `make bench` runs fewer by default to stay within minutes
// (BENCH_MEMORY_COMMANDS=1000000 runs the full count) and the report names the count it ran.
//
// The mix covers every kind of reply: admin commands, finds, inserts (1 KB and 10 documents),
// updates, aggregate, and error replies (a rejected query, an unknown command), over three
// schemas. An operation the daemon does not support is probed once, reported and left out.

#include <rapidjson/ostreamwrapper.h>
#include <rapidjson/prettywriter.h>

#include <cstdio>
#include <fstream>
#include <iostream>

#include "cli_args.h"
#include "daemon_launcher.h"
#include "load_engine.h"
#include "operation_table.h"
#include "wire_client.h"

using namespace cryptd::bench;

namespace {

// name, weight
const std::vector<std::pair<std::string, unsigned>> kMix = {
    {"ping", 2},
    {"hello", 1},
    {"find", 4},
    {"insert", 3},
    {"find_medco", 2},
    {"update_medco", 2},
    {"insert_medco_10", 1},
    {"aggregate_medco", 1},
    {"find_rejected", 1},
    {"unknown_command", 1},
};

struct Checkpoint {
    uint64_t commands;
    Rss rss;
};

int run(const CliArgs& args) {
    const std::string binary = args.str("daemon", defaultDaemonBinary());
    const auto commands = static_cast<uint64_t>(args.num("commands", 200000));
    const auto first =
        std::min<uint64_t>(commands, static_cast<uint64_t>(args.num("first", 10000)));
    const auto connections = static_cast<size_t>(std::max(1LL, args.num("connections", 8)));
    const auto slices = static_cast<uint64_t>(std::max(1LL, args.num("checkpoints", 10)));

    Daemon daemon(binary);
    daemon.waitReady();
    Rss idle = readRss(daemon.pid());

    // Probe: an operation expected to succeed but refused by this daemon is left out, loudly.
    std::vector<Operation> mix;
    std::vector<unsigned> weights;
    std::vector<std::pair<std::string, std::string>> skipped;
    {
        BlockingClient probe(connectTcp("127.0.0.1", daemon.port()));
        for (const auto& [name, weight] : kMix) {
            auto op = makeOperation(name);
            cryptd::bson::View reply = probe.run(op->command.view());
            if (replyOk(reply) != op->expectOk) {
                skipped.emplace_back(name, reply.toJson());
                continue;
            }
            mix.push_back(std::move(*op));
            weights.push_back(weight);
        }
    }
    for (const auto& [name, why] : skipped) {
        std::printf("memory_bench: leaving out %s: %.200s\n", name.c_str(), why.c_str());
    }

    LoadEngine engine({"127.0.0.1", daemon.port(), ""}, connections);
    std::vector<Checkpoint> points;
    uint64_t sent = 0, unexpected = 0;
    std::string firstUnexpected;
    auto send = [&](uint64_t n) {
        PhaseResult r = engine.run(mix, weights, n);
        sent += r.requests();
        for (const auto& s : r.ops) {
            if (s.unexpected && firstUnexpected.empty())
                firstUnexpected = s.name + ": " + s.firstUnexpected;
            unexpected += s.unexpected;
        }
        points.push_back({sent, readRss(daemon.pid())});
    };
    send(first);
    uint64_t rest = commands - first;
    for (uint64_t i = 0; i < slices && rest > 0; ++i)
        send(rest / slices + (i < rest % slices ? 1 : 0));

    const Rss& base = points.front().rss;
    const Rss& last = points.back().rss;
    double ratio =
        base.totalKb ? static_cast<double>(last.totalKb) / static_cast<double>(base.totalKb) : 0;
    std::printf("memory_bench: %s, %zu connections\n", binary.c_str(), connections);
    std::printf("  %-28s %10s %10s %10s\n", "after commands", "VmRSS MiB", "anon MiB", "file MiB");
    auto row = [](const std::string& what, const Rss& r) {
        std::printf("  %-28s %10.2f %10.2f %10.2f\n", what.c_str(), r.totalKb / 1024.0,
                    r.anonKb / 1024.0, r.fileKb / 1024.0);
    };
    row("idle", idle);
    for (const auto& p : points) row(std::to_string(p.commands), p.rss);
    std::printf("  RSS after %llu / after %llu: %.3f\n", static_cast<unsigned long long>(sent),
                static_cast<unsigned long long>(points.front().commands), ratio);
    if (unexpected) {
        std::printf("  %llu unexpected replies; first: %.300s\n",
                    static_cast<unsigned long long>(unexpected), firstUnexpected.c_str());
    }
    int code = daemon.stop();

    if (args.has("json")) {
        std::ofstream file(args.str("json", ""));
        rapidjson::OStreamWrapper os(file);
        rapidjson::PrettyWriter<rapidjson::OStreamWrapper> w(os);
        w.StartObject();
        w.Key("tool");
        w.String("memory_bench");
        w.Key("connections");
        w.Uint64(connections);
        w.Key("commands");
        w.Uint64(sent);
        w.Key("idle_rss_kb");
        w.Int64(idle.totalKb);
        w.Key("checkpoints");
        w.StartArray();
        for (const auto& p : points) {
            w.StartObject();
            w.Key("commands");
            w.Uint64(p.commands);
            w.Key("rss_kb");
            w.Int64(p.rss.totalKb);
            w.Key("anon_kb");
            w.Int64(p.rss.anonKb);
            w.Key("file_kb");
            w.Int64(p.rss.fileKb);
            w.EndObject();
        }
        w.EndArray();
        w.Key("ratio_last_to_first");
        w.Double(ratio);
        w.Key("operations");
        w.StartArray();
        for (const auto& op : mix) w.String(op.name.c_str());
        w.EndArray();
        w.Key("left_out");
        w.StartObject();
        for (const auto& [name, why] : skipped) {
            w.Key(name.c_str());
            w.String(why.c_str());
        }
        w.EndObject();
        w.Key("unexpected_replies");
        w.Uint64(unexpected);
        w.Key("daemon_exit_code");
        w.Int(code);
        w.EndObject();
        file << "\n";
    }
    return unexpected == 0 && code == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        CliArgs args(argc, argv,
                     {"daemon", "commands", "first", "connections", "checkpoints", "json"});
        if (args.has("help")) {
            std::cout
                << "usage: memory_bench [--daemon BINARY] [--commands 200000] [--first 10000]\n"
                   "                    [--connections 8] [--checkpoints 10] [--json FILE]\n";
            return 0;
        }
        return run(args);
    } catch (const std::invalid_argument& e) {
        std::fprintf(stderr, "memory_bench: %s\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "memory_bench: %s\n", e.what());
        return 1;
    }
}
