#pragma once
// mongo_crypt_v1_status: what the last call that was given it reported. Filling one never throws
// out of the library: a message that cannot be stored leaves IN_REPORTING_ERROR with a static
// explanation.

#include <cstdint>
#include <string>
#include <string_view>

#include "crypt_shared/mongo_crypt_v1.h"

struct mongo_crypt_v1_status {
    int error = MONGO_CRYPT_V1_SUCCESS;
    int code = 0;  // a MongoDB error code when error is EXCEPTION
    std::string explanation;
};

namespace cryptd::crypt_shared {

// Records an outcome in `status` (which may be null: the caller did not ask).
void report(mongo_crypt_v1_status* status, int error, int code, std::string_view explanation);
inline void reportSuccess(mongo_crypt_v1_status* status) {
    if (status) {
        status->error = MONGO_CRYPT_V1_SUCCESS;
        status->code = 0;
        status->explanation.clear();
    }
}

// The current exception as a status: cryptd::Error keeps its MongoDB code and message (the text
// the daemon sends as errmsg), std::bad_alloc is ENOMEM, anything else EXCEPTION/UNKNOWN. Call
// only inside a catch block.
void reportCurrentException(mongo_crypt_v1_status* status) noexcept;

}  // namespace cryptd::crypt_shared
