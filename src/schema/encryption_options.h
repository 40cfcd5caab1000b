#pragma once
// The `encrypt` and `encryptMetadata` objects: strict parsing of their fields, encryptMetadata
// inheritance, and the rules a fully resolved `encrypt` must satisfy.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "schema/encryption_schema.h"

namespace cryptd::schema {

// Options as written in one `encrypt` or `encryptMetadata` (any of them may be missing).
struct EncryptionOptions {
    std::optional<Algorithm> algorithm;
    std::optional<KeyId> keyId;
    std::optional<std::vector<bson_type_t>> bsonTypes;  // `encrypt` only
};

// What a subschema inherits: each option from the nearest ancestor encryptMetadata setting it.
struct InheritedMetadata {
    std::optional<Algorithm> algorithm;
    std::optional<KeyId> keyId;

    // The metadata below a subschema whose encryptMetadata is `own`.
    InheritedMetadata overriddenBy(const EncryptionOptions& own) const;
};

// `element` is the value of `encrypt` at schema path `path` (".../encrypt"). Throws on unknown,
// duplicate or ill-typed fields.
EncryptionOptions parseEncrypt(const bson::Element& element, const std::string& path);
EncryptionOptions parseEncryptMetadata(const bson::Element& element, const std::string& path);

// Fills missing options from `inherited` and checks the algorithm/bsonType rules.
ResolvedEncryption resolveEncryption(const EncryptionOptions& own,
                                     const InheritedMetadata& inherited, const std::string& path);

// The wire names of the algorithms.
inline constexpr std::string_view kDeterministicAlgorithm =
    "AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic";
inline constexpr std::string_view kRandomAlgorithm = "AEAD_AES_256_CBC_HMAC_SHA_512-Random";
std::string_view algorithmName(Algorithm algorithm);

// Refusals of a type, followed by its alias: here for a schema's `encrypt`, in the analysis engine
// for a value met in a command; cryptd-check's rules recognise them.
inline constexpr std::string_view kCannotEncryptType = "Cannot encrypt element of type: ";
inline constexpr std::string_view kCannotEncryptDeterministically =
    "Cannot use deterministic encryption for element of type: ";

}  // namespace cryptd::schema
