#pragma once
// The analysis engine's front door. Front ends (the daemon, the schema checker, tests) hand it a
// command document exactly as received (with `$db`, `jsonSchema`, `isRemoteSchema`, and OP_MSG
// document sequences already folded into arrays) and get back the reply body.
//
// No sockets, no threads of its own, no logging sinks: safe to link into any front end.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "common/bson.h"

namespace cryptd::analysis {

class Analyzer {
  public:
    Analyzer();
    ~Analyzer();

    // True when `commandName` (the first key of a command) is analyzed here (find, insert, ...).
    // Case-sensitive, as MongoDB command names are.
    bool handles(std::string_view commandName) const;

    // Analyzes one command. Returns the reply body without `ok`:
    //   {hasEncryptionPlaceholders: bool, schemaRequiresEncryption: bool, result: {...}}
    // Throws cryptd::Error (MongoDB code + message) when the command or its schema is rejected.
    // Thread-safe: one Analyzer serves all connections (it owns the schema cache).
    bson::Doc analyze(bson::View command) const;

    // What a command handed over as bytes may be: the daemon's message limit and MongoDB's
    // nesting limit for user documents plus the command wrapper's levels.
    static constexpr size_t kMaxCommandBytes = 48'000'000;
    static constexpr int kMaxDepth = 220;

    // analyze() for bytes nobody has checked yet (the in-process library gets them straight from
    // the driver): the structure, nesting depth, array keys and size are checked first, so every
    // front end gets the checks the daemon's wire layer makes. Throws InvalidBSON, Overflow
    // (too deep) or BSONObjectTooLarge before anything reads the command.
    bson::Doc analyzeBytes(const uint8_t* data, size_t len) const;
    // analyzeBytes' checks alone, for a front end that looks at the command before analyzing it.
    // `trusted...`: an embedded document (offset and size in `data`) whose same bytes the front
    // end validated before (validatedDepth() gave `trustedDepth`); only its frame and the depth
    // limit are checked.
    static void checkCommandBytes(const uint8_t* data, size_t len, size_t trustedOffset = 0,
                                  size_t trustedSize = 0, int trustedDepth = 0);
    // The depth a document validates to under this engine's rules (as its own document), or
    // nothing when it does not validate: what a front end records before trusting those bytes.
    static int validatedDepth(const uint8_t* data, size_t len);

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace cryptd::analysis
