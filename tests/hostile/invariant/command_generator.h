#pragma once
// Generates commands a driver could send (find, count, distinct, delete, update, findAndModify,
// insert, explain, aggregate) against a SchemaModel: documents shaped like the schema, filters and
// updates on its paths (encrypted, prefixes, inside encrypted fields, array indexes, unknown),
// values of the right type mostly and of any BSON type sometimes.

#include <string>

#include "common/bson.h"
#include "hostile/invariant/entropy.h"
#include "hostile/invariant/schema_model.h"

namespace cryptd::test::invariant {

class CommandGenerator {
  public:
    CommandGenerator(const SchemaModel& model, Entropy& entropy) : model_(model), e_(entropy) {}

    // A whole command with `jsonSchema`, `isRemoteSchema` and `$db`, as libmongocrypt sends it.
    bson::Doc command(bson::View jsonSchema, bool isRemoteSchema);

    // Pieces, for targeted tests.
    bson::Doc document();
    bson::Doc filter();
    bson::Doc updateOperators();

  private:
    void appendInner(bson::Builder& b, const std::string& name);
    void appendValue(bson::Builder& b, std::string_view key, std::string_view type, int depth);
    void appendRandomValue(bson::Builder& b, std::string_view key, int depth);
    void appendDocument(bson::Builder& b, const Node* node, int depth, bool root);
    void appendFilter(bson::Builder& b, int depth);
    void appendPredicate(bson::Builder& b, int depth);
    void appendOperand(bson::Builder& b, std::string_view key, const PathClass& cls, int depth);
    void appendUpdate(bson::Builder& b, std::string_view key);
    std::string path();
    std::string typeFor(const PathClass& cls);

    const SchemaModel& model_;
    Entropy& e_;
};

}  // namespace cryptd::test::invariant
