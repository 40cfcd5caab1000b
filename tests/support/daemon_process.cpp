#include "support/daemon_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include <rapidjson/document.h>

#include "support/child_exit.h"

extern char** environ;

namespace cryptd::test {

namespace {

std::string makeTempDir() {
    std::string templ = (std::filesystem::temp_directory_path() / "cryptd-test-XXXXXX").string();
    if (mkdtemp(templ.data()) == nullptr) {
        throw std::runtime_error(std::string("mkdtemp failed: ") + std::strerror(errno));
    }
    return templ;
}

}  // namespace

DaemonProcess::DaemonProcess() : DaemonProcess(Options{}) {}

DaemonProcess::DaemonProcess(std::vector<std::string> extraArgs)
    : DaemonProcess([&] {
          Options o;
          o.args = std::move(extraArgs);
          return o;
      }()) {}

DaemonProcess::DaemonProcess(Options options) : options_(std::move(options)) {
    if (options_.dir.empty()) {
        dir_ = makeTempDir();
        ownsDir_ = true;
    } else {
        dir_ = options_.dir;
    }
    std::vector<std::string> argv{options_.binary.empty() ? defaultBinary() : options_.binary};
    if (options_.standardArgs) {
        for (const char* a : {"--port", "0", "--unixSocketPrefix"}) argv.emplace_back(a);
        argv.push_back(dir_);
        argv.emplace_back("--pidfilepath");
        argv.push_back(pidFilePath());
    }
    argv.insert(argv.end(), options_.args.begin(), options_.args.end());
    spawn(argv);
}

DaemonProcess::~DaemonProcess() {
    if (pid_ > 0 && !reap(false)) {
        ::kill(pid_, SIGKILL);
        reap(true);
    }
    if (stdoutReader_.joinable()) stdoutReader_.join();
    if (stderrReader_.joinable()) stderrReader_.join();
    if (ownsDir_) {
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
}

std::string DaemonProcess::defaultBinary() {
    if (const char* env = std::getenv("CRYPTD_MONGOCRYPTD"); env != nullptr && *env != '\0') {
        return env;
    }
    return CRYPTD_MONGOCRYPTD_PATH;
}

void DaemonProcess::spawn(const std::vector<std::string>& argv) {
    int out[2];
    int err[2];
    if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
        throw std::runtime_error(std::string("pipe2 failed: ") + std::strerror(errno));
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    std::vector<char*> cargv;
    for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
    cargv.push_back(nullptr);
    int rc = posix_spawn(&pid_, cargv[0], &actions, nullptr, cargv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    ::close(err[1]);
    if (rc != 0) {
        ::close(out[0]);
        ::close(err[0]);
        pid_ = -1;
        throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));
    }
    stdoutReader_ = std::thread([this, fd = out[0]] { readStream(fd, true); });
    stderrReader_ = std::thread([this, fd = err[0]] { readStream(fd, false); });
}

void DaemonProcess::readStream(int fd, bool isStdout) {
    std::string pending;
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        if (!isStdout) {
            std::lock_guard lock(mutex_);
            stderr_.append(buf, static_cast<size_t>(n));
            continue;
        }
        pending.append(buf, static_cast<size_t>(n));
        size_t nl;
        while ((nl = pending.find('\n')) != std::string::npos) {
            onLogLine(pending.substr(0, nl));
            pending.erase(0, nl + 1);
        }
    }
    if (isStdout && !pending.empty()) onLogLine(pending);
    ::close(fd);
    std::lock_guard lock(mutex_);
    if (isStdout) stdoutClosed_ = true;
    changed_.notify_all();
}

void DaemonProcess::onLogLine(const std::string& line) {
    int port = 0;
    std::string socket;
    // Plain JSON (RapidJSON), not Extended JSON: libbson's reader rejects logv2's "+00:00"
    // timestamp offsets, and only id/attr matter here.
    rapidjson::Document doc;
    doc.Parse(line.c_str());
    if (!doc.HasParseError() && doc.IsObject() && doc.HasMember("id") && doc["id"].IsInt() &&
        doc.HasMember("attr") && doc["attr"].IsObject()) {
        const auto& attr = doc["attr"];
        if (doc["id"].GetInt() == 23016 && attr.HasMember("port") && attr["port"].IsInt()) {
            port = attr["port"].GetInt();
        } else if (doc["id"].GetInt() == 23015 && attr.HasMember("address") &&
                   attr["address"].IsString()) {
            std::string address = attr["address"].GetString();
            if (!address.empty() && address[0] == '/') socket = address;
        }
    }
    // Lines that are not JSON (e.g. --fork's plain-text messages) are kept, not interpreted.
    std::lock_guard lock(mutex_);
    lines_.push_back(line);
    if (port != 0) {
        port_ = port;
        ready_ = true;
    }
    if (!socket.empty()) socketPath_ = socket;
    changed_.notify_all();
}

bool DaemonProcess::reap(bool block) {
    if (exitCode_) return true;
    exitCode_ = reapChild(pid_, block);
    return exitCode_.has_value();
}

bool DaemonProcess::waitUntilReady(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    std::unique_lock lock(mutex_);
    // stdout closing means the process exited (or detached its output): no readiness to come.
    return changed_.wait_until(lock, deadline, [&] { return ready_ || stdoutClosed_; }) && ready_;
}

std::optional<std::string> DaemonProcess::waitForLog(int id, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    const std::string needle = "\"id\":" + std::to_string(id) + ",";
    std::unique_lock lock(mutex_);
    size_t scanned = 0;
    std::optional<std::string> found;
    changed_.wait_until(lock, deadline, [&] {
        for (; scanned < lines_.size(); ++scanned) {
            if (lines_[scanned].find(needle) != std::string::npos) {
                found = lines_[scanned];
                return true;
            }
        }
        return stdoutClosed_;
    });
    return found;
}

std::optional<int> DaemonProcess::waitForExit(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!reap(false)) {
        if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    // Let the readers drain what the process wrote before it exited.
    if (stdoutReader_.joinable()) stdoutReader_.join();
    if (stderrReader_.joinable()) stderrReader_.join();
    return exitCode_;
}

int DaemonProcess::stop(std::chrono::milliseconds timeout) {
    if (!reap(false)) ::kill(pid_, SIGTERM);
    if (auto code = waitForExit(timeout)) return *code;
    ::kill(pid_, SIGKILL);
    reap(true);
    return -1;
}

void DaemonProcess::signal(int sig) {
    if (!reap(false)) ::kill(pid_, sig);
}

bool DaemonProcess::running() {
    return pid_ > 0 && !reap(false);
}

int DaemonProcess::port() const {
    std::lock_guard lock(mutex_);
    return port_;
}

std::string DaemonProcess::socketPath() const {
    std::lock_guard lock(mutex_);
    return socketPath_;
}

std::vector<std::string> DaemonProcess::logLines() const {
    std::lock_guard lock(mutex_);
    return lines_;
}

std::string DaemonProcess::stderrText() const {
    std::lock_guard lock(mutex_);
    return stderr_;
}

std::string DaemonProcess::log() const {
    std::lock_guard lock(mutex_);
    std::string out = "--- mongocryptd stdout ---\n";
    for (const auto& l : lines_) out += l + "\n";
    out += "--- mongocryptd stderr ---\n" + stderr_;
    return out;
}

}  // namespace cryptd::test
