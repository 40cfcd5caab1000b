#pragma once
// --explain: the resolved table of encrypted paths of a valid schema, as the daemon will apply
// it: algorithm, keyId and bsonType after encryptMetadata inheritance, and where each inherited
// option came from.

#include <optional>
#include <string>
#include <vector>

#include "common/bson.h"
#include "schema/encryption_schema.h"

namespace cryptd::check {

struct ExplainRow {
    std::string path;       // "insurance.policyNumber"; patterns as /re/, additionalProperties *
    std::string algorithm;  // full name, "AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic"
    bool deterministic = false;
    std::string keyId;  // UUID text, or the JSON pointer ("/altName")
    bool keyIdIsPointer = false;
    std::vector<std::string> bsonTypes;  // empty: any type (Random only)
    // nullopt: set on the field's own encrypt; otherwise the field path of the object whose
    // encryptMetadata supplied it ("" = the top-level schema).
    std::optional<std::string> algorithmFrom;
    std::optional<std::string> keyIdFrom;
    bool originKnown = false;  // false: the origins above could not be traced (never guessed)
};

std::vector<ExplainRow> explainSchema(bson::View schemaDoc, const schema::EncryptionSchema& parsed);

// "(top level)" for "", else the path itself.
std::string describeOrigin(const std::string& fieldPath);

}  // namespace cryptd::check
