#include "floor_server.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/bson.h"
#include "wire_client.h"

namespace cryptd::bench {

namespace {

struct Peer {
    int fd = -1;
    std::vector<uint8_t> in;
    size_t have = 0;
};

int32_t getInt32(const uint8_t* at) {
    uint32_t u = 0;
    for (int i = 0; i < 4; ++i) u |= static_cast<uint32_t>(at[i]) << (8 * i);
    return static_cast<int32_t>(u);
}

// Reads what is there; answers each complete message. False when the peer is gone.
bool serve(Peer& p, std::vector<uint8_t>& reply) {
    for (;;) {
        if (p.in.size() - p.have < 4096) p.in.resize(p.in.size() * 2);
        ssize_t n = ::recv(p.fd, p.in.data() + p.have, p.in.size() - p.have, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return true;
        if (n <= 0) return false;
        p.have += static_cast<size_t>(n);
        size_t at = 0;
        while (p.have - at >= kHeaderBytes) {
            auto len = static_cast<size_t>(getInt32(p.in.data() + at));
            if (len < kHeaderBytes || len > (64u << 20)) return false;
            if (p.have - at < len) break;
            setRequestId(reply, 0);
            int32_t requestId = getInt32(p.in.data() + at + 4);
            for (int i = 0; i < 4; ++i) {
                reply[8 + static_cast<size_t>(i)] =
                    static_cast<uint8_t>(static_cast<uint32_t>(requestId) >> (8 * i));
            }
            if (::send(p.fd, reply.data(), reply.size(), MSG_NOSIGNAL) !=
                static_cast<ssize_t>(reply.size())) {
                return false;  // a reply this small always fits an empty socket buffer
            }
            at += len;
        }
        std::memmove(p.in.data(), p.in.data() + at, p.have - at);
        p.have -= at;
    }
}

[[noreturn]] void runChild(int listener, int portPipe) {
    sockaddr_in addr{};
    socklen_t addrLen = sizeof addr;
    ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &addrLen);
    int port = ntohs(addr.sin_port);
    if (::write(portPipe, &port, sizeof port) != sizeof port) _exit(1);
    ::close(portPipe);

    bson::Builder ok;
    ok.appendDouble("ok", 1.0);
    bson::Doc body = ok.finish();
    std::vector<uint8_t> reply = encodeOpMsg(body.view(), 0);

    int ep = epoll_create1(EPOLL_CLOEXEC);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = listener;
    epoll_ctl(ep, EPOLL_CTL_ADD, listener, &ev);
    std::vector<Peer> peers;
    std::vector<epoll_event> events(256);
    for (;;) {
        int n = epoll_wait(ep, events.data(), static_cast<int>(events.size()), -1);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) _exit(1);
        for (int i = 0; i < n; ++i) {
            int fd = events[static_cast<size_t>(i)].data.fd;
            if (fd == listener) {
                int c = ::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
                if (c < 0) continue;
                int one = 1;
                ::setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                if (static_cast<size_t>(c) >= peers.size())
                    peers.resize(static_cast<size_t>(c) + 1);
                peers[static_cast<size_t>(c)] = Peer{c, std::vector<uint8_t>(64 * 1024), 0};
                epoll_event pev{};
                pev.events = EPOLLIN;
                pev.data.fd = c;
                epoll_ctl(ep, EPOLL_CTL_ADD, c, &pev);
            } else if (!serve(peers[static_cast<size_t>(fd)], reply)) {
                epoll_ctl(ep, EPOLL_CTL_DEL, fd, nullptr);
                ::close(fd);
                peers[static_cast<size_t>(fd)] = Peer{};
            }
        }
    }
}

}  // namespace

FloorServer::FloorServer() {
    int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (listener < 0) throw std::runtime_error(std::string("socket: ") + strerror(errno));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listener, SOMAXCONN) != 0) {
        std::string error = strerror(errno);
        ::close(listener);
        throw std::runtime_error("floor server: " + error);
    }
    int pipeFds[2];
    if (::pipe2(pipeFds, O_CLOEXEC) != 0) {
        ::close(listener);
        throw std::runtime_error(std::string("pipe: ") + strerror(errno));
    }
    pid_ = ::fork();
    if (pid_ == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the benchmark that started it
        ::close(pipeFds[0]);
        runChild(listener, pipeFds[1]);
    }
    ::close(listener);
    ::close(pipeFds[1]);
    int port = 0;
    ssize_t got = pid_ > 0 ? ::read(pipeFds[0], &port, sizeof port) : -1;
    ::close(pipeFds[0]);
    if (got != sizeof port) {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
        throw std::runtime_error("floor server did not start");
    }
    port_ = port;
}

FloorServer::~FloorServer() {
    if (pid_ > 0) {
        ::kill(pid_, SIGTERM);
        ::waitpid(pid_, nullptr, 0);
    }
}

}  // namespace cryptd::bench
