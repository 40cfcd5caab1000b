#include "analysis/analyzer.h"

#include <string>

#include "analysis/analyze_command.h"
#include "analysis/command_registry.h"
#include "analysis/namespace_schemas.h"
#include "common/error.h"
#include "schema/schema_cache.h"

namespace cryptd::analysis {

struct Analyzer::Impl {
    // Drivers send the same schema with every command: parse it once. Thread-safe itself.
    mutable schema::SchemaCache cache;
};

Analyzer::Analyzer() : impl_(std::make_unique<Impl>()) {}
Analyzer::~Analyzer() = default;

bool Analyzer::handles(std::string_view commandName) const {
    return CommandRegistry::instance().find(commandName) != nullptr;
}

bson::Doc Analyzer::analyze(bson::View command) const {
    auto first = command.begin();
    std::string name = first != command.end() ? std::string((*first).key()) : std::string();
    if (!handles(name)) fail(ErrorCode::CommandNotFound, "no such command: '" + name + "'");
    // An aggregate over several collections carries csfleEncryptionSchemas instead of jsonSchema.
    auto parse = [this](bson::View s, bool remote) { return impl_->cache.get(s, remote); };
    if (auto multi = NamespaceSchemas::read(command, name, parse)) {
        return analyzeCommand(command, multi->primary(), &*multi);
    }
    SchemaArguments args = readSchemaArguments(command, name);
    std::shared_ptr<const schema::EncryptionSchema> parsed =
        impl_->cache.get(args.jsonSchema, args.isRemoteSchema);
    return analyzeCommand(command, parsed.get());
}

}  // namespace cryptd::analysis
