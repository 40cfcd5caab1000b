#include "common/error.h"

namespace cryptd {

std::string_view codeName(ErrorCode code) noexcept {
    switch (code) {
#define X(name, num) \
    case ErrorCode::name: return #name;
#define LOC(num) \
    case ErrorCode::Location##num: return "Location" #num;
#include "common/error_codes.def"
#undef LOC
#undef X
    }
    return "UnknownError";
}

void fail(ErrorCode code, std::string reason) { throw Error(code, std::move(reason)); }

}  // namespace cryptd
