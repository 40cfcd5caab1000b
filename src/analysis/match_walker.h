#pragma once
// The match-expression walker: checks a filter against the encryption schema and writes it back
// re-serialized from its parsed form, with every value compared to an encrypted field replaced by
// a marking.
//
// Re-serialization (as the real daemon replies show): `{a: 1}` -> `{a: {$eq: 1}}`; a filter with
// several predicates -> `{$and: [<one document per predicate>]}` (an operator object with several
// operators counts one predicate per operator, e.g. `{a: {$gt: 1, $lt: 5}}` -> two); `$ne` ->
// `{$not: {$eq: ..}}`; `$nin` -> `{$not: {$in: ..}}`; a regex value -> `{$regex, $options}`.
// Everything else keeps its form.
//
// Used by find/count/distinct/delete/update/findAndModify, and by the pipeline walker for $match.

#include <string_view>

#include "analysis/analysis_context.h"
#include "analysis/match_operators.h"
#include "common/bson.h"
#include "common/field_path.h"
#include "schema/encryption_schema.h"

namespace cryptd::analysis {

enum class MatchMode {
    // Queries: equality on deterministic fields becomes markings.
    Query,
    // Validators and partialFilterExpressions are stored and evaluated by the server against
    // ciphertext: no comparison to an encrypted field is possible. $jsonSchema is allowed (and
    // checked with the schema rules).
    StoredOnServer,
};

class MatchWalker {
  public:
    explicit MatchWalker(Context& ctx, MatchMode mode = MatchMode::Query)
        : ctx_(ctx), mode_(mode) {}

    // Appends `key: <filter re-serialized>`.
    void appendFilter(bson::Builder& out, std::string_view key, bson::View filter);
    // Writes the re-serialized filter's fields into `out` ({} stays {}).
    void writeFilter(bson::Builder& out, bson::View filter);

  private:
    class Sink;
    void writePredicates(Sink& sink, bson::View filter);
    void writeTopLevel(Sink& sink, const bson::Element& e);
    void writePathPredicates(Sink& sink, const bson::Element& e);
    // `entry` is op's row in the operator table (null: unknown operator, rejected).
    void writeOperator(bson::Builder& f, const FieldPath& path, const schema::PathInfo& info,
                       const bson::Element& op, const PathOperator* entry, bson::View siblings);
    void writeEquality(bson::Builder& f, std::string_view name, const FieldPath& path,
                       const schema::PathInfo& info, const bson::Element& operand);
    void writeIn(bson::Builder& f, std::string_view name, const FieldPath& path,
                 const schema::PathInfo& info, const bson::Element& operand);
    void writeRegex(bson::Builder& f, const bson::Element& regex, bson::View siblings);
    void writeElemMatch(bson::Builder& f, const bson::Element& op);
    schema::PathInfo resolve(const FieldPath& path) const;
    void enterNested();  // bounds recursion: hostile input gets an error, not a stack overflow

    Context& ctx_;
    MatchMode mode_;
    int elemMatchDepth_ = 0;  // inside $elemMatch paths are relative to array elements
    int depth_ = 0;
};

}  // namespace cryptd::analysis
