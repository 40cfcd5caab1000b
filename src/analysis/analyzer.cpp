#include "analysis/analyzer.h"

#include <cstring>
#include <memory>
#include <string>

#include "analysis/analyze_command.h"
#include "analysis/command_registry.h"
#include "analysis/namespace_schemas.h"
#include "common/bson_validate.h"
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

    // The schema for these bytes; `hold` keeps it alive when the thread's memo does not.
    const schema::EncryptionSchema* schemaFor(
        bson::View bytes, bool isRemote,
        std::shared_ptr<const schema::EncryptionSchema>& hold) const;
};

namespace {

// The last schema this thread analyzed with, kept by the thread itself: a driver sends the same
// schema with every command, and finding it here takes no lock and touches no reference count
// shared with other threads (the cache's mutex and counts made two threads slower than one).
// A parsed schema depends only on its bytes, so the memo stays right whoever filled it.
// Bounded: one schema of at most kMemoBytes per thread.
constexpr size_t kMemoBytes = 64 * 1024;
struct ThreadSchemaMemo {
    std::string bytes;
    bool isRemote = false;
    std::shared_ptr<const schema::EncryptionSchema> schema;
};

}  // namespace

const schema::EncryptionSchema* Analyzer::Impl::schemaFor(
    bson::View bytes, bool isRemote, std::shared_ptr<const schema::EncryptionSchema>& hold) const {
    thread_local ThreadSchemaMemo memo;
    if (memo.schema && memo.isRemote == isRemote && memo.bytes.size() == bytes.size() &&
        std::memcmp(memo.bytes.data(), bytes.data(), bytes.size()) == 0)
        return memo.schema.get();
    hold = cache.get(bytes, isRemote);
    if (bytes.size() <= kMemoBytes) {
        memo.bytes.assign(reinterpret_cast<const char*>(bytes.data()), bytes.size());
        memo.isRemote = isRemote;
        memo.schema = hold;
    }
    return hold.get();
}

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
    std::shared_ptr<const schema::EncryptionSchema> hold;
    const schema::EncryptionSchema* parsed =
        impl_->schemaFor(args.jsonSchema, args.isRemoteSchema, hold);
    if (scan.suspect) return analyzeCommand(command, parsed);
    return analyzeCheckedCommand(command, *spec, parsed, scan.db, nullptr);
}

}  // namespace cryptd::analysis

namespace cryptd::analysis {

bson::Doc Analyzer::analyzeBytes(const uint8_t* data, size_t len) const {
    checkCommandBytes(data, len);
    return analyze(bson::View(data, len));
}

namespace {
bson::ValidateOptions commandOptions() {
    bson::ValidateOptions options;
    options.maxDepth = Analyzer::kMaxDepth;
    options.arrayKeysInOrder = true;
    return options;
}
}  // namespace

int Analyzer::validatedDepth(const uint8_t* data, size_t len) {
    bson::Validation v = bson::validate(data, len, commandOptions());
    return v ? v.depth : 0;
}

void Analyzer::checkCommandBytes(const uint8_t* data, size_t len, size_t trustedOffset,
                                 size_t trustedSize, int trustedDepth) {
    if (!data || len < 5) fail(ErrorCode::InvalidBSON, "invalid BSON command: fewer than 5 bytes");
    if (len > kMaxCommandBytes) {
        fail(ErrorCode::BSONObjectTooLarge, "command of " + std::to_string(len) +
                                                " bytes is larger than the limit of " +
                                                std::to_string(kMaxCommandBytes));
    }
    bson::ValidateOptions options = commandOptions();
    options.trustedOffset = trustedOffset;
    options.trustedSize = trustedSize;
    options.trustedDepth = trustedDepth;
    bson::Validation v = bson::validate(data, len, options);
    if (v.problem == bson::Invalid::kTooDeep) {
        fail(ErrorCode::Overflow,
             "BSON command nested deeper than " + std::to_string(kMaxDepth) + " levels");
    }
    if (!v) {
        fail(ErrorCode::InvalidBSON, std::string("invalid BSON command: ") + v.describe() +
                                         " (at byte " + std::to_string(v.offset) + ")");
    }
}

}  // namespace cryptd::analysis
