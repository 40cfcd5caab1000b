// loadgen: our own wire load generator. Opens N connections to a running mongocryptd (or starts
// one), sends a chosen command mix closed-loop, and reports throughput and p50/p99/p999 latency
// per command, with `ping` measured on the same connections in the same run as the floor.
//
//   loadgen [--port P [--host H] | --unix PATH | --daemon BINARY]
//           [--connections 1,64,1000] [--ops ping,find,insert] [--requests 20000] [--rounds 3]
//           [--mix ping:1,find:1,insert:1] [--threads 1] [--warmup 2000] [--floor 1]
//           [--json FILE]
//
// Without --port/--unix it starts the mongocryptd built next to it (--daemon overrides), raises
// its own file limit first so the daemon inherits it, and also reports the daemon's CPU time per
// request. Phases alternate operations round by round (ping, find, insert, ping, ...), so a load
// change on the machine hits every operation alike. An operation "mix" runs --mix interleaved.
// With --floor 1 (the default) each round also sends `ping` to a bare responder process
// (floor_server.h) over as many connections: the physical floor of a round trip here.

#include <rapidjson/ostreamwrapper.h>
#include <rapidjson/prettywriter.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>

#include "cli_args.h"
#include "daemon_launcher.h"
#include "floor_server.h"
#include "load_engine.h"
#include "operation_table.h"
#include "wire_client.h"

using namespace cryptd::bench;

namespace {

struct Accumulated {
    uint64_t requests = 0;
    double seconds = 0;
    double daemonCpu = -1;  // < 0: unknown (not our daemon)
    uint64_t unexpected = 0;
    std::string firstUnexpected;
    std::vector<uint32_t> latencyNs;

    void add(const OpStats& s, double phaseSeconds, double cpu) {
        requests += s.requests;
        seconds += phaseSeconds;
        if (cpu >= 0) daemonCpu = (daemonCpu < 0 ? 0 : daemonCpu) + cpu;
        if (unexpected == 0 && s.unexpected > 0) firstUnexpected = s.firstUnexpected;
        unexpected += s.unexpected;
        latencyNs.insert(latencyNs.end(), s.latencyNs.begin(), s.latencyNs.end());
    }
    double throughput() const { return seconds > 0 ? static_cast<double>(requests) / seconds : 0; }
};

struct Run {
    size_t connections = 0;
    std::string status = "ok";
    std::string reason;
    std::vector<std::string> order;  // phase names in report order
    std::map<std::string, Accumulated> phases;
};

void usage() {
    std::cout << "usage: loadgen [--port P [--host H] | --unix PATH | --daemon BINARY]\n"
                 "               [--connections 1,64,1000] [--ops ping,find,insert]\n"
                 "               [--requests 20000] [--rounds 3] [--mix ping:1,find:1]\n"
                 "               [--threads 1] [--warmup 2000] [--floor 1] [--json FILE]\n"
                 "operations (--ops, --mix; 'mix' in --ops runs the --mix phase):\n";
    for (const auto& s : operationSpecs()) {
        std::printf("  %-16s %s\n", std::string(s.name).c_str(),
                    std::string(s.description).c_str());
    }
}

Operation needOperation(const std::string& name) {
    auto op = makeOperation(name);
    if (!op) throw std::invalid_argument("unknown operation '" + name + "' (see --help)");
    return std::move(*op);
}

void writeJson(const std::string& path, const std::vector<Run>& runs, const CliArgs& args,
               const std::string& endpoint, uint64_t fdLimit) {
    std::ofstream file(path);
    rapidjson::OStreamWrapper os(file);
    rapidjson::PrettyWriter<rapidjson::OStreamWrapper> w(os);
    w.StartObject();
    w.Key("tool");
    w.String("loadgen");
    w.Key("endpoint");
    w.String(endpoint.c_str());
    w.Key("threads");
    w.Int64(args.num("threads", 1));
    w.Key("rounds");
    w.Int64(args.num("rounds", 3));
    w.Key("requests_per_phase");
    w.Int64(args.num("requests", 20000));
    w.Key("fd_limit");
    w.Uint64(fdLimit);
    w.Key("runs");
    w.StartArray();
    for (const auto& run : runs) {
        w.StartObject();
        w.Key("connections");
        w.Uint64(run.connections);
        w.Key("status");
        w.String(run.status.c_str());
        if (!run.reason.empty()) {
            w.Key("reason");
            w.String(run.reason.c_str());
        }
        w.Key("phases");
        w.StartObject();
        for (const auto& name : run.order) {
            const Accumulated& a = run.phases.at(name);
            w.Key(name.c_str());
            w.StartObject();
            w.Key("requests");
            w.Uint64(a.requests);
            w.Key("seconds");
            w.Double(a.seconds);
            w.Key("throughput");
            w.Double(a.throughput());
            w.Key("p50_us");
            w.Double(percentileUs(a.latencyNs, 0.50));
            w.Key("p99_us");
            w.Double(percentileUs(a.latencyNs, 0.99));
            w.Key("p999_us");
            w.Double(percentileUs(a.latencyNs, 0.999));
            w.Key("unexpected_replies");
            w.Uint64(a.unexpected);
            if (!a.firstUnexpected.empty()) {
                w.Key("first_unexpected");
                w.String(a.firstUnexpected.c_str());
            }
            if (a.daemonCpu >= 0 && a.requests > 0) {
                w.Key("daemon_cpu_us_per_request");
                w.Double(a.daemonCpu * 1e6 / static_cast<double>(a.requests));
            }
            w.EndObject();
        }
        w.EndObject();
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    file << "\n";
}

void printRun(const Run& run) {
    std::printf("\n%zu connection(s): %s%s%s\n", run.connections, run.status.c_str(),
                run.reason.empty() ? "" : ": ", run.reason.c_str());
    if (run.phases.empty()) return;
    std::printf("  %-22s %10s %12s %9s %9s %9s %10s %7s\n", "phase", "requests", "req/s", "p50 us",
                "p99 us", "p999 us", "cpu us/req", "errors");
    for (const auto& name : run.order) {
        const Accumulated& a = run.phases.at(name);
        double cpu = a.daemonCpu >= 0 && a.requests ? a.daemonCpu * 1e6 / a.requests : -1;
        std::printf("  %-22s %10llu %12.0f %9.1f %9.1f %9.1f %10.1f %7llu\n", name.c_str(),
                    static_cast<unsigned long long>(a.requests), a.throughput(),
                    percentileUs(a.latencyNs, 0.50), percentileUs(a.latencyNs, 0.99),
                    percentileUs(a.latencyNs, 0.999), cpu,
                    static_cast<unsigned long long>(a.unexpected));
        if (!a.firstUnexpected.empty()) {
            std::printf("      first unexpected reply: %.300s\n", a.firstUnexpected.c_str());
        }
    }
    const auto ping = run.phases.find("ping");
    if (ping == run.phases.end() || ping->second.requests == 0) return;
    double p50 = percentileUs(ping->second.latencyNs, 0.5);
    double p99 = percentileUs(ping->second.latencyNs, 0.99);
    if (auto fl = run.phases.find("floor"); fl != run.phases.end() && fl->second.requests) {
        std::printf("  %-22s p50 %.2fx floor, p99 %.2fx floor, throughput %.0f%% of floor\n",
                    "ping", p50 / percentileUs(fl->second.latencyNs, 0.5),
                    p99 / percentileUs(fl->second.latencyNs, 0.99),
                    100.0 * ping->second.throughput() / fl->second.throughput());
    }
    for (const auto& name : run.order) {
        if (name == "ping" || name == "floor" || name.rfind("mix", 0) == 0) continue;
        const Accumulated& a = run.phases.at(name);
        std::printf("  %-22s p50 %.2fx ping, p99 %.2fx ping, throughput %.0f%% of ping\n",
                    name.c_str(), percentileUs(a.latencyNs, 0.5) / p50,
                    percentileUs(a.latencyNs, 0.99) / p99,
                    100.0 * a.throughput() / ping->second.throughput());
    }
}

int run(const CliArgs& args) {
    std::vector<size_t> counts;
    for (const auto& c : args.list("connections", "1,64,1000")) counts.push_back(std::stoul(c));
    std::vector<std::string> opNames = args.list("ops", "ping,find,insert");
    if (std::find(opNames.begin(), opNames.end(), "ping") == opNames.end()) {
        opNames.insert(opNames.begin(), "ping");  // the floor is always measured
    }
    std::vector<Operation> singles;
    bool withMix = false;
    for (const auto& name : opNames) {
        if (name == "mix") {
            withMix = true;
        } else {
            singles.push_back(needOperation(name));
        }
    }
    std::vector<Operation> mix;
    std::vector<unsigned> weights;
    for (const auto& item : args.list("mix", "ping:1,find:1,insert:1")) {
        auto colon = item.find(':');
        mix.push_back(needOperation(item.substr(0, colon)));
        weights.push_back(colon == std::string::npos ? 1 : std::stoul(item.substr(colon + 1)));
    }
    const auto requests = static_cast<uint64_t>(args.num("requests", 20000));
    const auto rounds = static_cast<int>(args.num("rounds", 3));
    const auto threads = static_cast<size_t>(args.num("threads", 1));
    const auto warmup = static_cast<uint64_t>(args.num("warmup", 2000));

    // Sockets: ours, plus (when we start it) the daemon's, which inherits this limit.
    size_t maxCount = counts.empty() ? 0 : *std::max_element(counts.begin(), counts.end());
    const uint64_t fdLimit = raiseFileLimit(maxCount + 256);

    // Before any thread exists (the daemon launcher starts one): the responder is forked.
    std::unique_ptr<FloorServer> floor;
    if (args.num("floor", 1) != 0) floor = std::make_unique<FloorServer>();

    Endpoint endpoint;
    std::unique_ptr<Daemon> daemon;
    std::string endpointText;
    if (args.has("port")) {
        endpoint.host = args.str("host", "127.0.0.1");
        endpoint.port = static_cast<int>(args.num("port", 0));
        endpointText = endpoint.host + ":" + std::to_string(endpoint.port);
    } else if (args.has("unix")) {
        endpoint.unixPath = args.str("unix", "");
        endpointText = endpoint.unixPath;
    } else {
        std::string binary = args.str("daemon", defaultDaemonBinary());
        daemon = std::make_unique<Daemon>(binary);
        daemon->waitReady();
        endpoint.port = daemon->port();
        endpointText = "127.0.0.1:" + std::to_string(endpoint.port) + " (started " + binary + ")";
    }
    std::printf(
        "loadgen: %s, %d round(s) of %llu requests per phase, %zu client thread(s), "
        "fd limit %llu\n",
        endpointText.c_str(), rounds, static_cast<unsigned long long>(requests), threads,
        static_cast<unsigned long long>(fdLimit));

    auto cpuNow = [&] { return daemon ? cpuSeconds(daemon->pid()) : -1.0; };
    std::vector<Run> runs;
    bool failed = false;
    for (size_t count : counts) {
        Run run;
        run.connections = count;
        const size_t fdsNeeded = (floor ? 2 : 1) * count + 64;
        if (fdsNeeded > fdLimit) {
            run.status = "skipped";
            run.reason = std::to_string(count) + " connections need about " +
                         std::to_string(fdsNeeded) + " file descriptors but RLIMIT_NOFILE is " +
                         std::to_string(fdLimit) + " (raise the hard limit: ulimit -Hn)";
            printRun(run);
            runs.push_back(std::move(run));
            continue;
        }
        try {
            LoadEngine engine(endpoint, count, threads);
            std::unique_ptr<LoadEngine> floorEngine;
            if (floor) {
                floorEngine = std::make_unique<LoadEngine>(Endpoint{"127.0.0.1", floor->port(), ""},
                                                           count, threads);
            }
            const Operation ping = needOperation("ping");
            uint64_t total = std::max<uint64_t>(requests, 10 * count);
            std::vector<Operation> all = singles;
            all.insert(all.end(), mix.begin(), mix.end());
            engine.run(all, {}, std::max<uint64_t>(warmup, 2 * count));
            if (floorEngine) floorEngine->run({ping}, {1}, std::max<uint64_t>(warmup, 2 * count));
            for (int r = 0; r < rounds; ++r) {
                if (floorEngine) {
                    PhaseResult res = floorEngine->run({ping}, {1}, total);
                    if (!run.phases.count("floor")) run.order.push_back("floor");
                    run.phases["floor"].add(res.ops[0], res.seconds, -1);
                }
                for (const auto& op : singles) {
                    double cpu0 = cpuNow();
                    PhaseResult res = engine.run({op}, {1}, total);
                    double cpu = cpu0 >= 0 ? cpuNow() - cpu0 : -1;
                    if (!run.phases.count(op.name)) run.order.push_back(op.name);
                    run.phases[op.name].add(res.ops[0], res.seconds, cpu);
                }
                if (withMix) {
                    PhaseResult res = engine.run(mix, weights, total);
                    for (const auto& s : res.ops) {
                        std::string name = "mix:" + s.name;
                        if (!run.phases.count(name)) run.order.push_back(name);
                        // Each operation of a mix is charged the whole phase's time and CPU:
                        // its throughput is its share of the mixed stream.
                        run.phases[name].add(s, res.seconds, -1);
                    }
                }
            }
            for (const auto& [name, a] : run.phases) {
                if (a.unexpected > 0) {
                    run.status = "unexpected replies";
                    failed = true;
                }
            }
        } catch (const std::exception& e) {
            run.status = "failed";
            run.reason = e.what();
            failed = true;
        }
        printRun(run);
        runs.push_back(std::move(run));
    }
    if (args.has("json")) writeJson(args.str("json", ""), runs, args, endpointText, fdLimit);
    if (daemon) {
        int code = daemon->stop();
        if (code != 0) {
            std::printf("daemon exited with code %d\n", code);
            failed = true;
        }
    }
    return failed ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        CliArgs args(argc, argv,
                     {"port", "host", "unix", "daemon", "connections", "ops", "requests", "rounds",
                      "mix", "threads", "warmup", "floor", "json"});
        if (args.has("help")) {
            usage();
            return 0;
        }
        return run(args);
    } catch (const std::invalid_argument& e) {
        std::fprintf(stderr, "loadgen: %s\n", e.what());
        usage();
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "loadgen: %s\n", e.what());
        return 1;
    }
}
