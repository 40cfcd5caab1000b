#pragma once
// `mongocryptd --healthcheck`: a dependency-free probe for container HEALTHCHECKs and scripts.
// Connects to 127.0.0.1:<port>, sends `hello`, and succeeds when the daemon answers ok: 1 with
// iscryptd: true (a mongod on the same port is not a mongocryptd).

#include <chrono>
#include <iosfwd>

namespace cryptd::app {

// Returns 0 when healthy, 1 otherwise; one line to `out` either way.
int runHealthcheck(int port, std::chrono::milliseconds timeout, std::ostream& out);

}  // namespace cryptd::app
