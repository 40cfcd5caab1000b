#include "wire_client.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace cryptd::bench {

namespace {

// Refuse absurd lengths before allocating (the server's own limit is 48 MB).
constexpr size_t kMaxMessage = 64u << 20;

void putInt32(uint8_t* at, int32_t v) {
    auto u = static_cast<uint32_t>(v);
    for (int i = 0; i < 4; ++i) at[i] = static_cast<uint8_t>(u >> (8 * i));
}

int32_t getInt32(const uint8_t* at) {
    uint32_t u = 0;
    for (int i = 0; i < 4; ++i) u |= static_cast<uint32_t>(at[i]) << (8 * i);
    return static_cast<int32_t>(u);
}

std::string errnoText(const std::string& what) {
    return what + ": " + std::strerror(errno);
}

// A daemon that accepted nothing (e.g. out of file descriptors) must not hang a blocking client.
constexpr int kBlockingTimeoutSeconds = 30;

void setTimeouts(int fd) {
    timeval tv{kBlockingTimeoutSeconds, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

void writeAll(int fd, const uint8_t* data, size_t len) {
    while (len > 0) {
        ssize_t n = ::send(fd, data, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            throw WireError("send timed out after " + std::to_string(kBlockingTimeoutSeconds) +
                            " s");
        }
        if (n <= 0) throw WireError(errnoText("send"));
        data += n;
        len -= static_cast<size_t>(n);
    }
}

void readAll(int fd, uint8_t* data, size_t len) {
    while (len > 0) {
        ssize_t n = ::recv(fd, data, len, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n == 0) throw WireError("connection closed by the server");
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            throw WireError("no reply within " + std::to_string(kBlockingTimeoutSeconds) + " s");
        }
        if (n < 0) throw WireError(errnoText("recv"));
        data += n;
        len -= static_cast<size_t>(n);
    }
}

}  // namespace

std::vector<uint8_t> encodeOpMsg(bson::View command, int32_t requestId) {
    const size_t total = kHeaderBytes + 4 + 1 + command.size();
    std::vector<uint8_t> out(total);
    putInt32(out.data(), static_cast<int32_t>(total));
    putInt32(out.data() + 4, requestId);
    putInt32(out.data() + 8, 0);
    putInt32(out.data() + 12, kOpMsg);
    putInt32(out.data() + 16, 0);  // flagBits
    out[20] = 0;                   // section kind 0: the body
    std::memcpy(out.data() + 21, command.data(), command.size());
    return out;
}

void setRequestId(std::vector<uint8_t>& message, int32_t requestId) {
    putInt32(message.data() + 4, requestId);
}

size_t messageLength(const uint8_t* header) {
    int32_t len = getInt32(header);
    if (len < static_cast<int32_t>(kHeaderBytes) + 5 || static_cast<size_t>(len) > kMaxMessage) {
        throw WireError("reply with an invalid messageLength " + std::to_string(len));
    }
    return static_cast<size_t>(len);
}

bson::View decodeReply(const uint8_t* data, size_t len, int32_t expectedResponseTo) {
    if (len < kHeaderBytes + 5 || messageLength(data) != len) throw WireError("truncated reply");
    if (getInt32(data + 12) != kOpMsg) {
        throw WireError("reply opCode " + std::to_string(getInt32(data + 12)) + ", not OP_MSG");
    }
    if (getInt32(data + 8) != expectedResponseTo) {
        throw WireError("reply responseTo " + std::to_string(getInt32(data + 8)) + ", expected " +
                        std::to_string(expectedResponseTo));
    }
    auto flags = static_cast<uint32_t>(getInt32(data + 16));
    size_t end = len - ((flags & 1u) ? 4 : 0);  // checksumPresent: CRC-32C trails the sections
    size_t at = kHeaderBytes + 4;
    if (at + 5 > end || data[at] != 0) throw WireError("reply without a kind-0 body section");
    ++at;
    auto bodyLen = static_cast<size_t>(getInt32(data + at));
    if (bodyLen < 5 || at + bodyLen > end || data[at + bodyLen - 1] != 0) {
        throw WireError("reply body length does not fit the message");
    }
    return {data + at, static_cast<uint32_t>(bodyLen)};
}

bool replyOk(bson::View body) {
    auto ok = body.find("ok");
    return ok && ok->isNumber() && ok->asDouble() == 1.0;
}

int connectTcp(const std::string& host, int port) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    std::string service = std::to_string(port);
    if (int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0) {
        throw WireError("resolve " + host + ": " + gai_strerror(rc));
    }
    std::string lastError = "no address for " + host;
    for (addrinfo* a = found; a; a = a->ai_next) {
        int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) {
            lastError = errnoText("socket");
            continue;
        }
        if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
            int one = 1;
            ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            setTimeouts(fd);
            freeaddrinfo(found);
            return fd;
        }
        lastError = errnoText("connect " + host + ":" + service);
        ::close(fd);
    }
    freeaddrinfo(found);
    throw WireError(lastError);
}

int connectUnix(const std::string& path) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof addr.sun_path) throw WireError("socket path too long: " + path);
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw WireError(errnoText("socket"));
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        std::string error = errnoText("connect " + path);
        ::close(fd);
        throw WireError(error);
    }
    setTimeouts(fd);
    return fd;
}

BlockingClient::~BlockingClient() {
    if (fd_ >= 0) ::close(fd_);
}

bson::View BlockingClient::run(bson::View command) {
    int32_t id = nextRequestId_++;
    return send(encodeOpMsg(command, id), id);
}

bson::View BlockingClient::send(const std::vector<uint8_t>& message, int32_t requestId) {
    writeAll(fd_, message.data(), message.size());
    reply_.resize(kHeaderBytes);
    readAll(fd_, reply_.data(), kHeaderBytes);
    size_t len = messageLength(reply_.data());
    reply_.resize(len);
    readAll(fd_, reply_.data() + kHeaderBytes, len - kHeaderBytes);
    return decodeReply(reply_.data(), len, requestId);
}

}  // namespace cryptd::bench
