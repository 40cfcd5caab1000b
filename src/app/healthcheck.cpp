#include "app/healthcheck.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ostream>
#include <string>
#include <vector>

#include "common/bson.h"
#include "server/wire_message.h"

namespace cryptd::app {

namespace {

using Clock = std::chrono::steady_clock;

class Socket {
  public:
    Socket() : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) {}
    ~Socket() {
        if (fd_ >= 0) ::close(fd_);
    }
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;
    int fd() const { return fd_; }

  private:
    int fd_;
};

// Waits for `events` until the deadline; false on timeout or error.
bool waitFor(int fd, short events, Clock::time_point deadline) {
    while (true) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) return false;
        pollfd p{fd, events, 0};
        int rc = ::poll(&p, 1, static_cast<int>(left.count()));
        if (rc > 0) return (p.revents & (events | POLLHUP | POLLERR)) != 0;
        if (rc < 0 && errno != EINTR) return false;
    }
}

bool sendAll(int fd, const std::vector<uint8_t>& bytes, Clock::time_point deadline) {
    size_t sent = 0;
    while (sent < bytes.size()) {
        if (!waitFor(fd, POLLOUT, deadline)) return false;
        ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        if (n <= 0) return false;
        sent += static_cast<size_t>(n);
    }
    return true;
}

bool recvExactly(int fd, uint8_t* out, size_t len, Clock::time_point deadline) {
    size_t got = 0;
    while (got < len) {
        if (!waitFor(fd, POLLIN, deadline)) return false;
        ssize_t n = ::recv(fd, out + got, len - got, 0);
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        if (n <= 0) return false;
        got += static_cast<size_t>(n);
    }
    return true;
}

int unhealthy(std::ostream& out, int port, const std::string& why) {
    out << "mongocryptd on 127.0.0.1:" << port << " is not healthy: " << why << "\n";
    return 1;
}

}  // namespace

int runHealthcheck(int port, std::chrono::milliseconds timeout, std::ostream& out) {
    const auto deadline = Clock::now() + timeout;
    Socket sock;
    if (sock.fd() < 0) return unhealthy(out, port, std::strerror(errno));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(sock.fd(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 &&
        errno != EINPROGRESS) {
        return unhealthy(out, port, std::strerror(errno));
    }
    if (!waitFor(sock.fd(), POLLOUT, deadline)) return unhealthy(out, port, "connect timed out");
    int soError = 0;
    socklen_t len = sizeof soError;
    ::getsockopt(sock.fd(), SOL_SOCKET, SO_ERROR, &soError, &len);
    if (soError != 0) return unhealthy(out, port, std::strerror(soError));

    bson::Builder hello;
    hello.appendInt32("hello", 1).appendUtf8("$db", "admin");
    bson::Doc body = hello.finish();
    if (!sendAll(sock.fd(), server::wire::serializeOpMsg(1, 0, 0, body.view()), deadline)) {
        return unhealthy(out, port, "could not send hello");
    }

    uint8_t header[server::wire::kHeaderSize];
    if (!recvExactly(sock.fd(), header, sizeof header, deadline)) {
        return unhealthy(out, port, "no reply to hello");
    }
    int32_t length = 0, opCode = 0;
    std::memcpy(&length, header, 4);
    std::memcpy(&opCode, header + 12, 4);
    // An OP_MSG reply: header, 4 flag bytes, section kind 0, one document (at least 5 bytes).
    if (opCode != static_cast<int32_t>(server::wire::OpCode::kMsg) ||
        length < static_cast<int32_t>(server::wire::kHeaderSize + 4 + 1 + 5) ||
        length > server::wire::kMaxMessageSizeBytes) {
        return unhealthy(out, port, "the reply is not an OP_MSG");
    }
    std::vector<uint8_t> rest(static_cast<size_t>(length) - server::wire::kHeaderSize);
    if (!recvExactly(sock.fd(), rest.data(), rest.size(), deadline)) {
        return unhealthy(out, port, "truncated reply");
    }
    if (rest[4] != 0) return unhealthy(out, port, "unexpected reply section");
    const uint8_t* doc = rest.data() + 5;
    int32_t docLen = 0;
    std::memcpy(&docLen, doc, 4);
    if (docLen < 5 || static_cast<size_t>(docLen) > rest.size() - 5 ||
        !bson::isValid(doc, static_cast<size_t>(docLen))) {
        return unhealthy(out, port, "invalid BSON in the reply");
    }
    bson::View reply(doc, static_cast<uint32_t>(docLen));
    auto ok = reply.find("ok");
    if (!ok || !ok->isNumber() || ok->asDouble() != 1.0) {
        return unhealthy(out, port, "hello failed: " + reply.toJson());
    }
    auto cryptd = reply.find("iscryptd");
    if (!cryptd || !cryptd->isBool() || !cryptd->boolean()) {
        return unhealthy(out, port, "the server there is not a mongocryptd (no iscryptd: true)");
    }
    out << "mongocryptd on 127.0.0.1:" << port << " is healthy\n";
    return 0;
}

}  // namespace cryptd::app
