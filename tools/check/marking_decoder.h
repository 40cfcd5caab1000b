#pragma once
// Makes intent-to-encrypt markings readable: every BSON binary of subtype 6 in a reply becomes
// {"$marking": {"algorithm", "keyId" | "keyAltName", "value"}} (FLE1, first byte 0) or
// {"$fle2Placeholder": {...}} (Queryable Encryption, first byte 3). Anything that does not decode
// is left as it is.

#include "common/bson.h"

namespace cryptd::check {

bson::Doc decodeMarkings(bson::View doc);

}  // namespace cryptd::check
