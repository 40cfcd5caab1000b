#pragma once
// MongoDB logv2 output: one Relaxed Extended JSON object per line,
//   {"t":{"$date":"2024-05-01T10:00:00.123+00:00"},"s":"I","c":"NETWORK","id":23016,
//    "ctx":"listener","msg":"Waiting for connections","attr":{"port":27020,"ssl":"off"}}
// written with RapidJSON to stdout or a file. Tools (mongosh) parse these lines by id.

#include <cstdio>
#include <memory>
#include <mutex>
#include <string>

#include "server/log.h"

namespace cryptd::app {

class JsonLogger : public server::Logger {
  public:
    // Writes to `out` (not closed) — stdout by default.
    explicit JsonLogger(std::FILE* out = stdout, int verbosity = 0, bool quiet = false);
    ~JsonLogger() override;

    // Opens `path` for appending; without `append` an existing file is first renamed to
    // <path>.<UTC timestamp>, as mongod rotates. Throws std::runtime_error.
    static std::unique_ptr<JsonLogger> toFile(const std::string& path, bool append, int verbosity,
                                              bool quiet);

    bool enabled(server::Severity severity) const override;
    bool quiet() const override { return quiet_; }
    void write(const server::LogRecord& record) override;

    // The line for `record` (no newline), with `millisSinceEpoch` as its time. For tests.
    static std::string format(const server::LogRecord& record, int64_t millisSinceEpoch);

  private:
    std::FILE* out_;
    bool ownsFile_ = false;
    int verbosity_;
    bool quiet_;
    std::mutex mutex_;
};

// "2024-05-01T10:00:00.123+00:00" (UTC).
std::string isoTimestamp(int64_t millisSinceEpoch);

}  // namespace cryptd::app
