#pragma once
// Starts the daemon for the wire benchmarks and times its start precisely: the clock starts just
// before posix_spawn and stops when this thread reads the "Waiting for connections" line (log id
// 23016) from the daemon's stdout pipe. No reader thread sits between the pipe and the clock
// (tests/support/daemon_process.h has one, which is right for tests but blurs a 10 ms target).
//
// After readiness a background thread keeps draining stdout, so a daemon that logs every
// connection never blocks on a full pipe. Each Daemon owns a fresh private directory (pidfile,
// unix socket, stderr), removed on destruction; the destructor stops a running daemon.

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

namespace cryptd::bench {

// The mongocryptd built next to the benchmarks, or $CRYPTD_MONGOCRYPTD when set.
std::string defaultDaemonBinary();

class Daemon {
  public:
    using Clock = std::chrono::steady_clock;

    // Spawns `binary --port 0 --unixSocketPrefix <dir> --pidfilepath <dir>/p.pid <extraArgs>`.
    Daemon(const std::string& binary, const std::vector<std::string>& extraArgs = {});
    Daemon(const Daemon&) = delete;
    Daemon& operator=(const Daemon&) = delete;
    ~Daemon();

    // Blocks until log id 23016; returns the time since the spawn call. Throws std::runtime_error
    // (with the log so far) when the daemon exits or the timeout passes first.
    Clock::duration waitReady(std::chrono::milliseconds timeout = std::chrono::seconds(10));
    Clock::time_point spawnedAt() const { return spawnedAt_; }
    pid_t pid() const { return pid_; }
    int port() const { return port_; }
    const std::string& socketPath() const { return socketPath_; }

    // SIGTERM, wait (SIGKILL after the timeout); returns the exit code (128+signal if killed).
    int stop(std::chrono::milliseconds timeout = std::chrono::seconds(10));
    std::string logText() const;  // what was read from stdout before readiness, plus stderr

  private:
    void drain();

    std::string dir_;
    pid_t pid_ = -1;
    int stdout_ = -1;
    Clock::time_point spawnedAt_;
    int port_ = 0;
    std::string socketPath_;
    std::string log_;
    std::thread drainer_;
    std::atomic<bool> exited_{false};
    int exitCode_ = -1;
};

// Resident memory of a process, from /proc/<pid>/status (kB).
struct Rss {
    long totalKb = 0;  // VmRSS
    long anonKb = 0;   // RssAnon: heap, stacks, private data
    long fileKb = 0;   // RssFile: mapped binary and shared libraries
};
Rss readRss(pid_t pid);

// CPU time (user + system) a process has used so far, from /proc/<pid>/stat.
double cpuSeconds(pid_t pid);

}  // namespace cryptd::bench
