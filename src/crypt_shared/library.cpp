// The 13 mongo_crypt_v1 functions over the analysis engine. Every entry point is noexcept in
// effect: nothing thrown inside crosses into the host (a driver process), errors become a status.
//
// One library object per process (the ABI's rule) owns the engine's Analyzer, whose schema cache
// is shared and thread-safe. libmongocrypt makes and drops a query analyzer for every command, so
// an analyzer is a few words pointing at the library: creating one costs an allocation.
#include <array>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <string>

#include "analysis/analyzer.h"
#include "analysis/compatible_version.h"
#include "common/bson_bytes.h"
#include "common/error.h"
#include "crypt_shared/command_input.h"
#include "crypt_shared/mongo_crypt_v1.h"
#include "crypt_shared/status.h"
#include "crypt_shared/version_string.h"

using cryptd::ErrorCode;
using cryptd::crypt_shared::report;
using cryptd::crypt_shared::reportCurrentException;
using cryptd::crypt_shared::reportSuccess;

namespace {

// An analyzer carries a tag so a pointer that is not ours is refused with a status instead of
// being used; destroy clears it. (The library handle is compared with the one live handle.)
constexpr uint64_t kAnalyzerTag = 0x7a6c6e6174707972;  // "ryptanlz"

}  // namespace

// Live analyzers, counted in per-thread slots: libmongocrypt makes and drops an analyzer for
// every command on every thread, and one shared counter would bounce between cores on each.
// An analyzer may be destroyed on another thread than made it; only the sum is meaningful.
class AnalyzerCount {
  public:
    void add(int64_t n) { slots_[slot()].n.fetch_add(n, std::memory_order_relaxed); }
    int64_t total() const {
        int64_t sum = 0;
        for (const auto& s : slots_) sum += s.n.load(std::memory_order_relaxed);
        return sum;
    }

  private:
    static constexpr size_t kSlots = 16;
    struct alignas(64) Slot {
        std::atomic<int64_t> n{0};
    };
    static size_t slot() {
        static std::atomic<size_t> next{0};
        thread_local size_t mine = next.fetch_add(1, std::memory_order_relaxed) % kSlots;
        return mine;
    }
    std::array<Slot, kSlots> slots_;
};

struct mongo_crypt_v1_lib {
    cryptd::analysis::Analyzer engine;
    AnalyzerCount liveAnalyzers;
};

struct mongo_crypt_v1_query_analyzer {
    uint64_t tag = kAnalyzerTag;
    mongo_crypt_v1_lib* lib;
    // One thread at a time (the ABI's rule): a second one that comes in is refused, not raced.
    std::atomic<bool> busy{false};
    explicit mongo_crypt_v1_query_analyzer(mongo_crypt_v1_lib* l) : lib(l) {}
};

namespace {

// The live library, if any. Creation and destruction are serialized; readers only compare.
std::mutex gLibMutex;  // constexpr constructor: no global constructor runs at load
std::atomic<mongo_crypt_v1_lib*> gLib{nullptr};

bool isOurAnalyzer(const mongo_crypt_v1_query_analyzer* a) {
    return a && a->tag == kAnalyzerTag;
}

const char* noLibMessage() {
    return "mongo_crypt_v1_lib_create() has not been called, or the library was destroyed";
}

}  // namespace

extern "C" {

mongo_crypt_v1_status* mongo_crypt_v1_status_create(void) {
    return new (std::nothrow) mongo_crypt_v1_status();
}

void mongo_crypt_v1_status_destroy(mongo_crypt_v1_status* status) {
    delete status;
}

int mongo_crypt_v1_status_get_error(const mongo_crypt_v1_status* status) {
    return status ? status->error : MONGO_CRYPT_V1_ERROR_UNKNOWN;
}

const char* mongo_crypt_v1_status_get_explanation(const mongo_crypt_v1_status* status) {
    if (!status) return "null mongo_crypt_v1_status";
    if (status->error == MONGO_CRYPT_V1_ERROR_IN_REPORTING_ERROR && status->explanation.empty())
        return "out of memory while reporting an error";
    return status->explanation.c_str();
}

int mongo_crypt_v1_status_get_code(const mongo_crypt_v1_status* status) {
    return status ? status->code : 0;
}

mongo_crypt_v1_lib* mongo_crypt_v1_lib_create(mongo_crypt_v1_status* status) {
    try {
        std::lock_guard lock(gLibMutex);
        if (gLib) {
            report(status, MONGO_CRYPT_V1_ERROR_LIBRARY_ALREADY_INITIALIZED, 0,
                   "a mongo_crypt_v1_lib already exists in this process; destroy it first (one "
                   "per process)");
            return nullptr;
        }
        auto* lib = new mongo_crypt_v1_lib();
        gLib.store(lib, std::memory_order_release);
        reportSuccess(status);
        return lib;
    } catch (...) {
        reportCurrentException(status);
        return nullptr;
    }
}

int mongo_crypt_v1_lib_destroy(mongo_crypt_v1_lib* lib, mongo_crypt_v1_status* status) {
    try {
        std::lock_guard lock(gLibMutex);
        if (!gLib) {
            report(status, MONGO_CRYPT_V1_ERROR_LIBRARY_NOT_INITIALIZED, 0, noLibMessage());
            return MONGO_CRYPT_V1_ERROR_LIBRARY_NOT_INITIALIZED;
        }
        if (lib != gLib.load()) {
            report(status, MONGO_CRYPT_V1_ERROR_INVALID_LIB_HANDLE, 0,
                   lib ? "not the mongo_crypt_v1_lib handle this library created"
                       : "null mongo_crypt_v1_lib handle");
            return MONGO_CRYPT_V1_ERROR_INVALID_LIB_HANDLE;
        }
        if (int64_t live = lib->liveAnalyzers.total(); live != 0) {
            report(status, MONGO_CRYPT_V1_ERROR_EXCEPTION,
                   static_cast<int>(ErrorCode::IllegalOperation),
                   "cannot destroy the mongo_crypt_v1_lib while " + std::to_string(live) +
                       " query analyzer(s) made from it are alive; destroy them first");
            return MONGO_CRYPT_V1_ERROR_EXCEPTION;
        }
        delete lib;
        gLib.store(nullptr, std::memory_order_release);
        reportSuccess(status);
        return MONGO_CRYPT_V1_SUCCESS;
    } catch (...) {
        reportCurrentException(status);
        return mongo_crypt_v1_status_get_error(status);
    }
}

uint64_t mongo_crypt_v1_get_version(void) {
    return cryptd::analysis::kCompatibleVersionWords;
}

const char* mongo_crypt_v1_get_version_str(void) {
    return cryptd::crypt_shared::kVersionString.data();
}

mongo_crypt_v1_query_analyzer* mongo_crypt_v1_query_analyzer_create(mongo_crypt_v1_lib* lib,
                                                                    mongo_crypt_v1_status* status) {
    // Not under gLibMutex: the ABI forbids destroying the library while it is being used, and
    // analyzers of different threads must not contend. Comparing with the live handle refuses a
    // foreign or destroyed one without reading through it.
    mongo_crypt_v1_lib* live = gLib.load(std::memory_order_acquire);
    if (!live) {
        report(status, MONGO_CRYPT_V1_ERROR_LIBRARY_NOT_INITIALIZED, 0, noLibMessage());
        return nullptr;
    }
    if (lib != live) {
        report(status, MONGO_CRYPT_V1_ERROR_INVALID_LIB_HANDLE, 0,
               lib ? "not the live mongo_crypt_v1_lib handle" : "null mongo_crypt_v1_lib handle");
        return nullptr;
    }
    auto* analyzer = new (std::nothrow) mongo_crypt_v1_query_analyzer(lib);
    if (!analyzer) {
        report(status, MONGO_CRYPT_V1_ERROR_ENOMEM, 0, "out of memory");
        return nullptr;
    }
    lib->liveAnalyzers.add(1);
    reportSuccess(status);
    return analyzer;
}

void mongo_crypt_v1_query_analyzer_destroy(mongo_crypt_v1_query_analyzer* analyzer) {
    if (!isOurAnalyzer(analyzer)) return;  // null or foreign: nothing to report to
    analyzer->tag = 0;
    analyzer->lib->liveAnalyzers.add(-1);
    delete analyzer;
}

uint8_t* mongo_crypt_v1_analyze_query(mongo_crypt_v1_query_analyzer* analyzer,
                                      const uint8_t* documentBSON, const char* ns_str,
                                      uint32_t ns_len, uint32_t* bson_len,
                                      mongo_crypt_v1_status* status) {
    if (!isOurAnalyzer(analyzer)) {
        report(status, MONGO_CRYPT_V1_ERROR_INVALID_LIB_HANDLE, 0,
               analyzer ? "not a live mongo_crypt_v1_query_analyzer handle"
                        : "null mongo_crypt_v1_query_analyzer handle");
        return nullptr;
    }
    if (analyzer->busy.exchange(true, std::memory_order_acquire)) {
        report(status, MONGO_CRYPT_V1_ERROR_REENTRANCY_NOT_ALLOWED, 0,
               "this query analyzer is in use by another call; use one analyzer per thread");
        return nullptr;
    }
    struct Release {
        std::atomic<bool>& flag;
        ~Release() { flag.store(false, std::memory_order_release); }
    } release{analyzer->busy};
    try {
        if (!bson_len) cryptd::fail(ErrorCode::BadValue, "bson_len (the output length) is null");
        cryptd::bson::Doc reply =
            cryptd::crypt_shared::analyzeInput(analyzer->lib->engine, documentBSON, ns_str, ns_len);
        uint32_t size = reply.size();
        auto* out = static_cast<uint8_t*>(std::malloc(size));
        if (!out) throw std::bad_alloc();
        std::memcpy(out, reply.data(), size);
        *bson_len = size;
        reportSuccess(status);
        return out;
    } catch (...) {
        reportCurrentException(status);
        return nullptr;
    }
}

void mongo_crypt_v1_bson_free(uint8_t* bson) {
    std::free(bson);
}

}  // extern "C"
