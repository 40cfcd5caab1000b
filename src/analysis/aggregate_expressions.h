#pragma once
// Aggregation expressions ($project values, $group keys, $expr, $lookup's let...) analyzed
// against the schema in effect at their stage. Each expression is written back unchanged except
// that a constant meeting a deterministically encrypted field becomes a marking, and each gets a
// Shape: what its value is, encryption-wise, so stages can derive the next schema.
//
// The rules (docs: "Supported Operations for Automatic Encryption"):
// - `$eq $ne $in $cond $ifNull $switch $let $literal` may work on encrypted values: equality
//   between an encrypted field and a constant (the constant is marked) or another field with the
//   same deterministic encryption; branches may return encrypted values.
// - Every other operator in the table may read only unencrypted values (no arithmetic, ordering or
//   string work on ciphertext); `$getField`/`$map`/`$filter`/`$reduce` follow their inputs.
// - An operator that is not in the table is rejected, naming it.
// - `$$CURRENT` may not be rebound; `$in`'s array must be a literal when the value is encrypted.

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "analysis/analysis_context.h"
#include "analysis/pipeline_schema.h"
#include "common/bson.h"
#include "common/field_path.h"
#include "schema/encryption_schema.h"

namespace cryptd::analysis {

// What an expression's value is, encryption-wise.
struct Shape {
    enum class Kind {
        Plain,      // no ciphertext in it
        Constant,   // a literal (markable where it meets a deterministic field)
        Missing,    // $$REMOVE: the field is not set
        Encrypted,  // a ciphertext (or, elementwise, an array of ciphertexts)
        Document,   // a document (or array of documents) with encrypted fields: `node`
        Unknown,    // cannot be determined (mixed branches...): `why`
    };
    Kind kind = Kind::Plain;
    const schema::ResolvedEncryption* encryption = nullptr;
    bool elementwise = false;
    const schema::SchemaNode* node = nullptr;
    std::optional<bson::Element> constant;
    FieldPath origin;  // Encrypted: the field it comes from, for messages and markings
    std::string why;

    static Shape plain() { return {}; }
    static Shape unknown(std::string why);
    bool isPlainValue() const {
        return kind == Kind::Plain || kind == Kind::Constant || kind == Kind::Missing;
    }
};

// Variables in scope ($let, $lookup's let, $map's as...), innermost first.
class Scope {
  public:
    explicit Scope(const Scope* parent = nullptr) : parent_(parent) {}
    void bind(std::string name, Shape shape) { vars_[std::move(name)] = std::move(shape); }
    const Shape* find(std::string_view name) const;

  private:
    const Scope* parent_;
    std::unordered_map<std::string, Shape> vars_;
};

// The schema subtree a shape stands for (null: nothing encrypted).
const schema::SchemaNode* nodeForShape(SchemaArena& arena, const Shape& shape);
// The shape of a value governed by `node` (the inverse of nodeForShape), `origin` for messages.
Shape shapeOfNode(const schema::SchemaNode* node, const FieldPath& origin);

class ExpressionAnalyzer {
  public:
    // `root`: the schema of $$CURRENT / $$ROOT at this stage.
    ExpressionAnalyzer(Context& ctx, SchemaArena& arena, const schema::SchemaNode* root,
                       const Scope* scope);

    // Checks `e` as an expression, appends it under `key` (with markings) and returns its shape.
    Shape write(bson::Builder& out, std::string_view key, const bson::Element& e);
    // Like write(), but a literal value (not a field path, variable, operator, object or array)
    // is written as {$const: v}. mongocryptd re-serializes a $group key and accumulator argument
    // that way (drivers' countDocuments reaches the server as {$group: {_id: {$const: 1}, n:
    // {$sum: {$const: 1}}}}); no reply shows it elsewhere, so other expressions keep their form.
    Shape writeWrappingLiteral(bson::Builder& out, std::string_view key, const bson::Element& e);
    // A condition ($cond's if, $expr, $redact...): its value may not be encrypted.
    void writeCondition(bson::Builder& out, std::string_view key, const bson::Element& e,
                        std::string_view where);

    // The shape of field path `dotted` ("a.b", without '$') at this stage.
    Shape shapeOfPath(std::string_view dotted) const;
    // The shape of "$$name" or "$$name.a.b" (text after "$$").
    Shape shapeOfVariable(std::string_view text) const;

    // An expression analyzed into a scratch document ({v: <written>}): lets an operator see all
    // its operands' shapes before deciding which constant to mark.
    struct Written {
        Shape shape;
        bson::Doc doc;
        bson::Element value() const;
    };
    Written analyze(const bson::Element& e);
    // Appends `w` under `key`: as written, or, when `markAs` is set, its constant as a marking.
    void emit(bson::Builder& out, std::string_view key, const Written& w,
              const Shape* markAs = nullptr, bool inElement = false);

    // Variables bound by operators inside the expression ($let, $map...).
    ExpressionAnalyzer withScope(const Scope* scope) const;

    Context& ctx() { return ctx_; }
    SchemaArena& arena() { return arena_; }
    const schema::SchemaNode* root() const { return root_; }
    const Scope* scope() const { return scope_; }
    int depth = 0;

  private:
    Shape writeOperator(bson::Builder& out, std::string_view key, const bson::Element& e);
    Shape writeArray(bson::Builder& out, std::string_view key, const bson::Element& e);
    Shape writeObject(bson::Builder& out, std::string_view key, const bson::Element& e);

    Context& ctx_;
    SchemaArena& arena_;
    const schema::SchemaNode* root_;
    const Scope* scope_;
};

// Throws unless the shape can be compared with `other` ($eq/$ne/$in, $lookup joins,
// $graphLookup): both unencrypted, or both encrypted deterministically with the same metadata.
// `what` names the comparison for the message.
void requireComparable(const Shape& a, const Shape& b, std::string_view what);

// Combines the shapes of values that land in one place ($cond branches, $ifNull, $switch):
// returns the combined shape; `markConstants` is set when constant branches must be marked (with
// the returned encryption) so that every branch is encrypted the same way.
Shape combineBranches(const std::vector<const Shape*>& branches, bool& markConstants);

// Throws unless `s` holds no ciphertext (operators that compute on values, ordering...).
// `who` names the reader ("$add", "$group key"...).
void requirePlainValue(const Shape& s, std::string_view who);

// "field 'a.b'", "a constant", ... for messages.
std::string describeShape(const Shape& s);

}  // namespace cryptd::analysis
