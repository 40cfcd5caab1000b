#pragma once
// The analysis engine's front door. Front ends (the daemon, the schema checker, tests) hand it a
// command document exactly as received (with `$db`, `jsonSchema`, `isRemoteSchema`, and OP_MSG
// document sequences already folded into arrays) and get back the reply body.
//
// No sockets, no threads of its own, no logging sinks: safe to link into any front end.

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

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace cryptd::analysis
