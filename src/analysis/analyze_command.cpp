#include "analysis/analyze_command.h"

#include <cstring>
#include <string>

#include "analysis/analysis_context.h"
#include "analysis/command_registry.h"
#include "analysis/filter_expressions.h"
#include "analysis/namespace_schemas.h"
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

// Queryable Encryption and multi-collection schemas are not analyzed yet: a clear error, never a
// pass-through of values that were meant to be encrypted.
void rejectUnsupportedSchemaForm(const bson::Element& e, std::string_view name) {
    if (e.key() == "encryptionInformation") {
        fail(ErrorCode::NotImplemented, "Queryable Encryption is not supported yet: '" +
                                            std::string(name) +
                                            "' carries 'encryptionInformation'");
    }
    if (e.key() == "csfleEncryptionSchemas") {
        fail(ErrorCode::CommandNotSupported,
             "'csfleEncryptionSchemas' (several collections' schemas) is not supported for '" +
                 std::string(name) + "'; send one collection's 'jsonSchema'");
    }
}

}  // namespace

SchemaArguments readSchemaArguments(bson::View command, std::string_view name) {
    SchemaArguments args;
    bool haveSchema = false, haveRemote = false;
    for (bson::Element e : command) {
        std::string_view key = e.key();
        // libmongocrypt nests QE's encryptionInformation in explain's command for crypt_shared.
        bool nestedQe =
            key == "explain" && e.isDocument() && e.document().find("encryptionInformation");
        if (key == "encryptionInformation" || nestedQe) {
            fail(ErrorCode::NotImplemented, "Queryable Encryption is not supported yet: '" +
                                                std::string(name) +
                                                "' carries 'encryptionInformation'");
        }
        if (key == "csfleEncryptionSchemas") {
            fail(ErrorCode::CommandNotSupported,
                 "'csfleEncryptionSchemas' (several collections' schemas) is not supported for '" +
                     std::string(name) + "'; send one collection's 'jsonSchema'");
        }
        if ((key == "jsonSchema" && haveSchema) || (key == "isRemoteSchema" && haveRemote)) {
            // Two schemas: whichever one is read, the other might be the one meant.
            fail(ErrorCode::BadValue,
                 "'" + std::string(name) + "' carries '" + std::string(key) + "' more than once");
        }
        if (key == "jsonSchema") {
            if (!e.isDocument()) {
                fail(ErrorCode::TypeMismatch,
                     "BSON field '" + std::string(name) + ".jsonSchema' is the wrong type '" +
                         std::string(e.typeName()) + "', expected type 'object'");
            }
            args.jsonSchema = e.document();
            haveSchema = true;
        } else if (key == "isRemoteSchema") {
            if (!e.isBool()) {
                fail(ErrorCode::TypeMismatch,
                     "BSON field '" + std::string(name) + ".isRemoteSchema' is the wrong type '" +
                         std::string(e.typeName()) + "', expected type 'bool'");
            }
            args.isRemoteSchema = e.boolean();
            haveRemote = true;
        }
    }
    if (!haveSchema || !haveRemote) {
        fail(ErrorCode::FailedToParse,
             "BSON field '" + std::string(name) + "." +
                 (haveSchema ? "isRemoteSchema" : "jsonSchema") +
                 "' is missing but a required field (query analysis needs the collection's "
                 "jsonSchema and isRemoteSchema)");
    }
    return args;
}

bson::Doc analyzeCommand(bson::View command, const schema::EncryptionSchema* schema) {
    return analyzeCommand(command, schema, nullptr);
}

bson::Doc analyzeCommand(bson::View command, const schema::EncryptionSchema* schema,
                         const NamespaceSchemas* namespaces) {
    auto first = command.begin();
    std::string name = first != command.end() ? std::string((*first).key()) : std::string();
    const CommandSpec* spec = CommandRegistry::instance().find(name);
    if (!spec) fail(ErrorCode::CommandNotFound, "no such command: '" + name + "'");
    for (bson::Element e : command) {
        // csfleEncryptionSchemas was read by the caller (NamespaceSchemas::read): aggregate only.
        if (namespaces && e.key() == "csfleEncryptionSchemas") continue;
        rejectUnsupportedSchemaForm(e, name);
    }
    std::string_view db;
    if (auto d = command.find("$db"); d && d->isString()) db = d->utf8();
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
