#pragma once
// The safety invariant, checked on one analyzed command: for a command the analyzer accepted,
// every value bound for a path the schema says is encrypted comes back as an FLE1 marking
// (subtype 6, first byte 0, {a, ki|ka, v}) whose `v` is the original value and whose `a`/key are
// the schema's, and nothing else in the command changed.
//
// The expectation is built from the original command and an independent SchemaModel (not from
// src/schema or src/analysis): values at encrypted paths are replaced by markings made here, and
// constructs that cannot be analyzed safely (a query on a randomized field, a value inside an
// encrypted field, an array on the way to one, ...) make "accepted" itself a violation. Both sides
// are then rendered canonically (query sugar normalized: {f: v} == {f: {$eq: v}}, $ne == $not
// $eq, $nin == $not $in, implicit AND == $and, single-branch $or == its branch) and compared.

#include <string>
#include <vector>

#include "common/bson.h"
#include "hostile/invariant/schema_model.h"

namespace cryptd::test::invariant {

struct Violation {
    std::string what;
    std::string expected;  // canonical renderings, when the results differ
    std::string actual;
};

class InvariantChecker {
  public:
    explicit InvariantChecker(const SchemaModel& model) : model_(model) {}

    // `reply` is the analyzer's body {hasEncryptionPlaceholders, schemaRequiresEncryption,
    // result}. Empty when the invariant holds.
    std::vector<Violation> check(bson::View command, bson::View reply) const;

    // Why accepting `command` would be wrong (empty when it may be accepted).
    std::vector<std::string> mustReject(bson::View command) const;

    // Canonical rendering of a command result (exposed for tests of the checker itself).
    static std::string canonicalCommand(bson::View result, bson::View original);

  private:
    const SchemaModel& model_;
};

// FLE1 marking bytes, built independently of src/analysis/marking_writer.
std::vector<uint8_t> markingBytes(int algorithm, const std::array<uint8_t, 16>* keyUuid,
                                  const std::string& keyAltName, const bson_value_t* value);

}  // namespace cryptd::test::invariant
