#pragma once
// The libmongocrypt fixture corpus (../shared/corpus/libmongocrypt) as a list of request/reply
// pairs. Every fixture that is a mongocryptd request or reply shows up exactly once: as a pair
// to run, or as an entry that is reported as skipped with the reason. Nothing is dropped.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/bson.h"

namespace cryptd::spec {

struct CorpusEntry {
    enum class Kind {
        Analysis,       // command (as sent to mongocryptd) -> analysis reply
        BuiltAnalysis,  // driver command + schema file -> built command -> analysis reply
        IsMaster,       // {isMaster: 1} -> hello reply (wire only)
        CommandOnly,    // a request without a recorded reply: run it, check the contract only
        Unpaired,       // a reply without a request in the corpus: listed, skipped
    };
    std::string id;  // relative path of the request (or reply) file, e.g. test/data/x/cmd.json
    Kind kind;
    std::filesystem::path request;     // empty for Unpaired / implicit isMaster
    std::filesystem::path reply;       // empty for CommandOnly
    std::filesystem::path schemaFile;  // BuiltAnalysis: schema-map.json / collinfo.json
};

// The corpus root, or nullopt when the folder does not exist (outside CI).
std::optional<std::filesystem::path> corpusRoot();

std::vector<CorpusEntry> discoverCorpus(const std::filesystem::path& root);

// The command libmongocrypt would send for a BuiltAnalysis entry (driver command + schema),
// with the database it targets. Throws std::runtime_error with the reason when it cannot be
// built here (e.g. QE: libmongocrypt builds encryptionInformation itself).
struct BuiltCommand {
    bson::Doc command;  // without $db
    std::string db;
};
BuiltCommand buildCorpusCommand(const CorpusEntry& entry);

// The database a verbatim request targets: taken from csfleEncryptionSchemas /
// encryptionInformation namespaces when present, else a sibling cmd.json's $db, else "db"
// (libmongocrypt's tests use "db").
std::string corpusDbFor(const CorpusEntry& entry, bson::View command);

// Loads a corpus JSON file (Extended JSON v1 or v2).
bson::Doc loadCorpusJson(const std::filesystem::path& file);

}  // namespace cryptd::spec
