#pragma once
// What the daemon needs to know to serve: filled by the app from the command line / config file.

#include <chrono>
#include <cstdint>
#include <string>

#include "common/bson.h"

namespace cryptd::server {

struct ServerOptions {
    int port = 27020;   // 0 picks a free port
    bool ipv6 = false;  // also listen on ::1
    bool unixSocket = true;
    std::string unixSocketPrefix = "/tmp";  // socket: <prefix>/mongocryptd.sock
    uint32_t filePermissions = 0700;        // mode of the socket file
    int64_t maxConns = 1'000'000;
    std::chrono::seconds idleShutdownTimeout{0};  // 0 = never
    int dispatchThreads = 2;                      // messages over 64 KB are analyzed here
    // Threads serving connections (each its own io_context; accepted connections are spread
    // over them). 0 = one per CPU, at most 4.
    int ioThreads = 0;
    // Once a message's first byte arrives, the whole message must follow within this time, or
    // the connection is closed (a client trickling bytes cannot hold it). Loopback clients send
    // a message in one go; idle time between messages is not limited.
    std::chrono::seconds messageDeadline{10};
};

// Facts reported by admin commands.
struct ServerInfo {
    std::string version;     // cryptd's own version ("0.1.0")
    std::string gitVersion;  // commit, or "unknown"
    bson::Doc cmdLineOpts;   // {argv: [...], parsed: {...}} for getCmdLineOpts
};

}  // namespace cryptd::server
