#include "crypt_shared/command_input.h"

#include <optional>
#include <string>
#include <string_view>

#include "common/bson_bytes.h"
#include "common/bson_validate.h"
#include "common/error.h"
#include "crypt_shared/validated_schemas.h"

namespace cryptd::crypt_shared {

namespace {

// The database part of "<db>.<coll>". libmongocrypt passes strlen(ns) as the length; other
// callers may pass a longer buffer's prefix, so only `len` bytes are read.
std::string_view databaseOf(const char* ns, uint32_t len) {
    if (!ns) fail(ErrorCode::InvalidNamespace, "the namespace (ns_str) is null");
    std::string_view s(ns, len);
    if (!bson::isValidKey(reinterpret_cast<const uint8_t*>(ns), len)) {
        fail(ErrorCode::InvalidNamespace,
             "the namespace (ns_str, " + std::to_string(len) +
                 " bytes) is not well-formed UTF-8 or contains a zero byte");
    }
    size_t dot = s.find('.');
    if (dot == std::string_view::npos || dot == 0) {
        fail(ErrorCode::InvalidNamespace,
             "the namespace '" + std::string(s) + "' is not of the form <database>.<collection>");
    }
    return s.substr(0, dot);
}

// The engine's checks of untrusted bytes, without reading again a jsonSchema this thread has
// already seen validate (validated_schemas.h).
void checkCommand(const uint8_t* command, size_t len) {
    // Only a framed command of allowed size is iterated before validation (the iterator stops
    // at the first malformed element, reading nothing outside the frame).
    if (len < 5 || len > analysis::Analyzer::kMaxCommandBytes || !bson::isFramed(command, len))
        return analysis::Analyzer::checkCommandBytes(command, len);
    std::optional<bson::View> schema;
    for (bson::Element e : bson::View(command, len)) {
        if (e.key() == "jsonSchema") {
            if (e.isDocument()) schema = e.document();
            break;
        }
    }
    if (!schema) return analysis::Analyzer::checkCommandBytes(command, len);
    if (int depth = knownSchemaDepth(*schema)) {
        return analysis::Analyzer::checkCommandBytes(
            command, len, static_cast<size_t>(schema->data() - command), schema->size(), depth);
    }
    analysis::Analyzer::checkCommandBytes(command, len);
    rememberSchema(*schema, analysis::Analyzer::validatedDepth(schema->data(), schema->size()));
}

}  // namespace

bson::Doc analyzeInput(const analysis::Analyzer& engine, const uint8_t* command, const char* ns,
                       uint32_t nsLen) {
    if (!command) fail(ErrorCode::BadValue, "the command (documentBSON) is null");
    std::string_view db = databaseOf(ns, nsLen);
    // The ABI passes no length: the document's own header says how many bytes it has.
    size_t len = bson::loadLE32(command);
    checkCommand(command, len);
    bson::View view(command, len);
    if (view.find("$db")) return engine.analyze(view);
    // Without $db the engine would not know the database (csfleEncryptionSchemas keys are
    // "<db>.<coll>"): it comes from the namespace, where libmongocrypt would have put it.
    bson::Builder withDb(bson::Doc::copyOf(view));
    withDb.appendUtf8("$db", db);
    bson::Doc full = withDb.finish();
    return engine.analyze(full.view());
}

}  // namespace cryptd::crypt_shared
