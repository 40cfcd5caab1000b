#include "app/options.h"

#include <boost/program_options.hpp>
#include <filesystem>
#include <functional>
#include <sstream>

#include "app/config_file.h"
#include "app/option_table.h"
#include "app/set_parameters.h"

namespace cryptd::app {

namespace po = boost::program_options;

namespace {

po::options_description describe() {
    po::options_description desc("Options");
    for (const OptionSpec& o : optionTable()) {
        std::string names(o.name);
        if (o.shortName != 0) names += std::string(",") + o.shortName;
        const std::string help(o.help);
        switch (o.kind) {
            case OptionKind::kInt:
                desc.add_options()(names.c_str(), po::value<int64_t>()->value_name("arg"),
                                   help.c_str());
                break;
            case OptionKind::kString:
            case OptionKind::kIgnoredString:
                desc.add_options()(names.c_str(), po::value<std::string>()->value_name("arg"),
                                   help.c_str());
                break;
            case OptionKind::kSwitch:
            case OptionKind::kIgnoredSwitch:
            case OptionKind::kUnsupported:
                desc.add_options()(names.c_str(), po::bool_switch(), help.c_str());
                break;
            case OptionKind::kVerbosity:
                desc.add_options()(names.c_str(),
                                   po::value<std::string>()->implicit_value("v")->value_name("v"),
                                   help.c_str());
                break;
            case OptionKind::kSetParameter:
                desc.add_options()(
                    names.c_str(),
                    po::value<std::vector<std::string>>()->composing()->value_name("name=value"),
                    help.c_str());
                break;
        }
    }
    return desc;
}

// "-vvv" means verbosity 3; program_options would read it as -v with the value "vv".
std::vector<std::string> normalize(std::vector<std::string> args) {
    for (auto& a : args) {
        if (a.size() >= 2 && a[0] == '-' && a.find_first_not_of('v', 1) == std::string::npos) {
            a = "--verbose=" + a.substr(1);
        }
    }
    return args;
}

po::parsed_options parse(const std::vector<std::string>& args,
                         const po::options_description& desc) {
    // No abbreviations: "--po 1" must not silently mean --port.
    auto style = po::command_line_style::default_style & ~po::command_line_style::allow_guessing;
    po::parsed_options parsed = po::command_line_parser(args).options(desc).style(style).run();
    // mongocryptd takes no positional arguments; program_options would drop them silently.
    auto stray = po::collect_unrecognized(parsed.options, po::include_positional);
    if (!stray.empty()) {
        throw OptionsError("Error parsing command line: unexpected positional argument '" +
                           stray.front() + "'");
    }
    return parsed;
}

int verbosityOf(const std::string& v) {
    if (!v.empty() && v.find_first_not_of('v') == std::string::npos) {
        return static_cast<int>(v.size());
    }
    if (v.size() == 1 && v[0] >= '0' && v[0] <= '5') return v[0] - '0';
    throw OptionsError("--verbose must be v, vv, ... or a level from 0 to 5, not '" + v + "'");
}

int64_t intOption(const po::variables_map& vm, const char* name, int64_t lo, int64_t hi) {
    int64_t v = vm[name].as<int64_t>();
    if (v < lo || v > hi) {
        throw OptionsError("--" + std::string(name) + " must be between " + std::to_string(lo) +
                           " and " + std::to_string(hi) + ", not " + std::to_string(v));
    }
    return v;
}

uint32_t octalPermissions(const std::string& text) {
    size_t used = 0;
    unsigned long v = 0;
    try {
        v = std::stoul(text, &used, 8);
    } catch (const std::exception&) {
        used = 0;
    }
    if (text.empty() || used != text.size() || v > 0777) {
        throw OptionsError("--filePermissions must be octal permissions such as 0700, not '" +
                           text + "'");
    }
    return static_cast<uint32_t>(v);
}

std::string absolute(const std::string& path) {
    return std::filesystem::absolute(path).lexically_normal().string();
}

// One option as set, at its YAML path, for the `parsed` document.
struct Entry {
    std::vector<std::string> path;
    std::function<void(bson::Builder&, std::string_view key)> append;
};

std::vector<std::string> split(std::string_view dotted) {
    std::vector<std::string> out;
    size_t start = 0;
    for (;;) {
        size_t dot = dotted.find('.', start);
        out.emplace_back(dotted.substr(start, dot - start));
        if (dot == std::string_view::npos) return out;
        start = dot + 1;
    }
}

// Nests entries by path: [net, port] and [net, ipv6] become {net: {port, ipv6}}.
void emit(bson::Builder& b, const std::vector<const Entry*>& entries, size_t depth) {
    std::vector<std::string> order;
    for (const Entry* e : entries) {
        if (std::find(order.begin(), order.end(), e->path[depth]) == order.end()) {
            order.push_back(e->path[depth]);
        }
    }
    for (const auto& key : order) {
        std::vector<const Entry*> group;
        for (const Entry* e : entries) {
            if (e->path[depth] == key) group.push_back(e);
        }
        if (group.size() == 1 && group[0]->path.size() == depth + 1) {
            group[0]->append(b, key);
        } else {
            b.appendDocument(key, [&](bson::Builder& child) { emit(child, group, depth + 1); });
        }
    }
}

bson::Doc parsedDocument(const po::variables_map& vm) {
    std::vector<Entry> entries;
    if (vm.count("config")) {
        std::string file = vm["config"].as<std::string>();
        entries.push_back(
            {{"config"}, [file](bson::Builder& b, std::string_view k) { b.appendUtf8(k, file); }});
    }
    for (const OptionSpec& o : optionTable()) {
        const std::string name(o.name);
        if (o.yamlPath.empty() || !vm.count(name) || vm[name].defaulted()) continue;
        const po::variable_value& v = vm[name];
        std::function<void(bson::Builder&, std::string_view)> append;
        switch (o.kind) {
            case OptionKind::kInt: {
                int64_t n = v.as<int64_t>();
                append = [n](bson::Builder& b, std::string_view k) {
                    if (n >= INT32_MIN && n <= INT32_MAX) {
                        b.appendInt32(k, static_cast<int32_t>(n));
                    } else {
                        b.appendInt64(k, n);
                    }
                };
                break;
            }
            case OptionKind::kString:
            case OptionKind::kIgnoredString: {
                std::string s = v.as<std::string>();
                append = [s](bson::Builder& b, std::string_view k) { b.appendUtf8(k, s); };
                break;
            }
            case OptionKind::kSwitch:
            case OptionKind::kIgnoredSwitch: {
                if (!v.as<bool>()) continue;
                bool value = !o.invertedInYaml;
                append = [value](bson::Builder& b, std::string_view k) { b.appendBool(k, value); };
                break;
            }
            case OptionKind::kVerbosity: {
                int level = verbosityOf(v.as<std::string>());
                append = [level](bson::Builder& b, std::string_view k) { b.appendInt32(k, level); };
                break;
            }
            case OptionKind::kSetParameter: {
                auto params = v.as<std::vector<std::string>>();
                append = [params](bson::Builder& b, std::string_view k) {
                    b.appendDocument(k, [&](bson::Builder& p) {
                        for (const auto& nv : params) {
                            size_t eq = nv.find('=');
                            p.appendUtf8(nv.substr(0, eq), nv.substr(eq + 1));
                        }
                    });
                };
                break;
            }
            case OptionKind::kUnsupported:
                continue;
        }
        entries.push_back({split(o.yamlPath), std::move(append)});
    }
    std::vector<const Entry*> all;
    for (const auto& e : entries) all.push_back(&e);
    bson::Builder b;
    emit(b, all, 0);
    return b.finish();
}

}  // namespace

std::string helpText() {
    std::ostringstream out;
    out << "mongocryptd (cryptd): the query-analysis daemon for MongoDB client-side field level "
           "encryption.\n\nUsage: mongocryptd [options]\n\n"
        << describe();
    return out.str();
}

AppOptions parseOptions(int argc, const char* const argv[]) {
    AppOptions opts;
    for (int i = 0; i < argc; ++i) opts.argv.emplace_back(argv[i]);
    const po::options_description desc = describe();
    po::variables_map vm;
    try {
        std::vector<std::string> args(opts.argv.begin() + (argc > 0 ? 1 : 0), opts.argv.end());
        po::store(parse(normalize(args), desc), vm);
        if (vm.count("config")) {
            // Stored second: values already set on the command line win.
            auto tokens = configFileTokens(vm["config"].as<std::string>());
            po::store(parse(tokens, desc), vm);
        }
        po::notify(vm);
    } catch (const po::error& e) {
        throw OptionsError(std::string("Error parsing command line: ") + e.what());
    }

    opts.help = vm["help"].as<bool>();
    opts.version = vm["version"].as<bool>();
    opts.healthcheck = vm["healthcheck"].as<bool>();
    for (const OptionSpec& o : optionTable()) {
        const std::string name(o.name);
        if (!vm.count(name) || vm[name].defaulted()) continue;
        if (o.kind == OptionKind::kUnsupported && vm[name].as<bool>()) {
            throw OptionsError("--" + name + " is not supported by cryptd: " + std::string(o.help));
        }
        if (o.kind == OptionKind::kIgnoredString ||
            (o.kind == OptionKind::kIgnoredSwitch && vm[name].as<bool>())) {
            opts.ignored.push_back("--" + name);
        }
    }

    auto& s = opts.server;
    if (vm.count("port")) s.port = static_cast<int>(intOption(vm, "port", 0, 65535));
    s.ipv6 = vm["ipv6"].as<bool>();
    if (vm.count("maxConns")) s.maxConns = intOption(vm, "maxConns", 1, 1'000'000);
    if (vm.count("ioThreads")) s.ioThreads = static_cast<int>(intOption(vm, "ioThreads", 1, 64));
    if (vm.count("unixSocketPrefix")) {
        const auto& prefix = vm["unixSocketPrefix"].as<std::string>();
        if (prefix.empty()) throw OptionsError("--unixSocketPrefix must not be empty");
        s.unixSocketPrefix = absolute(prefix);
    }
    s.unixSocket = !vm["nounixsocket"].as<bool>();
    if (vm.count("filePermissions")) {
        s.filePermissions = octalPermissions(vm["filePermissions"].as<std::string>());
    }
    if (vm.count("idleShutdownTimeoutSecs")) {
        s.idleShutdownTimeout =
            std::chrono::seconds(intOption(vm, "idleShutdownTimeoutSecs", 0, INT32_MAX));
    }
    opts.pidFilePath = absolute(vm.count("pidfilepath") ? vm["pidfilepath"].as<std::string>()
                                                        : std::string("mongocryptd.pid"));
    if (vm.count("logpath")) {
        const auto& path = vm["logpath"].as<std::string>();
        if (path.empty()) throw OptionsError("--logpath must not be empty");
        opts.logPath = absolute(path);
    }
    opts.logAppend = vm["logappend"].as<bool>();
    opts.quiet = vm["quiet"].as<bool>();
    if (vm.count("verbose")) opts.verbosity = verbosityOf(vm["verbose"].as<std::string>());
    opts.fork = vm["fork"].as<bool>();
    if (vm.count("setParameter")) {
        for (const auto& nv : vm["setParameter"].as<std::vector<std::string>>()) {
            applySetParameter(opts, nv);
        }
    }
    if (opts.fork && opts.logPath.empty()) {
        throw OptionsError("--fork has to be used with --logpath (stdout is closed once forked)");
    }
    opts.parsed = parsedDocument(vm);
    return opts;
}

}  // namespace cryptd::app
