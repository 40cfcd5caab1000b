#include "server/connection.h"

#include <array>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "schema/property_pattern.h"
#include "server/wire_message.h"

namespace cryptd::server {

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr size_t kReadChunk = 1 << 20;
// Messages up to this size are analyzed on the I/O thread (see answer()).
constexpr size_t kInlineDispatchBytes = 64 * 1024;
// patternProperties matching an inline command may do before it moves to the pool (about 3 ms at
// the automaton's slowest; schema::MatchBudget).
constexpr uint64_t kInlineMatchSteps = 1'000'000;

// Registers the connection with the server for its lifetime (shutdown closes idle ones).
class Registration {
  public:
    Registration(ServerCore& core, int64_t id, ServerCore::Slot& slot) : core_(core), id_(id) {
        {
            std::lock_guard lock(core_.connectionsMutex);
            core_.connections.emplace(id, &slot);
        }
        core_.noteActivity();
    }
    ~Registration() {
        {
            std::lock_guard lock(core_.connectionsMutex);
            core_.connections.erase(id_);
        }
        core_.stats.connectionClosed();  // opened by the accept loop
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
    bson::View body = request.body;
    std::string_view command = body.firstKey();
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

// The per-message deadline (see readMessage). Shared with the timer's handler, which may
// run after the connection's frame is gone; `socket` is null once the connection ended.
struct MessageWatch {
    explicit MessageWatch(const asio::any_io_executor& executor) : timer(executor) {}
    asio::steady_timer timer;
    asio::generic::stream_protocol::socket* socket = nullptr;
    std::chrono::seconds limit{0};
    std::optional<std::chrono::steady_clock::time_point> begunAt;  // a message is incomplete
    bool timerRunning = false;
    bool expired = false;  // the deadline passed first: the read was cancelled

    static void arm(std::chrono::steady_clock::time_point when, std::shared_ptr<MessageWatch> self);
    std::string timeoutMessage() const {
        return "message not received completely within " + std::to_string(limit.count()) + " s";
    }
};

// Owns the watch for the connection's lifetime and unhooks it on the way out.
class WatchHook {
  public:
    WatchHook(asio::generic::stream_protocol::socket& socket, std::chrono::seconds limit)
        : w_(std::make_shared<MessageWatch>(socket.get_executor())) {
        w_->socket = &socket;
        w_->limit = limit;
    }
    ~WatchHook() {
        w_->socket = nullptr;
        w_->timer.cancel();
    }
    WatchHook(const WatchHook&) = delete;
    WatchHook& operator=(const WatchHook&) = delete;
    bool expired() const { return w_->expired; }
    std::string timeoutMessage() const { return w_->timeoutMessage(); }

    // A message has begun and is not whole yet. The timer is armed only now, and only if it is
    // not already running: a request that arrives whole in one read costs no timer calls.
    void begin() {
        if (w_->begunAt) return;
        w_->begunAt = std::chrono::steady_clock::now();
        if (!w_->timerRunning) MessageWatch::arm(*w_->begunAt + w_->limit, w_);
    }
    void complete() { w_->begunAt.reset(); }

  private:
    std::shared_ptr<MessageWatch> w_;
};

void MessageWatch::arm(std::chrono::steady_clock::time_point when,
                       std::shared_ptr<MessageWatch> self) {
    self->timerRunning = true;
    asio::steady_timer& timer = self->timer;
    timer.expires_at(when);
    timer.async_wait([self = std::move(self)](const boost::system::error_code& ec) mutable {
        MessageWatch& w = *self;
        w.timerRunning = false;
        if (ec || w.socket == nullptr || !w.begunAt) return;
        auto due = *w.begunAt + w.limit;
        if (std::chrono::steady_clock::now() < due) {
            arm(due, std::move(self));  // a later message began since: wait for its deadline
            return;
        }
        w.expired = true;
        boost::system::error_code ignored;
        w.socket->cancel(ignored);
    });
}

// Bytes received and not yet consumed. Kept between messages (no allocation per request)
// unless a big message grew it.
class ReadBuffer {
  public:
    static constexpr size_t kInitial = 16 * 1024;
    static constexpr size_t kKeepAtMost = 1 << 20;

    ReadBuffer() : bytes_(kInitial) {}
    size_t size() const { return end_; }
    const uint8_t* data() const { return bytes_.data(); }
    // Room for at most `want` more bytes.
    asio::mutable_buffer space(size_t want) {
        if (bytes_.size() - end_ < want) bytes_.resize(end_ + want);
        return asio::buffer(bytes_.data() + end_, want);
    }
    void received(size_t n) { end_ += n; }
    // Drops the first `n` bytes (one message), keeping any that follow it.
    void consume(size_t n) {
        std::memmove(bytes_.data(), bytes_.data() + n, end_ - n);
        end_ -= n;
        if (end_ == 0 && bytes_.size() > kKeepAtMost) {
            bytes_.resize(kInitial);
            bytes_.shrink_to_fit();
        }
    }

  private:
    std::vector<uint8_t> bytes_;
    size_t end_ = 0;
};

using Socket = asio::generic::stream_protocol::socket;

void closeSocket(Socket& socket) {
    boost::system::error_code ignored;
    socket.shutdown(asio::socket_base::shutdown_both, ignored);
    socket.close(ignored);
}

// Lets a shutdown close this connection. A shutdown asks from the main I/O thread; the answer is
// given on this connection's own thread, only while the connection is alive, and (unless forced)
// only when no request is being answered: one already read gets its reply, then the loop sees
// `stopping`.
class CloseOnRequest {
  public:
    CloseOnRequest(ServerCore::Slot& slot, Socket& socket)
        : alive_(std::make_shared<std::function<void(bool)>>([&slot, &socket](bool force) {
              if (force || !slot.busy) closeSocket(socket);
          })) {
        slot.close = [alive = alive_, executor = socket.get_executor()](bool force) {
            asio::post(executor, [alive, force] {
                if (*alive) (*alive)(force);
            });
        };
    }
    ~CloseOnRequest() { *alive_ = nullptr; }
    CloseOnRequest(const CloseOnRequest&) = delete;
    CloseOnRequest& operator=(const CloseOnRequest&) = delete;

  private:
    std::shared_ptr<std::function<void(bool)>> alive_;
};

void logAccepted(ServerCore& core, const std::string& remote, int64_t id) {
    if (core.logger.quiet()) return;
    log(core.logger, Severity::kInfo, Component::kNetwork, "listener", 22943, "Connection accepted",
        [&](bson::Builder& a) {
            a.appendUtf8("remote", remote);
            a.appendInt64("connectionId", id);
            a.appendInt64("connectionCount", core.stats.currentConnections());
        });
}

void logEnded(ServerCore& core, const std::string& name, const std::string& remote, int64_t id,
              const std::string& reason) {
    if (core.logger.quiet()) return;
    log(core.logger, Severity::kInfo, Component::kNetwork, name, 22944, "Connection ended",
        [&](bson::Builder& a) {
            a.appendUtf8("remote", remote);
            a.appendInt64("connectionId", id);
            a.appendInt64("connectionCount", core.stats.currentConnections() - 1);
            a.appendUtf8("reason", reason);
        });
}

void logMalformed(ServerCore& core, const std::string& name, const std::string& remote,
                  const char* error) {
    log(core.logger, Severity::kWarning, Component::kNetwork, name, 9100002,
        "Closing connection after a malformed message", [&](bson::Builder& a) {
            a.appendUtf8("remote", remote);
            a.appendUtf8("error", error);
        });
}

// Reads until one whole message is buffered and returns its length; nullopt when the client
// closed the connection between messages (`closeReason` set unless it was a plain EOF). The body
// is read in pieces of at most kReadChunk, so memory grows with bytes actually received, not with
// the length a client claims. Throws FramingError for a bad header, a message cut off by the
// close, or one not whole within the deadline.
asio::awaitable<std::optional<size_t>> readMessage(Socket& socket, ReadBuffer& buffer,
                                                   WatchHook& watch, std::string& closeReason) {
    size_t total = 0;
    while (total == 0 || buffer.size() < total) {
        if (total == 0 && buffer.size() >= wire::kHeaderSize) {
            total = static_cast<size_t>(
                wire::parseHeader({buffer.data(), wire::kHeaderSize}).messageLength);
            continue;
        }
        if (buffer.size() > 0) watch.begin();  // the message's deadline runs from here
        size_t want =
            total == 0 ? ReadBuffer::kInitial : std::min(total - buffer.size(), kReadChunk);
        auto [ec, n] = co_await socket.async_read_some(buffer.space(want), kUseTuple);
        if (watch.expired()) throw wire::FramingError(watch.timeoutMessage());
        if (ec) {
            if (buffer.size() != 0) {
                throw wire::FramingError("connection closed in the middle of a message");
            }
            if (ec != asio::error::eof) closeReason = ec.message();
            co_return std::nullopt;
        }
        buffer.received(n);
    }
    watch.complete();
    co_return total;
}

// Parses the buffered message into `request` (which views the buffer) and answers it. Small
// commands (nearly all) are answered on this thread: a hand-off to the pool costs more than their
// analysis, which is bounded (linear in the size). Only patternProperties matching can cost more
// per byte (SECURITY.md, Cost): past a few ms of it the command starts over on the pool. Big ones
// go to the pool, checking and folding included, so this thread keeps serving the other
// connections. A malformed message throws FramingError.
asio::awaitable<bson::Doc> answer(ServerCore& core, const CommandContext& ctx,
                                  const ReadBuffer& buffer, size_t total, wire::Request& request) {
    if (total <= kInlineDispatchBytes) {
        request = wire::parseRequest({buffer.data(), total});
        try {
            schema::MatchBudget::Cap cap(kInlineMatchSteps);
            co_return core.dispatcher.dispatch(request.body, ctx);
        } catch (const schema::MatchWorkDeferred&) {
        }
        co_return co_await asio::co_spawn(
            core.pool,
            [&]() -> asio::awaitable<bson::Doc> {
                co_return core.dispatcher.dispatch(request.body, ctx);
            },
            asio::use_awaitable);
    }
    co_return co_await asio::co_spawn(
        core.pool,
        [&]() -> asio::awaitable<bson::Doc> {
            request = wire::parseRequest({buffer.data(), total});
            co_return core.dispatcher.dispatch(request.body, ctx);
        },
        asio::use_awaitable);
}

// Header, body and checksum in one gathered write: the body is not copied.
asio::awaitable<boost::system::error_code> writeReply(Socket& socket, ServerCore& core,
                                                      const wire::Request& request,
                                                      const bson::Doc& reply) {
    const wire::ReplyFrame frame = wire::frameReply(request, core.nextRequestId++, reply.view());
    const std::array<asio::const_buffer, 3> pieces = {
        asio::buffer(frame.head.data(), frame.headSize), asio::buffer(reply.data(), reply.size()),
        asio::buffer(frame.tail.data(), frame.tailSize)};
    auto [ec, n] = co_await asio::async_write(socket, pieces, kUseTuple);
    co_return ec;
}

}  // namespace

asio::awaitable<void> serveConnection(ServerCore& core, Socket socket, std::string remote) {
    const int64_t id = core.nextConnectionId++;
    const std::string name = "conn" + std::to_string(id);
    ServerCore::Slot slot;
    CloseOnRequest closeOnRequest(slot, socket);
    Registration registration(core, id, slot);
    logAccepted(core, remote, id);

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
    std::string closeReason = "client closed the connection";
    // Idle time between messages is fine (drivers keep pooled connections open), but once a
    // message has begun it must arrive whole within messageDeadline: a client trickling bytes
    // must not hold its connection and buffer forever.
    WatchHook watch(socket, core.options.messageDeadline);
    ReadBuffer buffer;
    while (!core.stopping) {
        try {
            std::optional<size_t> total = co_await readMessage(socket, buffer, watch, closeReason);
            if (!total) break;
            slot.busy = true;
            core.noteActivity();
            const auto started = std::chrono::steady_clock::now();
            wire::Request request;  // views the buffer: consumed once the reply is built
            bson::Doc reply = co_await answer(core, ctx, buffer, *total, request);
            logCommand(core.logger, name, request, reply.view(),
                       std::chrono::steady_clock::now() - started);
            buffer.consume(*total);
            if (!request.moreToCome) {
                if (auto ec = co_await writeReply(socket, core, request, reply)) {
                    closeReason = "write failed: " + ec.message();
                    break;
                }
            }
            slot.busy = false;
        } catch (const wire::FramingError& e) {
            closeReason = std::string("malformed message: ") + e.what();
            logMalformed(core, name, remote, e.what());
            break;
        }
    }
    if (core.stopping) closeReason = "server shutting down";
    closeSocket(socket);
    logEnded(core, name, remote, id, closeReason);
}

}  // namespace cryptd::server
