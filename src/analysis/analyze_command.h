#pragma once
// The analysis of one command once its schema is known: what Analyzer::analyze does after the
// schema-cache lookup. Exposed for in-process drivers (tests, spec-test runner, tools) that
// already hold a parsed schema.

#include <string_view>

#include "analysis/schema_source.h"
#include "common/bson.h"
#include "schema/encryption_schema.h"

namespace cryptd::analysis {

// {hasEncryptionPlaceholders, schemaRequiresEncryption, result}. Throws Error on rejection,
// CommandNotFound for a command that is not analyzed. `schema` may be null (nothing encrypted).
// The command's own jsonSchema/isRemoteSchema are not needed (the caller parsed a schema);
// encryptionInformation and csfleEncryptionSchemas are refused (readSchemaSource).
bson::Doc analyzeCommand(bson::View command, const schema::EncryptionSchema* schema);

class NamespaceSchemas;
// An aggregate (or explain of one) that carries csfleEncryptionSchemas: `schema` is the
// aggregated collection's entry, `namespaces` all of them (namespace_schemas.h).
bson::Doc analyzeCommand(bson::View command, const schema::EncryptionSchema* schema,
                         const NamespaceSchemas* namespaces);

struct CommandSpec;
// analyzeCommand after its checks, for a caller that read the command's schema source itself
// (Analyzer::analyze): `spec` is the command's registry entry, the command carries no
// encryptionInformation (nor csfleEncryptionSchemas unless `namespaces` was read from it), and
// `db` is its first `$db` when that is a string (else empty).
bson::Doc analyzeCheckedCommand(bson::View command, const CommandSpec& spec,
                                const schema::EncryptionSchema* schema, std::string_view db,
                                const NamespaceSchemas* namespaces);

}  // namespace cryptd::analysis
