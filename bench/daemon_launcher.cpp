#include "daemon_launcher.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace cryptd::bench {

namespace {

constexpr size_t kMaxKeptLog = 64 * 1024;

// The value of `"key":` in a JSON log line, as text up to the next , or }.
std::string jsonScalar(const std::string& line, const std::string& key) {
    std::string needle = "\"" + key + "\":";
    auto at = line.find(needle);
    if (at == std::string::npos) return {};
    at += needle.size();
    auto end = line.find_first_of(",}", at);
    std::string v = line.substr(at, end - at);
    if (v.size() >= 2 && v.front() == '"') v = v.substr(1, v.size() - 2);
    return v;
}

int exitCodeOf(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}

}  // namespace

std::string defaultDaemonBinary() {
    if (const char* env = std::getenv("CRYPTD_MONGOCRYPTD"); env && *env) return env;
    return CRYPTD_MONGOCRYPTD_PATH;
}

Daemon::Daemon(const std::string& binary, const std::vector<std::string>& extraArgs) {
    char dirTemplate[] = "/tmp/cryptd-bench-XXXXXX";
    if (!mkdtemp(dirTemplate)) throw std::runtime_error("mkdtemp: " + std::string(strerror(errno)));
    dir_ = dirTemplate;

    std::vector<std::string> args = {
        binary, "--port", "0", "--unixSocketPrefix", dir_, "--pidfilepath", dir_ + "/p.pid"};
    args.insert(args.end(), extraArgs.begin(), extraArgs.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);

    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0)
        throw std::runtime_error("pipe: " + std::string(strerror(errno)));
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    std::string errPath = dir_ + "/stderr";
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, errPath.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    spawnedAt_ = Clock::now();
    int rc = posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    if (rc != 0) {
        ::close(out[0]);
        throw std::runtime_error("cannot start " + binary + ": " + strerror(rc));
    }
    stdout_ = out[0];
}

Daemon::~Daemon() {
    if (pid_ > 0 && !exited_) stop();
    if (drainer_.joinable()) drainer_.join();
    if (stdout_ >= 0) ::close(stdout_);
    for (const char* f : {"/p.pid", "/mongocryptd.sock", "/stderr"}) {
        std::string path = dir_ + f;
        ::unlink(path.c_str());
    }
    ::rmdir(dir_.c_str());
}

Daemon::Clock::duration Daemon::waitReady(std::chrono::milliseconds timeout) {
    const auto deadline = spawnedAt_ + timeout;
    std::string pending;
    char buf[4096];
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) throw std::runtime_error("daemon not ready in time\n" + logText());
        pollfd p{stdout_, POLLIN, 0};
        int n = ::poll(&p, 1, static_cast<int>(left.count()));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) continue;
        ssize_t got = ::read(stdout_, buf, sizeof buf);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) throw std::runtime_error("daemon exited before it was ready\n" + logText());
        pending.append(buf, static_cast<size_t>(got));
        size_t eol;
        while ((eol = pending.find('\n')) != std::string::npos) {
            std::string line = pending.substr(0, eol);
            pending.erase(0, eol + 1);
            if (log_.size() < kMaxKeptLog) log_ += line + "\n";
            std::string id = jsonScalar(line, "id");
            if (id == "23015") {
                std::string address = jsonScalar(line, "address");
                if (!address.empty() && address.front() == '/') socketPath_ = address;
            } else if (id == "23016") {
                auto ready = Clock::now() - spawnedAt_;
                port_ = std::atoi(jsonScalar(line, "port").c_str());
                drainer_ = std::thread([this] { drain(); });
                return ready;
            }
        }
    }
}

void Daemon::drain() {
    char buf[16384];
    for (;;) {
        ssize_t got = ::read(stdout_, buf, sizeof buf);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) return;
    }
}

int Daemon::stop(std::chrono::milliseconds timeout) {
    if (pid_ <= 0 || exited_) return exitCode_;
    ::kill(pid_, SIGTERM);
    const auto deadline = Clock::now() + timeout;
    int status = 0;
    for (;;) {
        pid_t r = ::waitpid(pid_, &status, WNOHANG);
        if (r == pid_) break;
        if (r < 0 && errno != EINTR) break;
        if (Clock::now() > deadline) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, &status, 0);
            break;
        }
        ::usleep(1000);
    }
    exited_ = true;
    exitCode_ = exitCodeOf(status);
    return exitCode_;
}

std::string Daemon::logText() const {
    std::ifstream err(dir_ + "/stderr");
    std::stringstream s;
    s << err.rdbuf();
    return "--- stdout ---\n" + log_ + "--- stderr ---\n" + s.str();
}

Rss readRss(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    Rss rss;
    std::string key;
    long value = 0;
    std::string unit;
    while (in >> key) {
        if (key == "VmRSS:" || key == "RssAnon:" || key == "RssFile:") {
            in >> value >> unit;
            if (key == "VmRSS:") rss.totalKb = value;
            if (key == "RssAnon:") rss.anonKb = value;
            if (key == "RssFile:") rss.fileKb = value;
        }
        in.ignore(1 << 20, '\n');
    }
    return rss;
}

double cpuSeconds(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    auto close = all.rfind(')');
    if (close == std::string::npos) return 0;
    std::istringstream rest(all.substr(close + 2));
    std::string field;
    unsigned long long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
        if (i == 14) utime = std::stoull(field);
        if (i == 15) stime = std::stoull(field);
    }
    return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

}  // namespace cryptd::bench
