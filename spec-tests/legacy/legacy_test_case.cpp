#include "legacy_test_case.h"

#include <algorithm>
#include <cctype>

#include "legacy_client.h"
#include "legacy_match.h"

namespace cryptd::speclegacy {

namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

// The expected error of an operation: errorContains (case-insensitive substring, "" = any
// error), or isError.
std::optional<std::string> expectedError(bson::View operation) {
    auto r = operation.find("result");
    if (!r || !r->isDocument()) return std::nullopt;
    auto rd = r->document();
    if (auto ec = rd.find("errorContains"); ec && ec->isString()) return std::string(ec->utf8());
    if (auto ie = rd.find("isError"); ie && ie->truthy()) return std::string();
    return std::nullopt;
}

bool isKeyVaultFind(const bson::View& expected) {
    auto cmd = expected.find("command");
    return cmd && cmd->isDocument() && cmd->document().find("find") &&
           cmd->document().find("$db") && cmd->document().find("readConcern");
}

// Events a driver sends only after reading the server's reply (a getMore, or the key vault find
// that decrypting the reply needs): without a server they are not produced.
bool followsServerReply(bson::View expectedEvent) {
    auto name = expectedEvent.find("command_name");
    if (name && name->isString() && name->utf8() == "getMore") return true;
    return isKeyVaultFind(expectedEvent);
}

void checkOperation(const std::string& label, bson::View operation, const OperationOutcome& got,
                    const Deviation* deviation, Verdict& v) {
    if (got.notChecked) {
        v.notes.push_back(label + ": not checked, " + *got.notChecked);
        return;
    }
    auto want = expectedError(operation);
    if (deviation && want) want = std::string(deviation->errorContains);
    if (!want) {
        if (got.error) v.failures.push_back(label + ": unexpected error: " + *got.error);
        return;
    }
    if (got.error) {
        if (lower(*got.error).find(lower(*want)) == std::string::npos)
            v.failures.push_back(label + ": expected an error containing \"" + *want +
                                 "\", got: " + *got.error);
        return;
    }
    if (isServerSideError(*want)) {
        v.notes.push_back(label + ": \"" + *want +
                          "\" is raised by the server; checked only "
                          "that the command was encrypted and sent");
        return;
    }
    v.failures.push_back(label + ": expected an error containing \"" + *want +
                         "\", but the command was encrypted and sent");
}

void checkEvents(bson::View expectations, const std::vector<Event>& events, Verdict& v) {
    std::vector<bson::View> expected;
    for (auto e : expectations) expected.push_back(e.document());
    size_t i = 0;
    for (; i < expected.size(); ++i) {
        auto ev = expected[i].find("command_started_event");
        if (!ev || !ev->isDocument()) {
            v.failures.push_back("expectations[" + std::to_string(i) +
                                 "]: not a command_started_event");
            return;
        }
        auto want = ev->document();
        if (i >= events.size()) break;
        auto name = want.find("command_name");
        if (name && name->isString() && name->utf8() != events[i].commandName) {
            v.failures.push_back("command " + std::to_string(i) + ": expected " +
                                 std::string(name->utf8()) + ", the driver sent " +
                                 events[i].commandName + ": " + events[i].command.toJson());
            return;
        }
        auto cmd = want.find("command");
        if (cmd && cmd->isDocument()) {
            if (auto diff = legacyMismatch(cmd->document(), events[i].command.view()))
                v.failures.push_back("command " + std::to_string(i) + " (" + events[i].commandName +
                                     ") " + *diff + "\n  sent: " + events[i].command.toJson());
        }
        if (auto db = want.find("database_name");
            db && db->isString() && db->utf8() != events[i].db)
            v.failures.push_back("command " + std::to_string(i) + ": database " + events[i].db +
                                 ", expected " + std::string(db->utf8()));
    }
    for (size_t j = i; j < expected.size(); ++j) {
        auto ev = expected[j].find("command_started_event")->document();
        if (followsServerReply(ev)) {
            v.notes.push_back("expected command " + std::to_string(j) +
                              " follows the server's reply: not compared");
            continue;
        }
        v.failures.push_back("command " + std::to_string(j) +
                             " was expected but not sent: " + ev.toJson());
    }
    for (size_t j = expected.size(); j < events.size(); ++j)
        v.failures.push_back("unexpected command " + std::to_string(j) + ": " +
                             events[j].command.toJson());
}

}  // namespace

Verdict runLegacyTest(const std::string& file, bson::View fileDoc, bson::View test,
                      const RecordedKms* kms) {
    Verdict v;
    auto descEl = test.find("description");
    std::string description = descEl && descEl->isString() ? std::string(descEl->utf8()) : "";
    const Deviation* deviation = deviationFor(file, description);
    if (deviation) v.notes.push_back(std::string("deviation: ") + deviation->reason);
    LegacyClient client(fileDoc, test, kms);
    auto ops = test.find("operations");
    size_t index = 0;
    if (ops && ops->isArray()) {
        for (auto op : ops->document()) {
            auto name = op.document().find("name");
            std::string label = "operation " + std::to_string(index++) + " (" +
                                (name && name->isString() ? std::string(name->utf8()) : "?") + ")";
            auto outcome = client.run(op.document());
            checkOperation(label, op.document(), outcome, deviation, v);
        }
    }
    if (auto exp = test.find("expectations"); exp && exp->isArray())
        checkEvents(exp->document(), client.events(), v);
    return v;
}

}  // namespace cryptd::speclegacy
