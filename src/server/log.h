#pragma once
// The daemon's structured log, as MongoDB's logv2 shapes it: severity, component, context
// (thread or connection name), a stable numeric id per statement, a constant message and
// attributes. The server writes through this interface; the app decides the format and where
// lines go (JSON lines on stdout or a file). Attribute documents never carry user data values.

#include <cstdint>
#include <string_view>

#include "common/bson.h"

namespace cryptd::server {

enum class Severity {
    kFatal,
    kError,
    kWarning,
    kInfo,
    kDebug1,
    kDebug2,
    kDebug3,
    kDebug4,
    kDebug5
};
enum class Component { kControl, kNetwork, kCommand };

struct LogRecord {
    Severity severity = Severity::kInfo;
    Component component = Component::kControl;
    std::string_view context;  // "listener", "conn12", "main", ...
    int32_t id = 0;
    std::string_view message;
    bson::View attr;
};

class Logger {
  public:
    virtual ~Logger() = default;
    virtual bool enabled(Severity severity) const = 0;
    // --quiet: routine chatter (connection accepted/ended) is dropped by its callers.
    virtual bool quiet() const = 0;
    virtual void write(const LogRecord& record) = 0;  // thread-safe
};

// Builds the attributes only when the line will be written: fill(bson::Builder&).
template <typename Fill>
void log(Logger& logger, Severity severity, Component component, std::string_view context,
         int32_t id, std::string_view message, Fill&& fill) {
    if (!logger.enabled(severity)) return;
    bson::Builder attr;
    fill(attr);
    logger.write({severity, component, context, id, message, attr.view()});
}

inline void log(Logger& logger, Severity severity, Component component, std::string_view context,
                int32_t id, std::string_view message) {
    if (!logger.enabled(severity)) return;
    logger.write({severity, component, context, id, message, bson::View()});
}

// Discards everything (tests, tools).
class NullLogger : public Logger {
  public:
    bool enabled(Severity) const override { return false; }
    bool quiet() const override { return true; }
    void write(const LogRecord&) override {}
};

}  // namespace cryptd::server
