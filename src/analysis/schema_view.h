#pragma once
// The encryption rules in effect for one analysis, as the walkers query them. Wraps an
// EncryptionSchema (or none: nothing is encrypted) so walkers never special-case a missing schema.
// A later stage (pipelines) can hand the walkers another EncryptionSchema implementation, e.g. one
// derived after a $project; the walkers only use this class.

#include "common/field_path.h"
#include "schema/encryption_schema.h"

namespace cryptd::analysis {

class SchemaView {
  public:
    SchemaView() = default;  // no schema: nothing encrypted
    explicit SchemaView(const schema::EncryptionSchema* schema) : schema_(schema) {}

    bool requiresEncryption() const { return schema_ && schema_->requiresEncryption(); }
    // O(path depth); throws the schema's error on an ambiguous path, and BadValue when a numeric
    // part read as an array index ("a.0.b") would reach an encrypted field.
    schema::PathInfo resolve(const FieldPath& path) const;
    // The subschema governing the value at `path`, or nullptr when nothing constrains it.
    const schema::SchemaNode* nodeAt(const FieldPath& path) const;
    const schema::SchemaNode* root() const;

  private:
    void rejectIndexIntoEncryption(const FieldPath& path) const;

    const schema::EncryptionSchema* schema_ = nullptr;
};

}  // namespace cryptd::analysis
