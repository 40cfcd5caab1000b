#pragma once
// Runs one test of a legacy spec file and judges it: each operation's error against its
// `result.errorContains` (or a documented deviation), then the recorded commands against
// `expectations`. The verdict lists every problem found.

#include <string>
#include <vector>

#include "common/bson.h"
#include "legacy_rules.h"
#include "recorded_kms.h"

namespace cryptd::speclegacy {

struct Verdict {
    std::vector<std::string> failures;  // empty: passed
    std::vector<std::string> notes;     // what was not checked, and why
};

Verdict runLegacyTest(const std::string& file, bson::View fileDoc, bson::View test,
                      const RecordedKms* kms);

}  // namespace cryptd::speclegacy
