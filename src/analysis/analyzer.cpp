#include "analysis/analyzer.h"

#include "common/error.h"

namespace cryptd::analysis {

// The command registry is empty until the analyzers land: every analysis command is then
// answered with CommandNotFound by the server, which is the honest answer.
struct Analyzer::Impl {};

Analyzer::Analyzer() : impl_(std::make_unique<Impl>()) {}
Analyzer::~Analyzer() = default;

bool Analyzer::handles(std::string_view) const { return false; }

bson::Doc Analyzer::analyze(bson::View command) const {
    auto first = command.begin();
    std::string name = first != command.end() ? std::string((*first).key()) : std::string();
    fail(ErrorCode::CommandNotFound, "no such command: '" + name + "'");
}

}  // namespace cryptd::analysis
