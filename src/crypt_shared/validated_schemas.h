#pragma once
// The schemas this thread has seen pass validation. libmongocrypt sends the collection's schema
// with every command, and the schema is most of the command's bytes: a schema found here (same
// bytes) is not validated again, only its frame and the depth limit are checked
// (Analyzer::checkCommandBytes' trusted range). Per thread, so lookups take no lock; a few
// entries of bounded size, replaced in turn.

#include <cstddef>
#include <cstdint>

#include "common/bson.h"

namespace cryptd::crypt_shared {

// The depth the bytes validated to, or 0 when this thread has not validated these bytes.
int knownSchemaDepth(bson::View schema);
// Records bytes that validated (to `depth` levels) as a document of their own.
void rememberSchema(bson::View schema, int depth);

}  // namespace cryptd::crypt_shared
