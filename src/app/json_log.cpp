#include "app/json_log.h"

#include <bson/bson.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <stdexcept>

namespace cryptd::app {

using server::Component;
using server::Severity;

namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

constexpr std::array<const char*, 9> kSeverity = {"F", "E", "W", "I", "D1", "D2", "D3", "D4", "D5"};
constexpr std::array<const char*, 3> kComponent = {"CONTROL", "NETWORK", "COMMAND"};

// Log lines must stay valid JSON whatever a message quotes (e.g. a client's bytes).
void writeString(Writer& w, std::string_view s) {
    if (bson_utf8_validate(s.data(), s.size(), false)) {
        w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
        return;
    }
    std::string clean(s);
    for (char& c : clean) {
        if (static_cast<unsigned char>(c) >= 0x80 || c == '\0') c = '?';
    }
    w.String(clean.data(), static_cast<rapidjson::SizeType>(clean.size()));
}

void writeDate(Writer& w, int64_t millis) {
    w.StartObject();
    w.Key("$date");
    if (millis >= 0 && millis < 253402300800000LL) {  // years 1970-9999: ISO string (relaxed)
        std::string iso = isoTimestamp(millis);
        w.String(iso.c_str());
    } else {
        w.StartObject();
        w.Key("$numberLong");
        w.String(std::to_string(millis).c_str());
        w.EndObject();
    }
    w.EndObject();
}

void writeDocument(Writer& w, bson::View doc, bool array);

void writeValue(Writer& w, const bson::Element& e) {
    switch (e.type()) {
        case BSON_TYPE_DOUBLE: {
            double d = e.dbl();
            if (std::isfinite(d)) {
                w.Double(d);
            } else {
                w.StartObject();
                w.Key("$numberDouble");
                w.String(std::isnan(d) ? "NaN" : (d > 0 ? "Infinity" : "-Infinity"));
                w.EndObject();
            }
            return;
        }
        case BSON_TYPE_UTF8:
            writeString(w, e.utf8());
            return;
        case BSON_TYPE_DOCUMENT:
            writeDocument(w, e.document(), false);
            return;
        case BSON_TYPE_ARRAY:
            writeDocument(w, e.document(), true);
            return;
        case BSON_TYPE_BOOL:
            w.Bool(e.boolean());
            return;
        case BSON_TYPE_NULL:
            w.Null();
            return;
        case BSON_TYPE_INT32:
            w.Int(e.int32());
            return;
        case BSON_TYPE_INT64:
            w.Int64(e.int64());
            return;
        case BSON_TYPE_DATE_TIME:
            writeDate(w, e.dateTime());
            return;
        case BSON_TYPE_OID: {
            char hex[25];
            bson_oid_to_string(e.oid(), hex);
            w.StartObject();
            w.Key("$oid");
            w.String(hex);
            w.EndObject();
            return;
        }
        default:
            // Other types never appear in our own attributes; a client's metadata could carry
            // one: name the type rather than guess a rendering.
            w.StartObject();
            w.Key("$type");
            writeString(w, e.typeName());
            w.EndObject();
            return;
    }
}

void writeDocument(Writer& w, bson::View doc, bool array) {
    if (array) {
        w.StartArray();
        for (auto e : doc) writeValue(w, e);
        w.EndArray();
    } else {
        w.StartObject();
        for (auto e : doc) {
            writeString(w, e.key());
            writeValue(w, e);
        }
        w.EndObject();
    }
}

int64_t nowMillis() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

std::string isoTimestamp(int64_t millisSinceEpoch) {
    std::time_t secs = static_cast<std::time_t>(millisSinceEpoch / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[64];
    size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    std::snprintf(buf + n, sizeof buf - n, ".%03d+00:00",
                  static_cast<int>(millisSinceEpoch % 1000));
    return buf;
}

JsonLogger::JsonLogger(std::FILE* out, int verbosity, bool quiet)
    : out_(out), verbosity_(verbosity), quiet_(quiet) {}

JsonLogger::~JsonLogger() {
    if (ownsFile_) std::fclose(out_);
}

std::unique_ptr<JsonLogger> JsonLogger::toFile(const std::string& path, bool append, int verbosity,
                                               bool quiet) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!append && fs::exists(path, ec) && fs::file_size(path, ec) > 0) {
        std::string stamp = isoTimestamp(nowMillis()).substr(0, 19);
        for (char& c : stamp) {
            if (c == ':') c = '-';
        }
        fs::rename(path, path + "." + stamp, ec);
        if (ec) throw std::runtime_error("cannot rotate log file " + path + ": " + ec.message());
    }
    std::FILE* f = std::fopen(path.c_str(), "ae");
    if (f == nullptr) {
        throw std::runtime_error("cannot open log file " + path + ": " + std::strerror(errno));
    }
    auto logger = std::make_unique<JsonLogger>(f, verbosity, quiet);
    logger->ownsFile_ = true;
    return logger;
}

bool JsonLogger::enabled(Severity severity) const {
    int debugLevel = static_cast<int>(severity) - static_cast<int>(Severity::kInfo);
    return debugLevel <= verbosity_;
}

std::string JsonLogger::format(const server::LogRecord& r, int64_t millisSinceEpoch) {
    rapidjson::StringBuffer buf;
    Writer w(buf);
    w.StartObject();
    w.Key("t");
    writeDate(w, millisSinceEpoch);
    w.Key("s");
    w.String(kSeverity[static_cast<size_t>(r.severity)]);
    w.Key("c");
    w.String(kComponent[static_cast<size_t>(r.component)]);
    w.Key("id");
    w.Int(r.id);
    w.Key("ctx");
    writeString(w, r.context);
    w.Key("msg");
    writeString(w, r.message);
    if (!r.attr.empty()) {
        w.Key("attr");
        writeDocument(w, r.attr, false);
    }
    w.EndObject();
    return {buf.GetString(), buf.GetSize()};
}

void JsonLogger::write(const server::LogRecord& record) {
    std::string line = format(record, nowMillis());
    line += '\n';
    std::lock_guard lock(mutex_);
    // Each line is flushed: tools wait for 23016 on a pipe, and a crash must not eat the tail.
    std::fwrite(line.data(), 1, line.size(), out_);
    std::fflush(out_);
}

}  // namespace cryptd::app
