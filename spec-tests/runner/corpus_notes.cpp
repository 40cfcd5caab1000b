#include "corpus_notes.h"

#include <array>
#include <string_view>

namespace cryptd::spec {

namespace {

struct Caveat {
    std::string_view id;
    std::string_view why;
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
};

}  // namespace

std::string unpairedReason(const CorpusEntry& entry) {
    auto name = entry.reply.filename().string();
    if (name.rfind("mongocryptd-reply-", 0) == 0)
        return "libmongocrypt unit-test input (a reply fed to libmongocrypt, no request recorded "
               "with it)";
    return "reply fixture without a matching request in the corpus";
}

std::optional<std::string> fixtureCaveat(const std::string& id) {
    for (auto& c : kCaveats)
        if (c.id == id) return std::string(c.why);
    return std::nullopt;
}

}  // namespace cryptd::spec
