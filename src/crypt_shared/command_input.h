#pragma once
// What mongo_crypt_v1_analyze_query hands the engine. libmongocrypt sends crypt_shared the command
// it would send mongocryptd, with `$db` appended (for explain also nested inside `explain`, with
// QE's encryptionInformation) and the target namespace passed beside it. The engine reads `$db`
// from the command, ignores a `$db` nested in explain's command as it ignores the top-level one,
// and so answers with the same `result` bytes as the daemon.

#include <cstdint>

#include "analysis/analyzer.h"
#include "common/bson.h"

namespace cryptd::crypt_shared {

// Checks the namespace ("<db>.<coll>": UTF-8, a dot, a database name; `nsLen` bytes, not
// necessarily zero-terminated) and the command bytes (length from their first four bytes, then
// structure, depth and size as the engine checks any untrusted command), appends `$db` from the
// namespace when the command has none, and analyzes it. Throws cryptd::Error.
bson::Doc analyzeInput(const analysis::Analyzer& engine, const uint8_t* command, const char* ns,
                       uint32_t nsLen);

}  // namespace cryptd::crypt_shared
