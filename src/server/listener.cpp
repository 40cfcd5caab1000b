#include "server/listener.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cerrno>
#include <cstring>

#include "server/connection.h"

namespace cryptd::server {

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

std::string remoteOf(const asio::ip::tcp::socket& s) {
    boost::system::error_code ec;
    auto ep = s.remote_endpoint(ec);
    if (ec) return "unknown";
    std::string addr = ep.address().to_string();
    if (ep.address().is_v6()) addr = "[" + addr + "]";
    return addr + ":" + std::to_string(ep.port());
}

std::string remoteOf(const asio::local::stream_protocol::socket&) {
    return "anonymous unix socket";
}

void tune(asio::ip::tcp::socket& s) {
    boost::system::error_code ignored;
    s.set_option(asio::ip::tcp::no_delay(true), ignored);  // one small reply per request
}
void tune(asio::local::stream_protocol::socket&) {}

template <typename Acceptor>
asio::awaitable<void> acceptLoop(ServerCore& core, Acceptor& acceptor) {
    for (;;) {
        auto [ec, socket] = co_await acceptor.async_accept(kUseTuple);
        if (core.stopping || ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
        if (ec) {
            // Usually out of file descriptors: say so, pause, and keep serving who is connected.
            log(core.logger, Severity::kWarning, Component::kNetwork, "listener", 9100003,
                "Error accepting new connection",
                [&](bson::Builder& a) { a.appendUtf8("error", ec.message()); });
            asio::steady_timer pause(core.io, std::chrono::milliseconds(100));
            co_await pause.async_wait(kUseTuple);
            continue;
        }
        if (core.stats.currentConnections() >= core.options.maxConns) {
            core.stats.connectionRejected();
            log(core.logger, Severity::kInfo, Component::kNetwork, "listener", 22942,
                "Connection refused because there are too many open connections",
                [&](bson::Builder& a) {
                    a.appendUtf8("remote", remoteOf(socket));
                    a.appendInt64("connectionCount", core.stats.currentConnections());
                });
            continue;  // the socket closes as it goes out of scope
        }
        tune(socket);
        std::string remote = remoteOf(socket);
        // Spread connections over the I/O threads: the socket moves to the chosen context.
        asio::io_context& context = core.nextConnectionContext();
        asio::generic::stream_protocol::socket moved(context);
        if (&context == &core.io) {
            moved = asio::generic::stream_protocol::socket(std::move(socket));
        } else {
            boost::system::error_code mec;
            auto local = socket.local_endpoint(mec);
            if (!mec) {
                auto fd = socket.release(mec);
                if (!mec) {
                    moved.assign(asio::generic::stream_protocol(local.protocol()), fd, mec);
                    if (mec) ::close(fd);
                }
            }
            if (mec) {
                log(core.logger, Severity::kWarning, Component::kNetwork, "listener", 9100003,
                    "Error accepting new connection",
                    [&](bson::Builder& a) { a.appendUtf8("error", mec.message()); });
                continue;
            }
        }
        // Counted from here (not when the coroutine starts on its thread), so --maxConns holds
        // exactly; the connection's end counts it out.
        core.stats.connectionOpened();
        asio::co_spawn(context, serveConnection(core, std::move(moved), std::move(remote)),
                       asio::detached);
    }
}

// True when something accepts connections on `path` (another live daemon).
bool socketIsLive(const std::string& path) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    bool live = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return live;
}

}  // namespace

Listeners::~Listeners() {
    if (ownsSocketFile_) ::unlink(socketPath_.c_str());
}

void Listeners::bind() {
    using asio::ip::tcp;
    std::vector<asio::ip::address> hosts{asio::ip::make_address("127.0.0.1")};
    if (core_.options.ipv6) hosts.push_back(asio::ip::make_address("::1"));
    int port = core_.options.port;
    for (const auto& host : hosts) {
        auto acceptor = std::make_unique<tcp::acceptor>(core_.io);
        tcp::endpoint ep(host, static_cast<unsigned short>(port));
        std::string where = (host.is_v6() ? "[" + host.to_string() + "]" : host.to_string()) + ":" +
                            std::to_string(port);
        boost::system::error_code ec;
        acceptor->open(ep.protocol(), ec);
        if (!ec) acceptor->set_option(tcp::acceptor::reuse_address(true), ec);
        if (!ec && host.is_v6()) acceptor->set_option(asio::ip::v6_only(true), ec);
        if (!ec) acceptor->bind(ep, ec);
        if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
        if (ec) throw ListenError(ec.message(), where);
        // With --port 0 the first bind picks the port; ::1 then takes the same one.
        port = acceptor->local_endpoint().port();
        addresses_.push_back(host.to_string());
        tcp_.push_back(std::move(acceptor));
    }
    port_ = port;
    if (core_.options.unixSocket) bindUnixSocket();
}

void Listeners::bindUnixSocket() {
    std::string path = core_.options.unixSocketPrefix + "/mongocryptd.sock";
    if (path.size() >= sizeof(sockaddr_un::sun_path)) {
        throw ListenError("unix socket path is too long", path);
    }
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0) {
        // A file left by a daemon that died is replaced; one a live daemon serves is not stolen.
        if (S_ISSOCK(st.st_mode) && socketIsLive(path)) {
            throw ListenError("Address already in use", path);
        }
        if (!S_ISSOCK(st.st_mode))
            throw ListenError("a file that is not a socket exists there", path);
        ::unlink(path.c_str());
    }
    auto acceptor = std::make_unique<asio::local::stream_protocol::acceptor>(core_.io);
    asio::local::stream_protocol::endpoint ep(path);
    boost::system::error_code ec;
    acceptor->open(ep.protocol(), ec);
    if (!ec) acceptor->bind(ep, ec);
    if (ec) throw ListenError(ec.message(), path);
    socketPath_ = path;
    ownsSocketFile_ = true;
    if (::chmod(path.c_str(), core_.options.filePermissions) != 0) {
        throw ListenError(std::string("cannot set socket permissions: ") + std::strerror(errno),
                          path);
    }
    acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) throw ListenError(ec.message(), path);
    addresses_.push_back(path);
    unix_ = std::move(acceptor);
}

void Listeners::start() {
    for (auto& a : tcp_) asio::co_spawn(core_.io, acceptLoop(core_, *a), asio::detached);
    if (unix_) asio::co_spawn(core_.io, acceptLoop(core_, *unix_), asio::detached);
}

void Listeners::close() {
    boost::system::error_code ignored;
    for (auto& a : tcp_) a->close(ignored);
    if (unix_) unix_->close(ignored);
    if (ownsSocketFile_) {
        ::unlink(socketPath_.c_str());
        ownsSocketFile_ = false;
    }
}

}  // namespace cryptd::server
