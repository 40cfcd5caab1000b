#include "unbuilt_features.h"

#include <algorithm>
#include <array>

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

// The commands the contract (§5) says mongocryptd analyzes. Any other name is never "not built
// yet": it must be rejected.
constexpr std::array kAnalyzedCommands = {
    "find",          "aggregate", "count",  "distinct", "delete",        "insert",   "update",
    "findAndModify", "explain",   "create", "collMod",  "createIndexes", "bulkWrite"};

std::optional<std::string> unhandled(const std::string& name, const char* prefix) {
    if (std::find(kAnalyzedCommands.begin(), kAnalyzedCommands.end(), name) ==
        kAnalyzedCommands.end())
        return std::nullopt;
    if (sharedAnalyzer().handles(name)) return std::nullopt;
    return std::string(prefix) + "'" + name + "' analysis is not built yet (Analyzer::handles(\"" +
           name + "\") is false)";
}

}  // namespace

std::optional<std::string> unbuiltFeature(bson::View command) {
    auto first = command.first();
    if (!first) return std::nullopt;
    std::string name(first->key());
    if (name == "bulkWrite") return "bulkWrite (QE, server 8.0) is not built yet";
    if (hasEncryptionInformation(command))
        return "Queryable Encryption (encryptionInformation) is not built yet";
    if (auto why = unhandled(name, "")) return why;
    if (name == "explain") {
        auto inner = command.find("explain");
        if (inner && inner->isDocument() && !inner->document().empty())
            return unhandled(std::string(inner->document().firstKey()), "explain: ");
    }
    return std::nullopt;
}

}  // namespace cryptd::spec
