#pragma once
// Runs a helper program of the e2e tests (the fake mongod, the pymongo and node clients):
// stdout and stderr merged into one pipe read by a thread, stdin optionally kept open (closing
// it tells the fake mongod to exit). The destructor kills a child still running. The daemon
// itself is started with tests/support's DaemonProcess, not with this.

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace cryptd::e2e {

class ChildProcess {
  public:
    struct Options {
        std::vector<std::string> argv;  // argv[0] is a path (no PATH search)
        std::vector<std::string> env;   // extra "NAME=value" entries (override the inherited ones)
        bool keepStdinOpen = false;     // otherwise stdin is /dev/null
    };
    explicit ChildProcess(Options options);
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    // The next output line not yet returned by nextLine, or nullopt at EOF / timeout.
    std::optional<std::string> nextLine(std::chrono::milliseconds timeout);
    // Exit code (128 + signal when killed), or nullopt on timeout (the child keeps running).
    std::optional<int> wait(std::chrono::milliseconds timeout);
    void closeStdin();
    std::string output() const;  // everything printed so far
    pid_t pid() const { return pid_; }

  private:
    void readOutput(int fd);
    bool reap(bool block);

    pid_t pid_ = -1;
    int stdinFd_ = -1;
    std::optional<int> exitCode_;
    std::thread reader_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<std::string> lines_;
    std::string partial_;
    size_t consumed_ = 0;
    bool eof_ = false;
};

// A TCP port that was free a moment ago (bind to port 0, read it, close).
int freeTcpPort();

}  // namespace cryptd::e2e
