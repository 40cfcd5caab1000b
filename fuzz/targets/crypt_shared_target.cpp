#include <cstring>
#include <string>
#include <vector>

#include "analysis/analyzer.h"
#include "common/bson.h"
#include "common/error.h"
#include "crypt_shared/mongo_crypt_v1.h"
#include "targets/targets.h"

namespace cryptd::fuzz {

namespace {

struct Library {
    mongo_crypt_v1_status* status = mongo_crypt_v1_status_create();
    mongo_crypt_v1_lib* lib = mongo_crypt_v1_lib_create(status);
};

// One analyze_query with an analyzer made and dropped around it, as libmongocrypt calls it.
// Returns the reply (empty when refused, with the MongoDB code in `code`); a refusal must come
// with a status, never a crash.
std::vector<uint8_t> analyzeQuery(Library& l, const uint8_t* doc, const std::string& ns,
                                  int* code = nullptr) {
    mongo_crypt_v1_query_analyzer* qa = mongo_crypt_v1_query_analyzer_create(l.lib, l.status);
    if (!qa) fail("query_analyzer_create", mongo_crypt_v1_status_get_explanation(l.status));
    uint32_t len = 0;
    uint8_t* out = mongo_crypt_v1_analyze_query(qa, doc, ns.data(),
                                                static_cast<uint32_t>(ns.size()), &len, l.status);
    std::vector<uint8_t> reply;
    int error = mongo_crypt_v1_status_get_error(l.status);
    if (out) {
        if (error != MONGO_CRYPT_V1_SUCCESS) fail("analyze_query", "a reply with an error status");
        if (!bson::isValid(out, len)) fail("analyze_query", "the reply is not valid BSON");
        reply.assign(out, out + len);
    } else if (error == MONGO_CRYPT_V1_SUCCESS) {
        fail("analyze_query", "no reply and no error");
    } else if (error != MONGO_CRYPT_V1_ERROR_EXCEPTION) {
        fail("analyze_query", std::string("unexpected status ") + std::to_string(error) + ": " +
                                  mongo_crypt_v1_status_get_explanation(l.status));
    }
    if (code) *code = mongo_crypt_v1_status_get_code(l.status);
    mongo_crypt_v1_bson_free(out);
    mongo_crypt_v1_query_analyzer_destroy(qa);
    return reply;
}

}  // namespace

int cryptSharedTarget(const uint8_t* data, size_t size) {
    static Library* library = new Library();
    static analysis::Analyzer* engine = new analysis::Analyzer();
    if (!library->lib) fail("lib_create", mongo_crypt_v1_status_get_explanation(library->status));

    // Any bytes: the library's own checks (its header is set to the bytes there are, since the
    // ABI passes no length), with a namespace from the first bytes.
    std::vector<uint8_t> raw(data, data + size);
    if (raw.size() < 5) raw.resize(5, 0);
    uint32_t n = static_cast<uint32_t>(raw.size());
    std::memcpy(raw.data(), &n, 4);
    std::string ns(reinterpret_cast<const char*>(data), size < 12 ? size : 12);
    analyzeQuery(*library, raw.data(), ns);

    // A document (BSON or Extended JSON, as the intake corpus holds): the library must answer
    // exactly as the engine answers the daemon.
    std::vector<uint8_t> doc;
    if (!documentFrom(data, size, doc)) return 0;
    bson::View command(doc.data(), doc.size());
    auto dbField = command.find("$db");
    std::string db = dbField && dbField->isString() ? std::string(dbField->utf8()) : "test";
    int code = 0;
    std::vector<uint8_t> reply = analyzeQuery(*library, doc.data(), db + ".c", &code);
    // Compared with the engine when the command names its database (the library adds `$db`
    // from the namespace otherwise) and that name makes a valid namespace.
    if (!dbField || (reply.empty() && code == static_cast<int>(ErrorCode::InvalidNamespace)))
        return 0;
    bson::Doc expected;
    try {
        expected = engine->analyzeBytes(doc.data(), doc.size());
    } catch (const Error& e) {
        if (!reply.empty())
            fail("crypt_shared vs engine", "the library accepted what the engine refused");
        if (code != e.numericCode()) fail("crypt_shared vs engine", "different error codes");
        return 0;
    }
    if (reply.empty())
        fail("crypt_shared vs engine",
             "the library refused what the engine accepted: " + command.toJson());
    if (!(bson::View(reply.data(), reply.size()) == expected.view()))
        fail("crypt_shared vs engine", "different replies for " + command.toJson());
    return 0;
}

}  // namespace cryptd::fuzz
