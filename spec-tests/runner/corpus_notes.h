#pragma once
// Why a corpus entry is not run (yet), decided from what the fixture asks for. One table, so the
// report lists every skipped pair with its reason.

#include <optional>
#include <string>

#include "common/bson.h"
#include "corpus_pairs.h"

namespace cryptd::spec {

// A feature this daemon does not build yet: QE (encryptionInformation), bulkWrite, or a command
// the analyzer does not handle (Analyzer::handles is false). nullopt when the command should run.
std::optional<std::string> unbuiltFeature(bson::View command);

// Why an Unpaired entry has no request to run.
std::string unpairedReason(const CorpusEntry& entry);

// Known, documented deviations of a fixture from what a real mongocryptd answers (hand-written
// replies), by entry id. nullopt when the fixture is taken at its word.
std::optional<std::string> fixtureCaveat(const std::string& id);

}  // namespace cryptd::spec
