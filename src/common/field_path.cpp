#include "common/field_path.h"

#include "common/error.h"

namespace cryptd {

FieldPath FieldPath::parse(std::string_view dotted) {
    FieldPath path;
    if (dotted.empty()) fail(ErrorCode::BadValue, "FieldPath cannot be constructed with empty string");
    size_t start = 0;
    while (true) {
        size_t dot = dotted.find('.', start);
        std::string_view part = dotted.substr(start, dot == std::string_view::npos ? dotted.npos
                                                                                   : dot - start);
        if (part.empty()) {
            fail(ErrorCode::BadValue,
                 "FieldPath must not contain empty parts: '" + std::string(dotted) + "'");
        }
        path.parts_.emplace_back(part);
        if (dot == std::string_view::npos) break;
        start = dot + 1;
    }
    return path;
}

FieldPath FieldPath::child(std::string_view part) const {
    FieldPath out = *this;
    out.push(part);
    return out;
}

FieldPath FieldPath::prefix(size_t n) const {
    FieldPath out;
    out.parts_.assign(parts_.begin(), parts_.begin() + static_cast<long>(std::min(n, size())));
    return out;
}

bool FieldPath::isPrefixOf(const FieldPath& other) const {
    if (size() > other.size()) return false;
    for (size_t i = 0; i < size(); ++i) {
        if (parts_[i] != other.parts_[i]) return false;
    }
    return true;
}

std::string FieldPath::dotted() const {
    std::string out;
    for (size_t i = 0; i < parts_.size(); ++i) {
        if (i) out += '.';
        out += parts_[i];
    }
    return out;
}

}  // namespace cryptd
