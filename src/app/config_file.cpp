#include "app/config_file.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>

#include "app/option_table.h"
#include "app/options.h"

namespace cryptd::app {

namespace {

// Every refusal names the config file, so the user knows which input was wrong.
[[noreturn]] void refuse(const std::string& what) {
    throw OptionsError("config file: " + what);
}
constexpr const char* kNotSingleValue = " must be a single value";

bool asBool(const YAML::Node& value, const std::string& path) {
    try {
        return value.as<bool>();
    } catch (const YAML::Exception&) {
        refuse(path + " must be true or false");
    }
}

void addScalar(const std::string& path, const YAML::Node& value, std::vector<std::string>& out) {
    if (path == "systemLog.destination") {
        // "file" needs systemLog.path, checked with the other options; syslog is not supported.
        if (!value.IsScalar() || value.Scalar() != "file") {
            refuse(
                "systemLog.destination must be 'file' (syslog is not supported); leave it out to "
                "log to stdout");
        }
        return;
    }
    const OptionSpec* spec = findOptionByYamlPath(path);
    if (spec == nullptr) refuse("unrecognized option: " + path);
    if (!value.IsScalar()) {
        refuse(path + kNotSingleValue);
    }
    const std::string flag = "--" + std::string(spec->name);
    switch (spec->kind) {
        case OptionKind::kInt:
        case OptionKind::kString:
        case OptionKind::kIgnoredString:
            out.push_back(flag + "=" + value.Scalar());
            return;
        case OptionKind::kSwitch:
        case OptionKind::kIgnoredSwitch:
            if (asBool(value, path) != spec->invertedInYaml) out.push_back(flag);
            return;
        case OptionKind::kVerbosity: {
            int level = 0;
            try {
                level = value.as<int>();
            } catch (const YAML::Exception&) {
                refuse(path + " must be an integer");
            }
            if (level < 0 || level > 5) {
                refuse(path + " must be between 0 and 5");
            }
            if (level > 0) out.push_back(flag + "=" + std::string(static_cast<size_t>(level), 'v'));
            return;
        }
        case OptionKind::kSetParameter:
        case OptionKind::kUnsupported:
            break;
    }
    refuse(path + " cannot be set this way");
}

void flatten(const YAML::Node& node, const std::string& prefix, std::vector<std::string>& out) {
    for (const auto& kv : node) {
        std::string key = kv.first.as<std::string>();
        std::string path = prefix.empty() ? key : prefix + "." + key;
        const YAML::Node& value = kv.second;
        if (path == "setParameter") {
            if (!value.IsMap()) refuse("setParameter must be a map");
            for (const auto& p : value) {
                if (!p.second.IsScalar()) {
                    refuse("setParameter." + p.first.as<std::string>() + kNotSingleValue);
                }
                out.push_back("--setParameter=" + p.first.as<std::string>() + "=" +
                              p.second.Scalar());
            }
        } else if (value.IsMap()) {
            flatten(value, path, out);
        } else if (value.IsNull()) {
            refuse(path + " has no value");
        } else {
            addScalar(path, value, out);
        }
    }
}

std::vector<std::string> tokensOf(const YAML::Node& root) {
    std::vector<std::string> out;
    if (root.IsNull()) return out;  // an empty file sets nothing
    if (!root.IsMap()) refuse("expected a YAML map at the top level");
    try {
        flatten(root, "", out);
    } catch (const YAML::Exception& e) {
        refuse(e.what());
    }
    return out;
}

}  // namespace

std::vector<std::string> configTextTokens(const std::string& yaml) {
    YAML::Node root;
    try {
        root = YAML::Load(yaml);
    } catch (const YAML::Exception& e) {
        refuse(std::string("invalid YAML: ") + e.what());
    }
    return tokensOf(root);
}

std::vector<std::string> configFileTokens(const std::string& path) {
    std::ifstream in(path);
    if (!in) refuse("cannot read '" + path + "'");
    std::stringstream text;
    text << in.rdbuf();
    return configTextTokens(text.str());
}

}  // namespace cryptd::app
