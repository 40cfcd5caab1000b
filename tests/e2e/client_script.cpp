#include "client_script.h"

#include <gtest/gtest.h>

#include <iostream>

#include "child_process.h"
#include "support/daemon_process.h"

namespace cryptd::e2e {

void runClientScript(std::vector<std::string> argv, std::vector<std::string> env) {
    test::DaemonProcess daemon;
    ASSERT_TRUE(daemon.waitUntilReady()) << daemon.log();
    ASSERT_FALSE(daemon.socketPath().empty()) << "no unix socket logged:\n" << daemon.log();
    argv.push_back(std::to_string(daemon.port()));
    argv.push_back(daemon.socketPath());
    ChildProcess client({argv, env, false});
    auto code = client.wait(std::chrono::seconds(60));
    ASSERT_TRUE(code) << "client timed out:\n" << client.output();
    EXPECT_EQ(*code, 0) << client.output() << "\n" << daemon.log();
    EXPECT_TRUE(daemon.running()) << "the daemon died under the client:\n" << daemon.log();
    std::cout << client.output();
}

}  // namespace cryptd::e2e
