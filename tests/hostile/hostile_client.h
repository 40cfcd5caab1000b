#pragma once
// A deliberately badly behaved client for hostile-input tests: it connects over TCP (loopback)
// or the unix socket, sends any bytes, trickles, never reads, resets, and checks how the daemon
// reacts. Every wait is bounded; sockets are close-on-exec so daemons started later do not
// inherit them.

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/bson.h"

namespace cryptd::test::hostile {

using std::chrono::milliseconds;

class Client {
  public:
    // Connects to 127.0.0.1:port. `receiveBuffer` > 0 shrinks SO_RCVBUF (a client that never
    // reads fills up sooner). Throws std::runtime_error when the connection fails.
    static Client tcp(int port, int receiveBuffer = 0);
    static Client unixSocket(const std::string& path);
    // Connects to host:port (IPv4 literal); nullopt when refused or unreachable.
    static std::optional<Client> tryTcp(const std::string& host, int port);

    Client(Client&& other) noexcept;
    Client& operator=(Client&& other) noexcept;
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;
    ~Client();

    int fd() const { return fd_; }
    // Sends every byte; false when the peer closed/reset or the timeout passed.
    bool send(std::span<const uint8_t> bytes, milliseconds timeout = milliseconds(5000));
    // One whole message (header included); nullopt on close, reset or timeout.
    std::optional<std::vector<uint8_t>> receive(milliseconds timeout = milliseconds(5000));
    // True when the peer ends the connection (EOF or reset) within the timeout; incoming bytes
    // are read and dropped meanwhile.
    bool closedByPeer(milliseconds timeout = milliseconds(5000));
    void shutdownWrite();
    // Closes with a TCP reset instead of a FIN (SO_LINGER 0).
    void reset();
    void close();

  private:
    explicit Client(int fd) : fd_(fd) {}
    bool readExact(uint8_t* out, size_t n, std::chrono::steady_clock::time_point deadline);
    int fd_ = -1;
};

// The reply body of an OP_MSG/OP_REPLY message, or nullopt when it is not one valid document.
std::optional<bson::Doc> replyBody(const std::vector<uint8_t>& message);

// A fresh TCP connection sends `hello` and gets `iscryptd: true` back within the timeout.
// On failure `why` says what went wrong.
bool helloWorks(int port, std::string* why = nullptr, milliseconds timeout = milliseconds(5000));

// Resident set size of a process in KiB (/proc/<pid>/status VmRSS), 0 when unknown.
long residentKiB(int pid);

}  // namespace cryptd::test::hostile
