#pragma once
// One coroutine per client connection: read a frame, answer it, repeat. A framing error
// (wire_message.h) closes this connection only; command errors are replies.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/generic/stream_protocol.hpp>
#include <string>

#include "server/server_core.h"

namespace cryptd::server {

asio::awaitable<void> serveConnection(ServerCore& core,
                                      asio::generic::stream_protocol::socket socket,
                                      std::string remote);

}  // namespace cryptd::server
