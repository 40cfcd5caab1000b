#include "analysis/analyzer.h"

#include <cstring>
#include <memory>
#include <string>

#include "analysis/analyze_command.h"
#include "analysis/command_registry.h"
#include "analysis/namespace_schemas.h"
#include "analysis/schema_source.h"
#include "common/bson_validate.h"
#include "common/error.h"
#include "schema/property_pattern.h"
#include "schema/schema_cache.h"

namespace cryptd::analysis {

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
    // The command is looked up once; its spec and schema source go down to the walkers from here.
    std::string_view name = command.firstKey();
    const CommandSpec* spec = CommandRegistry::instance().find(name);
    if (!spec) failNoSuchCommand(name);
    SchemaSource source = readSchemaSource(command, name);
    // patternProperties matching for this command is bounded by its size (SECURITY.md, Cost).
    schema::MatchBudget matchBudget(command.size());
    // An aggregate over several collections carries csfleEncryptionSchemas instead of jsonSchema.
    if (source.namespaces) {
        auto parse = [this](bson::View s, bool remote) { return impl_->cache.get(s, remote); };
        NamespaceSchemas multi = NamespaceSchemas::read(command, name, source, parse);
        return analyzeCheckedCommand(command, *spec, multi.primary(), source.db, &multi);
    }
    std::shared_ptr<const schema::EncryptionSchema> hold;
    const schema::EncryptionSchema* parsed =
        impl_->schemaFor(source.single.jsonSchema, source.single.isRemoteSchema, hold);
    return analyzeCheckedCommand(command, *spec, parsed, source.db, nullptr);
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
