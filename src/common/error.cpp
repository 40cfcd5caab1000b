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

std::string_view utf8Prefix(std::string_view s, size_t maxBytes) {
    if (s.size() <= maxBytes) return s;
    size_t n = maxBytes;
    // Back off continuation bytes (top bits 10) so the cut falls before a sequence's first byte.
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
    return s.substr(0, n);
}

void Error::shorten() {
    constexpr size_t kHead = kMaxReasonBytes * 3 / 4, kTail = kMaxReasonBytes / 8;
    std::string_view all = reason_;
    std::string_view head = utf8Prefix(all, kHead);
    size_t tailStart = all.size() - kTail;
    while (tailStart < all.size() && (static_cast<unsigned char>(all[tailStart]) & 0xC0) == 0x80) {
        ++tailStart;
    }
    std::string_view tail = all.substr(tailStart);
    std::string out(head);
    out += " ... (";
    out += std::to_string(all.size() - head.size() - tail.size());
    out += " bytes omitted) ... ";
    out += tail;
    reason_ = std::move(out);
}

}  // namespace cryptd
