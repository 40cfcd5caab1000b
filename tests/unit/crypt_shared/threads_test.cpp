// libmongocrypt makes, uses and drops an analyzer for every command, from any thread and without
// a lock of its own. 8 threads x 10,000 calls, each with its own analyzer, must all get the
// engine's answer; make test-sanitize runs this under AddressSanitizer.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "crypt_shared_test_util.h"

namespace cryptd::crypt_shared::test {
namespace {

constexpr int kThreads = 8;
constexpr int kCallsPerThread = 10'000;

TEST(CryptSharedThreads, AnalyzerPerCallOnEightThreads) {
    Lib lib;
    ASSERT_NE(lib.lib, nullptr);
    // Two commands (one with placeholders, one rejected) and an unencrypted one, all with the same
    // schema: the shared schema cache is read by every thread.
    std::vector<bson::Doc> cmds;
    cmds.push_back(command(R"("find": "c", "filter": {"ssn": "1", "n": 2})"));
    cmds.push_back(command(R"("insert": "c", "documents": [{"ssn": "1", "age": 3}])"));
    cmds.push_back(command(R"("find": "c", "filter": {"ssn": {"$gt": "1"}})"));
    std::vector<bson::Doc> expected;
    {
        Status st;
        auto* qa = mongo_crypt_v1_query_analyzer_create(lib.lib, st);
        for (const auto& c : cmds) expected.push_back(analyze(qa, c, st));
        mongo_crypt_v1_query_analyzer_destroy(qa);
    }
    ASSERT_GT(expected[0].size(), 5u);
    ASSERT_EQ(expected[2].size(), 5u);  // the rejected one: no reply

    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kCallsPerThread; ++i) {
                size_t which = static_cast<size_t>(i + t) % cmds.size();
                Status st;
                mongo_crypt_v1_query_analyzer* qa =
                    mongo_crypt_v1_query_analyzer_create(lib.lib, st);
                if (!qa) {
                    ++wrong;
                    continue;
                }
                bson::Doc reply = analyze(qa, cmds[which], st);
                bool ok = which == 2 ? st.error() == MONGO_CRYPT_V1_ERROR_EXCEPTION
                                     : st.error() == MONGO_CRYPT_V1_SUCCESS &&
                                           reply.view() == expected[which].view();
                if (!ok) ++wrong;
                mongo_crypt_v1_query_analyzer_destroy(qa);
            }
        });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(wrong.load(), 0);
    Status st;
    // Every analyzer was destroyed: the library can go.
    EXPECT_EQ(mongo_crypt_v1_lib_destroy(lib.lib, st), MONGO_CRYPT_V1_SUCCESS) << st.explanation();
    lib.lib = nullptr;
}

// Two threads on one analyzer break the ABI's rule; the library refuses the second caller
// (REENTRANCY_NOT_ALLOWED) instead of racing, and never answers wrongly.
TEST(CryptSharedThreads, SharedAnalyzerIsRefusedNotRaced) {
    Lib lib;
    Status st0;
    auto* qa = mongo_crypt_v1_query_analyzer_create(lib.lib, st0);
    bson::Doc cmd = command(R"("find": "c", "filter": {"ssn": "1"})");
    bson::Doc expected = analyze(qa, cmd, st0);
    std::atomic<int> wrong{0}, refused{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 2; ++t) {
        threads.emplace_back([&] {
            Status st;
            for (int i = 0; i < 5'000; ++i) {
                bson::Doc reply = analyze(qa, cmd, st);
                if (st.error() == MONGO_CRYPT_V1_ERROR_REENTRANCY_NOT_ALLOWED) {
                    ++refused;
                } else if (st.error() != MONGO_CRYPT_V1_SUCCESS ||
                           !(reply.view() == expected.view())) {
                    ++wrong;
                }
            }
        });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(wrong.load(), 0);
    mongo_crypt_v1_query_analyzer_destroy(qa);
}

}  // namespace
}  // namespace cryptd::crypt_shared::test
