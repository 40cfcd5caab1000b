// insert: every document in `documents` (an inline array, or an OP_MSG document sequence the
// server folded into one) marked like a stored document.
#include "analysis/command_fields.h"
#include "analysis/commands/commands.h"
#include "analysis/document_walker.h"
#include "common/error.h"

namespace cryptd::analysis::commands {

namespace {

void documents(CommandContext& cc, const bson::Element& f, bson::View, bson::Builder& out) {
    if (!f.isArray()) failWrongType("insert", f, "array");
    DocumentRules rules;
    rules.allowPointerKeyIds = true;
    rules.rejectEmptyTimestamp = true;
    rules.rejectEncryptedId = true;
    out.appendArray(f.key(), [&](bson::Builder& arr) {
        for (bson::Element doc : f.document()) {
            if (!doc.isDocument()) failWrongType("insert", doc, "object");
            appendMarkedDocument(cc.ctx, arr, doc.key(), doc.document(), rules);
            // The schema's verdict on _id is the same for every document: checked with the first.
            rules.rejectEncryptedId = false;
        }
    });
}

constexpr FieldRule kFields[] = {
    {"documents", documents, true},
    {"ordered"},
    {"bypassDocumentValidation"},
    {"bypassEmptyTsReplacement"},
    {"stmtIds"},
    {"isTimeseriesNamespace"},
    {"collectionUUID"},
    {"let", documentField},
};

}  // namespace

void insert(CommandContext& cc, bson::View command, bson::Builder& result) {
    writeCommand(cc, command, {"insert", kFields, true}, result);
}

}  // namespace cryptd::analysis::commands
