#pragma once
// `--name value` / `--name=value` command-line options for the bench tools. Unknown options are
// an error, so a typo never silently runs the default benchmark.

#include <cstdlib>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace cryptd::bench {

class CliArgs {
  public:
    CliArgs(int argc, char** argv, const std::set<std::string>& known) {
        for (int i = 1; i < argc; ++i) {
            std::string a = argv[i];
            if (a.rfind("--", 0) != 0) throw std::invalid_argument("unexpected argument: " + a);
            a = a.substr(2);
            std::string value;
            if (auto eq = a.find('='); eq != std::string::npos) {
                value = a.substr(eq + 1);
                a = a.substr(0, eq);
            } else if (a != "help") {
                if (i + 1 >= argc) throw std::invalid_argument("--" + a + " needs a value");
                value = argv[++i];
            }
            if (a != "help" && !known.count(a))
                throw std::invalid_argument("unknown option --" + a);
            values_[a] = value;
        }
    }

    bool has(const std::string& name) const { return values_.count(name) > 0; }
    std::string str(const std::string& name, const std::string& fallback) const {
        auto it = values_.find(name);
        return it == values_.end() ? fallback : it->second;
    }
    long long num(const std::string& name, long long fallback) const {
        auto it = values_.find(name);
        if (it == values_.end()) return fallback;
        char* end = nullptr;
        long long v = std::strtoll(it->second.c_str(), &end, 10);
        if (it->second.empty() || *end != '\0' || v < 0) {
            throw std::invalid_argument("--" + name + " needs a non-negative integer");
        }
        return v;
    }
    // "a,b,c" -> {a, b, c}
    std::vector<std::string> list(const std::string& name, const std::string& fallback) const {
        std::vector<std::string> out;
        std::stringstream in(str(name, fallback));
        for (std::string item; std::getline(in, item, ',');) {
            if (!item.empty()) out.push_back(item);
        }
        return out;
    }

  private:
    std::map<std::string, std::string> values_;
};

}  // namespace cryptd::bench
