#include <algorithm>

#include "schema/encryption_schema.h"

namespace cryptd::schema {

bool ResolvedEncryption::allowsType(bson_type_t t) const {
    return bsonTypes.empty() || std::find(bsonTypes.begin(), bsonTypes.end(), t) != bsonTypes.end();
}

bool ResolvedEncryption::sameMetadata(const ResolvedEncryption& other) const {
    if (algorithm != other.algorithm || keyId.value != other.keyId.value) return false;
    auto a = bsonTypes, b = other.bsonTypes;
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    return a == b;
}

}  // namespace cryptd::schema
