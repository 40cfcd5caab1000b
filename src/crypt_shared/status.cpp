#include "crypt_shared/status.h"

#include <exception>
#include <new>

#include "common/error.h"

namespace cryptd::crypt_shared {

void report(mongo_crypt_v1_status* status, int error, int code, std::string_view explanation) {
    if (!status) return;
    status->error = error;
    status->code = code;
    try {
        status->explanation.assign(explanation);
    } catch (...) {
        status->error = MONGO_CRYPT_V1_ERROR_IN_REPORTING_ERROR;
        status->explanation.clear();  // get_explanation() then gives a fixed text
    }
}

void reportCurrentException(mongo_crypt_v1_status* status) noexcept {
    try {
        throw;
    } catch (const Error& e) {
        report(status, MONGO_CRYPT_V1_ERROR_EXCEPTION, e.numericCode(), e.reason());
    } catch (const std::bad_alloc&) {
        report(status, MONGO_CRYPT_V1_ERROR_ENOMEM, 0, "out of memory");
    } catch (const std::exception& e) {
        report(status, MONGO_CRYPT_V1_ERROR_EXCEPTION, static_cast<int>(ErrorCode::InternalError),
               e.what());
    } catch (...) {
        report(status, MONGO_CRYPT_V1_ERROR_UNKNOWN, 0, "unknown error");
    }
}

}  // namespace cryptd::crypt_shared
