#include "wire_client.h"

#include <mongoc/mongoc.h>

#include <cstdlib>
#include <mutex>
#include <stdexcept>

namespace cryptd::spec {

void ensureMongocInitialized() {
    static std::once_flag once;
    std::call_once(once, [] {
        mongoc_init();
        std::atexit([] { mongoc_cleanup(); });
    });
}

WireClient::WireClient(const std::string& uri) {
    ensureMongocInitialized();
    bson_error_t err;
    mongoc_uri_t* parsed = mongoc_uri_new_with_error(uri.c_str(), &err);
    if (!parsed) throw std::runtime_error("bad URI " + uri + ": " + err.message);
    client_ = mongoc_client_new_from_uri_with_error(parsed, &err);
    mongoc_uri_destroy(parsed);
    if (!client_) throw std::runtime_error("cannot create client for " + uri + ": " + err.message);
    mongoc_client_set_error_api(client_, MONGOC_ERROR_API_VERSION_2);
}

WireClient::~WireClient() {
    mongoc_client_destroy(client_);
}

bson::Doc WireClient::run(const std::string& db, bson::View command) {
    bson_t cmd = command.asBsonT();
    bson_t reply;
    bson_error_t err;
    bool ok = mongoc_client_command_simple(client_, db.c_str(), &cmd, nullptr, &reply, &err);
    bson::Doc out(bson_copy(&reply));
    bson_destroy(&reply);
    // A server answer always carries `ok`; an empty reply means the command never got one.
    if (!ok && !out.view().find("ok"))
        throw std::runtime_error(std::string("no reply from the daemon: ") + err.message);
    return out;
}

}  // namespace cryptd::spec
