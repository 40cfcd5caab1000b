#!/usr/bin/env python3
"""Runs every benchmark, prints the performance targets with PASS/MISS, writes one JSON file.

    python3 bench/run_benchmarks.py --build build-bench --out build/bench-results.json

`make bench` calls this after building (Release) in $(BENCH_BUILD). Only the standard library is
used. Each tool writes its own JSON next to the binaries (<build>/bench-out/); this script reads
them, computes the ratios the issue asks for and records the machine load before and after, since
two cores are shared with compilers.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time


def load_average():
    with open("/proc/loadavg") as f:
        return [float(x) for x in f.read().split()[:3]]


def run(cmd, log):
    print("$ " + " ".join(cmd), flush=True)
    log.append(" ".join(cmd))
    started = time.monotonic()
    proc = subprocess.run(cmd)
    return proc.returncode, time.monotonic() - started


def read_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def engine_medians(data):
    """name -> median CPU time in microseconds (or the single run's). The engine is
    single-threaded and in-process, so CPU time is its cost even while other processes share the
    cores (wall time would include their time slices)."""
    out = {}
    if not data:
        return out
    scale = {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}
    for b in data.get("benchmarks", []):
        if b.get("run_type") == "aggregate" and b.get("aggregate_name") != "median":
            continue
        name = b.get("run_name", b["name"])
        if "cpu_time" not in b:
            continue
        value = b["cpu_time"] * scale.get(b.get("time_unit", "ns"), 1e-3)
        if b.get("run_type") == "aggregate" or name not in out:
            out[name] = value
    return out


def loadgen_phase(data, connections, phase):
    if not data:
        return None
    for r in data.get("runs", []):
        if r["connections"] == connections and r.get("status") == "ok":
            return r["phases"].get(phase)
    return None


def loadgen_status(data, connections):
    if not data:
        return "loadgen produced no results"
    for r in data.get("runs", []):
        if r["connections"] == connections:
            return r.get("status", "?") + (": " + r["reason"] if r.get("reason") else "")
    return "not run"


class Targets:
    def __init__(self):
        self.rows = []

    def add(self, name, measured, goal, passed, detail=""):
        status = "n/a" if passed is None else ("PASS" if passed else "MISS")
        self.rows.append({"target": name, "measured": measured, "goal": goal, "status": status,
                          "detail": detail})

    def ratio(self, name, num, den, limit, fmt="{:.2f}x", goal=None, detail=""):
        if num is None or den is None or den == 0:
            self.add(name, "not measured", goal or ("<= " + fmt.format(limit)), None, detail)
            return
        value = num / den
        self.add(name, fmt.format(value), goal or ("<= " + fmt.format(limit)), value <= limit,
                 detail)


def evaluate(startup, engine, load, memory, memory_commands, shipped=None):
    t = Targets()
    # The shipped binary (static, `make static`): its start against the bare-spawn floor
    # (/bin/true) timed in the same run, and its idle memory.
    if shipped:
        h, floor = shipped["hello_ms"]["median"], shipped["floor_true_ms"]["median"]
        t.add("shipped (static) binary: spawn -> first hello / bare spawn",
              "%.2fx" % (h / floor), "<= 2x", h <= 2 * floor,
              "%.2f ms vs /bin/true %.2f ms; --version %.2f ms; median of %d runs" %
              (h, floor, shipped["floor_version_ms"]["median"], shipped["runs"]))
        rss = shipped["idle_rss_mib"]["median"]
        t.add("shipped (static) binary: idle RSS", "%.2f MiB" % rss, "<= 4 MiB", rss <= 4,
              "anon %.2f + file %.2f MiB" % (shipped["idle_rss_anon_mib"]["median"],
                                            shipped["idle_rss_file_mib"]["median"]))
    else:
        t.add("shipped (static) binary: spawn -> first hello / bare spawn", "not measured",
              "<= 2x", None, "no static build (make static)")
        t.add("shipped (static) binary: idle RSS", "not measured", "<= 4 MiB", None)
    if startup:
        r, h = startup["ready_ms"]["median"], startup["hello_ms"]["median"]
        runs = startup["runs"]
        t.add("start -> 'Waiting for connections' (log 23016)", "%.2f ms" % r, "<= 10 ms",
              r <= 10, "median of %d runs" % runs)
        t.add("start -> first hello answered", "%.2f ms" % h, "<= 10 ms", h <= 10,
              "median of %d runs" % runs)
    else:
        t.add("start -> 'Waiting for connections' (log 23016)", "not measured", "<= 10 ms", None)
        t.add("start -> first hello answered", "not measured", "<= 10 ms", None)

    ping1 = loadgen_phase(load, 1, "ping")
    floor1, floor64 = loadgen_phase(load, 1, "floor"), loadgen_phase(load, 64, "floor")
    if ping1 and floor1:
        t.add("(info) ping p50 / bare socket round trip p50, 1 connection",
              "%.2fx" % (ping1["p50_us"] / floor1["p50_us"]), "-", None,
              "%.1f us vs %.1f us (floor_server: answers {ok: 1}, nothing else)" %
              (ping1["p50_us"], floor1["p50_us"]))
    # The latency ratios are read from the interleaved stream (ping, find, insert, ping, ... on
    # one connection): each command is then measured under the same conditions as the ping it is
    # compared with. Separate phases, a few seconds apart, differ by up to +-10% between
    # themselves on this 2-vCPU VM (where the scheduler puts the client and the daemon, host
    # load), as much as the margin being measured; their ratios are shown as (info).
    mping1 = loadgen_phase(load, 1, "mix:ping")
    for op, label in (("find", "find, 20-field schema"), ("insert", "insert of one 1 KB doc")):
        m1 = loadgen_phase(load, 1, "mix:" + op)
        detail = "1 connection, interleaved" if m1 else loadgen_status(load, 1)
        for pct, limit in (("p50", 1.2), ("p99", 2.0)):
            key = pct + "_us"
            t.ratio("%s: %s / ping %s" % (label, pct, pct), m1 and m1[key],
                    mping1 and mping1[key], limit,
                    detail=detail + ("; %.1f us vs %.1f us" % (m1[key], mping1[key])
                                     if m1 and mping1 else ""))
        o1 = loadgen_phase(load, 1, op)
        if o1 and ping1:
            t.add("(info) %s: same from separate phases, p50 / p99" % label,
                  "%.2fx / %.2fx" % (o1["p50_us"] / ping1["p50_us"],
                                     o1["p99_us"] / ping1["p99_us"]), "-", None,
                  "p50 %.1f vs %.1f us, p99 %.1f vs %.1f us" % (
                      o1["p50_us"], ping1["p50_us"], o1["p99_us"], ping1["p99_us"]))
    ping64 = loadgen_phase(load, 64, "ping")
    if ping64 and floor64:
        t.add("(info) ping throughput at 64 connections / bare socket",
              "%.0f%%" % (100 * ping64["throughput"] / floor64["throughput"]), "-", None,
              "%.0f vs %.0f req/s" % (ping64["throughput"], floor64["throughput"]))
    for op in ("find", "insert"):
        o64 = loadgen_phase(load, 64, op)
        if o64 and ping64:
            share = o64["throughput"] / ping64["throughput"]
            t.add("%s throughput at 64 connections / ping" % op, "%.0f%%" % (100 * share),
                  ">= 80%", share >= 0.8,
                  "%.0f vs %.0f req/s" % (o64["throughput"], ping64["throughput"]))
        else:
            t.add("%s throughput at 64 connections / ping" % op, "not measured", ">= 80%", None,
                  loadgen_status(load, 64))

    t.ratio("find analysis, 10,000- / 10-field schema (schema cached)",
            engine.get("FindSchemaFields/10000"), engine.get("FindSchemaFields/10"), 1.5,
            detail="%.2f us vs %.2f us" % (engine.get("FindSchemaFields/10000", 0),
                                           engine.get("FindSchemaFields/10", 0)))
    front10 = engine.get("FindSchemaFieldsFrontDoor/10")
    front10k = engine.get("FindSchemaFieldsFrontDoor/10000")
    if front10 and front10k:
        t.add("(info) same through Analyzer::analyze (cache key check included)",
              "%.2fx" % (front10k / front10), "-", None,
              "%.2f us vs %.2f us" % (front10k, front10))

    if startup:
        rss = startup["idle_rss_mib"]["median"]
        t.add("idle RSS", "%.2f MiB" % rss, "<= 8 MiB", rss <= 8,
              "anon %.2f + file %.2f MiB" % (startup["idle_rss_anon_mib"]["median"],
                                            startup["idle_rss_file_mib"]["median"]))
    else:
        t.add("idle RSS", "not measured", "<= 8 MiB", None)
    if memory and memory.get("checkpoints"):
        first, last = memory["checkpoints"][0], memory["checkpoints"][-1]
        ratio = last["rss_kb"] / first["rss_kb"]
        t.add("RSS after %d / after %d mixed commands" % (last["commands"], first["commands"]),
              "%.3f" % ratio, "<= 1.10", ratio <= 1.10,
              "%.2f -> %.2f MiB%s" % (first["rss_kb"] / 1024, last["rss_kb"] / 1024,
                                      "" if last["commands"] >= 1000000 else
                                      "; target is 1M: BENCH_MEMORY_COMMANDS=1000000"))
    else:
        t.add("RSS after %d / after 10000 mixed commands" % memory_commands, "not measured",
              "<= 1.10", None)

    # Linear in size means a constant cost per added document. The time per document alone
    # would also carry the command's fixed cost (schema lookup, reply), which weighs on 10
    # documents and vanishes at 10,000; so the target compares the marginal costs between
    # consecutive sizes, and the per-document times are shown beside them.
    sizes = (10, 100, 1000, 10000)
    times = {n: engine.get("AnalyzeInsertDocs/%d" % n) for n in sizes}
    if all(times.values()):
        marginal = [(times[b] - times[a]) / (b - a) for a, b in zip(sizes, sizes[1:])]
        spread = max(marginal) / min(marginal) if min(marginal) > 0 else float("inf")
        t.add("insert analysis linear in size: cost per added doc, max/min over 10..10,000",
              "%.2fx" % spread, "<= 1.50x", spread <= 1.5,
              "per added doc %s us; per doc %s us (10/100/1,000/10,000)" % (
                  " / ".join("%.2f" % m for m in marginal),
                  " / ".join("%.2f" % (times[n] / n) for n in sizes)))
    else:
        t.add("insert analysis linear in size", "not measured", "<= 1.50x", None)
    return t


def print_table(rows):
    headers = ("target", "measured", "goal", "result")
    widths = [max(len(h), *(len(str(r[k])) for r in rows))
              for h, k in zip(headers, ("target", "measured", "goal", "status"))]
    line = "  ".join("%-*s" % (w, h) for w, h in zip(widths, headers))
    print(line)
    print("-" * len(line))
    for r in rows:
        print("  ".join("%-*s" % (w, r[k]) for w, k in
                        zip(widths, ("target", "measured", "goal", "status"))))
        if r["detail"]:
            print("      " + r["detail"])


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--build", default="build-bench", help="build directory with the binaries")
    p.add_argument("--out", default="build/bench-results.json")
    p.add_argument("--static-build", default="build-static",
                   help="build directory of the shipped static binary (make static)")
    p.add_argument("--startup-runs", type=int, default=50)
    p.add_argument("--min-time", default="0.2", help="--benchmark_min_time for engine_bench")
    p.add_argument("--repetitions", type=int, default=3)
    p.add_argument("--connections", default="1,64,1000")
    p.add_argument("--requests", type=int, default=12000, help="per loadgen phase")
    p.add_argument("--rounds", type=int, default=5,
                   help="phases alternate round by round: more, shorter rounds average out drift")
    p.add_argument("--memory-commands", type=int, default=200000,
                   help="the memory target is stated for 1000000")
    args = p.parse_args()

    b = os.path.abspath(args.build)
    out_dir = os.path.join(b, "bench-out")
    os.makedirs(out_dir, exist_ok=True)
    files = {k: os.path.join(out_dir, k + ".json") for k in ("startup", "startup_static",
                                                             "engine", "loadgen", "memory",
                                                             "hostile_cost")}
    for f in files.values():
        if os.path.exists(f):
            os.remove(f)
    load_before = load_average()
    if load_before[0] > 1.0:
        print("note: 1-minute load average is %.2f on %d CPUs; other work on this machine "
              "will show in the numbers" % (load_before[0], os.cpu_count() or 0), flush=True)
    commands, exits = [], {}
    started = time.time()
    exits["startup_bench"] = run([os.path.join(b, "bench/startup_bench"), "--runs",
                                  str(args.startup_runs), "--json", files["startup"]], commands)
    shipped_bin = os.path.join(os.path.abspath(args.static_build), "src/app/mongocryptd")
    if os.access(shipped_bin, os.X_OK):
        exits["startup_bench (static)"] = run(
            [os.path.join(b, "bench/startup_bench"), "--daemon", shipped_bin, "--runs",
             str(args.startup_runs), "--json", files["startup_static"]], commands)
    else:
        print("note: no %s: the shipped binary's targets are not measured" % shipped_bin)
    exits["engine_bench"] = run([os.path.join(b, "bench/engine_bench"),
                                 "--benchmark_min_time=" + args.min_time,
                                 "--benchmark_repetitions=%d" % args.repetitions,
                                 "--benchmark_display_aggregates_only=true",
                                 "--benchmark_out=" + files["engine"],
                                 "--benchmark_out_format=json"], commands)
    exits["loadgen"] = run([os.path.join(b, "bench/loadgen"), "--connections", args.connections,
                            "--ops", "ping,find,insert,mix", "--mix", "ping:1,find:1,insert:1",
                            "--requests", str(args.requests),
                            "--rounds", str(args.rounds), "--json", files["loadgen"]], commands)
    exits["memory_bench"] = run([os.path.join(b, "bench/memory_bench"), "--commands",
                                 str(args.memory_commands), "--json", files["memory"]], commands)
    # Cost per MB of hostile request shapes next to a legitimate one (SECURITY.md, "Cost").
    exits["hostile_cost"] = run([sys.executable,
                                 os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                              "hostile_cost.py"),
                                 "--daemon", os.path.join(b, "src/app/mongocryptd"),
                                 "--out", files["hostile_cost"]], commands)
    load_after = load_average()

    startup, engine_raw = read_json(files["startup"]), read_json(files["engine"])
    load, memory = read_json(files["loadgen"]), read_json(files["memory"])
    shipped = read_json(files["startup_static"])
    targets = evaluate(startup, engine_medians(engine_raw), load, memory, args.memory_commands,
                       shipped)
    hostile = read_json(files["hostile_cost"]) or []
    for row in hostile:
        targets.add("cost: " + row["shape"],
                    "%d ms CPU, +%.0f MB peak, hello %.1f ms" % (
                        row["cpu_ms"], row["peak_rss_growth_mb"], row["hello_worst_ms"]),
                    "<= 50 ms/MB + 20 ms CPU, <= 4x + 64 MB, hello <= 50 ms",
                    row["within_budget"],
                    "%.2f MB request, %d-byte reply%s" % (
                        row["request_mb"], row["reply_bytes"],
                        "" if row["ok"] else ", refused: " + row["errmsg"][:60]))

    print("\n== cryptd performance targets ==")
    print("machine: %d CPUs, load average %.2f before / %.2f after (1 min), %.0f s" %
          (os.cpu_count() or 0, load_before[0], load_after[0], time.time() - started))
    print_table(targets.rows)
    # hostile_cost exits 1 when a shape misses its budget: that is a MISS row, not a tool failure.
    failed_tools = {k: v[0] for k, v in exits.items() if v[0] not in (0, 1) or
                    (v[0] == 1 and k != "hostile_cost")}
    if failed_tools:
        print("tools that failed: " + ", ".join("%s (exit %d)" % kv for kv in failed_tools.items()))

    result = {
        "machine": {"cpus": os.cpu_count(), "kernel": platform.release(),
                    "load_before": load_before, "load_after": load_after},
        "commands": commands,
        "tool_exit_codes": {k: v[0] for k, v in exits.items()},
        "tool_seconds": {k: round(v[1], 1) for k, v in exits.items()},
        "targets": targets.rows,
        "engine_us": engine_medians(engine_raw),
        "startup": startup,
        "startup_static": shipped,
        "loadgen": load,
        "memory": memory,
        "hostile_cost": hostile,
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(result, f, indent=2)
        f.write("\n")
    print("results: " + os.path.abspath(args.out))
    return 1 if failed_tools else 0


if __name__ == "__main__":
    sys.exit(main())
