#include "schema/encryption_options.h"

#include <algorithm>
#include <array>
#include <string_view>

#include "common/idl_messages.h"
#include "schema/bson_type_aliases.h"
#include "schema/schema_error.h"

namespace cryptd::schema {

namespace {

constexpr std::string_view kEncryptPrefix = "Invalid schema containing the 'encrypt' keyword. ";

// Types no algorithm may encrypt (docs: encrypt.bsonType; libmongocrypt refuses them too).
constexpr std::array<bson_type_t, 4> kNeverEncryptable{BSON_TYPE_MINKEY, BSON_TYPE_MAXKEY,
                                                       BSON_TYPE_NULL, BSON_TYPE_UNDEFINED};
// Types deterministic encryption may not take: equal plaintexts must give equal ciphertexts.
constexpr std::array<bson_type_t, 6> kNotDeterministic{BSON_TYPE_DOUBLE, BSON_TYPE_DECIMAL128,
                                                       BSON_TYPE_BOOL,   BSON_TYPE_DOCUMENT,
                                                       BSON_TYPE_ARRAY,  BSON_TYPE_CODEWSCOPE};

template <size_t N>
bool contains(const std::array<bson_type_t, N>& set, bson_type_t t) {
    return std::find(set.begin(), set.end(), t) != set.end();
}

void requireType(const bson::Element& e, bson_type_t type, std::string_view typeName,
                 const std::string& objectName, const std::string& path) {
    if (e.type() == type) return;
    failAt(ErrorCode::TypeMismatch,
           idl::wrongType(objectName + "." + std::string(e.key()), e.typeName(), typeName),
           joinPath(path, e.key()));
}

Algorithm parseAlgorithm(const bson::Element& e, const std::string& objectName,
                         const std::string& path) {
    requireType(e, BSON_TYPE_UTF8, "string", objectName, path);
    auto name = e.utf8();
    if (name == kDeterministicAlgorithm) return Algorithm::Deterministic;
    if (name == kRandomAlgorithm) return Algorithm::Random;
    failAt(ErrorCode::BadValue,
           "Enumeration value '" + std::string(name) + "' for field '" + objectName +
               ".algorithm' is not a valid value.",
           joinPath(path, "algorithm"));
}

// A JSON pointer names a field of the document being written ("/altName"): RFC 6901 syntax.
void checkJsonPointer(std::string_view pointer, const std::string& path) {
    if (pointer.empty() || pointer.front() != '/') {
        failAt(ErrorCode::FailedToParse,
               "keyId JSON pointer must start with '/', found '" + std::string(pointer) + "'",
               path);
    }
    for (size_t i = 0; i < pointer.size(); ++i) {
        if (pointer[i] != '~') continue;
        if (i + 1 >= pointer.size() || (pointer[i + 1] != '0' && pointer[i + 1] != '1')) {
            failAt(ErrorCode::FailedToParse,
                   "keyId JSON pointer has an invalid '~' escape: '" + std::string(pointer) + "'",
                   path);
        }
    }
}

KeyId parseKeyId(const bson::Element& e, const std::string& path) {
    std::string keyPath = joinPath(path, "keyId");
    if (e.isString()) {
        checkJsonPointer(e.utf8(), keyPath);
        return KeyId{std::string(e.utf8())};
    }
    if (!e.isArray()) {
        failAt(ErrorCode::Location51085,
               "Expected either string or array of UUID for EncryptSchemaKeyId, found " +
                   std::string(e.typeName()),
               keyPath);
    }
    std::optional<Uuid> uuid;
    size_t count = 0;
    for (auto item : e.document()) {
        ++count;
        if (item.type() != BSON_TYPE_BINARY) {
            failAt(ErrorCode::Location51088,
                   "Array elements must have type BinData, found " + std::string(item.typeName()),
                   keyPath);
        }
        auto bin = item.binary();
        if (bin.subtype != BSON_SUBTYPE_UUID) {
            failAt(ErrorCode::Location51084,
                   "Array elements must have bindata type UUID, found " +
                       std::to_string(static_cast<int>(bin.subtype)),
                   keyPath);
        }
        if (bin.len != 16) {
            failAt(ErrorCode::BadValue,
                   "keyId UUID must be 16 bytes long, found " + std::to_string(bin.len), keyPath);
        }
        Uuid u;
        std::copy(bin.data, bin.data + 16, u.bytes.begin());
        uuid = u;
    }
    if (count != 1) {
        failAt(ErrorCode::FailedToParse,
               "keyId must be an array of exactly one UUID, found " + std::to_string(count) +
                   " elements",
               keyPath);
    }
    return KeyId{*uuid};
}

std::vector<bson_type_t> parseEncryptBsonType(const bson::Element& e, const std::string& path) {
    std::string typePath = joinPath(path, "bsonType");
    std::vector<bson_type_t> out;
    auto add = [&](std::string_view alias) {
        auto types = typesForBsonAlias(alias);
        if (!types)
            failAt(ErrorCode::BadValue, "Unknown type name alias: " + std::string(alias), typePath);
        for (auto t : *types) {
            if (std::find(out.begin(), out.end(), t) != out.end()) {
                failAt(ErrorCode::FailedToParse,
                       "encrypt.bsonType has duplicate value: " + std::string(alias), typePath);
            }
            out.push_back(t);
        }
    };
    if (e.isString()) {
        add(e.utf8());
    } else if (e.isArray()) {
        for (auto item : e.document()) {
            if (!item.isString()) {
                failAt(ErrorCode::TypeMismatch,
                       "encrypt.bsonType array elements must be strings, found " +
                           std::string(item.typeName()),
                       typePath);
            }
            add(item.utf8());
        }
        if (out.empty()) {
            failAt(ErrorCode::FailedToParse, "encrypt.bsonType must name at least one type",
                   typePath);
        }
    } else {
        failAt(ErrorCode::TypeMismatch,
               idl::wrongTypes("encrypt.bsonType", e.typeName(), "[string, array]"), typePath);
    }
    return out;
}

// One parser for both objects: `allowBsonType` is false for encryptMetadata (strict IDL shapes).
EncryptionOptions parseOptions(const bson::Element& element, const std::string& path,
                               const std::string& objectName, bool allowBsonType) {
    EncryptionOptions out;
    bool seenAlgorithm = false, seenKeyId = false, seenBsonType = false;
    auto once = [&](bool& seen, std::string_view field) {
        if (seen) {
            failAt(ErrorCode::FailedToParse,
                   idl::duplicateField(objectName + "." + std::string(field)),
                   joinPath(path, field));
        }
        seen = true;
    };
    for (auto field : element.document()) {
        auto key = field.key();
        if (key == "algorithm") {
            once(seenAlgorithm, key);
            out.algorithm = parseAlgorithm(field, objectName, path);
        } else if (key == "keyId") {
            once(seenKeyId, key);
            out.keyId = parseKeyId(field, path);
        } else if (key == "bsonType" && allowBsonType) {
            once(seenBsonType, key);
            out.bsonTypes = parseEncryptBsonType(field, path);
        } else if (key == "initializationVector" && allowBsonType) {
            // Accepted by MongoDB's IDL for old FLE prototypes; never documented or used.
            failAt(ErrorCode::FailedToParse,
                   "BSON field 'encrypt.initializationVector' is not supported",
                   joinPath(path, key));
        } else {
            failAt(ErrorCode::Location40415, idl::unknownField(objectName + "." + std::string(key)),
                   joinPath(path, key));
        }
    }
    return out;
}

}  // namespace

std::string_view algorithmName(Algorithm algorithm) {
    return algorithm == Algorithm::Deterministic ? kDeterministicAlgorithm : kRandomAlgorithm;
}

InheritedMetadata InheritedMetadata::overriddenBy(const EncryptionOptions& own) const {
    InheritedMetadata out = *this;
    if (own.algorithm) out.algorithm = own.algorithm;
    if (own.keyId) out.keyId = own.keyId;
    return out;
}

EncryptionOptions parseEncrypt(const bson::Element& element, const std::string& path) {
    if (!element.isDocument()) {
        failAt(ErrorCode::TypeMismatch, "$jsonSchema keyword 'encrypt' must be an object ", path);
    }
    return parseOptions(element, path, "encrypt", true);
}

EncryptionOptions parseEncryptMetadata(const bson::Element& element, const std::string& path) {
    if (!element.isDocument()) {
        failAt(ErrorCode::TypeMismatch, "$jsonSchema keyword 'encryptMetadata' must be an object ",
               path);
    }
    if (element.document().empty()) {
        failAt(ErrorCode::FailedToParse,
               "$jsonSchema keyword 'encryptMetadata' cannot be an empty object ", path);
    }
    return parseOptions(element, path, "encryptMetadata", false);
}

ResolvedEncryption resolveEncryption(const EncryptionOptions& own,
                                     const InheritedMetadata& inherited, const std::string& path) {
    auto algorithm = own.algorithm ? own.algorithm : inherited.algorithm;
    auto keyId = own.keyId ? own.keyId : inherited.keyId;
    std::string prefix(kEncryptPrefix);
    if (!algorithm) {
        failAt(ErrorCode::FailedToParse,
               prefix + "No 'algorithm' is given and no ancestor 'encryptMetadata' specifies one",
               path);
    }
    if (!keyId) {
        failAt(ErrorCode::FailedToParse,
               prefix + "No 'keyId' is given and no ancestor 'encryptMetadata' specifies one",
               path);
    }
    ResolvedEncryption out{*algorithm, *keyId, own.bsonTypes.value_or(std::vector<bson_type_t>{}),
                           path};
    for (auto t : out.bsonTypes) {
        if (contains(kNeverEncryptable, t)) {
            failAt(ErrorCode::FailedToParse,
                   prefix + std::string(kCannotEncryptType) + std::string(bson::typeAlias(t)),
                   joinPath(path, "bsonType"));
        }
    }
    if (out.algorithm == Algorithm::Deterministic) {
        if (out.bsonTypes.size() != 1) {
            failAt(ErrorCode::FailedToParse,
                   prefix +
                       "The deterministic algorithm requires 'bsonType' to name exactly one "
                       "type, found " +
                       std::to_string(out.bsonTypes.size()),
                   out.bsonTypes.empty() ? path : joinPath(path, "bsonType"));
        }
        if (contains(kNotDeterministic, out.bsonTypes.front())) {
            failAt(ErrorCode::FailedToParse,
                   prefix + std::string(kCannotEncryptDeterministically) +
                       std::string(bson::typeAlias(out.bsonTypes.front())),
                   joinPath(path, "bsonType"));
        }
    }
    return out;
}

}  // namespace cryptd::schema
