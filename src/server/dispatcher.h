#pragma once
// Turns one command document into one reply document. The only place where errors become
// replies: cryptd::Error -> {ok: 0, errmsg, code, codeName}; any other exception ->
// InternalError (1) plus a log line. Never throws.
//
// Routing: the admin table first (admin_commands.h), then the analysis engine when its registry
// handles the name, else CommandNotFound (59) "no such command: '<name>'".

#include <functional>
#include <string_view>

#include "common/bson.h"
#include "common/error.h"
#include "server/admin_commands.h"

namespace cryptd::analysis {
class Analyzer;
}

namespace cryptd::server {

// How the dispatcher reaches the analysis engine; a seam so routing is testable on its own.
struct AnalysisRoute {
    std::function<bool(std::string_view name)> handles;
    std::function<bson::Doc(bson::View command)> analyze;  // body without ok, or throws

    // Routes to `analyzer`, which must outlive the route.
    static AnalysisRoute to(const analysis::Analyzer& analyzer);
};

class Dispatcher {
  public:
    explicit Dispatcher(AnalysisRoute analysis) : analysis_(std::move(analysis)) {}

    // `command` is the whole request body (with `$db`); the reply always has `ok`.
    bson::Doc dispatch(bson::View command, const CommandContext& ctx) const;

  private:
    AnalysisRoute analysis_;
};

// {ok: 0.0, errmsg, code, codeName}
bson::Doc errorReply(const cryptd::Error& error);

}  // namespace cryptd::server
