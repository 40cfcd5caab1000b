#include "analysis/document_walker.h"

#include "common/error.h"

namespace cryptd::analysis {

void writeMarkedFields(Context& ctx, bson::Builder& out, bson::View doc,
                       const schema::SchemaNode* node, FieldPath& path, const WriteRules& rules) {
    for (bson::Element e : doc) {
        const schema::SchemaNode* child = node ? node->child(e.key()) : nullptr;
        if (!child) {
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

void appendMarkedDocument(Context& ctx, bson::Builder& out, std::string_view key, bson::View doc,
                          const DocumentRules& rules) {
    const schema::SchemaNode* root = ctx.schema.root();
    if (rules.requireEncryptedId && root) {
        const schema::SchemaNode* id = root->child("_id");
        if (id && id->containsEncryption() && !doc.find("_id")) {
            // The server would generate a plaintext ObjectId for a field the schema encrypts.
            fail(ErrorCode::BadValue,
                 "Invalid schema containing the 'encrypt' keyword. The schema encrypts '_id', so "
                 "every document written must supply an _id: the server would generate a "
                 "plaintext one");
        }
    }
    WriteRules writeRules;
    if (rules.allowPointerKeyIds) writeRules.pointerRoot = doc;
    writeRules.rejectEmptyTimestamp = rules.rejectEmptyTimestamp;
    FieldPath path;
    out.appendDocument(
        key, [&](bson::Builder& sub) { writeMarkedFields(ctx, sub, doc, root, path, writeRules); });
}

}  // namespace cryptd::analysis
