#include "analysis/json_pointer.h"

#include "common/error.h"

namespace cryptd::analysis {

std::vector<std::string> jsonPointerTokens(std::string_view pointer) {
    if (pointer.empty() || pointer.front() != '/') {
        fail(ErrorCode::BadValue,
             "keyId JSON pointer must start with '/': '" + std::string(pointer) + "'");
    }
    std::vector<std::string> tokens;
    std::string token;
    for (size_t i = 1; i <= pointer.size(); ++i) {
        if (i == pointer.size() || pointer[i] == '/') {
            tokens.push_back(std::move(token));
            token.clear();
            continue;
        }
        char c = pointer[i];
        if (c == '~') {
            char next = i + 1 < pointer.size() ? pointer[i + 1] : '\0';
            if (next != '0' && next != '1') {
                fail(ErrorCode::BadValue,
                     "invalid '~' escape in keyId JSON pointer '" + std::string(pointer) + "'");
            }
            token += next == '0' ? '~' : '/';
            ++i;
        } else {
            token += c;
        }
    }
    return tokens;
}

std::optional<bson::Element> resolveJsonPointer(bson::View doc, std::string_view pointer) {
    std::optional<bson::Element> current;
    bson::View scope = doc;
    for (const std::string& token : jsonPointerTokens(pointer)) {
        if (current && !current->isDocument() && !current->isArray()) return std::nullopt;
        if (current) scope = current->document();
        current = scope.find(token);  // arrays are documents keyed "0", "1", ...
        if (!current) return std::nullopt;
    }
    return current;
}

}  // namespace cryptd::analysis
