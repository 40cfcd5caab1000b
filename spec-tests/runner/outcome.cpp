#include "outcome.h"

#include "bson_matcher.h"
#include "marking_codec.h"

namespace cryptd::spec {

std::string ErrorOutcome::describe() const {
    return "{code: " + std::to_string(code) + ", codeName: \"" + codeName + "\", errmsg: \"" +
           errmsg + "\"}";
}

Outcome outcomeFromReply(bson::View reply) {
    Outcome out;
    out.fullReply = bson::Doc::copyOf(reply);
    auto ok = reply.find("ok");
    if (!ok || !ok->isNumber()) {
        out.error = ErrorOutcome{-1, "", "reply has no numeric 'ok': " + readableJson(reply)};
        return out;
    }
    if (ok->asDouble() == 1.0) {
        bson::Builder body;
        for (auto e : reply)
            if (e.key() != "ok") body.append(e);
        out.body = body.finish();
        return out;
    }
    ErrorOutcome err;
    auto code = reply.find("code");
    auto codeName = reply.find("codeName");
    auto errmsg = reply.find("errmsg");
    if (!code || code->type() != BSON_TYPE_INT32 || !codeName || !codeName->isString() || !errmsg ||
        !errmsg->isString()) {
        out.error = ErrorOutcome{-1, "",
                                 "error reply lacks int32 code, string codeName and "
                                 "string errmsg: " +
                                     readableJson(reply)};
        return out;
    }
    err.code = code->int32();
    err.codeName = std::string(codeName->utf8());
    err.errmsg = std::string(errmsg->utf8());
    out.error = err;
    return out;
}

std::optional<std::string> contractViolation(bson::View body) {
    if (body.find("hasEncryptedPlaceholders"))
        return "reply uses the misspelled field hasEncryptedPlaceholders";
    auto has = body.find("hasEncryptionPlaceholders");
    auto requires_ = body.find("schemaRequiresEncryption");
    auto result = body.find("result");
    if (!has || !has->isBool()) return "hasEncryptionPlaceholders missing or not a bool";
    if (!requires_ || !requires_->isBool()) return "schemaRequiresEncryption missing or not a bool";
    if (!result || !result->isDocument()) return "result missing or not a document";
    for (auto banned : {"jsonSchema", "isRemoteSchema", "csfleEncryptionSchemas", "$db"})
        if (result->document().find(banned))
            return std::string("result echoes '") + banned + "' (must be stripped)";
    auto markings = findMarkings(result->document(), "result");
    for (auto& m : markings) {
        if (!m.decoded) return m.path + ": binary subtype 6 is not blob-subtype + one document";
        if (m.decoded->blobSubtype == kFle1Placeholder) {
            if (auto p = fle1PlaceholderProblem(m.decoded->payload.view()))
                return m.path + ": invalid FLE1 marking: " + *p;
        } else if (m.decoded->blobSubtype != kFle2Placeholder) {
            return m.path + ": marking first byte must be 0 or 3, got " +
                   std::to_string(m.decoded->blobSubtype);
        }
    }
    if (has->boolean() != !markings.empty())
        return "hasEncryptionPlaceholders is " + std::string(has->boolean() ? "true" : "false") +
               " but result holds " + std::to_string(markings.size()) + " marking(s)";
    if (!markings.empty() && !requires_->boolean())
        return "markings present although schemaRequiresEncryption is false";
    return std::nullopt;
}

std::optional<std::string> errorMismatch(const ExpectedError& want, const ErrorOutcome& got) {
    if (want.code && *want.code != got.code)
        return "expected error code " + std::to_string(*want.code) + ", got " + got.describe();
    if (want.codeName && *want.codeName != got.codeName)
        return "expected codeName " + *want.codeName + ", got " + got.describe();
    for (auto& s : want.errmsgContains)
        if (got.errmsg.find(s) == std::string::npos)
            return "expected errmsg containing \"" + s + "\", got " + got.describe();
    return std::nullopt;
}

namespace {

// The wire path may pick up a driver-added lsid; a case without lsid does not judge it.
bson::Doc withoutImplicitFields(bson::View result, const SpecCase& c) {
    bson::Builder out;
    bool caseHasLsid = c.command.view().find("lsid").has_value();
    for (auto e : result)
        if (caseHasLsid || e.key() != "lsid") out.append(e);
    return out.finish();
}

std::optional<std::string> judgeSuccess(const SpecCase& c, bson::View body, Mode mode) {
    if (auto v = contractViolation(body)) return "contract violation: " + *v;
    MatchOptions opts;
    opts.normalizeQueries = c.normalizeQueries;
    const bson::View want = c.expect->view();
    for (auto field : {"hasEncryptionPlaceholders", "schemaRequiresEncryption"}) {
        auto w = want.find(field);
        if (!w) continue;
        auto g = body.find(field);
        if (auto m = firstDifference(*w, *g, opts, field)) return m->describe();
    }
    if (auto w = want.find("result")) {
        auto got = withoutImplicitFields(body.find("result")->document(), c);
        if (!w->isDocument()) return "expect.result must be a document";
        // libmongocrypt sends `result` on as the command: its first key must be the command name.
        auto cmdFirst = c.command.view().begin();
        auto gotFirst = got.view().begin();
        if (cmdFirst != c.command.view().end() &&
            (gotFirst == got.view().end() || (*gotFirst).key() != (*cmdFirst).key()))
            return "result: the command name '" + std::string((*cmdFirst).key()) +
                   "' must come first, got " + readableJson(got.view());
        if (auto m = firstDifference(w->document(), got.view(), opts, "result"))
            return m->describe() + "\n  full result: " + readableJson(got.view());
    }
    for (auto e : want)
        if (e.key() != "hasEncryptionPlaceholders" && e.key() != "schemaRequiresEncryption" &&
            e.key() != "result")
            return "unknown field expect." + std::string(e.key());
    (void)mode;
    return std::nullopt;
}

}  // namespace

std::optional<std::string> judge(const SpecCase& c, const Outcome& outcome, Mode mode) {
    if (c.expectReply) {
        if (!outcome.fullReply) return "expectReply needs a wire reply";
        MatchOptions opts;
        opts.normalizeQueries = false;
        opts.allowExtraFields = true;
        if (auto m = firstDifference(c.expectReply->view(), outcome.fullReply->view(), opts, ""))
            return m->describe() + "\n  full reply: " + readableJson(outcome.fullReply->view());
        return std::nullopt;
    }
    if (c.expectError) {
        if (outcome.body)
            return "expected an error, got success: " + readableJson(outcome.body->view());
        return errorMismatch(*c.expectError, *outcome.error);
    }
    if (outcome.error) return "expected success, got error " + outcome.error->describe();
    return judgeSuccess(c, outcome.body->view(), mode);
}

}  // namespace cryptd::spec
