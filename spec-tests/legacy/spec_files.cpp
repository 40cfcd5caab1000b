#include "spec_files.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>

namespace cryptd::speclegacy {

namespace fs = std::filesystem;

std::optional<std::string> specsDir() {
    std::string dir;
    if (const char* env = std::getenv("CRYPTD_SPECS_DIR"); env && *env)
        dir = env;
    else
        dir = std::string(CRYPTD_SHARED_DIR) + "/specs/client-side-encryption";
    std::error_code ec;
    if (!fs::is_directory(dir + "/legacy", ec)) return std::nullopt;
    return dir;
}

std::vector<std::string> legacyFileStems(const std::string& dir) {
    std::vector<std::string> stems;
    for (const auto& entry : fs::directory_iterator(dir + "/legacy"))
        if (entry.path().extension() == ".json") stems.push_back(entry.path().stem().string());
    std::sort(stems.begin(), stems.end());
    return stems;
}

std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

namespace {

// The spec files use {"$type": 2} as a query operator, which Extended JSON parsers read as the
// legacy {"$binary": ..., "$type": ...} form. Such keys are renamed for the parse and back after.
constexpr std::string_view kQueryTypeKey = "__cryptd_query_type__";

bson::Doc restoreQueryType(bson::View in) {
    bson::Builder b;
    for (auto e : in) {
        std::string_view key = e.key() == kQueryTypeKey ? std::string_view("$type") : e.key();
        if (e.isDocument() || e.isArray()) {
            auto inner = restoreQueryType(e.document());
            if (e.isArray())
                b.appendArray(key, inner.view());
            else
                b.appendDocument(key, inner.view());
        } else {
            b.append(key, e);
        }
    }
    return b.finish();
}

}  // namespace

bson::Doc loadJsonFile(const std::string& path) {
    static const std::regex numericType(R"re("\$type"(\s*:\s*-?[0-9]))re");
    std::string text =
        std::regex_replace(readFile(path), numericType, "\"" + std::string(kQueryTypeKey) + "\"$1");
    return restoreQueryType(bson::Doc::fromJson(text).view());
}

}  // namespace cryptd::speclegacy
