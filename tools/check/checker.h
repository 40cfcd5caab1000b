#pragma once
// Runs the checks on input files, one at a time, and keeps their schemas for --command.

#include <istream>
#include <memory>
#include <string>
#include <vector>

#include "check/check_report.h"
#include "check/input_shape.h"
#include "check/json_document.h"

namespace cryptd::check {

class Checker {
  public:
    explicit Checker(ShapeOptions options) : options_(std::move(options)) {}

    // `in` is read when path is "-".
    FileReport checkFile(const std::string& path, std::istream& in);

    // The schemas of the files checked so far (views stay valid while this Checker lives).
    std::vector<AvailableSchema> availableSchemas() const;

  private:
    struct Loaded {
        std::string file;
        std::unique_ptr<JsonDocument> json;
        std::vector<SchemaUnit> units;
        std::vector<bool> valid;
    };

    ShapeOptions options_;
    std::vector<Loaded> loaded_;
};

}  // namespace cryptd::check
