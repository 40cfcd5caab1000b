#include "corpus_notes.h"

#include <array>
#include <string_view>

namespace cryptd::spec {

namespace {

struct Caveat {
    std::string_view id;
    std::string_view why;
    std::string_view ignoreFlag = {};  // set: only this reply flag is not judged
};

// Replies that libmongocrypt's authors wrote by hand (contract §8: they use the misspelled
// `hasEncryptedPlaceholders`); listed here only where they contradict the contract, so a
// mismatch there is reported as that, not as our bug.
constexpr std::array kCaveats = {
    Caveat{"test/data/fle1-explain/with-mongocryptd/cmd-to-mongocryptd.json",
           "hand-written reply omits the `verbosity: allPlansExecution` that real mongocryptd adds "
           "to explain results (contract §2.2, spec explain.yml)"},
    Caveat{"test/data/fle1-create/with-cmd-schema/cmd-to-mongocryptd.json",
           "hand-written reply drops the create command's validator from `result`; real "
           "mongocryptd echoes the command (contract §2.2), and libmongocrypt ignores `result` "
           "here anyway (no placeholders)"},
    // Captured from a real 8.1+ mongocryptd (csfleEncryptionSchemas): its flags contradict
    // contract §4.1; libmongocrypt reads neither flag here (it uses `result`), so ours, which
    // follows §4.1, is equivalent for the driver.
    Caveat{"test/data/lookup/mixed/csfle/csfle/cmd-to-mongocryptd.json",
           "real mongocryptd reports hasEncryptionPlaceholders false although `result` holds a "
           "marking; ours says true (§4.1: true when result holds a marking)",
           "hasEncryptionPlaceholders"},
    Caveat{"test/data/lookup/mixed/csfle/no-schema/cmd-to-mongocryptd.json",
           "real mongocryptd reports hasEncryptionPlaceholders false although `result` holds a "
           "marking; ours says true (§4.1: true when result holds a marking)",
           "hasEncryptionPlaceholders"},
    Caveat{"test/data/lookup/mixed/no-schema/csfle/cmd-to-mongocryptd.json",
           "real mongocryptd reports hasEncryptionPlaceholders false although `result` holds a "
           "marking; ours says true (§4.1: true when result holds a marking)",
           "hasEncryptionPlaceholders"},
    Caveat{"test/data/lookup/mixed/no-schema/no-schema/cmd-to-mongocryptd.json",
           "real mongocryptd reports schemaRequiresEncryption true with two empty schemas; ours "
           "says false (§4.1: true only when a schema has an encrypt node); libmongocrypt then "
           "sends the original command, identical to `result` here",
           "schemaRequiresEncryption"},
};

}  // namespace

std::string unpairedReason(const CorpusEntry& entry) {
    auto name = entry.reply.filename().string();
    if (name.rfind("mongocryptd-reply-", 0) == 0)
        return "libmongocrypt unit-test input (a reply fed to libmongocrypt, no request recorded "
               "with it)";
    return "reply fixture without a matching request in the corpus";
}

std::optional<FixtureCaveat> fixtureCaveat(const std::string& id) {
    for (auto& c : kCaveats)
        if (c.id == id) return FixtureCaveat{std::string(c.why), std::string(c.ignoreFlag)};
    return std::nullopt;
}

}  // namespace cryptd::spec
