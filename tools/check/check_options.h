#pragma once
// Command-line options of the checker (cryptd-check).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "check/input_shape.h"
#include "check/report.h"

namespace cryptd::check {

struct CheckOptions {
    std::vector<std::string> files;
    ReportOptions report;
    ShapeOptions shape;
    std::optional<std::string> commandFile;
    bool help = false;
    bool version = false;
};

struct ParsedOptions {
    std::optional<CheckOptions> options;
    std::string error;  // set when options is nullopt
};

ParsedOptions parseCheckOptions(const std::vector<std::string>& args);

std::string usageText(std::string_view program);

}  // namespace cryptd::check
