#include "analysis/analyzer.h"

#include <string>

#include "analysis/analyze_command.h"
#include "analysis/command_registry.h"
#include "common/error.h"

namespace cryptd::analysis {

// Interim: schema::SchemaCache is declared but not implemented yet; until it lands each command's
// schema is parsed afresh (correct, just slower).
struct Analyzer::Impl {};

Analyzer::Analyzer() : impl_(std::make_unique<Impl>()) {}
Analyzer::~Analyzer() = default;

bool Analyzer::handles(std::string_view commandName) const {
    return CommandRegistry::instance().find(commandName) != nullptr;
}

bson::Doc Analyzer::analyze(bson::View command) const {
    auto first = command.begin();
    std::string name = first != command.end() ? std::string((*first).key()) : std::string();
    if (!handles(name)) fail(ErrorCode::CommandNotFound, "no such command: '" + name + "'");
    SchemaArguments args = readSchemaArguments(command, name);
    std::shared_ptr<const schema::EncryptionSchema> parsed =
        schema::EncryptionSchema::parse(args.jsonSchema, args.isRemoteSchema);
    return analyzeCommand(command, parsed.get());
}

}  // namespace cryptd::analysis
