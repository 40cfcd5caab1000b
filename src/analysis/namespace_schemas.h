#pragma once
// `csfleEncryptionSchemas`: the schemas of every collection an aggregate reads, sent by
// libmongocrypt (1.13+) instead of one `jsonSchema` when a pipeline names other collections
// ($lookup, $graphLookup) and the daemon reports maxWireVersion >= 26 (contract §2.1):
//   csfleEncryptionSchemas: {"<db>.<coll>": {jsonSchema: {...}, isRemoteSchema: <bool>}, ...}
// A collection without a schema arrives as {jsonSchema: {}, isRemoteSchema: false}.
// Accepted for `aggregate` and `explain` of an aggregate (the field then sits next to `explain`);
// every other command still gets the one-collection `jsonSchema`.

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "analysis/schema_source.h"
#include "common/bson.h"
#include "schema/encryption_schema.h"

namespace cryptd::analysis {

class NamespaceSchemas {
  public:
    // Parses one collection's schema (the front door passes its schema cache).
    using Parse = std::function<std::shared_ptr<const schema::EncryptionSchema>(bson::View, bool)>;

    // The schema of namespace "db.coll", or nullptr when the command carries none for it.
    const schema::EncryptionSchema* find(std::string_view ns) const;
    // The aggregated collection's schema.
    const schema::EncryptionSchema* primary() const { return primary_; }
    // The database the namespaces are in ($db, or the one all entries share).
    const std::string& db() const { return db_; }
    // True when any collection's schema encrypts something (reply's schemaRequiresEncryption).
    bool requiresEncryption() const;

    // The parsed schemas of `command` (named `name`), whose csfleEncryptionSchemas the front door
    // found (`source.namespaces` is set). Throws for commands other than aggregate / explain of
    // aggregate, for malformed entries, and when the aggregated namespace has no entry.
    static NamespaceSchemas read(bson::View command, std::string_view name,
                                 const SchemaSource& source, const Parse& parse);

  private:
    std::unordered_map<std::string, std::shared_ptr<const schema::EncryptionSchema>> entries_;
    const schema::EncryptionSchema* primary_ = nullptr;
    std::string db_;
};

}  // namespace cryptd::analysis
