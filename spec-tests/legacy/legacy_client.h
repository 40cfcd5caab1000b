#pragma once
// One test of a legacy spec file run as a driver runs it, minus the server: an auto-encrypting
// client whose libmongocrypt state machine (tests/e2e/mongocrypt_state_machine.h) is answered
// from the test file (collinfo from json_schema / encrypted_fields, keys from key_vault_data),
// from the daemon over the wire or mongo_crypt_v1.so in-process (markings, analysis_mode.h) and
// from recorded KMS replies. Every command the client
// would send to mongod is recorded as a command_started_event; operation errors are kept for the
// `result: {errorContains}` checks.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/bson.h"
#include "recorded_kms.h"

namespace cryptd::speclegacy {

struct Event {
    std::string commandName;
    std::string db;
    bson::Doc command;
};

struct OperationOutcome {
    bool sent = false;                      // the command(s) went out
    std::optional<std::string> error;       // the error the driver raised
    std::optional<std::string> notChecked;  // server-only operation: why nothing was done
};

class LegacyClient {
  public:
    // `file` is the parsed spec file, `test` one of its tests.
    LegacyClient(bson::View file, bson::View test, const RecordedKms* kms);
    ~LegacyClient();
    LegacyClient(const LegacyClient&) = delete;
    LegacyClient& operator=(const LegacyClient&) = delete;

    OperationOutcome run(bson::View operation);
    const std::vector<Event>& events() const { return events_; }

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    std::vector<Event> events_;
};

}  // namespace cryptd::speclegacy
