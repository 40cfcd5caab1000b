#include "app/daemonize.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace cryptd::app {

Daemonizer Daemonizer::fork() {
    int pipefd[2];
    if (::pipe2(pipefd, O_CLOEXEC) != 0) {
        std::fprintf(stderr, "cannot fork: pipe failed: %s\n", std::strerror(errno));
        std::exit(1);
    }
    std::fflush(stdout);
    std::fflush(stderr);
    pid_t child = ::fork();
    if (child < 0) {
        std::fprintf(stderr, "cannot fork: %s\n", std::strerror(errno));
        std::exit(1);
    }
    if (child == 0) {
        ::close(pipefd[0]);
        ::setsid();
        return Daemonizer(pipefd[1]);
    }
    ::close(pipefd[1]);
    std::printf("about to fork child process, waiting until server is ready for connections.\n");
    std::printf("forked process: %d\n", static_cast<int>(child));
    std::fflush(stdout);
    char ok = 0;
    ssize_t n;
    do {
        n = ::read(pipefd[0], &ok, 1);
    } while (n < 0 && errno == EINTR);
    if (n == 1 && ok == 1) {
        std::printf("child process started successfully, parent exiting\n");
        std::exit(0);
    }
    // The child closed the pipe without saying it was ready: it failed; pass its code on.
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 1;
    std::fprintf(stderr, "ERROR: child process failed, exited with %d\n", code);
    std::exit(code == 0 ? 1 : code);
}

void Daemonizer::ready() {
    if (fd_ < 0) return;
    char ok = 1;
    while (::write(fd_, &ok, 1) < 0 && errno == EINTR) {
    }
    ::close(fd_);
    fd_ = -1;
    int devnull = ::open("/dev/null", O_RDWR);
    if (devnull >= 0) {
        ::dup2(devnull, STDIN_FILENO);
        ::dup2(devnull, STDOUT_FILENO);
        ::dup2(devnull, STDERR_FILENO);
        if (devnull > STDERR_FILENO) ::close(devnull);
    }
}

}  // namespace cryptd::app
