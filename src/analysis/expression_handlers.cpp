// The handlers of the expression operator table (expression_operators.cpp): the few operators
// that may meet encrypted values, those that follow their input, and the rule for every other.
#include "analysis/expression_handlers.h"

#include <cstdint>
#include <optional>
#include <string>

#include "analysis/encrypted_value.h"
#include "analysis/expression_operators.h"
#include "common/error.h"

namespace cryptd::analysis::expression_handlers {

namespace {

using Kind = Shape::Kind;
using Written = ExpressionAnalyzer::Written;

std::string opName(const bson::Element& op) {
    return std::string(op.key());
}

std::vector<bson::Element> arrayArgs(const bson::Element& op, size_t min, size_t max) {
    std::vector<bson::Element> args;
    if (op.isArray()) {
        for (bson::Element e : op.document()) args.push_back(e);
    } else {
        args.push_back(op);  // {$op: x} is {$op: [x]}
    }
    if (args.size() < min || args.size() > max) {
        std::string expected =
            min == max ? "exactly " + std::to_string(min) : "at least " + std::to_string(min);
        fail(ErrorCode::BadValue, "Expression " + opName(op) + " takes " + expected +
                                      " arguments. " + std::to_string(args.size()) +
                                      " were passed in.");
    }
    return args;
}

// Named operands ({if, then, else}): every key must be known.
void checkNamedArgs(const bson::Element& op, std::initializer_list<std::string_view> known) {
    if (!op.isDocument()) {
        fail(ErrorCode::BadValue, opName(op) + " requires an object of named arguments, found " +
                                      std::string(op.typeName()));
    }
    for (bson::Element e : op.document()) {
        bool ok = false;
        for (auto k : known) ok = ok || e.key() == k;
        if (!ok) {
            fail(ErrorCode::BadValue,
                 "Unrecognized parameter to " + opName(op) + ": " + std::string(e.key()));
        }
    }
}

void requireCondition(const Shape& s, const std::string& where) {
    if (s.isPlainValue()) return;
    fail(ErrorCode::BadValue, where + " cannot test the truth of " + describeShape(s) +
                                  "; compare it with $eq, $ne or $in");
}

Shape asComparable(Shape s) {
    if (s.kind == Kind::Missing) return Shape::plain();
    return s;
}

// An encrypted operand of an expression comparison must be one ciphertext: aggregation $eq does
// not look inside arrays, so an array of ciphertexts never equals one marking.
void requireSingleCiphertext(const Shape& s, const std::string& op) {
    if (s.kind == Kind::Encrypted && s.elementwise) {
        fail(ErrorCode::BadValue, op + " cannot compare " + describeShape(s) +
                                      " (an array); use $in or $match on it instead");
    }
}

}  // namespace

// ---- the encryption-aware subset ----

Shape literal(ExpressionAnalyzer&, bson::Builder& out, std::string_view key,
              const bson::Element& op) {
    out.appendDocument(key, [&](bson::Builder& d) { d.append(op); });
    Shape s;
    s.kind = Kind::Constant;
    s.constant = op;  // its value is the literal, never evaluated
    return s;
}

// $eq / $ne: a constant meeting a deterministic field is marked; two fields must share their
// encryption.
Shape equality(ExpressionAnalyzer& a, bson::Builder& out, std::string_view key,
               const bson::Element& op) {
    std::vector<bson::Element> args = arrayArgs(op, 2, 2);
    Written lhs = a.analyze(args[0]);
    Written rhs = a.analyze(args[1]);
    Shape l = asComparable(lhs.shape), r = asComparable(rhs.shape);
    requireSingleCiphertext(l, opName(op));
    requireSingleCiphertext(r, opName(op));
    bool markL = l.kind == Kind::Constant && r.kind == Kind::Encrypted;
    bool markR = r.kind == Kind::Constant && l.kind == Kind::Encrypted;
    if (!markL && !markR) requireComparable(l, r, opName(op));
    out.appendDocument(key, [&](bson::Builder& d) {
        d.appendArray(op.key(), [&](bson::Builder& arr) {
            a.emit(arr, "0", lhs, markL ? &r : nullptr);
            a.emit(arr, "1", rhs, markR ? &l : nullptr);
        });
    });
    return Shape::plain();
}

// $in: [value, array]. An encrypted value needs an array literal, each constant of it marked.
Shape in(ExpressionAnalyzer& a, bson::Builder& out, std::string_view key, const bson::Element& op) {
    std::vector<bson::Element> args = arrayArgs(op, 2, 2);
    Written needle = a.analyze(args[0]);
    Shape n = asComparable(needle.shape);
    requireSingleCiphertext(n, "$in");
    out.appendDocument(key, [&](bson::Builder& d) {
        d.appendArray(op.key(), [&](bson::Builder& arr) {
            if (n.kind == Kind::Encrypted) {
                requireQueryable(n.origin, *n.encryption);
                if (!args[1].isArray()) {
                    fail(ErrorCode::BadValue, "$in on " + describeShape(n) +
                                                  " needs an array literal as its second argument");
                }
                a.emit(arr, "0", needle);
                arr.appendArray("1", [&](bson::Builder& list) {
                    for (bson::Element el : args[1].document()) {
                        Written w = a.analyze(el);
                        if (w.shape.kind == Kind::Constant) {
                            a.emit(list, el.key(), w, &n, true);
                        } else {
                            requireComparable(n, asComparable(w.shape), "$in");
                            a.emit(list, el.key(), w);
                        }
                    }
                });
                return;
            }
            Written haystack = a.analyze(args[1]);
            const Shape& h = haystack.shape;
            if (n.kind == Kind::Constant && h.kind == Kind::Encrypted && h.elementwise) {
                // A constant looked up in an array of ciphertexts: marked like its elements.
                Shape element = h;
                element.elementwise = false;
                requireQueryable(element.origin, *element.encryption);
                a.emit(arr, "0", needle, &element, true);
                a.emit(arr, "1", haystack);
                return;
            }
            if (!n.isPlainValue()) requireComparable(n, Shape::plain(), "$in");
            requirePlainValue(h, "$in's array");
            a.emit(arr, "0", needle);
            a.emit(arr, "1", haystack);
        });
    });
    return Shape::plain();
}

namespace {

// One operand of a branching operator: a condition or a value that may be returned.
struct Part {
    std::string key;
    Written written;
    bool branch;
};

Shape writeBranching(ExpressionAnalyzer& a, bson::Builder& out, std::string_view key,
                     const bson::Element& op, std::vector<Part>& parts, bool asArray) {
    std::vector<const Shape*> branches;
    for (const Part& p : parts) {
        if (p.branch) {
            branches.push_back(&p.written.shape);
        } else {
            requireCondition(p.written.shape, opName(op));
        }
    }
    bool mark = false;
    Shape result = combineBranches(branches, mark);
    auto emitAll = [&](bson::Builder& b) {
        for (const Part& p : parts)
            a.emit(b, p.key, p.written, mark && p.branch ? &result : nullptr);
    };
    out.appendDocument(key, [&](bson::Builder& d) {
        if (asArray) {
            d.appendArray(op.key(), emitAll);
        } else {
            d.appendDocument(op.key(), emitAll);
        }
    });
    return result;
}

}  // namespace

Shape cond(ExpressionAnalyzer& a, bson::Builder& out, std::string_view key,
           const bson::Element& op) {
    std::vector<Part> parts;
    if (op.isArray()) {
        std::vector<bson::Element> args = arrayArgs(op, 3, 3);
        for (size_t i = 0; i < 3; ++i)
            parts.push_back({std::to_string(i), a.analyze(args[i]), i > 0});
        return writeBranching(a, out, key, op, parts, true);
    }
    checkNamedArgs(op, {"if", "then", "else"});
    for (auto name : {"if", "then", "else"}) {
        if (!op.document().find(name)) {
            fail(ErrorCode::BadValue, "Missing '" + std::string(name) + "' parameter to $cond");
        }
    }
    for (bson::Element e : op.document()) {
        parts.push_back({std::string(e.key()), a.analyze(e), e.key() != "if"});
    }
    return writeBranching(a, out, key, op, parts, false);
}

Shape ifNull(ExpressionAnalyzer& a, bson::Builder& out, std::string_view key,
             const bson::Element& op) {
    std::vector<bson::Element> args = arrayArgs(op, 2, SIZE_MAX);
    std::vector<Part> parts;
    for (size_t i = 0; i < args.size(); ++i)
        parts.push_back({std::to_string(i), a.analyze(args[i]), true});
    return writeBranching(a, out, key, op, parts, true);
}

Shape switchOp(ExpressionAnalyzer& a, bson::Builder& out, std::string_view key,
               const bson::Element& op) {
    checkNamedArgs(op, {"branches", "default"});
    auto branches = op.document().find("branches");
    if (!branches || !branches->isArray()) {
        fail(ErrorCode::BadValue, "$switch requires an array of branches");
    }
    // Conditions and values keep their places; the branch documents are rebuilt afterwards.
    struct Branch {
        std::vector<Part> parts;
    };
    std::vector<Branch> cases;
    std::vector<const Shape*> values;
    for (bson::Element b : branches->document()) {
        if (!b.isDocument())
            fail(ErrorCode::BadValue, "$switch expected each branch to be an object");
        Branch br;
        for (bson::Element f : b.document()) {
            if (f.key() != "case" && f.key() != "then") {
                fail(ErrorCode::BadValue,
                     "$switch found an unknown argument to a branch: " + std::string(f.key()));
            }
            br.parts.push_back({std::string(f.key()), a.analyze(f), f.key() == "then"});
        }
        if (!b.document().find("case") || !b.document().find("then")) {
            fail(ErrorCode::BadValue, "$switch requires each branch have a 'case' and a 'then'");
        }
        cases.push_back(std::move(br));
    }
    if (cases.empty()) fail(ErrorCode::BadValue, "$switch requires at least one branch");
    std::optional<Written> def;
    if (auto d = op.document().find("default")) def = a.analyze(*d);

    for (const Branch& br : cases) {
        for (const Part& p : br.parts) {
            if (p.branch) {
                values.push_back(&p.written.shape);
            } else {
                requireCondition(p.written.shape, "$switch");
            }
        }
    }
    if (def) values.push_back(&def->shape);
    bool mark = false;
    Shape result = combineBranches(values, mark);
    out.appendDocument(key, [&](bson::Builder& d) {
        d.appendDocument(op.key(), [&](bson::Builder& sw) {
            for (bson::Element f : op.document()) {
                if (f.key() == "branches") {
                    sw.appendArray("branches", [&](bson::Builder& arr) {
                        uint32_t i = 0;
                        for (const Branch& br : cases) {
                            char buf[16];
                            arr.appendDocument(bson::arrayKey(i++, buf), [&](bson::Builder& b) {
                                for (const Part& p : br.parts) {
                                    a.emit(b, p.key, p.written,
                                           mark && p.branch ? &result : nullptr);
                                }
                            });
                        }
                    });
                } else {
                    a.emit(sw, "default", *def, mark ? &result : nullptr);
                }
            }
        });
    });
    return result;
}

namespace {

// A variable's shape: a constant is bound as a plain value (the binding, not each use, holds it,
// so uses cannot be marked).
Shape bindable(Shape s) {
    if (s.kind == Kind::Constant) return Shape::plain();
    return s;
}

}  // namespace

Shape let(ExpressionAnalyzer& a, bson::Builder& out, std::string_view key,
          const bson::Element& op) {
    checkNamedArgs(op, {"vars", "in"});
    auto vars = op.document().find("vars");
    auto in = op.document().find("in");
    if (!vars || !vars->isDocument() || !in) {
        fail(ErrorCode::BadValue, "$let requires 'vars' (an object) and 'in'");
    }
    // Variables are evaluated in the enclosing scope, then `in` sees them.
    Scope scope(a.scope());
    std::vector<std::pair<std::string, Written>> bound;
    for (bson::Element var : vars->document()) {
        checkVariableName(var.key());
        bound.emplace_back(std::string(var.key()), a.analyze(var));
    }
    for (const auto& [name, w] : bound) scope.bind(name, bindable(w.shape));
    ExpressionAnalyzer inner = a.withScope(&scope);
    Written body = inner.analyze(*in);
    out.appendDocument(key, [&](bson::Builder& d) {
        d.appendDocument(op.key(), [&](bson::Builder& l) {
            for (bson::Element f : op.document()) {
                if (f.key() == "vars") {
                    l.appendDocument("vars", [&](bson::Builder& v) {
                        for (const auto& [name, w] : bound) a.emit(v, name, w);
                    });
                } else {
                    a.emit(l, "in", body);
                }
            }
        });
    });
    return body.shape;
}

namespace {

// The element shape of an array being iterated ($map, $filter, $reduce).
Shape elementShape(const Shape& input, const std::string& op) {
    switch (input.kind) {
        case Kind::Encrypted:
            if (!input.elementwise) {
                fail(ErrorCode::BadValue, op + " cannot iterate over " + describeShape(input) +
                                              ": an encrypted value is one ciphertext");
            }
            {
                Shape e = input;
                e.elementwise = false;
                return e;
            }
        case Kind::Document: {
            Shape e = input;
            if (isArrayOfDocuments(e.node)) e.node = asDerived(e.node)->base();
            return e;
        }
        case Kind::Unknown:
            return input;
        default:
            return Shape::plain();
    }
}

}  // namespace

Shape iterate(ExpressionAnalyzer& a, bson::Builder& out, std::string_view key,
              const bson::Element& op) {
    std::string name = opName(op);
    bool isMap = name == "$map", isFilter = name == "$filter";
    if (isMap) checkNamedArgs(op, {"input", "as", "in"});
    if (isFilter) checkNamedArgs(op, {"input", "as", "cond", "limit"});
    if (!isMap && !isFilter) checkNamedArgs(op, {"input", "initialValue", "in"});
    bson::View args = op.document();
    auto input = args.find("input");
    if (!input) fail(ErrorCode::BadValue, "Missing 'input' parameter to " + name);
    std::string as = "this";
    if (auto asE = args.find("as")) {
        if (!asE->isString()) fail(ErrorCode::BadValue, name + "'s 'as' must be a string");
        as = std::string(asE->utf8());
        checkVariableName(as);
    }
    Written inputW = a.analyze(*input);
    Scope scope(a.scope());
    scope.bind(as, elementShape(inputW.shape, name));
    if (!isMap && !isFilter) scope.bind("value", Shape::plain());
    ExpressionAnalyzer inner = a.withScope(&scope);

    Shape result = Shape::plain();
    out.appendDocument(key, [&](bson::Builder& d) {
        d.appendDocument(op.key(), [&](bson::Builder& b) {
            for (bson::Element f : args) {
                if (f.key() == "input") {
                    a.emit(b, "input", inputW);
                } else if (f.key() == "as") {
                    b.append(f);
                } else if (f.key() == "cond") {
                    requireCondition(inner.write(b, "cond", f), "$filter");
                } else if (f.key() == "limit" || f.key() == "initialValue") {
                    requirePlainValue(a.write(b, f.key(), f), name + "'s " + std::string(f.key()));
                } else {  // in
                    Shape s = inner.write(b, "in", f);
                    if (!isMap) {
                        requirePlainValue(s, "$reduce");
                    } else if (s.kind == Kind::Encrypted && !s.elementwise) {
                        result = s;
                        result.elementwise = true;
                    } else if (s.kind == Kind::Document || s.kind == Kind::Unknown) {
                        result = s;
                    } else if (s.kind == Kind::Encrypted) {
                        result = Shape::unknown("$map returns arrays of encrypted values");
                    }
                }
            }
        });
    });
    if (isFilter) {
        const Shape& in = inputW.shape;
        return in.kind == Kind::Constant ? Shape::plain() : in;
    }
    if (isMap && !args.find("in")) fail(ErrorCode::BadValue, "Missing 'in' parameter to $map");
    return result;
}

// $getField reads a field named by data: followed like a path when the name is a constant.
Shape getField(ExpressionAnalyzer& a, bson::Builder& out, std::string_view key,
               const bson::Element& op) {
    std::optional<Written> field, input;
    if (op.isDocument() && !op.document().empty() &&
        (*op.document().begin()).key().substr(0, 1) != "$") {
        checkNamedArgs(op, {"field", "input"});
        if (auto f = op.document().find("field")) field = a.analyze(*f);
        if (auto i = op.document().find("input")) input = a.analyze(*i);
        if (!field) fail(ErrorCode::BadValue, "$getField requires 'field' to be specified");
    } else {
        field = a.analyze(op);
    }
    Shape in = input ? input->shape : shapeOfNode(a.root(), FieldPath());
    Shape result = Shape::plain();
    const Shape& f = field->shape;
    if (f.kind == Kind::Constant && f.constant->isString()) {
        std::string_view name = f.constant->utf8();
        if (f.constant->key() == "$literal" || name.substr(0, 1) != "$") {
            FieldPath origin = in.origin;
            origin.push(name);
            if (in.kind == Kind::Document) {
                result = shapeOfNode(childOrUnknown(in.node, name), origin);
            } else if (in.kind == Kind::Encrypted) {
                fail(ErrorCode::BadValue, "$getField cannot read inside " + describeShape(in));
            } else if (in.kind == Kind::Unknown) {
                result = in;
            }
        }
    } else {
        requirePlainValue(f, "$getField's field name");
        requirePlainValue(in, "$getField with a computed field name");
    }
    out.appendDocument(key, [&](bson::Builder& d) {
        if (!input && !(op.isDocument() && op.document().find("field"))) {
            a.emit(d, op.key(), *field);
            return;
        }
        d.appendDocument(op.key(), [&](bson::Builder& b) {
            for (bson::Element e : op.document()) {
                a.emit(b, e.key(), e.key() == "field" ? *field : *input);
            }
        });
    });
    return result;
}

// Every other operator: its operands may hold no ciphertext; its value is plain.
Shape plainOnly(ExpressionAnalyzer& a, bson::Builder& out, std::string_view key,
                const bson::Element& op) {
    std::string name = opName(op);
    auto check = [&](const Shape& s) { requirePlainValue(s, name); };
    out.appendDocument(key, [&](bson::Builder& d) {
        if (op.isArray()) {
            d.appendArray(op.key(), [&](bson::Builder& arr) {
                for (bson::Element e : op.document()) check(a.write(arr, e.key(), e));
            });
        } else if (op.isDocument() && !op.document().empty() &&
                   (*op.document().begin()).key().substr(0, 1) != "$") {
            // Named arguments ({input: .., format: ..}): each value is an expression.
            d.appendDocument(op.key(), [&](bson::Builder& args) {
                for (bson::Element e : op.document()) check(a.write(args, e.key(), e));
            });
        } else {
            check(a.write(d, op.key(), op));
        }
    });
    return Shape::plain();
}

}  // namespace cryptd::analysis::expression_handlers
