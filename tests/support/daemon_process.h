#pragma once
// Starts the built `mongocryptd` as a child process for integration and end-to-end tests.
//
//   cryptd::test::DaemonProcess d;                 // spawns: mongocryptd --port 0
//   ASSERT_TRUE(d.waitUntilReady()) << d.log();    //   --unixSocketPrefix <tmp> --pidfilepath
//   <tmp>/p.pid connect to 127.0.0.1:d.port() or d.socketPath() EXPECT_EQ(d.stop(), 0); // SIGTERM,
//   wait, exit code
//
// Each instance owns a fresh temporary directory (removed by the destructor) holding the pidfile
// and the unix socket. The daemon's stdout (its logv2 JSON log) is read by a background thread;
// readiness is log id 23016 "Waiting for connections" (attr.port, the real port even with
// `--port 0`), the socket path comes from id 23015 "Listening on" when its address is a path.
// The destructor kills a daemon still running (SIGKILL) so a failing test never leaks one.
//
// The binary is $CRYPTD_MONGOCRYPTD when set (e.g. to run the same tests against another
// mongocryptd), else <build>/src/app/mongocryptd.

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace cryptd::test {

class DaemonProcess {
  public:
    struct Options {
        // Extra arguments, appended after the standard ones.
        std::vector<std::string> args;
        // false: pass only `args` (no --port/--unixSocketPrefix/--pidfilepath of our own).
        bool standardArgs = true;
        // Use this directory instead of a fresh temporary one (not removed afterwards), e.g. to
        // start a second daemon on the same pidfile.
        std::string dir;
        // Binary to run; empty means defaultBinary().
        std::string binary;
    };

    DaemonProcess();  // standard arguments only
    explicit DaemonProcess(std::vector<std::string> extraArgs);
    explicit DaemonProcess(Options options);
    DaemonProcess(const DaemonProcess&) = delete;
    DaemonProcess& operator=(const DaemonProcess&) = delete;
    ~DaemonProcess();

    static std::string defaultBinary();

    // Blocks until log id 23016 appears (true) or the process exits / the timeout passes (false).
    bool waitUntilReady(std::chrono::milliseconds timeout = std::chrono::seconds(10));
    // Blocks until a log line with this id appears; returns the raw JSON line.
    std::optional<std::string> waitForLog(
        int id, std::chrono::milliseconds timeout = std::chrono::seconds(10));
    // Blocks until the process exits; its exit code (128 + signal when killed by a signal), or
    // nullopt on timeout (the process is left running).
    std::optional<int> waitForExit(std::chrono::milliseconds timeout = std::chrono::seconds(10));
    // SIGTERM, then waits; on timeout SIGKILL and returns -1. Returns the exit code.
    int stop(std::chrono::milliseconds timeout = std::chrono::seconds(10));
    // Sends a signal without waiting.
    void signal(int sig);

    bool running();
    pid_t pid() const { return pid_; }
    int port() const;                // from 23016; 0 before readiness
    std::string socketPath() const;  // from 23015; empty when no unix socket was logged
    const std::string& dir() const { return dir_; }
    std::string pidFilePath() const { return dir_ + "/p.pid"; }
    std::vector<std::string> logLines() const;  // stdout lines so far
    std::string log() const;                    // stdout + stderr so far, for failure messages
    std::string stderrText() const;

  private:
    void spawn(const std::vector<std::string>& argv);
    void readStream(int fd, bool isStdout);
    void onLogLine(const std::string& line);
    bool reap(bool block);

    Options options_;
    std::string dir_;
    bool ownsDir_ = false;
    pid_t pid_ = -1;
    std::optional<int> exitCode_;
    std::thread stdoutReader_;
    std::thread stderrReader_;

    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<std::string> lines_;
    std::string stderr_;
    bool stdoutClosed_ = false;
    int port_ = 0;
    bool ready_ = false;
    std::string socketPath_;
};

}  // namespace cryptd::test
