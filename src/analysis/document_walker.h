#pragma once
// Marks a whole document being written (an inserted document or an update's replacement
// document): every value the schema says is encrypted becomes a marking, nested objects included.
// The document is walked with the schema tree, one child lookup per field: cost depends on the
// document, never on the schema's size.

#include <string_view>

#include "analysis/analysis_context.h"
#include "analysis/encrypted_value.h"
#include "common/bson.h"
#include "common/field_path.h"

namespace cryptd::analysis {

struct DocumentRules {
    bool allowPointerKeyIds = false;   // inserts only: keyIds resolved against this document
    bool rejectEmptyTimestamp = true;  // see WriteRules
    bool rejectEncryptedId = false;    // inserts and upserts may not write an encrypted _id
};

// Throws when the schema encrypts `_id`: a write that creates a document (insert, upsert) cannot
// store it. The drivers' spec test badQueries.yml ("an insert with encrypted field on _id errors")
// shows the real daemon refusing it; refusing also covers upserts, where the server would
// otherwise generate a plaintext ObjectId for a field the schema encrypts.
void rejectEncryptedIdOnCreate(Context& ctx);

// Appends `key: <doc with markings>` (a root document being written).
void appendMarkedDocument(Context& ctx, bson::Builder& out, std::string_view key, bson::View doc,
                          const DocumentRules& rules);

// Writes the fields of `doc`, which sits at `path` (schema node `node`) inside `root`, into `out`.
// Used for objects written below the root, e.g. `$set: {insurance: {...}}`.
void writeMarkedFields(Context& ctx, bson::Builder& out, bson::View doc,
                       const schema::SchemaNode* node, FieldPath& path, const WriteRules& rules);

}  // namespace cryptd::analysis
