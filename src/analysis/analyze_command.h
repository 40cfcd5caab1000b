#pragma once
// The analysis of one command once its schema is known: what Analyzer::analyze does after the
// schema-cache lookup. Exposed for in-process drivers (tests, spec-test runner, tools) that
// already hold a parsed schema.

#include <string_view>

#include "common/bson.h"
#include "schema/encryption_schema.h"

namespace cryptd::analysis {

// The schema arguments libmongocrypt appends to every analyzed command.
struct SchemaArguments {
    bson::View jsonSchema;
    bool isRemoteSchema = false;
};

// Reads jsonSchema + isRemoteSchema from `command` (named `name`); rejects
// encryptionInformation (Queryable Encryption, not supported yet) and csfleEncryptionSchemas.
SchemaArguments readSchemaArguments(bson::View command, std::string_view name);

// {hasEncryptionPlaceholders, schemaRequiresEncryption, result}. Throws Error on rejection,
// CommandNotFound for a command that is not analyzed. `schema` may be null (nothing encrypted).
bson::Doc analyzeCommand(bson::View command, const schema::EncryptionSchema* schema);

class NamespaceSchemas;
// An aggregate (or explain of one) that carries csfleEncryptionSchemas: `schema` is the
// aggregated collection's entry, `namespaces` all of them (namespace_schemas.h).
bson::Doc analyzeCommand(bson::View command, const schema::EncryptionSchema* schema,
                         const NamespaceSchemas* namespaces);

struct CommandSpec;
// analyzeCommand after its checks, for a caller that made them in its own pass over the command
// (Analyzer::analyze): `spec` is the command's registry entry, the command carries no
// encryptionInformation (nor csfleEncryptionSchemas unless `namespaces` was read from it), and
// `db` is its first `$db` when that is a string (else empty).
bson::Doc analyzeCheckedCommand(bson::View command, const CommandSpec& spec,
                                const schema::EncryptionSchema* schema, std::string_view db,
                                const NamespaceSchemas* namespaces);

}  // namespace cryptd::analysis
