#pragma once
// Corpus-specific notes: why an entry has nothing to run, and which hand-written fixtures
// contradict the contract (see also unbuilt_features.h).

#include <optional>
#include <string>

#include "common/bson.h"
#include "corpus_pairs.h"

namespace cryptd::spec {

// Why an Unpaired entry has no request to run.
std::string unpairedReason(const CorpusEntry& entry);

// Known, documented deviations of a fixture from what a real mongocryptd answers (hand-written
// replies), by entry id. nullopt when the fixture is taken at its word.
std::optional<std::string> fixtureCaveat(const std::string& id);

}  // namespace cryptd::spec
