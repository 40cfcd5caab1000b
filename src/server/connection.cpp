#include "server/connection.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <memory>
#include <vector>

#include "server/wire_message.h"

namespace cryptd::server {

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
// The body is read in pieces, so memory grows with bytes actually received, not with the
// length a client claims.
constexpr size_t kReadChunk = 1 << 20;

// Registers the connection with the server for its lifetime (shutdown closes idle ones).
class Registration {
  public:
    Registration(ServerCore& core, int64_t id, ServerCore::Slot& slot) : core_(core), id_(id) {
        core_.connections.emplace(id, &slot);
        core_.stats.connectionOpened();
        core_.noteActivity();
    }
    ~Registration() {
        core_.connections.erase(id_);
        core_.stats.connectionClosed();
        core_.connectionEnded();
    }
    Registration(const Registration&) = delete;
    Registration& operator=(const Registration&) = delete;

  private:
    ServerCore& core_;
    int64_t id_;
};

// -v: one line per command, with its name and outcome only (never argument values: they may be
// the plaintext the client is about to encrypt).
void logCommand(Logger& logger, std::string_view connection, const wire::Request& request,
                bson::View reply, std::chrono::steady_clock::duration took) {
    if (!logger.enabled(Severity::kDebug1)) return;
    bson::View body = request.body.view();
    auto first = body.begin();
    std::string_view command = first == body.end() ? std::string_view() : (*first).key();
    log(logger, Severity::kDebug1, Component::kCommand, connection, 9100005, "Command",
        [&](bson::Builder& a) {
            a.appendUtf8("command", command.substr(0, 256));
            if (auto db = body.find("$db"); db && db->isString()) a.appendUtf8("db", db->utf8());
            a.appendUtf8("protocol",
                         request.protocol == wire::Protocol::kOpQuery ? "op_query" : "op_msg");
            auto ok = reply.find("ok");
            a.appendBool("ok", ok && ok->truthy());
            if (auto code = reply.find("code"); code && code->isNumber()) {
                a.appendInt32("errCode", static_cast<int32_t>(code->asInt64()));
            }
            a.appendInt64("durationMillis",
                          std::chrono::duration_cast<std::chrono::milliseconds>(took).count());
        });
}

// The per-message deadline's view of the connection (see serveConnection).
struct MessageWatch {
    // Null once the connection ended.
    asio::generic::stream_protocol::socket* socket = nullptr;
    bool armed = false;    // a message is being received
    bool expired = false;  // the deadline passed first: the read was cancelled
    std::string timeoutMessage(const ServerOptions& options) const {
        return "message not received completely within " +
               std::to_string(options.messageDeadline.count()) + " s";
    }
};

// Points the watch at the socket for the connection's lifetime.
class WatchHook {
  public:
    WatchHook(MessageWatch& watch, asio::generic::stream_protocol::socket& socket) : w_(watch) {
        w_.socket = &socket;
    }
    ~WatchHook() { w_.socket = nullptr; }
    WatchHook(const WatchHook&) = delete;
    WatchHook& operator=(const WatchHook&) = delete;

  private:
    MessageWatch& w_;
};

}  // namespace

asio::awaitable<void> serveConnection(ServerCore& core,
                                      asio::generic::stream_protocol::socket socket,
                                      std::string remote) {
    const int64_t id = core.nextConnectionId++;
    const std::string name = "conn" + std::to_string(id);
    ServerCore::Slot slot;
    slot.close = [&socket] {
        boost::system::error_code ignored;
        socket.shutdown(asio::socket_base::shutdown_both, ignored);
        socket.close(ignored);
    };
    Registration registration(core, id, slot);
    if (!core.logger.quiet()) {
        log(core.logger, Severity::kInfo, Component::kNetwork, "listener", 22943,
            "Connection accepted", [&](bson::Builder& a) {
                a.appendUtf8("remote", remote);
                a.appendInt64("connectionId", id);
                a.appendInt64("connectionCount", core.stats.currentConnections());
            });
    }

    CommandContext ctx{id,
                       name,
                       remote,
                       core.info,
                       core.options,
                       core.stats,
                       core.logger,
                       [&core](std::string_view reason) {
                           core.requestShutdown(StopCause::kRequested, std::string(reason));
                       }};
    std::vector<uint8_t> message;
    std::string closeReason = "client closed the connection";
    // Idle time between messages is fine (drivers keep pooled connections open), but once a
    // message has begun it must arrive whole within messageDeadline: a client trickling bytes
    // must not hold its connection and buffer forever. The timer's handler may run after this
    // frame is gone, so what it touches is shared and unhooked on the way out.
    auto watch = std::make_shared<MessageWatch>();
    WatchHook hook(*watch, socket);
    asio::steady_timer deadline(core.io);
    while (!core.stopping) {
        uint8_t header[wire::kHeaderSize];
        // The first byte starts the message (and its deadline).
        auto [first, one] = co_await asio::async_read(socket, asio::buffer(header, 1), kUseTuple);
        if (first) {
            if (first != asio::error::eof) closeReason = first.message();
            break;
        }
        watch->armed = true;
        deadline.expires_after(core.options.messageDeadline);
        deadline.async_wait([watch](const boost::system::error_code& tec) {
            if (tec || !watch->armed || watch->socket == nullptr) return;
            watch->expired = true;
            boost::system::error_code ignored;
            watch->socket->cancel(ignored);
        });
        auto [ec, n] = co_await asio::async_read(
            socket, asio::buffer(header + 1, wire::kHeaderSize - 1), kUseTuple);
        try {
            if (watch->expired) throw wire::FramingError(watch->timeoutMessage(core.options));
            if (ec) throw wire::FramingError("connection closed in the middle of a message");
            wire::Header h = wire::parseHeader(header);
            message.assign(header, header + wire::kHeaderSize);
            auto total = static_cast<size_t>(h.messageLength);
            while (message.size() < total) {
                size_t at = message.size();
                size_t chunk = std::min(total - at, kReadChunk);
                message.resize(at + chunk);
                auto [rec, rn] = co_await asio::async_read(
                    socket, asio::buffer(message.data() + at, chunk), kUseTuple);
                if (watch->expired) throw wire::FramingError(watch->timeoutMessage(core.options));
                if (rec) throw wire::FramingError("connection closed in the middle of a message");
            }
            watch->armed = false;
            deadline.cancel();
            wire::Request request = wire::parseRequest(message);
            message.clear();
            message.shrink_to_fit();
            slot.busy = true;
            core.noteActivity();
            const auto started = std::chrono::steady_clock::now();
            // Analysis is CPU work: run it on the pool so this thread keeps serving I/O.
            bson::Doc reply = co_await asio::co_spawn(
                core.pool,
                [&]() -> asio::awaitable<bson::Doc> {
                    co_return core.dispatcher.dispatch(request.body.view(), ctx);
                },
                asio::use_awaitable);
            logCommand(core.logger, name, request, reply.view(),
                       std::chrono::steady_clock::now() - started);
            if (!request.moreToCome) {
                auto bytes = wire::serializeReply(request, core.nextRequestId++, reply.view());
                auto [wec, wn] = co_await asio::async_write(socket, asio::buffer(bytes), kUseTuple);
                if (wec) {
                    closeReason = "write failed: " + wec.message();
                    break;
                }
            }
            slot.busy = false;
        } catch (const wire::FramingError& e) {
            watch->armed = false;
            closeReason = std::string("malformed message: ") + e.what();
            log(core.logger, Severity::kWarning, Component::kNetwork, name, 9100002,
                "Closing connection after a malformed message", [&](bson::Builder& a) {
                    a.appendUtf8("remote", remote);
                    a.appendUtf8("error", e.what());
                });
            break;
        }
    }
    if (core.stopping) closeReason = "server shutting down";
    slot.close();
    if (!core.logger.quiet()) {
        log(core.logger, Severity::kInfo, Component::kNetwork, name, 22944, "Connection ended",
            [&](bson::Builder& a) {
                a.appendUtf8("remote", remote);
                a.appendInt64("connectionId", id);
                a.appendInt64("connectionCount", core.stats.currentConnections() - 1);
                a.appendUtf8("reason", closeReason);
            });
    }
}

}  // namespace cryptd::server
