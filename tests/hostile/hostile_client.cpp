#include "hostile/hostile_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include "support/wire_builder.h"

namespace cryptd::test::hostile {

namespace {

using Clock = std::chrono::steady_clock;

int msLeft(Clock::time_point deadline) {
    auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
    return left < 0 ? 0 : static_cast<int>(left);
}

// Waits for `events` on fd; false on timeout.
bool waitFor(int fd, short events, Clock::time_point deadline) {
    for (;;) {
        pollfd p{fd, events, 0};
        int r = ::poll(&p, 1, msLeft(deadline));
        if (r < 0 && errno == EINTR) continue;
        return r > 0;
    }
}

int connectTcp(uint32_t address, int port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = address;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        int err = errno;
        ::close(fd);
        errno = err;
        return -1;
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

}  // namespace

Client Client::tcp(int port, int receiveBuffer) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    // SO_RCVBUF must be set before connecting to shrink the advertised window.
    if (receiveBuffer > 0) {
        ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receiveBuffer, sizeof receiveBuffer);
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        int err = errno;
        ::close(fd);
        throw std::runtime_error(std::string("connect: ") + std::strerror(err));
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return Client(fd);
}

Client Client::unixSocket(const std::string& path) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        int err = errno;
        ::close(fd);
        throw std::runtime_error(std::string("connect ") + path + ": " + std::strerror(err));
    }
    return Client(fd);
}

std::optional<Client> Client::tryTcp(const std::string& host, int port) {
    in_addr a{};
    if (::inet_pton(AF_INET, host.c_str(), &a) != 1) return std::nullopt;
    int fd = connectTcp(a.s_addr, port);
    if (fd < 0) return std::nullopt;
    return Client(fd);
}

Client::Client(Client&& other) noexcept : fd_(other.fd_) {
    other.fd_ = -1;
}

Client& Client::operator=(Client&& other) noexcept {
    if (this != &other) {
        close();
        fd_ = other.fd_;
        other.fd_ = -1;
    }
    return *this;
}

Client::~Client() {
    close();
}

void Client::close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

void Client::shutdownWrite() {
    ::shutdown(fd_, SHUT_WR);
}

void Client::reset() {
    linger l{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    close();
}

bool Client::send(std::span<const uint8_t> bytes, milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    size_t sent = 0;
    while (sent < bytes.size()) {
        ssize_t n =
            ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            sent += static_cast<size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (!waitFor(fd_, POLLOUT, deadline)) return false;
            continue;
        }
        return false;
    }
    return true;
}

bool Client::readExact(uint8_t* out, size_t n, Clock::time_point deadline) {
    size_t got = 0;
    while (got < n) {
        if (!waitFor(fd_, POLLIN, deadline)) return false;
        ssize_t k = ::recv(fd_, out + got, n - got, MSG_DONTWAIT);
        if (k < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (k <= 0) return false;
        got += static_cast<size_t>(k);
    }
    return true;
}

std::optional<std::vector<uint8_t>> Client::receive(milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    std::vector<uint8_t> msg(16);
    if (!readExact(msg.data(), 16, deadline)) return std::nullopt;
    int32_t len = wire::readInt32(msg, 0);
    // A reply larger than the protocol allows is itself a bug worth failing on.
    if (len < 16 || len > 64 * 1024 * 1024) return std::nullopt;
    msg.resize(static_cast<size_t>(len));
    if (!readExact(msg.data() + 16, msg.size() - 16, deadline)) return std::nullopt;
    return msg;
}

bool Client::closedByPeer(milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    uint8_t buf[65536];
    for (;;) {
        if (!waitFor(fd_, POLLIN, deadline)) return false;
        ssize_t k = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
        if (k == 0) return true;
        if (k < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (k < 0) return true;  // ECONNRESET and friends: closed as well
    }
}

std::optional<bson::Doc> replyBody(const std::vector<uint8_t>& message) {
    if (message.size() < 21) return std::nullopt;
    int32_t opCode = wire::readInt32(message, 12);
    size_t at = opCode == 1 ? 36 : 21;
    if (message.size() < at + 5) return std::nullopt;
    auto len = static_cast<size_t>(static_cast<uint32_t>(wire::readInt32(message, at)));
    if (len > message.size() - at || !bson::isValid(message.data() + at, len)) return std::nullopt;
    return bson::Doc::copyOf(message.data() + at, len);
}

bool helloWorks(int port, std::string* why, milliseconds timeout) {
    auto fail = [&](std::string reason) {
        if (why) *why = std::move(reason);
        return false;
    };
    try {
        Client c = Client::tcp(port);
        auto hello = wire::opMsg(4242, bson::Doc::fromJson(R"({"hello": 1, "$db": "admin"})"));
        if (!c.send(hello, timeout)) return fail("sending hello failed");
        auto reply = c.receive(timeout);
        if (!reply) return fail("no reply to hello");
        if (wire::readInt32(*reply, 8) != 4242) return fail("reply to the wrong request");
        auto body = replyBody(*reply);
        if (!body) return fail("hello reply is not a valid document");
        auto iscryptd = body->view().find("iscryptd");
        if (!iscryptd || !iscryptd->isBool() || !iscryptd->boolean()) {
            return fail("hello reply lacks iscryptd: " + body->toJson());
        }
        return true;
    } catch (const std::exception& e) {
        return fail(e.what());
    }
}

long residentKiB(int pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    }
    return 0;
}

}  // namespace cryptd::test::hostile
