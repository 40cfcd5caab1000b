// create and collMod: a validator is stored on the server and evaluated against ciphertext, so
// its `$jsonSchema` must itself follow the encryption-schema rules and none of its predicates may
// compare an encrypted field. The validator is echoed unchanged (the server parses it again).
#include <memory>
#include <string>

#include "analysis/command_fields.h"
#include "analysis/commands/commands.h"
#include "analysis/match_walker.h"
#include "common/error.h"

namespace cryptd::analysis::commands {

namespace {

void validator(CommandContext& cc, const bson::Element& f, bson::View, bson::Builder& out) {
    if (!f.isDocument()) failWrongType("", f, "object");
    bson::View v = f.document();
    // The validator's predicates are checked against its own $jsonSchema (the rules it sets) and
    // against the schema sent with the command: a field either one encrypts holds ciphertext, so
    // a stored predicate comparing it would carry its value in the clear.
    std::shared_ptr<const schema::EncryptionSchema> own;
    for (bson::Element js : v) {
        if (js.key() != "$jsonSchema") continue;
        if (own) fail(ErrorCode::BadValue, "A validator may contain only one $jsonSchema");
        if (!js.isDocument()) fail(ErrorCode::TypeMismatch, "$jsonSchema must be an object");
        own = schema::EncryptionSchema::parse(js.document(), true);
    }
    if (own) {
        Context check(SchemaView(own.get()));
        bson::Builder scratch;
        MatchWalker(check, MatchMode::StoredOnServer).writeFilter(scratch, v);
    }
    Context check(cc.ctx.schema);
    bson::Builder scratch;
    MatchWalker(check, MatchMode::StoredOnServer).writeFilter(scratch, v);
    out.append(f);
}

void viewPipeline(CommandContext& cc, const bson::Element& f, bson::View, bson::Builder& out) {
    if (!f.isArray()) failWrongType("", f, "array");
    if (cc.ctx.schema.requiresEncryption()) {
        fail(ErrorCode::BadValue,
             "Views on collections with encrypted fields are not supported yet");
    }
    out.append(f);
}

void encryptedFields(CommandContext&, const bson::Element&, bson::View, bson::Builder&) {
    fail(ErrorCode::NotImplemented,
         "Queryable Encryption is not supported yet: 'encryptedFields' cannot be analyzed");
}

constexpr FieldRule kCreateFields[] = {
    {"validator", validator},
    {"validationLevel"},
    {"validationAction"},
    {"viewOn"},
    {"pipeline", viewPipeline},
    {"capped"},
    {"autoIndexId"},
    {"idIndex", documentField},
    {"size"},
    {"max"},
    {"storageEngine", documentField},
    {"indexOptionDefaults", documentField},
    {"collation", documentField},
    {"changeStreamPreAndPostImages", documentField},
    {"timeseries", documentField},
    {"clusteredIndex"},
    {"expireAfterSeconds"},
    {"encryptedFields", encryptedFields},
    {"temp"},
    {"flags"},
    {"recordPreImages"},
};

constexpr FieldRule kCollModFields[] = {
    {"validator", validator},
    {"validationLevel"},
    {"validationAction"},
    {"viewOn"},
    {"pipeline", viewPipeline},
    {"index", documentField},
    {"expireAfterSeconds"},
    {"timeseries", documentField},
    {"changeStreamPreAndPostImages", documentField},
    {"recordPreImages"},
    {"cappedSize"},
    {"cappedMax"},
    {"clusteredIndex"},
    {"dryRun"},
    {"isTimeseriesNamespace"},
    {"collectionUUID"},
    {"encryptedFields", encryptedFields},
};

}  // namespace

void create(CommandContext& cc, bson::View command, bson::Builder& result) {
    writeCommand(cc, command, {"create", kCreateFields, true}, result);
}

void collMod(CommandContext& cc, bson::View command, bson::Builder& result) {
    writeCommand(cc, command, {"collMod", kCollModFields, true}, result);
}

}  // namespace cryptd::analysis::commands
