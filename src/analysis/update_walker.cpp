#include "analysis/update_walker.h"

#include <string>

#include "analysis/document_walker.h"
#include "analysis/update_operators.h"
#include "common/error.h"

namespace cryptd::analysis {

namespace {

bool isOperatorDocument(bson::View u) {
    std::string_view key = u.firstKey();
    return !key.empty() && key.front() == '$';
}

}  // namespace

void appendAnalyzedUpdate(Context& ctx, bson::Builder& out, std::string_view key,
                          const bson::Element& update, bool upsert) {
    if (update.isArray()) {
        // Aggregation-pipeline updates compute new values on the server from stored ones. The
        // pipeline walker does not analyze update stages ($set/$unset/$replaceRoot over the
        // stored document), so they are refused whenever anything is encrypted.
        if (ctx.schema.requiresEncryption()) {
            fail(ErrorCode::BadValue,
                 "Pipeline-style updates are not supported yet on a collection "
                 "with encrypted fields");
        }
        out.append(key, update);
        return;
    }
    if (!update.isDocument()) {
        fail(ErrorCode::FailedToParse, "Update argument must be either an object or an array");
    }
    bson::View u = update.document();
    if (!isOperatorDocument(u)) {
        DocumentRules rules;
        rules.allowPointerKeyIds = false;  // libmongocrypt spec: replacements cannot use them
        rules.rejectEmptyTimestamp = true;
        rules.rejectEncryptedId = upsert;
        appendMarkedDocument(ctx, out, key, u, rules);
        return;
    }
    if (upsert) rejectEncryptedIdOnCreate(ctx);
    out.appendDocument(key, [&](bson::Builder& ops) {
        for (bson::Element op : u) {
            const UpdateOperator* entry = findUpdateOperator(op.key());
            if (!entry) {
                fail(ErrorCode::FailedToParse,
                     "Unknown modifier: " + std::string(op.key()) +
                         ". Expected a valid update modifier or pipeline-style update specified "
                         "as an array");
            }
            if (!op.isDocument()) {
                fail(ErrorCode::FailedToParse, "Modifiers operate on fields but we found type " +
                                                   std::string(op.typeName()) +
                                                   " instead. For example: {$mod: {<field>: "
                                                   "...}} not {" +
                                                   std::string(op.key()) + ": ...}");
            }
            entry->handler(ctx, ops, op, *entry);
        }
    });
}

}  // namespace cryptd::analysis
