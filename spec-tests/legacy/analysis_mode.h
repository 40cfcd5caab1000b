#pragma once
// Where the legacy runner's libmongocrypt gets its markings: from the daemon over the wire
// (mongocryptd mode, the default) or in-process from mongo_crypt_v1.so (crypt_shared mode,
// `--mode=crypt_shared`). In crypt_shared mode every Crypt loads the library and must report
// its version string, and a request for markings over the wire is counted as a failure of the
// test that caused it (never answered, and never mistaken for an expected error).

#include <string>

#include "common/bson.h"

namespace cryptd::speclegacy {

enum class AnalysisMode { Mongocryptd, CryptShared };

// crypt_shared: every Crypt made afterwards loads `library`.
void setAnalysisMode(AnalysisMode mode, const std::string& library = {});
AnalysisMode analysisMode();
const char* analysisModeName();  // "mongocryptd" or "crypt_shared"

// The DriverIo::runOnMongocryptd of both modes: the daemon's reply, or (crypt_shared) a
// recorded wire request and a CryptError.
bson::Doc markingsOverTheWire(const std::string& db, bson::View command);

// Wire requests made in crypt_shared mode so far, and the last command asked for.
struct WireRequests {
    int count = 0;
    std::string lastCommand;
};
const WireRequests& wireRequestsInCryptSharedMode();

}  // namespace cryptd::speclegacy
