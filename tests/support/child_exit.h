#pragma once
// Collecting a child process's exit status, shared by the test helpers that start processes.

#include <sys/types.h>

#include <optional>

namespace cryptd::test {

// waitpid(pid) once, blocking or not, retrying on EINTR: the exit code (128 + the signal when a
// signal ended it), or nullopt while the child is still running.
std::optional<int> reapChild(pid_t pid, bool block);

}  // namespace cryptd::test
