#include "app/pid_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <cerrno>
#include <cstring>

namespace cryptd::app {

PidFile::PidFile(std::string path) : path_(std::move(path)) {
    // O_NOFOLLOW: a symlink planted at the path (e.g. in a shared /tmp) must not turn the
    // truncate-and-write below into a write to some other file of ours.
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd_ < 0) {
        int err = errno;
        throw PidFileError("Unable to create/open the lock file: " + path_ + " (" +
                               (err == ELOOP ? std::string("it is a symbolic link")
                                             : std::string(std::strerror(err))) +
                               ")",
                           false);
    }
    struct stat st {};
    if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd_);
        fd_ = -1;
        throw PidFileError("Unable to use the lock file: " + path_ + " (not a regular file)",
                           false);
    }
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
        int err = errno;
        ::close(fd_);
        fd_ = -1;
        bool locked = err == EWOULDBLOCK;
        throw PidFileError("Unable to lock the lock file: " + path_ + " (" + std::strerror(err) +
                               ")." +
                               (locked ? " Another mongocryptd instance is already running with "
                                         "this pid file."
                                       : ""),
                           locked);
    }
}

PidFile::~PidFile() {
    if (fd_ >= 0) ::close(fd_);  // releases the lock
}

void PidFile::write(int port, const std::string& domainSocket, long pid) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    w.StartObject();
    w.Key("port");
    w.Int(port);
    if (!domainSocket.empty()) {
        w.Key("domainSocket");
        w.String(domainSocket.c_str());
    }
    w.Key("pid");
    w.Int64(pid);
    w.EndObject();
    std::string text = std::string(buf.GetString(), buf.GetSize()) + "\n";
    if (::ftruncate(fd_, 0) != 0 ||
        ::pwrite(fd_, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) {
        throw PidFileError("cannot write the pid file " + path_ + ": " + std::strerror(errno),
                           false);
    }
}

void PidFile::clear() {
    // Emptied, not removed: tools read "empty pid file" as "the daemon exited cleanly".
    if (fd_ >= 0 && ::ftruncate(fd_, 0) != 0) {
        // Nothing more to do at exit; the lock is released anyway.
    }
}

}  // namespace cryptd::app
