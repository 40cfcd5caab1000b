#include "support/child_exit.h"

#include <sys/wait.h>

#include <cerrno>

namespace cryptd::test {

std::optional<int> reapChild(pid_t pid, bool block) {
    int status = 0;
    pid_t r;
    do {
        r = ::waitpid(pid, &status, block ? 0 : WNOHANG);
    } while (r < 0 && errno == EINTR);
    if (r != pid) return std::nullopt;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace cryptd::test
