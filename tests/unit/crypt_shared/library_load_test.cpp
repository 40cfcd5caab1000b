// The built mongo_crypt_v1.so loaded as libmongocrypt loads it (dlopen RTLD_LAZY|RTLD_LOCAL, then
// dlsym of the 13 functions): it answers as the engine does, keeps its libbson and C++ runtime
// to itself, and writes nothing to stdout or stderr.
#include <dlfcn.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "analysis/analyzer.h"
#include "analysis/compatible_version.h"
#include "crypt_shared_test_util.h"
#include "loaded_library.h"

namespace cryptd::crypt_shared::test {
namespace {

// Sends fd 1 and 2 to a file for the scope; what was written is read back at the end.
class CaptureOutput {
  public:
    CaptureOutput() : file_(std::tmpfile()) {
        std::fflush(stdout);
        std::fflush(stderr);
        saved1_ = dup(1);
        saved2_ = dup(2);
        dup2(fileno(file_), 1);
        dup2(fileno(file_), 2);
    }
    std::string stop() {
        std::fflush(stdout);
        std::fflush(stderr);
        dup2(saved1_, 1);
        dup2(saved2_, 2);
        close(saved1_);
        close(saved2_);
        std::string out;
        std::rewind(file_);
        for (int c; (c = std::fgetc(file_)) != EOF;) out.push_back(static_cast<char>(c));
        std::fclose(file_);
        return out;
    }

  private:
    FILE* file_;
    int saved1_ = -1, saved2_ = -1;
};

TEST(CryptSharedLibrary, LoadsAndAnswersAsTheEngine) {
    CaptureOutput capture;
    std::string written;
    {
        LoadedLibrary api(CRYPTD_CRYPT_SHARED_LIB);
        ASSERT_NE(api.handle, nullptr) << (written = capture.stop(), dlerror());
        ASSERT_EQ(api.missing, "") << (written = capture.stop(), "");

        EXPECT_EQ(api.get_version(), analysis::kCompatibleVersionWords);
        EXPECT_EQ(std::string(api.get_version_str()), std::string("mongo_crypt_v1-cryptd-") +
                                                          CRYPTD_VERSION + "+mongodb-" +
                                                          analysis::kCompatibleServerVersion);

        mongo_crypt_v1_status* st = api.status_create();
        mongo_crypt_v1_lib* lib = api.lib_create(st);
        ASSERT_NE(lib, nullptr);
        EXPECT_EQ(api.lib_create(st), nullptr);
        EXPECT_EQ(api.status_get_error(st), MONGO_CRYPT_V1_ERROR_LIBRARY_ALREADY_INITIALIZED);

        bson::Doc cmd = command(R"("find": "c", "filter": {"ssn": "1", "x": 2})");
        for (int i = 0; i < 3; ++i) {
            mongo_crypt_v1_query_analyzer* qa = api.query_analyzer_create(lib, st);
            ASSERT_NE(qa, nullptr);
            uint32_t len = 0;
            uint8_t* out = api.analyze_query(qa, cmd.data(), "db.c", 4, &len, st);
            ASSERT_NE(out, nullptr) << api.status_get_explanation(st);
            bson::Doc reply = bson::Doc::copyOf(out, len);
            api.bson_free(out);
            analysis::Analyzer engine;
            EXPECT_EQ(reply.view(), engine.analyze(cmd.view()).view());
            api.query_analyzer_destroy(qa);
        }
        // An error crosses as a status (the exception stays inside the library).
        mongo_crypt_v1_query_analyzer* qa = api.query_analyzer_create(lib, st);
        bson::Doc bad = command(R"("find": "c", "filter": {"ssn": {"$gt": "1"}})");
        uint32_t len = 0;
        EXPECT_EQ(api.analyze_query(qa, bad.data(), "db.c", 4, &len, st), nullptr);
        EXPECT_EQ(api.status_get_error(st), MONGO_CRYPT_V1_ERROR_EXCEPTION);
        EXPECT_NE(std::string(api.status_get_explanation(st)).find("Invalid match expression"),
                  std::string::npos);
        api.query_analyzer_destroy(qa);
        EXPECT_EQ(api.lib_destroy(lib, st), MONGO_CRYPT_V1_SUCCESS);
        api.status_destroy(st);

        // Its libbson (and, in release builds, its C++ runtime) are not visible to the host.
        for (const char* hidden : {"bson_new", "bson_free", "bson_get_version",
                                   "_ZN6cryptd8analysis8Analyzer7analyzeENS_4bson4ViewE"})
            EXPECT_EQ(dlsym(api.handle, hidden), nullptr) << hidden;
#ifdef CRYPTD_STATIC_RUNTIME
        for (const char* hidden : {"_Znwm", "__cxa_throw", "_Unwind_RaiseException"})
            EXPECT_EQ(dlsym(api.handle, hidden), nullptr) << hidden;
#endif
    }
    written = capture.stop();
    EXPECT_EQ(written, "") << "the library wrote to stdout/stderr";
}

}  // namespace
}  // namespace cryptd::crypt_shared::test
