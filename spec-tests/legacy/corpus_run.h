#pragma once
// The drivers' corpus test (../shared/specs/client-side-encryption/corpus) without a server: each
// field of corpus.json is copied into one document (auto fields as they are, explicit fields
// encrypted with ClientEncryption.encrypt, not-allowed ones must be refused and stay plaintext),
// the document is inserted through auto encryption (schema from listCollections, or a schemaMap),
// and the insert that would reach the server is compared with corpus-encrypted.json:
// deterministic ciphertexts byte for byte, randomized ones by decrypting both to the corpus value,
// not-allowed values unchanged. Fields whose key needs Azure, GCP or KMIP skip (no KMS here).

#include <string>
#include <vector>

#include "recorded_kms.h"

namespace cryptd::speclegacy {

struct FieldVerdict {
    std::string field;
    enum class State { Passed, Failed, Skipped } state = State::Passed;
    std::string message;  // why it failed or was skipped
};

// useSchemaMap: the schema comes from the client's schemaMap instead of listCollections.
std::vector<FieldVerdict> runCorpus(const std::string& specsDir, bool useSchemaMap,
                                    const RecordedKms& kms);

}  // namespace cryptd::speclegacy
