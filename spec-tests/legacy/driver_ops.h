#pragma once
// What a driver sends for each operation of the legacy spec format: the table maps an operation
// name ("insertOne", "findOneAndUpdate", "bulkWrite", ...) to the command(s) the driver's CRUD API
// builds, shaped as the spec's command_started_event expectations show (no lsid, $db added by the
// wire layer). Operations with no command (test-runner assertions on the server's state) say so.

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/bson.h"

namespace cryptd::speclegacy {

struct OutgoingCommand {
    std::string db;
    bson::Doc command;
};

struct DriverOp {
    std::vector<OutgoingCommand> commands;
    // Milliseconds to wait instead (the "wait" operation).
    int waitMs = 0;
    // Set for operations that only inspect the server (assertCollectionExists, ...).
    std::optional<std::string> serverOnly;
};

// A driver-side validation error (e.g. an update document without $-operators), raised before
// anything is sent, as the drivers do.
struct ClientValidationError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Translates one `operations` entry; `db`/`coll` are the file's database_name/collection_name.
// Throws ClientValidationError, or std::invalid_argument for an operation the table lacks.
DriverOp translateOperation(bson::View operation, const std::string& db, const std::string& coll);

}  // namespace cryptd::speclegacy
