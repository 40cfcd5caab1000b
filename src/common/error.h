#pragma once
// The one error type of cryptd: a MongoDB numeric code, its codeName and a message.
// Schema and analysis throw it; the server edge turns it into {ok: 0, errmsg, code, codeName}.

#include <cstdint>
#include <exception>
#include <string>
#include <string_view>

namespace cryptd {

enum class ErrorCode : int32_t {
#define X(name, code) name = code,
#define LOC(code) Location##code = code,
#include "common/error_codes.def"
#undef LOC
#undef X
};

// "FailedToParse", or "Location51088" for codes without a name. Unknown codes give "UnknownError".
std::string_view codeName(ErrorCode code) noexcept;

class Error : public std::exception {
public:
    // Messages longer than kMaxReasonBytes keep their head and tail (where the schema path
    // is) around a "... N bytes omitted ..." note: a message quoting a huge input must not
    // cost a reply that size.
    static constexpr size_t kMaxReasonBytes = 16 * 1024;
    Error(ErrorCode code, std::string reason) : code_(code), reason_(std::move(reason)) {
        if (reason_.size() > kMaxReasonBytes) shorten();
    }

    ErrorCode code() const noexcept { return code_; }
    int32_t numericCode() const noexcept { return static_cast<int32_t>(code_); }
    std::string_view codeName() const noexcept { return cryptd::codeName(code_); }
    const std::string& reason() const noexcept { return reason_; }
    const char* what() const noexcept override { return reason_.c_str(); }

private:
    void shorten();
    ErrorCode code_;
    std::string reason_;
};

// The input is wrong (not our code): throw the error the client will see.
[[noreturn]] void fail(ErrorCode code, std::string reason);

// The longest prefix of `s` of at most `maxBytes` that does not cut a UTF-8 sequence.
std::string_view utf8Prefix(std::string_view s, size_t maxBytes);

inline void require(bool cond, ErrorCode code, std::string_view reason) {
    if (!cond) fail(code, std::string(reason));
}

// Our own code is wrong: an InternalError for this one request, never an abort of the host
// process (the engine also runs inside drivers, as mongo_crypt_v1.so).
inline void invariant(bool cond, const char* what) {
    if (!cond) fail(ErrorCode::InternalError, std::string("internal invariant failed: ") + what);
}

}  // namespace cryptd
