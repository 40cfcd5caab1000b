#include "legacy_rules.h"

#include <array>
#include <cstdlib>
#include <string_view>

namespace cryptd::speclegacy {

namespace {

// Tests (description, or every test of the file when null) whose checks come from a live server.
struct TestSkip {
    const char* file;
    const char* description;
    const char* reason;
};
constexpr std::array kTestSkips = {
    TestSkip{"malformedCiphertext", "Empty data",
             "needs a server: the error comes from decrypting the document the server returns"},
    TestSkip{"malformedCiphertext", "Malformed data",
             "needs a server: the error comes from decrypting the document the server returns"},
    TestSkip{"timeoutMS", nullptr, "needs a server: failPoint and timeoutMS against mongod"},
};

constexpr std::array kDeviations = {
    Deviation{"badQueries",
              "array filters on encrypted fields does not error in mongocryptd, but "
              "errors in mongod",
              "Array update operations not allowed on encrypted values",
              "cryptd refuses arrayFilters that reach below an encrypted field: their plaintext "
              "would go to the server unencrypted (mongocryptd passes it and mongod fails)"},
};

std::string kmsProviderSkip(bson::View test) {
    auto opts = test.find("clientOptions");
    if (!opts || !opts->isDocument()) return {};
    auto ae = opts->document().find("autoEncryptOpts");
    if (!ae || !ae->isDocument()) return {};
    auto providers = ae->document().find("kmsProviders");
    if (!providers || !providers->isDocument()) return {};
    for (auto p : providers->document()) {
        std::string name(p.key());
        if (name == "aws" || name == "local" || name.starts_with("local:")) continue;
        return "needs a cloud KMS (" + name + "): no network KMS here";
    }
    return {};
}

}  // namespace

std::optional<std::string> skipReason(const std::string& file, bson::View test,
                                      const LibraryInfo& lib) {
    if (file.starts_with("fle2v2")) {
        if (!kQueryableEncryptionBuilt) return "Queryable Encryption not built yet";
        if (lib.major == 1 && lib.minor < 8)
            return "Queryable Encryption needs libmongocrypt >= 1.8";
    }
    // CRYPTD_SPEC_RUN_SKIPPED=1 runs what the spec itself skips (server bugs of its day).
    const char* runSkipped = std::getenv("CRYPTD_SPEC_RUN_SKIPPED");
    bool honourSpecSkips = !(runSkipped && std::string_view(runSkipped) == "1");
    if (auto r = test.find("skipReason"); r && r->isString() && honourSpecSkips)
        return "the spec skips it: " + std::string(r->utf8());
    auto description = test.find("description");
    for (const auto& s : kTestSkips)
        if (file == s.file && (!s.description || (description && description->isString() &&
                                                  description->utf8() == s.description)))
            return s.reason;
    if (test.find("failPoint")) return "needs a server: failPoint";
    if (auto kms = kmsProviderSkip(test); !kms.empty()) return kms;
    auto opts = test.find("clientOptions")->document().find("autoEncryptOpts");
    if (opts && opts->isDocument()) {
        auto ae = opts->document();
        if (ae.find("keyExpirationMS") && lib.major == 1 && lib.minor < 12)
            return "keyExpirationMS needs libmongocrypt >= 1.12";
        for (auto p : ae.find("kmsProviders")->document())
            if (p.key().starts_with("local:") && lib.major == 1 && lib.minor < 9)
                return "named KMS providers need libmongocrypt >= 1.9";
    }
    return std::nullopt;
}

const Deviation* deviationFor(const std::string& file, const std::string& description) {
    for (const auto& d : kDeviations)
        if (file == d.file && description == d.description) return &d;
    return nullptr;
}

bool isServerSideError(const std::string& errorContains) {
    // geoNear-style operators fail in mongod's planner; the encryption side passes them through.
    return errorContains == "unable to find index";
}

}  // namespace cryptd::speclegacy
