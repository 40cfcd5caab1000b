#pragma once
// One spec-tests case: a JSON file under spec-tests/cases/<folder>/<name>.json. The format is
// described in spec-tests/README.md. Loading resolves {"$$include": "schemas/x.json"} and encodes
// {"$$marking": {...}} into real subtype-6 binaries, so the runner compares BSON with BSON.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/bson.h"

namespace cryptd::spec {

enum class Mode { InProcess, Wire };

struct ExpectedError {
    std::optional<int32_t> code;
    std::optional<std::string> codeName;
    std::vector<std::string> errmsgContains;  // every substring must appear
};

struct SpecCase {
    std::string id;  // "find/eq_deterministic" (folder/file without .json)
    std::filesystem::path file;
    std::string description;
    std::string db = "test";
    bson::Doc command;  // without $db
    bool inProcess = true;
    bool wire = true;
    std::optional<bson::Doc>
        expect;  // {hasEncryptionPlaceholders, schemaRequiresEncryption, result}
    std::optional<ExpectedError> expectError;
    std::optional<bson::Doc> expectReply;  // wire only: fields the full reply must contain
    bool normalizeQueries = true;
    std::optional<std::string> xfail;  // known, defensible disagreement: reported as skipped
    std::optional<std::string> skip;   // not applicable yet: reported as skipped
};

// Root of the spec-tests folder (CRYPTD_SPEC_DIR, set by CMake).
std::filesystem::path specRoot();

// Loads one case. Throws std::runtime_error naming the file on any format problem.
SpecCase loadSpecCase(const std::filesystem::path& root, const std::filesystem::path& file);

// Every case file under root/cases, sorted by id. Files that fail to load still produce a case
// (its description holds the load error) so the problem shows up as a failing test.
struct CaseRef {
    std::string id;
    std::filesystem::path file;
};
std::vector<CaseRef> listSpecCases(const std::filesystem::path& root);

// Loads a JSON file (relaxed/canonical Extended JSON) resolving $$include against `root`.
bson::Doc loadJsonFile(const std::filesystem::path& file, const std::filesystem::path& root);

// A gtest-safe name for a case id: letters, digits and '_' ("find/eq-x" -> "find__eq_x").
std::string testNameFor(const std::string& id);

}  // namespace cryptd::spec
