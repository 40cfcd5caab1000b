// libFuzzer entry point; CRYPTD_FUZZ_TARGET names the function from targets/targets.h.
//
// Cost oracle (SECURITY.md, "Cost"): an input whose execution takes more CPU than a budget linear
// in its size is a finding, like a crash. The budget is the daemon's (50 ms per MB plus 20 ms)
// scaled for the sanitized, coverage-instrumented build, and generous: it catches quadratic or
// worse work, not noise. CRYPTD_FUZZ_COST_FACTOR overrides the scale (0 turns the oracle off).
#include <time.h>

#include <cstdio>
#include <cstdlib>

#include "targets/targets.h"

namespace {

double threadCpuSeconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double costFactor() {
    static const double factor = [] {
        const char* env = std::getenv("CRYPTD_FUZZ_COST_FACTOR");
        return env ? std::atof(env) : 20.0;  // ASan + UBSan + coverage: about 3-10x slower
    }();
    return factor;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const double started = threadCpuSeconds();
    int rc = cryptd::fuzz::CRYPTD_FUZZ_TARGET(data, size);
    const double factor = costFactor();
    if (factor > 0) {
        const double spent = threadCpuSeconds() - started;
        const double budget = factor * (0.020 + 0.050 * static_cast<double>(size) / 1e6);
        if (spent > budget) {
            std::fprintf(stderr,
                         "cost oracle: %zu-byte input took %.0f ms of CPU, budget %.0f ms "
                         "(CRYPTD_FUZZ_COST_FACTOR=%g)\n",
                         size, spent * 1e3, budget * 1e3, factor);
            std::abort();
        }
    }
    return rc;
}
