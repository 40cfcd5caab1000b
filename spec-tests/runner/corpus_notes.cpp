#include "corpus_notes.h"

#include <array>
#include <string_view>

#include "analysis/analyzer.h"
#include "run_modes.h"

namespace cryptd::spec {

namespace {

bool hasEncryptionInformation(bson::View cmd) {
    if (cmd.find("encryptionInformation")) return true;
    if (auto ex = cmd.find("explain");
        ex && ex->isDocument() && ex->document().find("encryptionInformation"))
        return true;
    if (auto ns = cmd.find("nsInfo"); ns && ns->isArray())
        for (auto e : ns->document())
            if (e.isDocument() && e.document().find("encryptionInformation")) return true;
    return false;
}

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
};

}  // namespace

std::optional<std::string> unbuiltFeature(bson::View command) {
    auto first = command.begin();
    if (first == command.end()) return std::nullopt;
    std::string name((*first).key());
    if (name == "bulkWrite") return "bulkWrite (QE, server 8.0) is not built yet";
    if (hasEncryptionInformation(command))
        return "Queryable Encryption (encryptionInformation) is not built yet";
    if (!sharedAnalyzer().handles(name))
        return "'" + name + "' analysis is not built yet (Analyzer::handles(\"" + name +
               "\") is false)";
    if (name == "explain") {
        auto inner = command.find("explain");
        if (inner && inner->isDocument() && !inner->document().empty()) {
            std::string innerName((*inner->document().begin()).key());
            if (!sharedAnalyzer().handles(innerName))
                return "explain of '" + innerName + "' is not built yet";
        }
    }
    return std::nullopt;
}

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
