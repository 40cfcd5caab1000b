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

// A known, documented disagreement between a fixture and the contract, by entry id. With
// `ignoreFlag` set, that reply flag is left out of the comparison and everything else is judged;
// otherwise a mismatch is reported as skipped with the reason. nullopt: the fixture is taken at
// its word.
struct FixtureCaveat {
    std::string why;
    std::string ignoreFlag;
};
std::optional<FixtureCaveat> fixtureCaveat(const std::string& id);

}  // namespace cryptd::spec
