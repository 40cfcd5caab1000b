#pragma once
// Every problem in one $jsonSchema, not just the first. The schema layer's parser stops at the
// first error, so the finder parses, records the error, removes the node it names (the field with
// the broken `encrypt`, the bad keyword, ...) and parses again, until the parse succeeds. Errors
// that only follow from an earlier removal (a field that loses its inherited keyId when the
// broken encryptMetadata above it is removed) are not reported.
//
// The result is empty exactly when EncryptionSchema::parse accepts the schema: the first problem
// is always the parser's own verdict on the unmodified schema.

#include <cstdint>
#include <string>
#include <vector>

#include "check/rules.h"
#include "check/schema_path.h"
#include "common/bson.h"
#include "schema/encryption_schema.h"

namespace cryptd::check {

struct SchemaProblem {
    int32_t code = 0;
    std::string codeName;
    std::string errmsg;           // as the daemon sends it
    std::string message;          // errmsg without " (at <path>)"
    std::string schemaPath;       // the path the daemon names ("" when it names none)
    ResolvedPath where;           // that path split against the schema document
    bool lastOccurrence = false;  // a duplicate: the repeated key, not the first one
    std::string rule;
    std::string hint;
};

struct FinderResult {
    std::vector<SchemaProblem> problems;
    // More problems may exist: the limit was reached, or a problem could not be removed.
    bool incomplete = false;
};

inline constexpr size_t kMaxProblemsPerSchema = 100;

FinderResult findSchemaProblems(bson::View schema, bool remote,
                                size_t limit = kMaxProblemsPerSchema);

// For a schema the parser accepted: fields named under `properties` whose encryption is
// ambiguous (properties and patternProperties/additionalProperties disagree). The daemon rejects
// every command that touches such a field.
std::vector<SchemaProblem> findAmbiguousFields(bson::View schema,
                                               const schema::EncryptionSchema& parsed);

}  // namespace cryptd::check
