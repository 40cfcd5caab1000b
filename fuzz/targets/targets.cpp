#include "targets/targets.h"

#include <array>
#include <cstdio>
#include <cstdlib>

#include "common/bson.h"
#include "common/error.h"
#include "server/wire_message.h"

namespace cryptd::fuzz {

std::span<const Target> targets() {
    static constexpr std::array kTargets = {
        Target{"wire", &wireTarget},
        Target{"intake", &intakeTarget},
        Target{"schema", &schemaTarget},
        Target{"analyze", &analyzeTarget},
        Target{"crypt_shared", &cryptSharedTarget},
    };
    return kTargets;
}

bool documentFrom(const uint8_t* data, size_t size, std::vector<uint8_t>& out) {
    namespace wire = server::wire;
    if (bson::isValid(data, size)) {
        out.assign(data, data + size);
    } else if (size > 1 && data[0] == '{') {
        try {
            bson::Doc d =
                bson::Doc::fromJson(std::string_view(reinterpret_cast<const char*>(data), size));
            out.assign(d.data(), d.data() + d.size());
        } catch (const Error&) {
            return false;
        }
    } else {
        return false;
    }
    return static_cast<bool>(wire::checkDocument(out.data(), out.size()));
}

void fail(std::string_view what, std::string_view detail) {
    std::fprintf(stderr, "\n*** fuzz invariant broken: %.*s\n%.*s\n", static_cast<int>(what.size()),
                 what.data(), static_cast<int>(detail.size()), detail.data());
    std::abort();
}

}  // namespace cryptd::fuzz
