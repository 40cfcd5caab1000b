#pragma once
// Features the daemon does not build yet. A case or corpus pair that needs one is reported as
// skipped with this reason (never silently passed, never silently dropped); the check asks the
// analyzer itself, so the skip ends the moment the feature lands.

#include <optional>
#include <string>

#include "common/bson.h"

namespace cryptd::spec {

// QE (encryptionInformation), bulkWrite, or a command (or explain's inner command) for which
// Analyzer::handles is false. nullopt when the command should run.
std::optional<std::string> unbuiltFeature(bson::View command);

}  // namespace cryptd::spec
