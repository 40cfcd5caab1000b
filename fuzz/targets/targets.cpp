#include "targets/targets.h"

#include <array>
#include <cstdio>
#include <cstdlib>

namespace cryptd::fuzz {

std::span<const Target> targets() {
    static constexpr std::array kTargets = {
        Target{"wire", &wireTarget},
        Target{"intake", &intakeTarget},
        Target{"schema", &schemaTarget},
        Target{"analyze", &analyzeTarget},
    };
    return kTargets;
}

void fail(std::string_view what, std::string_view detail) {
    std::fprintf(stderr, "\n*** fuzz invariant broken: %.*s\n%.*s\n", static_cast<int>(what.size()),
                 what.data(), static_cast<int>(detail.size()), detail.data());
    std::abort();
}

}  // namespace cryptd::fuzz
