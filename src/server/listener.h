#pragma once
// The listening sockets: TCP on 127.0.0.1 (and ::1 with ipv6) and the unix socket
// <prefix>/mongocryptd.sock. Loopback only, like the real mongocryptd (it ignores --bind_ip).

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "server/server_core.h"

namespace cryptd::server {

// Binding failed (port in use, bad socket directory...). `code` is the errno-style value.
class ListenError : public std::runtime_error {
  public:
    ListenError(const std::string& what, std::string address)
        : std::runtime_error(what), address_(std::move(address)) {}
    const std::string& address() const { return address_; }

  private:
    std::string address_;
};

class Listeners {
  public:
    explicit Listeners(ServerCore& core) : core_(core) {}
    ~Listeners();

    // Binds everything the options ask for; throws ListenError.
    void bind();
    // Starts the accept loops (coroutines on the core's io_context).
    void start();
    // Stops accepting and removes the socket file (I/O thread, idempotent).
    void close();

    int port() const { return port_; }
    const std::string& socketPath() const { return socketPath_; }
    // "127.0.0.1", "::1", socket path: what was bound, in order, for "Listening on".
    const std::vector<std::string>& addresses() const { return addresses_; }

  private:
    void bindUnixSocket();

    ServerCore& core_;
    std::vector<std::unique_ptr<asio::ip::tcp::acceptor>> tcp_;
    std::unique_ptr<asio::local::stream_protocol::acceptor> unix_;
    int port_ = 0;
    std::string socketPath_;
    bool ownsSocketFile_ = false;
    std::vector<std::string> addresses_;
};

}  // namespace cryptd::server
