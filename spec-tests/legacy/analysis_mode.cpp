#include "analysis_mode.h"

#include "mongocrypt_state_machine.h"
#include "spec_daemon.h"

namespace cryptd::speclegacy {

namespace {

AnalysisMode& currentMode() {
    static AnalysisMode mode = AnalysisMode::Mongocryptd;
    return mode;
}

WireRequests& wireRequests() {
    static WireRequests requests;
    return requests;
}

}  // namespace

void setAnalysisMode(AnalysisMode mode, const std::string& library) {
    currentMode() = mode;
    e2e::useCryptSharedLibrary(mode == AnalysisMode::CryptShared ? library : std::string());
}

AnalysisMode analysisMode() {
    return currentMode();
}

const char* analysisModeName() {
    return currentMode() == AnalysisMode::CryptShared ? "crypt_shared" : "mongocryptd";
}

bson::Doc markingsOverTheWire(const std::string& db, bson::View command) {
    if (currentMode() == AnalysisMode::Mongocryptd)
        return spec::sharedDaemonClient().run(db, command);
    auto& r = wireRequests();
    r.count++;
    r.lastCommand = command.toJson();
    throw e2e::CryptError("libmongocrypt asked for markings over the wire in crypt_shared mode");
}

const WireRequests& wireRequestsInCryptSharedMode() {
    return wireRequests();
}

}  // namespace cryptd::speclegacy
