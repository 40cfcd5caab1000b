#include "analysis/command_fields.h"

#include <array>
#include <cstdint>
#include <string>

#include "analysis/match_walker.h"
#include "analysis/query_options.h"
#include "analysis/update_walker.h"
#include "common/error.h"

namespace cryptd::analysis {

namespace {

// Arguments any command may carry (MongoDB's generic arguments), echoed unchanged.
constexpr std::array<std::string_view, 32> kGenericArguments = {
    "lsid",
    "txnNumber",
    "autocommit",
    "startTransaction",
    "stmtId",
    "readConcern",
    "writeConcern",
    "$clusterTime",
    "$audit",
    "$client",
    "$configServerState",
    "allowImplicitCollectionCreation",
    "$readPreference",
    "readPreference",
    "apiVersion",
    "apiStrict",
    "apiDeprecationErrors",
    "maxTimeMS",
    "maxTimeMSOpOnly",
    "comment",
    "$queryOptions",
    "clientOperationKey",
    "mayBypassWriteBlocking",
    "$topologyTime",
    "$configTime",
    "$oplogQueryData",
    "$replData",
    "$gleStats",
    "databaseVersion",
    "shardVersion",
    "rawData",
    "usesDefaultMaxTimeMS",
};

}  // namespace

bool isGenericArgument(std::string_view name) {
    for (auto g : kGenericArguments) {
        if (g == name) return true;
    }
    return false;
}

bool isSchemaField(std::string_view name) {
    // csfleEncryptionSchemas reaches a handler only for aggregate (NamespaceSchemas::read).
    return name == "$db" || name == "jsonSchema" || name == "isRemoteSchema" ||
           name == "csfleEncryptionSchemas";
}

void failWrongType(std::string_view owner, const bson::Element& f, std::string_view expected) {
    std::string name =
        owner.empty() ? std::string(f.key()) : std::string(owner) + "." + std::string(f.key());
    fail(ErrorCode::TypeMismatch, "BSON field '" + name + "' is the wrong type '" +
                                      std::string(f.typeName()) + "', expected type '" +
                                      std::string(expected) + "'");
}

void writeFields(CommandContext& cc, bson::View doc, const FieldTable& table, bson::Builder& out,
                 bool commandLevel) {
    bool first = true;
    // Rules matched on the way (the first 64), so that a required field seen in the loop is not
    // searched for again below.
    uint64_t matched = 0;
    for (bson::Element f : doc) {
        std::string_view key = f.key();
        if (commandLevel && first) {
            first = false;
            out.append(f);
            continue;
        }
        if (commandLevel && isSchemaField(key)) continue;
        const FieldRule* rule = nullptr;
        for (size_t i = 0; i < table.rules.size(); ++i) {  // names are unique in a table
            if (table.rules[i].name == key) {
                rule = &table.rules[i];
                if (i < 64) matched |= uint64_t{1} << i;
                break;
            }
        }
        if (rule) {
            if (rule->handler) {
                rule->handler(cc, f, doc, out);
            } else {
                out.append(f);
            }
        } else if (table.acceptsGenericArguments && isGenericArgument(key)) {
            out.append(f);
        } else {
            fail(ErrorCode::Location40415, "BSON field '" + std::string(table.owner) + "." +
                                               std::string(key) + "' is an unknown field.");
        }
    }
    for (size_t i = 0; i < table.rules.size(); ++i) {
        const FieldRule& r = table.rules[i];
        bool seen = i < 64 && (matched & (uint64_t{1} << i));
        if (r.required && !seen && !doc.find(r.name)) {
            fail(ErrorCode::FailedToParse, "BSON field '" + std::string(table.owner) + "." +
                                               std::string(r.name) +
                                               "' is missing but a required field");
        }
    }
}

void writeCommand(CommandContext& cc, bson::View command, const FieldTable& table,
                  bson::Builder& out) {
    writeFields(cc, command, table, out, true);
}

void filterField(CommandContext& cc, const bson::Element& f, bson::View, bson::Builder& out) {
    if (!f.isDocument()) failWrongType("", f, "object");
    MatchWalker(cc.ctx).appendFilter(out, f.key(), f.document());
}

void documentField(CommandContext&, const bson::Element& f, bson::View, bson::Builder& out) {
    if (!f.isDocument()) failWrongType("", f, "object");
    out.append(f);
}

void arrayField(CommandContext&, const bson::Element& f, bson::View, bson::Builder& out) {
    if (!f.isArray()) failWrongType("", f, "array");
    out.append(f);
}

void sortField(CommandContext& cc, const bson::Element& f, bson::View, bson::Builder& out) {
    appendCheckedSort(cc.ctx, out, f);
}

void projectionField(CommandContext& cc, const bson::Element& f, bson::View, bson::Builder& out) {
    appendCheckedProjection(cc.ctx, out, f);
}

void letField(CommandContext& cc, const bson::Element& f, bson::View, bson::Builder& out) {
    appendCheckedLet(cc.ctx, out, f);
}

void arrayFiltersField(CommandContext& cc, const bson::Element& f, bson::View, bson::Builder& out) {
    appendCheckedArrayFilters(cc.ctx, out, f);
}

void updateSpecField(CommandContext& cc, const bson::Element& f, bson::View parent,
                     bson::Builder& out) {
    auto upsert = parent.find("upsert");
    appendAnalyzedUpdate(cc.ctx, out, f.key(), f, upsert && upsert->truthy());
}

}  // namespace cryptd::analysis
