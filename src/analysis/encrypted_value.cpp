#include "analysis/encrypted_value.h"

#include "analysis/json_pointer.h"
#include "analysis/marking_writer.h"
#include "common/error.h"

namespace cryptd::analysis {

std::string quoted(const FieldPath& path) {
    // Appended piece by piece: "'" + s + "'" trips GCC 12's -Wrestrict false positive at -O3.
    std::string out = "'";
    out += path.dotted();
    out += '\'';
    return out;
}

namespace {

bool containsDocumentAt(const bson::Element& e, int depth) {
    if (e.isDocument() || depth > 100) return true;
    if (!e.isArray()) return false;
    for (bson::Element child : e.document()) {
        if (containsDocumentAt(child, depth + 1)) return true;
    }
    return false;
}

}  // namespace

bool containsDocument(const bson::Element& value) {
    return containsDocumentAt(value, 0);
}

namespace {

// Types no algorithm may encrypt (docs: encrypt.bsonType), and the ones deterministic encryption
// cannot (docs, and libmongocrypt's own _permitted_for_encryption check).
bool neverEncryptable(bson_type_t t) {
    return t == BSON_TYPE_MINKEY || t == BSON_TYPE_MAXKEY || t == BSON_TYPE_NULL ||
           t == BSON_TYPE_UNDEFINED;
}
bool notDeterministic(bson_type_t t) {
    return t == BSON_TYPE_DOUBLE || t == BSON_TYPE_DECIMAL128 || t == BSON_TYPE_BOOL ||
           t == BSON_TYPE_DOCUMENT || t == BSON_TYPE_ARRAY || t == BSON_TYPE_CODEWSCOPE;
}

std::string allowedTypes(const schema::ResolvedEncryption& enc) {
    std::string out = "[";
    for (size_t i = 0; i < enc.bsonTypes.size(); ++i) {
        out += i ? ", " : " ";
        out += bson::typeAlias(enc.bsonTypes[i]);
    }
    return out + " ]";
}

void checkType(const FieldPath& path, const schema::ResolvedEncryption& enc,
               const bson::Element& value) {
    bson_type_t t = value.type();
    // Built only on the error paths: this runs once per encrypted value.
    auto prefix = [t] {
        return "Cannot encrypt element of type: " + std::string(bson::typeAlias(t));
    };
    if (neverEncryptable(t)) {
        fail(ErrorCode::BadValue, prefix() + " (field " + quoted(path) + ")");
    }
    if (enc.algorithm == schema::Algorithm::Deterministic && notDeterministic(t)) {
        fail(ErrorCode::BadValue,
             prefix() + ": deterministic encryption cannot encrypt this type (field " +
                 quoted(path) + ")");
    }
    if (!enc.allowsType(t)) {
        fail(ErrorCode::BadValue, prefix() + ", because the schema of field " + quoted(path) +
                                      " requires that type is one of: " + allowedTypes(enc));
    }
}

// A predicate the field's encryption does not serve.
[[noreturn]] void failInvalidOperator(const FieldPath& path, std::string_view what) {
    fail(ErrorCode::BadValue, "Invalid match expression operator on encrypted field " +
                                  quoted(path) + ": " + std::string(what));
}

[[noreturn]] void failPointerKeyId(const FieldPath& path, std::string_view why) {
    fail(ErrorCode::BadValue, "A non-static (JSONPointer) keyId is not supported " +
                                  std::string(why) + " (field " + quoted(path) + ")");
}

}  // namespace

void appendWriteMarking(Context& ctx, bson::Builder& out, std::string_view key,
                        const FieldPath& path, const schema::ResolvedEncryption& enc,
                        const bson::Element& value, const WriteRules& rules) {
    if (rules.rejectEmptyTimestamp && value.type() == BSON_TYPE_TIMESTAMP) {
        const bson::Element::Timestamp t = value.timestamp();
        if (t.timestamp == 0 && t.increment == 0) {
            fail(ErrorCode::BadValue,
                 "A command that inserts cannot supply Timestamp(0, 0) for an encrypted field "
                 "at path " +
                     quoted(path));
        }
    }
    checkType(path, enc, value);

    if (enc.keyId.isUuid()) {
        const bson_value_t v = value.value();
        appendMarking(out, key, enc.algorithm, enc.keyId.uuid(), &v);
        ++ctx.placeholders;
        return;
    }
    const std::string& pointer = enc.keyId.jsonPointer();
    if (!rules.pointerRoot) failPointerKeyId(path, "in this operation, only in inserted documents");
    PointerCache& cache = ctx.pointers;
    if (cache.root != rules.pointerRoot->data()) {
        cache.root = rules.pointerRoot->data();
        cache.resolved.clear();
    }
    auto cached = cache.resolved.find(pointer);
    if (cached == cache.resolved.end()) {
        std::vector<std::string> tokens = jsonPointerTokens(pointer);
        FieldPath target;
        for (const auto& t : tokens) {
            if (t.empty())
                fail(ErrorCode::BadValue, "keyId JSON pointer '" + pointer + "' has an empty part");
            target.push(t);
        }
        // The keyAltName is sent in the clear to the key vault; it must not be an encrypted
        // value.
        if (ctx.schema.resolve(target).kind != schema::PathInfo::Kind::NotEncrypted) {
            fail(ErrorCode::BadValue, "keyId JSON pointer '" + pointer + "' of field " +
                                          quoted(path) + " points to an encrypted field");
        }
        cached =
            cache.resolved.emplace(pointer, resolveJsonPointer(*rules.pointerRoot, pointer)).first;
    }
    const std::optional<bson::Element>& altName = cached->second;
    if (!altName) {
        fail(ErrorCode::BadValue, "keyId JSON pointer '" + pointer + "' of field " + quoted(path) +
                                      " does not resolve to a field of the document");
    }
    if (!altName->isString()) {
        fail(ErrorCode::BadValue, "keyId JSON pointer '" + pointer + "' of field " + quoted(path) +
                                      " must resolve to a string, found " +
                                      std::string(altName->typeName()));
    }
    const bson_value_t v = value.value();
    appendMarking(out, key, enc.algorithm, altName->utf8(), &v);
    ++ctx.placeholders;
}

void requireQuery(const FieldPath& path, const schema::ResolvedEncryption& enc,
                  schema::QueryKind kind, std::string_view what) {
    schema::QueryRefusal why = enc.refusal(kind);
    if (!why.any()) return;
    if (why.randomized) {
        fail(ErrorCode::BadValue,
             "Cannot query on fields encrypted with the randomized encryption algorithm (field " +
                 quoted(path) + ")");
    }
    if (why.pointerKeyId) failPointerKeyId(path, "in a query");
    failInvalidOperator(path, what);
}

void requireQueryable(const FieldPath& path, const schema::ResolvedEncryption& enc) {
    requireQuery(path, enc, schema::QueryKind::Equality, "equality");
}

void appendQueryMarking(Context& ctx, bson::Builder& out, std::string_view key,
                        const FieldPath& path, const schema::ResolvedEncryption& enc,
                        const bson::Element& value, QueryOperand kind) {
    requireQueryable(path, enc);
    if (value.type() == BSON_TYPE_NULL) {
        fail(ErrorCode::BadValue,
             kind == QueryOperand::Equality
                 ? "Illegal equality to null predicate for encrypted field: " + quoted(path)
                 : "Illegal equality to null inside $in against an encrypted field: " +
                       quoted(path));
    }
    if (value.type() == BSON_TYPE_REGEX) {
        failInvalidOperator(path, "comparison to a regular expression");
    }
    checkType(path, enc, value);
    const bson_value_t v = value.value();
    appendMarking(out, key, enc.algorithm, enc.keyId.uuid(), &v);
    ++ctx.placeholders;
}

}  // namespace cryptd::analysis
