#pragma once
// The daemon the wire mode talks to: one per test process, started on first use with
// tests/support's DaemonProcess (port 0, private dir) and stopped at exit. Set
// CRYPTD_SPEC_DAEMON_URI to run the wire mode against an already running daemon instead
// (e.g. "mongodb://127.0.0.1:27020" or a real mongocryptd).

#include <string>

#include "wire_client.h"

namespace cryptd::spec {

// The URI of the shared daemon; throws std::runtime_error when it cannot be started.
std::string sharedDaemonUri();

// A client connected to the shared daemon (created on first use).
WireClient& sharedDaemonClient();

}  // namespace cryptd::spec
