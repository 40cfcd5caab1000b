#pragma once
// The one module that builds intent-to-encrypt markings. A marking is BSON binary subtype 6 whose
// payload is byte 0 (FLE1 intent-to-encrypt) followed by the document {a, ki|ka, v}, in that
// order and nothing else: libmongocrypt's parser rejects any other field.

#include <string_view>
#include <variant>

#include "common/bson.h"
#include "common/uuid.h"
#include "schema/encryption_schema.h"

namespace cryptd::analysis {

// Which key encrypts the value: a key id (`ki`) or a keyAltName resolved from a JSON pointer
// (`ka`).
using MarkingKey = std::variant<Uuid, std::string_view>;

// Appends `key: BinData(6, 0x00 + {a, ki|ka, v})`.
void appendMarking(bson::Builder& out, std::string_view key, schema::Algorithm algorithm,
                   const MarkingKey& keyRef, const bson_value_t* value);

// Decodes a marking written by appendMarking (tests and tools). Returns false if `e` is not one.
struct DecodedMarking {
    int32_t algorithm = 0;
    MarkingKey key;
    bson::Doc document;  // the whole {a, ki|ka, v}
};
bool decodeMarking(const bson::Element& e, DecodedMarking& out);

}  // namespace cryptd::analysis
