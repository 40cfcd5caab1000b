// pymongo 3.11 (Debian's python3-pymongo, run by /usr/bin/python3) against the daemon over TCP
// and the unix socket: see pymongo_client.py for the checks.

#include <gtest/gtest.h>

#include "client_script.h"

namespace cryptd::e2e {
namespace {

TEST(Pymongo, HandshakeCommandsAndServerSelectionOverTcpAndUnixSocket) {
    runClientScript(
        {"/usr/bin/python3", std::string(CRYPTD_SOURCE_DIR) + "/tests/e2e/pymongo_client.py"});
}

}  // namespace
}  // namespace cryptd::e2e
