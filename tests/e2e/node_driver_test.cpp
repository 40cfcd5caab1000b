// The node `mongodb` driver (v6 from npm, installed into <build>/e2e-node by the
// e2e_node_install ctest fixture) against the daemon: see node_client.js for the checks.
// A missing driver is a failure that says why, never a silent pass.

#include <gtest/gtest.h>

#include <filesystem>

#include "client_script.h"

namespace cryptd::e2e {
namespace {

namespace fs = std::filesystem;

TEST(NodeDriver, HandshakeCommandsAndServerSelectionOverTcpAndUnixSocket) {
    fs::path modules = fs::path(CRYPTD_BINARY_DIR) / "e2e-node" / "node_modules";
    ASSERT_TRUE(fs::exists(modules / "mongodb" / "package.json"))
        << "the node driver is not installed in " << modules
        << ": the e2e_node_install fixture (npm install mongodb@6) failed or did not run";
    std::string node;
    for (const char* candidate : {"/usr/bin/node", "/usr/local/bin/node"})
        if (fs::exists(candidate)) node = candidate;
    ASSERT_FALSE(node.empty()) << "node is not installed (scripts/setup.sh --test installs it)";
    runClientScript({node, std::string(CRYPTD_SOURCE_DIR) + "/tests/e2e/node_client.js"},
                    {"NODE_PATH=" + modules.string()});
}

}  // namespace
}  // namespace cryptd::e2e
