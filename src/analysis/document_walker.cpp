#include "analysis/document_walker.h"

#include "common/error.h"

namespace cryptd::analysis {

namespace {

// MongoDB stores a field named "c.d" as one field, but the same spelling in a query or an update
// means c's field d. A written name that, read as a path from `node`, reaches encryption would be
// stored in the clear under a name every query treats as the encrypted field: reject it.
void rejectDottedSpelling(const schema::SchemaNode* node, std::string_view key,
                          const FieldPath& path) {
    if (key.find('.') == std::string_view::npos) return;
    size_t start = 0;
    while (node && !node->encryption()) {
        size_t dot = key.find('.', start);
        node =
            node->child(key.substr(start, dot == std::string_view::npos ? key.npos : dot - start));
        if (dot == std::string_view::npos) break;
        start = dot + 1;
    }
    if (!node) return;
    fail(ErrorCode::BadValue,
         "Cannot write field '" + std::string(key) + "'" +
             (path.empty() ? std::string() : " in " + quoted(path)) +
             ": its name contains '.', and read as a path it reaches encrypted data; it would be "
             "stored in the clear");
}

}  // namespace

void writeMarkedFields(Context& ctx, bson::Builder& out, bson::View doc,
                       const schema::SchemaNode* node, FieldPath& path, const WriteRules& rules) {
    for (bson::Element e : doc) {
        const schema::SchemaNode* child = node ? node->child(e.key()) : nullptr;
        if (!child) {
            rejectDottedSpelling(node, e.key(), path);
            out.append(e);
            continue;
        }
        PathScope scope(path, e.key());
        if (const schema::ResolvedEncryption* enc = child->encryption()) {
            appendWriteMarking(ctx, out, e.key(), path, *enc, e, rules);
        } else if (!child->containsEncryption()) {
            out.append(e);
        } else if (e.isDocument()) {
            out.appendDocument(e.key(), [&](bson::Builder& sub) {
                writeMarkedFields(ctx, sub, e.document(), child, path, rules);
            });
        } else if (e.isArray()) {
            // JSON-schema `properties` do not apply to arrays, and `encrypt` is forbidden under
            // `items`: an array where the schema expects an object with encrypted fields would
            // store those fields in the clear. Reject rather than guess.
            fail(ErrorCode::BadValue,
                 "Cannot encrypt fields below an array: field " + quoted(path) +
                     " is an array, but the schema has encrypted fields below it");
        } else {
            out.append(e);  // a scalar where an object was expected holds no encrypted field
        }
    }
}

void rejectEncryptedIdOnCreate(Context& ctx) {
    const schema::SchemaNode* root = ctx.schema.root();
    const schema::SchemaNode* id = root ? root->child("_id") : nullptr;
    if (id && id->containsEncryption()) {
        fail(ErrorCode::BadValue,
             "Invalid schema containing the 'encrypt' keyword. The schema encrypts '_id', which "
             "an insert or upsert cannot write: encrypt another field instead");
    }
}

void appendMarkedDocument(Context& ctx, bson::Builder& out, std::string_view key, bson::View doc,
                          const DocumentRules& rules) {
    const schema::SchemaNode* root = ctx.schema.root();
    if (rules.rejectEncryptedId) rejectEncryptedIdOnCreate(ctx);
    WriteRules writeRules;
    if (rules.allowPointerKeyIds) writeRules.pointerRoot = doc;
    writeRules.rejectEmptyTimestamp = rules.rejectEmptyTimestamp;
    FieldPath path;
    out.appendDocument(
        key, [&](bson::Builder& sub) { writeMarkedFields(ctx, sub, doc, root, path, writeRules); });
}

}  // namespace cryptd::analysis
