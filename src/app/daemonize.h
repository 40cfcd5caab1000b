#pragma once
// --fork: the parent waits until the child is listening, then exits 0 (or with the child's
// exit code if it failed to start), so "mongocryptd --fork && connect" never races.

namespace cryptd::app {

class Daemonizer {
  public:
    // Forks. Returns only in the child (now in its own session); the parent exits here.
    static Daemonizer fork();

    // The child is serving: release the parent and detach stdin/stdout/stderr.
    void ready();

  private:
    explicit Daemonizer(int fd) : fd_(fd) {}
    int fd_;
};

}  // namespace cryptd::app
