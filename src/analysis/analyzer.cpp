#include "analysis/analyzer.h"

#include <string>

#include "analysis/analyze_command.h"
#include "analysis/command_registry.h"
#include "analysis/namespace_schemas.h"
#include "common/error.h"
#include "schema/property_pattern.h"
#include "schema/schema_cache.h"

namespace cryptd::analysis {

namespace {

// What one pass over the command tells the front door. Nothing here throws: when anything is off
// (no or a second jsonSchema, a wrong type, encryptionInformation) readSchemaArguments reads the
// command again and reports the first problem, so the errors are those of that one function.
struct CommandScan {
    bool namespaceSchemas = false;  // csfleEncryptionSchemas: NamespaceSchemas::read decides
    bool suspect = false;
    bool haveSchema = false, haveRemote = false, haveDb = false;
    SchemaArguments args;
    std::string_view db;  // the first $db, when it is a string

    explicit CommandScan(bson::View command) {
        for (bson::Element e : command) {
            std::string_view key = e.key();
            if (key == "jsonSchema") {
                suspect = suspect || haveSchema || !e.isDocument();
                if (!haveSchema && e.isDocument()) args.jsonSchema = e.document();
                haveSchema = true;
            } else if (key == "isRemoteSchema") {
                suspect = suspect || haveRemote || !e.isBool();
                if (!haveRemote && e.isBool()) args.isRemoteSchema = e.boolean();
                haveRemote = true;
            } else if (key == "$db") {
                if (!haveDb && e.isString()) db = e.utf8();
                haveDb = true;
            } else if (key == "csfleEncryptionSchemas") {
                namespaceSchemas = true;
            } else if (key == "encryptionInformation") {
                suspect = true;
            }
        }
        suspect = suspect || !haveSchema || !haveRemote;
    }
};

}  // namespace

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
    std::string_view name = first != command.end() ? (*first).key() : std::string_view();
    const CommandSpec* spec = CommandRegistry::instance().find(name);
    if (!spec) fail(ErrorCode::CommandNotFound, "no such command: '" + std::string(name) + "'");
    CommandScan scan(command);
    // patternProperties matching for this command is bounded by its size (SECURITY.md, Cost).
    schema::MatchBudget matchBudget(command.size());
    // An aggregate over several collections carries csfleEncryptionSchemas instead of jsonSchema.
    if (scan.namespaceSchemas) {
        auto parse = [this](bson::View s, bool remote) { return impl_->cache.get(s, remote); };
        if (auto multi = NamespaceSchemas::read(command, name, parse)) {
            return analyzeCommand(command, multi->primary(), &*multi);
        }
    }
    // The one-pass reading is used only when it is certain; otherwise the full check (throws).
    SchemaArguments args = scan.suspect ? readSchemaArguments(command, name) : scan.args;
    std::shared_ptr<const schema::EncryptionSchema> parsed =
        impl_->cache.get(args.jsonSchema, args.isRemoteSchema);
    if (scan.suspect) return analyzeCommand(command, parsed.get());
    return analyzeCheckedCommand(command, *spec, parsed.get(), scan.db, nullptr);
}

}  // namespace cryptd::analysis
