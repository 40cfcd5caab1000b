#include "analysis/analyze_command.h"

#include <cstring>
#include <string>

#include "analysis/analysis_context.h"
#include "analysis/command_registry.h"
#include "analysis/filter_expressions.h"
#include "analysis/namespace_schemas.h"
#include "analysis/schema_source.h"
#include "common/error.h"

namespace cryptd::analysis {

namespace {

constexpr std::string_view kPlaceholdersField = "hasEncryptionPlaceholders";

// The reply is built once, straight into its final buffer: hasEncryptionPlaceholders is written
// first as false and set afterwards, when the walk has counted the markings, so `result` is not
// copied a second time. Its value byte sits after the length (4), the type byte (1) and the key.
void setFirstBool(bson::Doc& reply, bool value) {
    constexpr size_t kValueOffset = 4 + 1 + kPlaceholdersField.size() + 1;
    uint8_t* data = reply.mutableData();
    invariant(data[4] == BSON_TYPE_BOOL &&
                  std::memcmp(data + 5, kPlaceholdersField.data(), kPlaceholdersField.size()) == 0,
              "the reply starts with hasEncryptionPlaceholders");
    data[kValueOffset] = value ? 1 : 0;
}

}  // namespace

bson::Doc analyzeCommand(bson::View command, const schema::EncryptionSchema* schema) {
    return analyzeCommand(command, schema, nullptr);
}

bson::Doc analyzeCommand(bson::View command, const schema::EncryptionSchema* schema,
                         const NamespaceSchemas* namespaces) {
    std::string_view name = command.firstKey();
    const CommandSpec* spec = CommandRegistry::instance().find(name);
    if (!spec) failNoSuchCommand(name);
    SchemaSource source = readSchemaSource(command, name, /*requireArguments=*/false);
    // csfleEncryptionSchemas was read by the caller (NamespaceSchemas::read): aggregate only.
    if (source.namespaces && !namespaces) refuseNamespaceSchemas(name);
    std::string_view db = source.db;
    return analyzeCheckedCommand(command, *spec, schema, db, namespaces);
}

bson::Doc analyzeCheckedCommand(bson::View command, const CommandSpec& spec,
                                const schema::EncryptionSchema* schema, std::string_view db,
                                const NamespaceSchemas* namespaces) {
    Context ctx{SchemaView(schema)};
    ctx.db = db;
    ctx.namespaces = namespaces;
    FilterExpressions filterExpressions(command);
    ctx.expressions = &filterExpressions;
    CommandContext cc{ctx, CommandRegistry::instance()};
    bson::Builder reply;
    reply.appendBool(kPlaceholdersField, false);
    reply.appendBool(
        "schemaRequiresEncryption",
        ctx.schema.requiresEncryption() || (namespaces && namespaces->requiresEncryption()));
    reply.appendDocument("result", [&](bson::Builder& r) { spec.handler(cc, command, r); });
    bson::Doc out = reply.finish();
    if (ctx.placeholders > 0) setFirstBool(out, true);
    return out;
}

}  // namespace cryptd::analysis
