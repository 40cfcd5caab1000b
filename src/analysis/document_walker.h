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
    bool requireEncryptedId = false;   // an encrypted _id must be supplied (inserts, upserts)
};

// Appends `key: <doc with markings>` (a root document being written).
void appendMarkedDocument(Context& ctx, bson::Builder& out, std::string_view key, bson::View doc,
                          const DocumentRules& rules);

// Writes the fields of `doc`, which sits at `path` (schema node `node`) inside `root`, into `out`.
// Used for objects written below the root, e.g. `$set: {insurance: {...}}`.
void writeMarkedFields(Context& ctx, bson::Builder& out, bson::View doc,
                       const schema::SchemaNode* node, FieldPath& path, const WriteRules& rules);

}  // namespace cryptd::analysis
