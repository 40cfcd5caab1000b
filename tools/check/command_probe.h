#pragma once
// --command: analyze a sample command offline against a checked schema, as the daemon would when
// a driver sends it, and show the reply with its markings decoded (or the error it returns).

#include <cstdint>
#include <istream>
#include <optional>
#include <string>
#include <vector>

#include "check/diagnostic.h"
#include "common/bson.h"

namespace cryptd::check {

// A schema the command may be checked against (from the inputs already checked).
struct AvailableSchema {
    std::string ns;
    bson::View schema;
    bool remote = false;
    bool valid = false;
    std::string file;
};

struct CommandOutcome {
    enum class Status {
        kAccepted,       // the daemon replies ok: 1 (reply holds the markings)
        kRejected,       // the daemon replies ok: 0 (code, codeName, errmsg)
        kNoSchema,       // no checked schema matches the command's namespace
        kSchemaInvalid,  // the matching schema has problems (reported with the file)
        kUnreadable,     // the command file cannot be read or parsed
    };
    Status status = Status::kUnreadable;
    std::string file;  // as given
    std::string ns;    // the namespace whose schema was used
    std::string
        replyJson;  // Accepted: relaxed Extended JSON, markings decoded; Rejected: the error
    bool hasEncryptionPlaceholders = false;
    bool schemaRequiresEncryption = false;
    int32_t code = 0;
    std::string codeName;
    std::string errmsg;
    std::string note;  // why NoSchema/Unreadable, or which schema was picked and why
    std::optional<Location> location;  // Unreadable: where the JSON breaks
};

CommandOutcome probeCommand(const std::string& file, std::istream& in,
                            const std::vector<AvailableSchema>& schemas);

}  // namespace cryptd::check
