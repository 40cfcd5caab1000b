#pragma once
// A blocking client socket for sending hand-made (and malformed) wire messages.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cryptd::test {

class RawSocket {
  public:
    static RawSocket tcp(int port);
    static RawSocket unixSocket(const std::string& path);
    RawSocket(RawSocket&& other) noexcept;
    RawSocket(const RawSocket&) = delete;
    ~RawSocket();

    bool send(const std::vector<uint8_t>& bytes);
    void shutdownWrite();
    // One whole reply message, or nullopt when the peer closed the connection (or timeout).
    std::optional<std::vector<uint8_t>> receive(
        std::chrono::milliseconds timeout = std::chrono::seconds(5));
    // True when the peer closes the connection (EOF or reset) within the timeout.
    bool closedByPeer(std::chrono::milliseconds timeout = std::chrono::seconds(5));

  private:
    explicit RawSocket(int fd) : fd_(fd) {}
    bool readExact(uint8_t* out, size_t n, std::chrono::steady_clock::time_point deadline);
    int fd_;
};

}  // namespace cryptd::test
