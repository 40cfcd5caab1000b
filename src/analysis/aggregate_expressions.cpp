#include "analysis/aggregate_expressions.h"

#include <array>

#include "analysis/encrypted_value.h"
#include "analysis/expression_operators.h"
#include "common/error.h"

namespace cryptd::analysis {

using schema::SchemaNode;

namespace {

// An expression quoted in a message is cut after this much JSON (the reply stays small whatever
// the expression's size).
constexpr size_t kQuotedJsonBytes = 1024;

constexpr int kMaxDepth = 150;  // expressions nest; bad input must not exhaust the stack

bool startsWith(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}

// System variables whose value is never a document field ($$NOW, $$REMOVE is handled apart).
constexpr std::array<std::string_view, 9> kPlainSystemVariables = {
    "NOW",     "CLUSTER_TIME", "USER_ROLES", "SEARCH_META", "SEARCH_SCORE",
    "DESCEND", "PRUNE",        "KEEP",       "IS_MR",
};

Shape constantShape(const bson::Element& e) {
    Shape s;
    s.kind = Shape::Kind::Constant;
    s.constant = e;
    return s;
}

// The shape of the value at path[start..] below `node`. Through an array of documents a path
// reads an array of values ("$matched.ssn": every match's ssn).
Shape shapeBelow(const SchemaNode* node, const FieldPath& path, size_t start,
                 const FieldPath& origin) {
    bool throughArray = false;
    for (size_t i = start; i < path.size(); ++i) {
        if (!node) return Shape::plain();
        if (isUnknown(node)) return shapeOfNode(node, origin);
        if (node->encryption()) {
            fail(ErrorCode::BadValue,
                 "Cannot read '" + origin.dotted() +
                     "': the path is inside an encrypted value (field '" +
                     origin.prefix(origin.size() - (path.size() - i)).dotted() + "')");
        }
        throughArray = throughArray || isArrayOfDocuments(node);
        node = node->child(path[i]);
    }
    Shape s = shapeOfNode(node, origin);
    if (throughArray && s.kind == Shape::Kind::Encrypted) {
        if (s.elementwise) return Shape::unknown("it is an array of arrays of encrypted values");
        s.elementwise = true;
    }
    return s;
}

bool canMark(const Shape& target, const bson::Element& value) {
    if (!target.encryption || target.elementwise) return false;
    Context scratch{SchemaView()};
    bson::Builder b;
    try {
        appendQueryMarking(scratch, b, "v", target.origin, *target.encryption, value,
                           QueryOperand::Equality);
    } catch (const Error&) {
        return false;
    }
    return true;
}

}  // namespace

Shape Shape::unknown(std::string why) {
    Shape s;
    s.kind = Kind::Unknown;
    s.why = std::move(why);
    return s;
}

const Shape* Scope::find(std::string_view name) const {
    if (auto it = vars_.find(std::string(name)); it != vars_.end()) return &it->second;
    return parent_ ? parent_->find(name) : nullptr;
}

const SchemaNode* nodeForShape(SchemaArena& arena, const Shape& shape) {
    switch (shape.kind) {
        case Shape::Kind::Encrypted:
            return arena.encrypted(shape.encryption, shape.elementwise);
        case Shape::Kind::Document:
            return shape.node;
        case Shape::Kind::Unknown:
            return arena.unknown(shape.why);
        case Shape::Kind::Plain:
        case Shape::Kind::Constant:
        case Shape::Kind::Missing:
            break;
    }
    return nullptr;
}

Shape shapeOfNode(const SchemaNode* node, const FieldPath& origin) {
    if (!node) return Shape::plain();
    if (const DerivedNode* d = asDerived(node); d && d->kind() == DerivedNode::Kind::Unknown) {
        return Shape::unknown(d->reason());
    }
    Shape s;
    s.origin = origin;
    if (const auto* enc = node->encryption()) {
        s.kind = Shape::Kind::Encrypted;
        s.encryption = enc;
        s.elementwise = isElementwise(node);
        return s;
    }
    if (!node->containsEncryption()) return Shape::plain();
    s.kind = Shape::Kind::Document;
    s.node = node;
    return s;
}

std::string describeShape(const Shape& s) {
    switch (s.kind) {
        case Shape::Kind::Plain:
            return "an unencrypted value";
        case Shape::Kind::Constant:
            return "a constant";
        case Shape::Kind::Missing:
            return "$$REMOVE";
        case Shape::Kind::Encrypted:
            return (s.elementwise ? "an array of values of encrypted field " : "encrypted field ") +
                   quoted(s.origin);
        case Shape::Kind::Document:
            return s.origin.empty() ? "a document that contains encrypted fields"
                                    : "field " + quoted(s.origin) +
                                          ", a document that contains encrypted fields";
        case Shape::Kind::Unknown:
            return "a value whose encryption cannot be determined (" + s.why + ")";
    }
    return "a value";
}

void requirePlainValue(const Shape& s, std::string_view who) {
    if (s.isPlainValue()) return;
    fail(ErrorCode::BadValue,
         std::string(who) + " cannot operate on " + describeShape(s) +
             ": with automatic encryption only $eq, $ne, $in, $cond, $ifNull, $switch, $let and "
             "$literal may handle encrypted values");
}

void requireComparable(const Shape& a, const Shape& b, std::string_view what) {
    for (const Shape* s : {&a, &b}) {
        if (s->kind == Shape::Kind::Unknown || s->kind == Shape::Kind::Document) {
            fail(ErrorCode::BadValue, std::string(what) + " cannot compare " + describeShape(*s));
        }
    }
    bool ea = a.kind == Shape::Kind::Encrypted, eb = b.kind == Shape::Kind::Encrypted;
    if (!ea && !eb) return;
    if (ea && eb) {
        requireQueryable(a.origin, *a.encryption);
        requireQueryable(b.origin, *b.encryption);
        if (!a.encryption->sameMetadata(*b.encryption)) {
            fail(ErrorCode::BadValue, std::string(what) + " compares " + describeShape(a) +
                                          " with " + describeShape(b) +
                                          ", which are not encrypted with the same algorithm, "
                                          "key and type");
        }
        return;
    }
    const Shape& enc = ea ? a : b;
    const Shape& other = ea ? b : a;
    requireQueryable(enc.origin, *enc.encryption);
    fail(ErrorCode::BadValue, std::string(what) + " compares " + describeShape(enc) + " with " +
                                  describeShape(other) +
                                  ", which is not encrypted the same way; compare it with a "
                                  "constant or a field with the same encryption");
}

Shape combineBranches(const std::vector<const Shape*>& branches, bool& markConstants) {
    markConstants = false;
    std::vector<const Shape*> encrypted, documents, constants;
    bool plain = false;
    for (const Shape* s : branches) {
        switch (s->kind) {
            case Shape::Kind::Missing:
                break;
            case Shape::Kind::Unknown:
                return *s;
            case Shape::Kind::Plain:
                plain = true;
                break;
            case Shape::Kind::Constant:
                constants.push_back(s);
                break;
            case Shape::Kind::Encrypted:
                encrypted.push_back(s);
                break;
            case Shape::Kind::Document:
                documents.push_back(s);
                break;
        }
    }
    if (encrypted.empty() && documents.empty()) return Shape::plain();
    if (!documents.empty()) {
        bool same = encrypted.empty() && !plain && constants.empty();
        for (const Shape* d : documents) same = same && d->node == documents.front()->node;
        if (same) return *documents.front();
        return Shape::unknown("it is chosen between documents and values encrypted differently");
    }
    const Shape& first = *encrypted.front();
    for (const Shape* e : encrypted) {
        if (!e->encryption->sameMetadata(*first.encryption) ||
            e->elementwise != first.elementwise) {
            return Shape::unknown("it is chosen between " + describeShape(first) + " and " +
                                  describeShape(*e) + ", encrypted differently");
        }
    }
    if (plain) {
        return Shape::unknown("it is chosen between " + describeShape(first) +
                              " and an unencrypted value");
    }
    for (const Shape* c : constants) {
        if (!canMark(first, *c->constant)) {
            return Shape::unknown("it is chosen between " + describeShape(first) +
                                  " and a constant that cannot be encrypted like it");
        }
    }
    markConstants = !constants.empty();
    return first;
}

// ---- ExpressionAnalyzer ----

ExpressionAnalyzer::ExpressionAnalyzer(Context& ctx, SchemaArena& arena, const SchemaNode* root,
                                       const Scope* scope)
    : ctx_(ctx), arena_(arena), root_(root), scope_(scope) {}

ExpressionAnalyzer ExpressionAnalyzer::withScope(const Scope* scope) const {
    ExpressionAnalyzer a(ctx_, arena_, root_, scope);
    a.depth = depth;
    return a;
}

bson::Element ExpressionAnalyzer::Written::value() const {
    return *doc.view().find("v");
}

ExpressionAnalyzer::Written ExpressionAnalyzer::analyze(const bson::Element& e) {
    bson::Builder b;
    Shape s = write(b, "v", e);
    return {std::move(s), b.finish()};
}

void ExpressionAnalyzer::emit(bson::Builder& out, std::string_view key, const Written& w,
                              const Shape* markAs, bool inElement) {
    if (markAs && w.shape.kind == Shape::Kind::Constant) {
        appendQueryMarking(ctx_, out, key, markAs->origin, *markAs->encryption, *w.shape.constant,
                           inElement ? QueryOperand::InElement : QueryOperand::Equality);
        return;
    }
    out.append(key, w.value());
}

Shape ExpressionAnalyzer::write(bson::Builder& out, std::string_view key, const bson::Element& e) {
    struct DepthGuard {
        int& d;
        ~DepthGuard() { --d; }
    } guard{++depth};
    if (depth > kMaxDepth) fail(ErrorCode::BadValue, "aggregation expression is nested too deeply");

    switch (e.type()) {
        case BSON_TYPE_UTF8: {
            std::string_view s = e.utf8();
            out.append(key, e);
            if (startsWith(s, "$$")) return shapeOfVariable(s.substr(2));
            if (startsWith(s, "$")) return shapeOfPath(s.substr(1));
            return constantShape(e);
        }
        case BSON_TYPE_DOCUMENT: {
            bson::View v = e.document();
            if (v.empty()) {
                out.append(key, e);
                return Shape::plain();
            }
            if (startsWith((*v.begin()).key(), "$")) return writeOperator(out, key, e);
            return writeObject(out, key, e);
        }
        case BSON_TYPE_ARRAY:
            return writeArray(out, key, e);
        default:
            out.append(key, e);
            return constantShape(e);
    }
}

Shape ExpressionAnalyzer::writeWrappingLiteral(bson::Builder& out, std::string_view key,
                                               const bson::Element& e) {
    bool literal = e.type() == BSON_TYPE_UTF8
                       ? !startsWith(e.utf8(), "$")
                       : e.type() != BSON_TYPE_DOCUMENT && e.type() != BSON_TYPE_ARRAY;
    if (!literal) return write(out, key, e);
    out.appendDocument(key, [&](bson::Builder& c) { c.append("$const", e); });
    return constantShape(e);
}

void ExpressionAnalyzer::writeCondition(bson::Builder& out, std::string_view key,
                                        const bson::Element& e, std::string_view where) {
    Shape s = write(out, key, e);
    if (s.isPlainValue()) return;
    fail(ErrorCode::BadValue, std::string(where) + " cannot test the truth of " + describeShape(s) +
                                  "; compare it with $eq, $ne or $in");
}

Shape ExpressionAnalyzer::writeOperator(bson::Builder& out, std::string_view key,
                                        const bson::Element& e) {
    bson::View v = e.document();
    if (v.count() != 1) {
        fail(ErrorCode::BadValue,
             "An expression specification must contain exactly one field, the name of the "
             "expression. Found " +
                 std::to_string(v.count()) + " fields in " + v.toJson(kQuotedJsonBytes));
    }
    bson::Element op = *v.begin();
    const ExpressionOperator* entry = findExpressionOperator(op.key());
    if (!entry) {
        fail(ErrorCode::BadValue, "Unrecognized expression '" + std::string(op.key()) +
                                      "' (not supported with automatic encryption)");
    }
    return entry->handler(*this, out, key, op);
}

Shape ExpressionAnalyzer::writeObject(bson::Builder& out, std::string_view key,
                                      const bson::Element& e) {
    std::vector<std::pair<std::string, const SchemaNode*>> fields;
    out.appendDocument(key, [&](bson::Builder& sub) {
        for (bson::Element f : e.document()) {
            if (startsWith(f.key(), "$")) {
                fail(ErrorCode::BadValue,
                     "Field names in an expression object may not start "
                     "with '$': '" +
                         std::string(f.key()) + "'");
            }
            Shape s = write(sub, f.key(), f);
            fields.emplace_back(std::string(f.key()), nodeForShape(arena_, s));
        }
    });
    return shapeOfNode(arena_.document(nullptr, true, std::move(fields)), FieldPath());
}

Shape ExpressionAnalyzer::writeArray(bson::Builder& out, std::string_view key,
                                     const bson::Element& e) {
    std::vector<Shape> shapes;
    out.appendArray(key, [&](bson::Builder& arr) {
        for (bson::Element el : e.document()) shapes.push_back(write(arr, el.key(), el));
    });
    std::vector<const Shape*> encrypted, documents;
    bool plain = false;
    for (const Shape& s : shapes) {
        switch (s.kind) {
            case Shape::Kind::Unknown:
                return s;
            case Shape::Kind::Encrypted:
                encrypted.push_back(&s);
                break;
            case Shape::Kind::Document:
                documents.push_back(&s);
                break;
            default:
                plain = true;
        }
    }
    if (encrypted.empty() && documents.empty()) return Shape::plain();
    const char* mixed = "it is an array mixing values encrypted differently";
    if (plain || (!encrypted.empty() && !documents.empty())) return Shape::unknown(mixed);
    if (!documents.empty()) {
        for (const Shape* d : documents) {
            if (d->node != documents.front()->node) return Shape::unknown(mixed);
        }
        Shape array = *documents.front();
        array.node = arena_.arrayOf(array.node);
        return array;
    }
    Shape first = *encrypted.front();
    for (const Shape* s : encrypted) {
        if (s->elementwise || !s->encryption->sameMetadata(*first.encryption))
            return Shape::unknown(mixed);
    }
    first.elementwise = true;
    return first;
}

Shape ExpressionAnalyzer::shapeOfPath(std::string_view dotted) const {
    FieldPath path = FieldPath::parse(dotted);
    return shapeBelow(root_, path, 0, path);
}

Shape ExpressionAnalyzer::shapeOfVariable(std::string_view text) const {
    size_t dot = text.find('.');
    std::string_view name = text.substr(0, dot);
    if (name.empty())
        fail(ErrorCode::BadValue, "empty variable name: '$$" + std::string(text) + "'");
    FieldPath rest;
    if (dot != std::string_view::npos) rest = FieldPath::parse(text.substr(dot + 1));

    if (name == "REMOVE") {
        Shape s;
        s.kind = Shape::Kind::Missing;
        return s;
    }
    for (auto v : kPlainSystemVariables) {
        if (name == v) return Shape::plain();
    }
    if (name == "ROOT" || name == "CURRENT") return shapeBelow(root_, rest, 0, rest);

    const Shape* bound = scope_ ? scope_->find(name) : nullptr;
    if (!bound) fail(ErrorCode::BadValue, "Use of undefined variable: " + std::string(name));
    if (rest.empty()) return *bound;
    FieldPath origin = bound->origin;
    for (const auto& part : rest.parts()) origin.push(part);
    switch (bound->kind) {
        case Shape::Kind::Document:
            return shapeBelow(bound->node, rest, 0, origin);
        case Shape::Kind::Encrypted:
            fail(ErrorCode::BadValue, "Cannot read '$$" + std::string(text) +
                                          "': the path is inside " + describeShape(*bound));
        case Shape::Kind::Unknown:
            return *bound;
        default:
            return Shape::plain();
    }
}

}  // namespace cryptd::analysis
