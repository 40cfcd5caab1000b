#include "app/config_file.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>

#include "app/option_table.h"
#include "app/options.h"

namespace cryptd::app {

namespace {

bool asBool(const YAML::Node& value, const std::string& path) {
    try {
        return value.as<bool>();
    } catch (const YAML::Exception&) {
        throw OptionsError("config file: " + path + " must be true or false");
    }
}

void addScalar(const std::string& path, const YAML::Node& value, std::vector<std::string>& out) {
    if (path == "systemLog.destination") {
        // "file" needs systemLog.path, checked with the other options; syslog is not supported.
        if (!value.IsScalar() || value.Scalar() != "file") {
            throw OptionsError(
                "config file: systemLog.destination must be 'file' (syslog is not "
                "supported); leave it out to log to stdout");
        }
        return;
    }
    const OptionSpec* spec = findOptionByYamlPath(path);
    if (spec == nullptr) throw OptionsError("config file: unrecognized option: " + path);
    if (!value.IsScalar()) {
        throw OptionsError("config file: " + path + " must be a single value");
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
                throw OptionsError("config file: " + path + " must be an integer");
            }
            if (level < 0 || level > 5) {
                throw OptionsError("config file: " + path + " must be between 0 and 5");
            }
            if (level > 0) out.push_back(flag + "=" + std::string(static_cast<size_t>(level), 'v'));
            return;
        }
        case OptionKind::kSetParameter:
        case OptionKind::kUnsupported:
            break;
    }
    throw OptionsError("config file: " + path + " cannot be set this way");
}

void flatten(const YAML::Node& node, const std::string& prefix, std::vector<std::string>& out) {
    for (const auto& kv : node) {
        std::string key = kv.first.as<std::string>();
        std::string path = prefix.empty() ? key : prefix + "." + key;
        const YAML::Node& value = kv.second;
        if (path == "setParameter") {
            if (!value.IsMap()) throw OptionsError("config file: setParameter must be a map");
            for (const auto& p : value) {
                if (!p.second.IsScalar()) {
                    throw OptionsError("config file: setParameter." + p.first.as<std::string>() +
                                       " must be a single value");
                }
                out.push_back("--setParameter=" + p.first.as<std::string>() + "=" +
                              p.second.Scalar());
            }
        } else if (value.IsMap()) {
            flatten(value, path, out);
        } else if (value.IsNull()) {
            throw OptionsError("config file: " + path + " has no value");
        } else {
            addScalar(path, value, out);
        }
    }
}

std::vector<std::string> tokensOf(const YAML::Node& root) {
    std::vector<std::string> out;
    if (root.IsNull()) return out;  // an empty file sets nothing
    if (!root.IsMap()) throw OptionsError("config file: expected a YAML map at the top level");
    try {
        flatten(root, "", out);
    } catch (const YAML::Exception& e) {
        throw OptionsError(std::string("config file: ") + e.what());
    }
    return out;
}

}  // namespace

std::vector<std::string> configTextTokens(const std::string& yaml) {
    YAML::Node root;
    try {
        root = YAML::Load(yaml);
    } catch (const YAML::Exception& e) {
        throw OptionsError(std::string("config file: invalid YAML: ") + e.what());
    }
    return tokensOf(root);
}

std::vector<std::string> configFileTokens(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw OptionsError("config file: cannot read '" + path + "'");
    std::stringstream text;
    text << in.rdbuf();
    return configTextTokens(text.str());
}

}  // namespace cryptd::app
