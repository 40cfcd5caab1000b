#include "analysis/query_options.h"

#include <string>

#include "analysis/encrypted_value.h"
#include "analysis/expression_refs.h"
#include "analysis/match_operators.h"
#include "common/error.h"

namespace cryptd::analysis {

using Kind = schema::PathInfo::Kind;

namespace {

void requireDocument(const bson::Element& e) {
    if (!e.isDocument()) {
        fail(ErrorCode::TypeMismatch, "'" + std::string(e.key()) + "' must be an object, found " +
                                          std::string(e.typeName()));
    }
}

std::string describe(Kind kind) {
    switch (kind) {
        case Kind::Encrypted:
            return "is encrypted";
        case Kind::PrefixOfEncrypted:
            return "contains encrypted fields";
        case Kind::BelowEncrypted:
            return "is inside an encrypted field";
        case Kind::NotEncrypted:
            break;
    }
    return "is not encrypted";
}

bool isInclusionFlag(const bson::Element& e) {
    return e.isNumber() || e.isBool();
}

void checkArrayFilterPart(Context& ctx, const bson::Element& e, int depth) {
    if (depth > 100) fail(ErrorCode::BadValue, "arrayFilters are nested too deeply");
    std::string_view key = e.key();
    if (key == "$expr") {
        checkExpressionReadsNoEncryptedField(ctx.schema, e, "arrayFilters $expr");
        return;
    }
    if (const TopOperator* op = findTopOperator(key);
        op && (op->kind == TopOpKind::Unsupported || op->kind == TopOpKind::JsonSchema)) {
        failUnsupportedMatchOperator(key, " (in arrayFilters)");
    }
    if (!e.isDocument() && !e.isArray()) return;
    for (bson::Element child : e.document()) checkArrayFilterPart(ctx, child, depth + 1);
}

}  // namespace

void appendCheckedSort(Context& ctx, bson::Builder& out, const bson::Element& sort) {
    requireDocument(sort);
    for (bson::Element e : sort.document()) {
        FieldPath path = FieldPath::parse(e.key());
        Kind kind = ctx.schema.resolve(path).kind;
        if (kind != Kind::NotEncrypted) {
            fail(ErrorCode::BadValue, "Sorting on an encrypted field is not supported: field " +
                                          quoted(path) + " " + describe(kind));
        }
    }
    out.append(sort);
}

void appendCheckedProjection(Context& ctx, bson::Builder& out, const bson::Element& projection) {
    requireDocument(projection);
    for (bson::Element e : projection.document()) {
        if (!e.key().empty() && e.key().front() == '$') {
            fail(ErrorCode::BadValue,
                 "projection field names cannot start with '$': " + std::string(e.key()));
        }
        FieldPath path = FieldPath::parse(e.key());
        bool positional = path.back() == "$";
        FieldPath target = positional ? path.prefix(path.size() - 1) : path;
        Kind kind = target.empty() ? Kind::NotEncrypted : ctx.schema.resolve(target).kind;
        if (isInclusionFlag(e) && !positional) continue;  // include/exclude: no value is read
        if (kind != Kind::NotEncrypted) {
            fail(ErrorCode::BadValue,
                 "Projection operators and positional projection are not supported on encrypted "
                 "fields: field " +
                     quoted(target) + " " + describe(kind));
        }
        // $elemMatch / $slice / computed fields on an unencrypted path may still read others.
        checkExpressionReadsNoEncryptedField(ctx.schema, e, "projection");
    }
    out.append(projection);
}

void appendCheckedIndexBound(Context& ctx, bson::Builder& out, const bson::Element& bound) {
    requireDocument(bound);
    for (bson::Element e : bound.document()) {
        FieldPath path = FieldPath::parse(e.key());
        Kind kind = ctx.schema.resolve(path).kind;
        if (kind != Kind::NotEncrypted) {
            fail(ErrorCode::BadValue, "'" + std::string(bound.key()) +
                                          "' index bounds on encrypted fields are not supported: "
                                          "field " +
                                          quoted(path) + " " + describe(kind));
        }
    }
    out.append(bound);
}

void appendCheckedDistinctKey(Context& ctx, bson::Builder& out, const bson::Element& key) {
    if (!key.isString()) {
        fail(ErrorCode::TypeMismatch, "BSON field 'distinct.key' is the wrong type '" +
                                          std::string(key.typeName()) +
                                          "', expected type 'string'");
    }
    FieldPath path = FieldPath::parse(key.utf8());
    schema::PathInfo info = ctx.schema.resolve(path);
    if (info.kind == Kind::BelowEncrypted) {
        fail(ErrorCode::BadValue, "The distinct key cannot be a path inside encrypted field '" +
                                      path.prefix(info.encryptedPrefixLength).dotted() + "'");
    }
    if (info.kind == Kind::Encrypted) {
        if (info.encryption->refusal(schema::QueryKind::Equality).pointerKeyId) {
            fail(ErrorCode::BadValue,
                 "The distinct key is not allowed to be marked for encryption with a non-UUID "
                 "keyId (field " +
                     quoted(path) + ")");
        }
        requireQueryable(path, *info.encryption);
    }
    out.append(key);
}

void appendCheckedLet(Context& ctx, bson::Builder& out, const bson::Element& let) {
    requireDocument(let);
    // MongoDB evaluates command variables before reading any document and refuses field paths
    // there; a path to an encrypted field is refused here first, so its value is never compared.
    checkExpressionReadsNoEncryptedField(ctx.schema, let, "let");
    out.append(let);
}

void appendCheckedArrayFilters(Context& ctx, bson::Builder& out, const bson::Element& filters) {
    if (!filters.isArray()) {
        fail(ErrorCode::TypeMismatch,
             "'arrayFilters' must be an array, found " + std::string(filters.typeName()));
    }
    for (bson::Element filter : filters.document()) {
        requireDocument(filter);
        if (ctx.schema.requiresEncryption()) checkArrayFilterPart(ctx, filter, 0);
    }
    out.append(filters);
}

}  // namespace cryptd::analysis
