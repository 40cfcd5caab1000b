#pragma once
// The pid file doubles as the lock that keeps one daemon per file, as mongocryptd's does:
// opened and locked (flock, exclusive, non-blocking) before binding, filled with
// {"port":..,"domainSocket":..,"pid":..} once listening (a readiness signal), emptied on clean
// exit. The lock dies with the process, so a crashed daemon never blocks the next one.

#include <stdexcept>
#include <string>

namespace cryptd::app {

class PidFileError : public std::runtime_error {
  public:
    PidFileError(const std::string& what, bool locked)
        : std::runtime_error(what), locked_(locked) {}
    bool lockedByAnother() const { return locked_; }

  private:
    bool locked_;
};

class PidFile {
  public:
    // Opens (creating it) and locks `path`; throws PidFileError. Does not change the contents,
    // so a second daemon never clobbers the first one's file.
    explicit PidFile(std::string path);
    ~PidFile();
    PidFile(const PidFile&) = delete;
    PidFile& operator=(const PidFile&) = delete;

    void write(int port, const std::string& domainSocket, long pid);
    void clear();
    const std::string& path() const { return path_; }

  private:
    std::string path_;
    int fd_ = -1;
};

}  // namespace cryptd::app
