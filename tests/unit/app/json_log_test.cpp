#include "app/json_log.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace cryptd::app {
namespace {

using server::Component;
using server::LogRecord;
using server::Severity;

TEST(JsonLogTest, WritesLogv2FieldsInOrder) {
    bson::Doc attr = bson::Doc::fromJson(R"({"port": 27020, "ssl": "off"})");
    LogRecord r{Severity::kInfo, Component::kNetwork,       "listener",
                23016,           "Waiting for connections", attr.view()};
    EXPECT_EQ(
        JsonLogger::format(r, 1700000000123),
        R"({"t":{"$date":"2023-11-14T22:13:20.123+00:00"},"s":"I","c":"NETWORK","id":23016,)"
        R"("ctx":"listener","msg":"Waiting for connections","attr":{"port":27020,"ssl":"off"}})");
}

TEST(JsonLogTest, OmitsEmptyAttrAndNamesSeverities) {
    LogRecord r{Severity::kDebug2, Component::kCommand, "conn1", 1, "m", bson::View()};
    EXPECT_EQ(JsonLogger::format(r, 0),
              R"({"t":{"$date":"1970-01-01T00:00:00.000+00:00"},"s":"D2","c":"COMMAND","id":1,)"
              R"("ctx":"conn1","msg":"m"})");
}

TEST(JsonLogTest, RendersNestedValuesAsRelaxedExtendedJson) {
    bson::Doc attr = bson::Doc::fromJson(
        R"({"a": [1, {"b": true}], "big": {"$numberLong": "5000000000"}, "d": 1.5,
            "inf": {"$numberDouble": "Infinity"}, "when": {"$date": 0}, "n": null})");
    LogRecord r{Severity::kWarning, Component::kControl, "main", 2, "m", attr.view()};
    std::string line = JsonLogger::format(r, 0);
    EXPECT_NE(line.find(R"("attr":{"a":[1,{"b":true}],"big":5000000000,"d":1.5,)"
                        R"("inf":{"$numberDouble":"Infinity"},)"
                        R"("when":{"$date":"1970-01-01T00:00:00.000+00:00"},"n":null})"),
              std::string::npos)
        << line;
}

TEST(JsonLogTest, EveryLineIsValidJsonEvenWithHostileText) {
    std::string bad = "quote\" backslash\\ newline\n bytes\xff\xfe";
    LogRecord r{Severity::kError, Component::kNetwork, bad, 3, bad, bson::View()};
    std::string line = JsonLogger::format(r, 0);
    EXPECT_EQ(line.find('\n'), std::string::npos);
    rapidjson::Document d;
    d.Parse(line.c_str());
    ASSERT_FALSE(d.HasParseError()) << line;
    EXPECT_EQ(std::string(d["msg"].GetString()), "quote\" backslash\\ newline\n bytes??");
}

TEST(JsonLogTest, VerbosityFiltersDebugLines) {
    JsonLogger quietOne(stdout, 0, true);
    EXPECT_TRUE(quietOne.enabled(Severity::kInfo));
    EXPECT_FALSE(quietOne.enabled(Severity::kDebug1));
    EXPECT_TRUE(quietOne.quiet());
    JsonLogger verbose(stdout, 2, false);
    EXPECT_TRUE(verbose.enabled(Severity::kDebug2));
    EXPECT_FALSE(verbose.enabled(Severity::kDebug3));
}

TEST(JsonLogTest, WritesOneLinePerRecordToItsFile) {
    std::FILE* f = std::tmpfile();
    ASSERT_NE(f, nullptr);
    {
        JsonLogger logger(f, 0, false);
        server::log(logger, Severity::kInfo, Component::kControl, "main", 7, "hello",
                    [](bson::Builder& a) { a.appendInt32("x", 1); });
        server::log(logger, Severity::kDebug1, Component::kControl, "main", 8, "filtered");
    }
    std::rewind(f);
    char buf[512] = {};
    size_t n = std::fread(buf, 1, sizeof buf - 1, f);
    std::fclose(f);
    std::string text(buf, n);
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1);
    EXPECT_NE(text.find(R"("id":7,"ctx":"main","msg":"hello","attr":{"x":1}})"), std::string::npos);
}

std::string slurp(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

TEST(JsonLogTest, LogpathRenamesAnOldFileUnlessAppending) {
    namespace fs = std::filesystem;
    fs::path dir = fs::temp_directory_path() / ("cryptd-log-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    std::string path = (dir / "m.log").string();
    std::ofstream(path) << "old\n";
    {
        auto logger = JsonLogger::toFile(path, true, 0, false);
        server::log(*logger, Severity::kInfo, Component::kControl, "main", 1, "appended");
    }
    EXPECT_EQ(slurp(path).rfind("old\n", 0), 0u);
    EXPECT_NE(slurp(path).find("appended"), std::string::npos);
    {
        auto logger = JsonLogger::toFile(path, false, 0, false);
        server::log(*logger, Severity::kInfo, Component::kControl, "main", 2, "fresh");
    }
    EXPECT_EQ(slurp(path).find("old"), std::string::npos);
    size_t files = 0;
    for (const auto& entry : fs::directory_iterator(dir)) {
        ++files;
        if (entry.path() != path) {
            EXPECT_EQ(slurp(entry.path().string()).rfind("old\n", 0), 0u);  // m.log.<time>
        }
    }
    EXPECT_EQ(files, 2u);
    EXPECT_THROW(JsonLogger::toFile((dir / "no/such/dir/x.log").string(), true, 0, false),
                 std::runtime_error);
    fs::remove_all(dir);
}

}  // namespace
}  // namespace cryptd::app
