#include "check/input_text.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

namespace cryptd::check {

namespace {

std::string readAll(std::istream& in, const std::string& name) {
    std::string out;
    char buf[64 * 1024];
    while (in.read(buf, sizeof buf) || in.gcount() > 0) {
        out.append(buf, static_cast<size_t>(in.gcount()));
        if (out.size() > kMaxInputBytes) {
            throw InputError(name + " is larger than " + std::to_string(kMaxInputBytes >> 20) +
                             " MiB");
        }
    }
    if (in.bad()) throw InputError("cannot read " + name);
    return out;
}

bool isHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '-';
}

}  // namespace

std::string readInput(const std::string& path, std::istream& in) {
    std::string text;
    if (path == "-") {
        text = readAll(in, "standard input");
    } else {
        std::ifstream file(path, std::ios::binary);
        if (!file) throw InputError("cannot open " + path + ": " + std::strerror(errno));
        text = readAll(file, path);
    }
    // Some editors start UTF-8 files with a byte order mark; editors do not count it as a column.
    if (text.starts_with("\xEF\xBB\xBF")) text.erase(0, 3);
    return text;
}

ShellLiterals::ShellLiterals(std::string_view t) {
    json_.reserve(t.size());
    long delta = 0;
    size_t i = 0;
    while (i < t.size()) {
        char c = t[i];
        if (c == '"') {  // copy a JSON string untouched
            size_t j = i + 1;
            while (j < t.size() && t[j] != '"') j += (t[j] == '\\') ? 2 : 1;
            j = std::min(j + 1, t.size());
            json_.append(t.substr(i, j - i));
            i = j;
            continue;
        }
        if (c == 'U' && t.substr(i, 5) == "UUID(" &&
            (i == 0 || !std::isalnum(static_cast<unsigned char>(t[i - 1])))) {
            // UUID( <quote> hex-and-dashes <quote> ) with optional spaces, all on one line.
            size_t j = i + 5;
            while (j < t.size() && t[j] == ' ') ++j;
            if (j < t.size() && (t[j] == '"' || t[j] == '\'')) {
                char quote = t[j];
                size_t start = ++j;
                while (j < t.size() && isHex(t[j])) ++j;
                size_t end = j;
                if (j < t.size() && t[j] == quote) {
                    ++j;
                    while (j < t.size() && t[j] == ' ') ++j;
                    if (j < t.size() && t[j] == ')') {
                        ++j;
                        std::string repl =
                            "{\"$uuid\":\"" + std::string(t.substr(start, end - start)) + "\"}";
                        json_ += repl;
                        delta += static_cast<long>(j - i) - static_cast<long>(repl.size());
                        shifts_.push_back(Shift{json_.size(), delta});
                        i = j;
                        continue;
                    }
                }
            }
        }
        json_ += c;
        ++i;
    }
}

size_t ShellLiterals::offsetInOriginal(size_t offsetInJson) const {
    long delta = 0;
    for (const auto& s : shifts_) {
        if (s.jsonOffset > offsetInJson) break;
        delta = s.delta;
    }
    long original = static_cast<long>(offsetInJson) + delta;
    return original < 0 ? 0 : static_cast<size_t>(original);
}

}  // namespace cryptd::check
