#pragma once
// The drivers' legacy spec-test matching rules, for command_started_event commands:
// - documents: every expected field must match; extra fields in the actual document are allowed
//   (at every depth, as the legacy runners do: drivers add lsid, $db, txnNumber, ...);
// - arrays: same length, element by element;
// - numbers compare by value (1 == 1.0 == NumberLong(1)); everything else by type and bytes;
// - {"$$type": "binData"} or {"$$type": ["int", "long"]}: any value of those $type aliases;
// - {"$$unsetOrMatches": X}: the field is absent or matches X.

#include <optional>
#include <string>

#include "common/bson.h"

namespace cryptd::speclegacy {

// The first difference as "path: message", or nullopt when `actual` matches `expected`.
std::optional<std::string> legacyMismatch(bson::View expected, bson::View actual,
                                          const std::string& path = "");

}  // namespace cryptd::speclegacy
