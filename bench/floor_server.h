#pragma once
// The physical floor of a request/reply round trip on this machine: a child process that answers
// every OP_MSG with {ok: 1.0} and does nothing else (one epoll thread, no parsing beyond the
// header, no allocation per request). loadgen measures it with the same client, connections and
// message as the daemon's `ping`, so `ping / floor` is what the daemon adds to a bare socket
// round trip (framing, dispatch, thread hand-offs, reply building).

#include <sys/types.h>

namespace cryptd::bench {

class FloorServer {
  public:
    FloorServer();  // forks the responder; throws std::runtime_error when it cannot start
    FloorServer(const FloorServer&) = delete;
    FloorServer& operator=(const FloorServer&) = delete;
    ~FloorServer();  // SIGTERM to the child, then reaps it

    int port() const { return port_; }
    pid_t pid() const { return pid_; }

  private:
    pid_t pid_ = -1;
    int port_ = 0;
};

}  // namespace cryptd::bench
