#include "analysis/namespace_schemas.h"

#include "common/error.h"

namespace cryptd::analysis {

namespace {

constexpr std::string_view kField = "csfleEncryptionSchemas";

std::string field(std::string_view ns, std::string_view key = {}) {
    std::string s = std::string(kField) + "." + std::string(ns);
    if (!key.empty()) s += "." + std::string(key);
    return s;
}

// The collection the command aggregates: aggregate's value, or explain's inner aggregate.
std::string aggregatedCollection(bson::View command, std::string_view name) {
    bson::View target = command;
    if (name == "explain") {
        auto inner = command.find("explain");
        if (!inner || !inner->isDocument() || inner->document().empty()) return {};
        target = inner->document();
    }
    bson::Element first = *target.first();
    if (first.key() != "aggregate") {
        fail(ErrorCode::CommandNotSupported,
             "'" + std::string(kField) +
                 "' (several collections' schemas) is only supported for "
                 "'aggregate'; '" +
                 std::string(first.key()) + "' takes one collection's 'jsonSchema'");
    }
    if (!first.isString()) {
        fail(ErrorCode::TypeMismatch, "aggregate with '" + std::string(kField) +
                                          "' must name a collection, found " +
                                          std::string(first.typeName()));
    }
    return std::string(first.utf8());
}

std::pair<std::string_view, std::string_view> splitNamespace(std::string_view ns) {
    size_t dot = ns.find('.');
    if (dot == 0 || dot == std::string_view::npos || dot + 1 == ns.size()) {
        fail(ErrorCode::InvalidNamespace,
             "'" + std::string(kField) +
                 "' keys must be namespaces \"<db>.<collection>\", found '" + std::string(ns) +
                 "'");
    }
    return {ns.substr(0, dot), ns.substr(dot + 1)};
}

}  // namespace

const schema::EncryptionSchema* NamespaceSchemas::find(std::string_view ns) const {
    auto it = entries_.find(std::string(ns));
    return it == entries_.end() ? nullptr : it->second.get();
}

bool NamespaceSchemas::requiresEncryption() const {
    for (const auto& entry : entries_) {
        if (entry.second->requiresEncryption()) return true;
    }
    return false;
}

NamespaceSchemas NamespaceSchemas::read(bson::View command, std::string_view name,
                                        const SchemaSource& source, const Parse& parse) {
    invariant(source.namespaces.has_value(), "read only when the command has the field");
    const bson::Element& schemas = *source.namespaces;
    if (source.namespacesCopies > 1) {
        fail(ErrorCode::BadValue,
             "'" + std::string(name) + "' carries '" + std::string(kField) + "' more than once");
    }
    std::string collection = aggregatedCollection(command, name);
    for (auto [single, present] : {std::pair{"jsonSchema", source.haveSchema},
                                   std::pair{"isRemoteSchema", source.haveRemote}}) {
        if (present) {
            fail(ErrorCode::FailedToParse, "'" + std::string(kField) + "' and '" +
                                               std::string(single) +
                                               "' cannot both be given: send one or the other");
        }
    }
    if (!schemas.isDocument() || schemas.document().empty()) {
        fail(ErrorCode::TypeMismatch,
             "'" + std::string(kField) + "' must be a non-empty object of namespaces");
    }

    NamespaceSchemas out;
    std::string sharedDb;
    bool oneDb = true;
    for (bson::Element entry : schemas.document()) {
        std::string ns(entry.key());
        auto [db, coll] = splitNamespace(ns);
        if (sharedDb.empty()) sharedDb = db;
        oneDb = oneDb && sharedDb == db;
        if (out.find(ns)) fail(ErrorCode::BadValue, "duplicate namespace in " + field(ns));
        if (!entry.isDocument()) {
            fail(ErrorCode::TypeMismatch, "BSON field '" + field(ns) + "' is the wrong type '" +
                                              std::string(entry.typeName()) +
                                              "', expected type 'object'");
        }
        std::optional<bson::View> jsonSchema;
        std::optional<bool> isRemote;
        for (bson::Element f : entry.document()) {
            if (f.key() == "jsonSchema" && f.isDocument()) {
                jsonSchema = f.document();
            } else if (f.key() == "isRemoteSchema" && f.isBool()) {
                isRemote = f.boolean();
            } else if (f.key() == "jsonSchema" || f.key() == "isRemoteSchema") {
                fail(ErrorCode::TypeMismatch,
                     "BSON field '" + field(ns, f.key()) + "' is the wrong type '" +
                         std::string(f.typeName()) + "', expected type '" +
                         (f.key() == "jsonSchema" ? "object" : "bool") + "'");
            } else {
                fail(ErrorCode::Location40415,
                     "BSON field '" + field(ns, f.key()) + "' is an unknown field.");
            }
        }
        if (!jsonSchema || !isRemote) {
            fail(ErrorCode::FailedToParse,
                 "BSON field '" + field(ns, jsonSchema ? "isRemoteSchema" : "jsonSchema") +
                     "' is missing but a required field");
        }
        try {
            out.entries_.emplace(ns, parse(*jsonSchema, *isRemote));
        } catch (const Error& e) {
            fail(e.code(),
                 "in the schema of '" + ns + "' (" + std::string(kField) + "): " + e.reason());
        }
    }

    // Namespaces are "<$db>.<coll>"; without $db (in-process callers) the one database all
    // entries share is the command's.
    if (source.dbIsString) {
        out.db_ = std::string(source.db);
    } else if (oneDb) {
        out.db_ = sharedDb;
    } else {
        fail(ErrorCode::FailedToParse, "'" + std::string(kField) +
                                           "' names several databases and the command has no "
                                           "'$db' to tell which one it runs on");
    }
    std::string primary = out.db_ + "." + collection;
    out.primary_ = out.find(primary);
    if (!out.primary_) {
        fail(ErrorCode::BadValue, "'" + std::string(kField) +
                                      "' has no schema for the aggregated namespace '" + primary +
                                      "'");
    }
    return out;
}

}  // namespace cryptd::analysis
