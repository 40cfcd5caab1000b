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

QueryRefusal ResolvedEncryption::refusal(QueryKind kind) const {
    QueryRefusal r;
    r.randomized = algorithm == Algorithm::Random;
    r.pointerKeyId = !keyId.isUuid();
    r.notServed = kind != QueryKind::Equality;
    return r;
}

}  // namespace cryptd::schema
