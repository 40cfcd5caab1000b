#pragma once
// What one run of a command produced, whichever way it ran: a success body
// ({hasEncryptionPlaceholders, schemaRequiresEncryption, result}, without `ok`) or an error.
// The same judge then applies to the in-process analyzer and to the daemon over the wire.

#include <cstdint>
#include <optional>
#include <string>

#include "common/bson.h"
#include "spec_case.h"

namespace cryptd::spec {

struct ErrorOutcome {
    int32_t code = 0;
    std::string codeName;
    std::string errmsg;
    std::string describe() const;
};

struct Outcome {
    std::optional<bson::Doc> body;       // success, without `ok`
    std::optional<ErrorOutcome> error;   // {ok: 0}
    std::optional<bson::Doc> fullReply;  // wire only: the reply as received
};

// Splits a server reply into an Outcome; a malformed reply (no ok, error without code/codeName/
// errmsg of the right types) becomes an error outcome whose message says what is wrong, with
// code -1 so no expectation can match it.
Outcome outcomeFromReply(bson::View reply);

// Contract invariants every success body must satisfy, whatever the case expects (§2.2, §3.1):
// both flags are bools, `result` is a document without jsonSchema/isRemoteSchema/
// csfleEncryptionSchemas/$db, every FLE1 marking parses as libmongocrypt parses it,
// hasEncryptionPlaceholders == (result holds a marking), no marking without
// schemaRequiresEncryption, and never the misspelled `hasEncryptedPlaceholders`.
std::optional<std::string> contractViolation(bson::View body);

// Compares an outcome with the case's expectation. Returns the failure text or nullopt.
std::optional<std::string> judge(const SpecCase& c, const Outcome& outcome, Mode mode);

// Checks an error against an expectation (used by the corpus runner too).
std::optional<std::string> errorMismatch(const ExpectedError& want, const ErrorOutcome& got);

}  // namespace cryptd::spec
