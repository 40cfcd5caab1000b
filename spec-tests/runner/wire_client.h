#pragma once
// A libmongoc client for running commands against a daemon, as drivers do. Owns its
// mongoc_client_t; not thread-safe (one per thread).

#include <memory>
#include <string>

#include "common/bson.h"

typedef struct _mongoc_client_t mongoc_client_t;

namespace cryptd::spec {

class WireClient {
  public:
    // uri: "mongodb://127.0.0.1:<port>/?..." or "mongodb://%2Fpath%2Fmongocryptd.sock".
    explicit WireClient(const std::string& uri);
    ~WireClient();
    WireClient(const WireClient&) = delete;
    WireClient& operator=(const WireClient&) = delete;

    // Runs `command` on database `db` (libmongoc adds $db). Returns the server's reply, also for
    // {ok: 0}. Throws std::runtime_error on a network or server-selection failure.
    bson::Doc run(const std::string& db, bson::View command);

  private:
    mongoc_client_t* client_;
};

// mongoc_init() once per process and mongoc_cleanup() at exit.
void ensureMongocInitialized();

}  // namespace cryptd::spec
