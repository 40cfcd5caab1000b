#pragma once
// One scenario, many drivers: an official driver's own automatic encryption (Go, PHP, Node.js)
// through fake_mongod.py on loopback, with our mongocryptd doing the query analysis.
//
// The driver's client program (go_auto_encryption.go, php_auto_encryption.php,
// node_auto_encryption.js) gets `FAKE_URI spawn|bypass|crypt_shared CRYPTD_PORT|LIBRARY DIR` and,
// with a local KMS
// and a schemaMap for medical.patients (ssn deterministic string, notes random):
//   creates a data key; inserts {_id: 1, name: "Jon Doe", ssn: "457-55-5462", notes: "allergic"}
//   and {_id: 2, name: "Jane Roe", ssn: "123-45-6789", notes: "none"}; finds {ssn: "457-55-5462"}
//   and checks it reads doc 1 back in plaintext; runs find {ssn: {$gt: "1"}} and prints
//   "REFUSED: <the error it got>"; exits 0 when its own checks passed.
// spawn: the driver spawns `mongocryptd` from PATH (the build's src/app first) with
//   mongocryptdSpawnArgs [--port=CRYPTD_PORT, --pidfilepath=DIR/mongocryptd.pid,
//   --unixSocketPrefix=DIR] and mongocryptdURI on that port, so no other daemon can answer.
// bypass: mongocryptdBypassSpawn with mongocryptdURI on a daemon the test started itself.
// crypt_shared: cryptSharedLibPath = LIBRARY (the built mongo_crypt_v1.so) with
//   cryptSharedLibRequired; no daemon runs and PATH is only the client program's own directory,
//   checked to hold no mongocryptd. The client prints "CRYPT_SHARED_MAPPED: <path>" for each
//   mongo_crypt_v1 mapping in its /proc/self/maps at the end: the library must be among them.
//
// runAutoEncryptionScenario then checks what reached the fake server (the commands it recorded):
// the key vault insert; both encrypted fields as BinData 6 with the right first byte (1, 2), the
// data key's UUID and the original type; the query's ciphertext equal to the stored one; the
// refused query never sent; no plaintext of an encrypted field in any command. It checks the
// refusal text, and in spawn mode that the daemon the driver started is ours, with the driver's
// idle timeout; that daemon is stopped at the end, also when a check failed. In crypt_shared mode
// the refusal comes from the library, with the same text.

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/bson.h"

namespace cryptd::e2e {

enum class SpawnMode { kSpawn, kBypass, kCryptShared };

// In a sanitized build mongo_crypt_v1.so carries the AddressSanitizer runtime, which a driver's
// own unsanitized process (php, node) cannot load: those crypt_shared runs are for `make test`.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kCryptSharedIsSanitized = true;
#else
inline constexpr bool kCryptSharedIsSanitized = false;
#endif
inline constexpr const char* kSanitizedCryptSharedSkip =
    "mongo_crypt_v1.so is built with AddressSanitizer here, which an unsanitized driver process "
    "cannot load (make test runs this)";

struct DriverClient {
    std::vector<std::string> argv;  // the program and its first arguments (argv[0] is a path)
    std::vector<std::string> env;   // extra NAME=value entries
};

struct ScenarioResult {
    std::vector<bson::Doc> recorded;  // every command the fake server received, in order
    std::vector<uint8_t> keyId;       // the data key's UUID, from the key vault insert
    std::vector<uint8_t> storedSsn;   // doc 1's ssn ciphertext as inserted
    std::string output;               // the client's output
};

// Runs the scenario and its checks as gtest assertions; nullopt when one failed fatally (the
// client's output is in the failure message then).
std::optional<ScenarioResult> runAutoEncryptionScenario(const DriverClient& client, SpawnMode mode);

// The element at a path of keys (array indexes as strings), or nothing.
std::optional<bson::Element> at(bson::View d, std::initializer_list<std::string_view> path);

// The commands named `name` on collection `coll` (first element {name: coll}).
std::vector<const bson::Doc*> commandsOn(const ScenarioResult& r, std::string_view name,
                                         std::string_view coll);

// A value that must be BinData 6 with first byte `blob`, the scenario's key and original type
// `bsonType`; gtest-friendly.
::testing::AssertionResult isFle1Ciphertext(const std::optional<bson::Element>& e, uint8_t blob,
                                            const std::vector<uint8_t>& keyId, uint8_t bsonType);

// A query's value for `field`: {field: v} or {field: {$eq: v}}.
std::optional<bson::Element> equalityValue(bson::View filter, std::string_view field);

}  // namespace cryptd::e2e
