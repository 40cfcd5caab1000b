#pragma once
// Where the drivers' client-side-encryption spec files are read from (never copied into the
// repository): $CRYPTD_SPECS_DIR (a checkout's source/client-side-encryption, or
// ../shared/specs/client-side-encryption) else <source>/../shared/specs/client-side-encryption.

#include <optional>
#include <string>
#include <vector>

#include "common/bson.h"

namespace cryptd::speclegacy {

// The client-side-encryption directory, or nullopt when it is absent.
std::optional<std::string> specsDir();

// Stems of legacy/*.json, sorted ("types", "fle2v2-Update", ...).
std::vector<std::string> legacyFileStems(const std::string& specsDir);

// Reads a whole file; throws std::runtime_error when it cannot.
std::string readFile(const std::string& path);

// Parses a spec JSON file (Extended JSON v2); throws on a read or parse error.
bson::Doc loadJsonFile(const std::string& path);

}  // namespace cryptd::speclegacy
