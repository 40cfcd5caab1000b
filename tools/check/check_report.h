#pragma once
// What one run of the checker found, independent of the output format.

#include <optional>
#include <string>
#include <vector>

#include "check/command_probe.h"
#include "check/diagnostic.h"
#include "check/explain.h"
#include "check/input_shape.h"

namespace cryptd::check {

struct NamespaceReport {
    std::string ns;
    bool remote = false;
    bool valid = false;
    std::vector<ExplainRow> rows;  // valid only: the resolved encrypted paths
};

struct FileReport {
    std::string name;  // as given ("-" shown as "<stdin>")
    bool readable = true;
    std::string unreadable;  // why it could not be read
    std::optional<Location> unreadableAt;
    Shape shape = Shape::kJsonSchema;
    std::vector<NamespaceReport> namespaces;
    std::vector<Diagnostic> problems;
    bool incomplete = false;  // more problems may hide behind the ones reported
};

struct CheckReport {
    std::vector<FileReport> files;
    std::optional<CommandOutcome> command;

    size_t problemCount() const;
    // 2: an input or the command could not be read (or matched); 1: problems found or the
    // command is rejected; 0: clean.
    int exitCode() const;
};

}  // namespace cryptd::check
