#include "analysis/schema_source.h"

#include <string>

#include "common/error.h"

namespace cryptd::analysis {

namespace {

constexpr std::string_view kQueryableField = "encryptionInformation";
constexpr std::string_view kNamespacesField = "csfleEncryptionSchemas";

// Queryable Encryption is not analyzed yet: a clear error, never a pass-through of values that
// were meant to be encrypted.
[[noreturn]] void refuseQueryableEncryption(std::string_view name) {
    fail(ErrorCode::NotImplemented, "Queryable Encryption is not supported yet: '" +
                                        std::string(name) + "' carries 'encryptionInformation'");
}

[[noreturn]] void failWrongType(std::string_view name, const bson::Element& e,
                                std::string_view expected) {
    fail(ErrorCode::TypeMismatch, "BSON field '" + std::string(name) + "." + std::string(e.key()) +
                                      "' is the wrong type '" + std::string(e.typeName()) +
                                      "', expected type '" + std::string(expected) + "'");
}

}  // namespace

void refuseNamespaceSchemas(std::string_view name) {
    fail(ErrorCode::CommandNotSupported,
         "'csfleEncryptionSchemas' (several collections' schemas) is not supported for '" +
             std::string(name) + "'; send one collection's 'jsonSchema'");
}

SchemaSource readSchemaSource(bson::View command, std::string_view name, bool requireArguments) {
    SchemaSource out;
    bool queryable = false, haveDb = false;
    // The first malformed schema argument (a second copy, or the wrong type), reported only when
    // nothing takes precedence over it (QE, csfleEncryptionSchemas).
    std::optional<bson::Element> problem;
    bool problemIsCopy = false;
    for (bson::Element e : command) {
        std::string_view key = e.key();
        if (key == "jsonSchema") {
            if (!problem && (out.haveSchema || !e.isDocument())) {
                problem = e;
                problemIsCopy = out.haveSchema;
            }
            if (!out.haveSchema && e.isDocument()) out.single.jsonSchema = e.document();
            out.haveSchema = true;
        } else if (key == "isRemoteSchema") {
            if (!problem && (out.haveRemote || !e.isBool())) {
                problem = e;
                problemIsCopy = out.haveRemote;
            }
            if (!out.haveRemote && e.isBool()) out.single.isRemoteSchema = e.boolean();
            out.haveRemote = true;
        } else if (key == "$db") {
            if (!haveDb && e.isString()) {
                out.db = e.utf8();
                out.dbIsString = true;
            }
            haveDb = true;
        } else if (key == kNamespacesField) {
            if (!out.namespaces) out.namespaces = e;
            ++out.namespacesCopies;
        } else if (key == kQueryableField) {
            queryable = true;
        } else if (key == "explain" && e.isDocument()) {
            queryable = queryable || e.document().find(kQueryableField).has_value();
        }
    }
    if (queryable) refuseQueryableEncryption(name);
    if (out.namespaces || !requireArguments) return out;
    if (problem) {
        if (problemIsCopy) {
            // Two schemas: whichever one is read, the other might be the one meant.
            fail(ErrorCode::BadValue, "'" + std::string(name) + "' carries '" +
                                          std::string(problem->key()) + "' more than once");
        }
        failWrongType(name, *problem, problem->key() == "jsonSchema" ? "object" : "bool");
    }
    if (!out.haveSchema || !out.haveRemote) {
        fail(ErrorCode::FailedToParse,
             "BSON field '" + std::string(name) + "." +
                 (out.haveSchema ? "isRemoteSchema" : "jsonSchema") +
                 "' is missing but a required field (query analysis needs the collection's "
                 "jsonSchema and isRemoteSchema)");
    }
    return out;
}

SchemaArguments readSchemaArguments(bson::View command, std::string_view name) {
    SchemaSource source = readSchemaSource(command, name);
    if (source.namespaces) refuseNamespaceSchemas(name);
    return source.single;
}

}  // namespace cryptd::analysis
