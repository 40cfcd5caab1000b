#pragma once
// Where a command's schema comes from, read once at the front door: `jsonSchema` +
// `isRemoteSchema` (one collection), `csfleEncryptionSchemas` (an aggregate over several,
// namespace_schemas.h), or `encryptionInformation` (Queryable Encryption: refused here, the only
// place it is). One pass over the command's top-level fields; the walkers get the result and never
// read these fields again.

#include <optional>
#include <string_view>

#include "common/bson.h"

namespace cryptd::analysis {

// The schema arguments libmongocrypt appends to every analyzed command.
struct SchemaArguments {
    bson::View jsonSchema;
    bool isRemoteSchema = false;
};

struct SchemaSource {
    // jsonSchema + isRemoteSchema, when the command has no csfleEncryptionSchemas (checked only
    // when read with `requireArguments`).
    SchemaArguments single;
    bool haveSchema = false, haveRemote = false;  // the fields are present (any type)
    // csfleEncryptionSchemas (its first copy) and how many times it occurs.
    std::optional<bson::Element> namespaces;
    int namespacesCopies = 0;
    // The first `$db` when it is a string (dbIsString), else empty.
    std::string_view db;
    bool dbIsString = false;
};

// Reads the schema fields of `command` (named `name`) in one pass.
// - encryptionInformation (also inside explain's command, where libmongocrypt nests it for
//   crypt_shared): NotImplemented, before anything else is looked at.
// - csfleEncryptionSchemas: returned as is; NamespaceSchemas::read checks it and what may not
//   come with it.
// - otherwise, with `requireArguments`: exactly one jsonSchema (object) and one isRemoteSchema
//   (bool); the first problem in field order is reported, then a missing field.
SchemaSource readSchemaSource(bson::View command, std::string_view name,
                              bool requireArguments = true);

// readSchemaSource's single-collection arguments (throws as it does, and for
// csfleEncryptionSchemas, which this caller cannot take): for tests and tools that parse the
// schema themselves.
SchemaArguments readSchemaArguments(bson::View command, std::string_view name);

// csfleEncryptionSchemas sent to a caller that reads one collection's schema only.
[[noreturn]] void refuseNamespaceSchemas(std::string_view name);

}  // namespace cryptd::analysis
