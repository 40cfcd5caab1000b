#include "hostile/invariant/invariant_checker.h"

#include <algorithm>
#include <cstring>
#include <optional>

namespace cryptd::test::invariant {

namespace {

bool startsWithDollar(std::string_view s) {
    return !s.empty() && s[0] == '$';
}

std::string join(const std::string& prefix, std::string_view key) {
    return prefix.empty() ? std::string(key) : prefix + "." + std::string(key);
}

bool isOperatorDocument(const bson::Element& e) {
    if (!e.isDocument()) return false;
    return startsWithDollar(e.document().firstKey());
}

// ---------------------------------------------------------------------------------------------
// Expected result: the original with markings where they are due.

class Expecter {
  public:
    explicit Expecter(const SchemaModel& m) : model_(m) {}
    std::vector<std::string> reasons;

    bson::Doc command(bson::View cmd, bool top) {
        bson::Builder out;
        bool first = true;
        std::string name;
        for (auto e : cmd) {
            std::string_view k = e.key();
            if (first) name = std::string(k);
            first = false;
            if (top && (k == "$db" || k == "jsonSchema" || k == "isRemoteSchema")) continue;
            if (isFilterField(name, k) && e.isDocument()) {
                out.appendDocument(k, [&](bson::Builder& b) { filter(e.document(), b); });
            } else if (name == "insert" && k == "documents" && e.isArray()) {
                out.appendArray(k, [&](bson::Builder& arr) {
                    for (auto d : e.document()) {
                        if (d.isDocument()) {
                            arr.appendDocument(d.key(), [&](bson::Builder& b) {
                                document(&model_.root, d.document(), d.document(), "", b);
                            });
                        } else {
                            arr.append(d);
                        }
                    }
                });
            } else if ((name == "delete" && k == "deletes") ||
                       (name == "update" && k == "updates")) {
                out.appendArray(k, [&](bson::Builder& arr) { statements(e, arr, k == "updates"); });
            } else if ((name == "findAndModify" || name == "findandmodify") && k == "update") {
                update(e, out);
            } else if (name == "aggregate" && k == "pipeline" && e.isArray()) {
                out.appendArray(k, [&](bson::Builder& arr) { pipeline(e.document(), arr); });
            } else if (name == "explain" && k == "explain" && e.isDocument()) {
                bson::Doc inner = command(e.document(), false);
                out.appendDocument(k, inner.view());
            } else if (name == "distinct" && k == "key" && e.isString()) {
                distinctKey(e.utf8());
                out.append(e);
            } else if (k == "sort" || k == "projection" || k == "fields") {
                out.append(e);  // paths and 1/-1: no values to protect
            } else {
                out.append(e);
            }
        }
        return out.finish();
    }

    static bool isFilterField(std::string_view name, std::string_view k) {
        return (name == "find" && k == "filter") || (name == "count" && k == "query") ||
               (name == "distinct" && k == "query") ||
               ((name == "findAndModify" || name == "findandmodify") && k == "query");
    }

  private:
    void reject(std::string why) { reasons.push_back(std::move(why)); }

    // Update statements come back with multi and upsert as booleans, false when absent.
    void statements(const bson::Element& e, bson::Builder& arr, bool updates) {
        if (!e.isArray()) return;
        for (auto s : e.document()) {
            if (!s.isDocument()) {
                arr.append(s);
                continue;
            }
            arr.appendDocument(s.key(), [&](bson::Builder& b) {
                for (auto f : s.document()) {
                    if (f.key() == "q" && f.isDocument()) {
                        b.appendDocument("q", [&](bson::Builder& q) { filter(f.document(), q); });
                    } else if (f.key() == "u") {
                        update(f, b);
                    } else if (updates && (f.key() == "multi" || f.key() == "upsert") &&
                               (f.isBool() || f.isNumber())) {
                        b.appendBool(f.key(), f.truthy());
                    } else {
                        b.append(f);
                    }
                }
                for (std::string_view flag : {"multi", "upsert"}) {
                    if (updates && !s.document().find(flag)) b.appendBool(flag, false);
                }
            });
        }
    }

    void pipeline(bson::View stages, bson::Builder& arr) {
        for (auto s : stages) {
            if (!s.isDocument()) {
                arr.append(s);
                continue;
            }
            arr.appendDocument(s.key(), [&](bson::Builder& b) {
                for (auto f : s.document()) {
                    if (f.key() == "$match" && f.isDocument()) {
                        b.appendDocument(f.key(),
                                         [&](bson::Builder& m) { filter(f.document(), m); });
                    } else {
                        if (f.key() == "$sort" && f.isDocument()) sortPaths(f.document());
                        b.append(f);
                    }
                }
            });
        }
    }

    void sortPaths(bson::View) {}

    void distinctKey(std::string_view path) {
        PathClass c = model_.classify(path);
        if (c.kind == PathKind::kEncrypted &&
            (c.encryption->algorithm == 2 || c.encryption->keyUuid < 0)) {
            reject("distinct on randomized or JSON-pointer-keyed field '" + std::string(path) +
                   "'");
        }
        if (c.kind == PathKind::kBelow || c.kind == PathKind::kAmbiguous) {
            reject("distinct on '" + std::string(path) + "' which may be inside encrypted data");
        }
    }

    // --- values being written ---------------------------------------------------------------

    // One value bound for an encrypted field in a document being written.
    void writeEncrypted(const Encryption& enc, const bson::Element& v, bson::View root,
                        const std::string& path, bson::Builder& out) {
        bson_type_t t = v.type();
        if (t == BSON_TYPE_NULL || t == BSON_TYPE_UNDEFINED || t == BSON_TYPE_MINKEY ||
            t == BSON_TYPE_MAXKEY) {
            reject("a " + std::string(v.typeName()) + " written to encrypted '" + path + "'");
        }
        if (t == BSON_TYPE_TIMESTAMP && wholeDocument_) {
            const bson::Element::Timestamp ts = v.timestamp();
            if (ts.timestamp == 0 && ts.increment == 0)
                reject("Timestamp(0, 0) written to encrypted '" + path + "'");
        }
        if (enc.algorithm == 1 &&
            (t == BSON_TYPE_DOUBLE || t == BSON_TYPE_DECIMAL128 || t == BSON_TYPE_BOOL ||
             t == BSON_TYPE_DOCUMENT || t == BSON_TYPE_ARRAY || t == BSON_TYPE_CODEWSCOPE)) {
            reject("a " + std::string(v.typeName()) + " written to deterministic '" + path + "'");
        }
        appendMarking(enc, v, root, path, out);
    }

    void appendMarking(const Encryption& enc, const bson::Element& v, bson::View root,
                       const std::string& path, bson::Builder& out) {
        std::string alt;
        if (enc.keyUuid < 0) {
            auto name = root.find(enc.keyPointer.substr(1));
            if (!name || !name->isString()) {
                reject("keyId pointer " + enc.keyPointer + " for '" + path +
                       "' does not resolve to a string");
            } else {
                alt = std::string(name->utf8());
            }
        }
        const bson_value_t value = v.value();
        auto bytes = markingBytes(
            enc.algorithm, enc.keyUuid < 0 ? nullptr : &keyUuids()[enc.keyUuid], alt, &value);
        out.appendBinary(v.key(), BSON_SUBTYPE_ENCRYPTED, bytes.data(),
                         static_cast<uint32_t>(bytes.size()));
    }

    // A document being written at `node` (nullptr: nothing below is encrypted).
    void document(const Node* node, bson::View doc, bson::View root, const std::string& prefix,
                  bson::Builder& out) {
        for (auto e : doc) {
            const Node* child = node ? node->child(e.key()) : nullptr;
            std::string path = join(prefix, e.key());
            if (child && child->encrypt) {
                writeEncrypted(*child->encrypt, e, root, path, out);
            } else if (child && child->containsEncryption()) {
                if (e.isDocument()) {
                    out.appendDocument(e.key(), [&](bson::Builder& b) {
                        document(child, e.document(), root, path, b);
                    });
                } else {
                    if (e.isArray() && containsDocument(e.document())) {
                        reject("an array of documents at '" + path +
                               "', which has encrypted fields below");
                    }
                    out.append(e);
                }
            } else {
                out.append(e);
            }
        }
    }

    static bool containsDocument(bson::View arr) {
        for (auto e : arr) {
            if (e.isDocument()) return true;
            if (e.isArray() && containsDocument(e.document())) return true;
        }
        return false;
    }

    // --- updates ----------------------------------------------------------------------------

    void update(const bson::Element& u, bson::Builder& out) {
        if (u.isArray()) {
            if (model_.requiresEncryption()) reject("a pipeline update on an encrypted schema");
            out.append(u);
            return;
        }
        if (!u.isDocument()) {
            out.append(u);
            return;
        }
        if (!isOperatorDocument(u)) {
            out.appendDocument(u.key(), [&](bson::Builder& b) {
                document(&model_.root, u.document(), u.document(), "", b);
            });
            return;
        }
        out.appendDocument(u.key(), [&](bson::Builder& ops) {
            for (auto op : u.document()) {
                if (!op.isDocument()) {
                    ops.append(op);
                    continue;
                }
                std::string_view name = op.key();
                if (name == "$set" || name == "$setOnInsert") {
                    wholeDocument_ = false;
                    ops.appendDocument(name, [&](bson::Builder& b) { setArgs(op.document(), b); });
                    wholeDocument_ = true;
                    continue;
                }
                for (auto arg : op.document()) {
                    PathClass c = model_.classify(arg.key(), SchemaModel::PathMode::kUpdate);
                    if (name == "$unset") continue;
                    if (name == "$rename") {
                        PathClass to =
                            arg.isString()
                                ? model_.classify(arg.utf8(), SchemaModel::PathMode::kUpdate)
                                : PathClass{};
                        renameCheck(arg.key(), c, to);
                        continue;
                    }
                    // Arithmetic, array and date operators cannot work on ciphertext; on an
                    // object holding encrypted fields only a scalar operand is harmless (it
                    // carries no value for those fields).
                    bool holdsValues =
                        arg.isDocument() || (arg.isArray() && containsDocument(arg.document()));
                    if (c.kind == PathKind::kEncrypted || c.kind == PathKind::kBelow ||
                        c.kind == PathKind::kAmbiguous ||
                        (c.kind == PathKind::kPrefix && holdsValues)) {
                        reject(std::string(name) + " on '" + std::string(arg.key()) +
                               "', which is or holds encrypted data");
                    }
                }
                ops.append(op);
            }
        });
    }

    void renameCheck(std::string_view from, const PathClass& a, const PathClass& b) {
        if (a.kind == PathKind::kNotEncrypted && b.kind == PathKind::kNotEncrypted) return;
        if (a.kind == PathKind::kEncrypted && b.kind == PathKind::kEncrypted &&
            a.encryption->algorithm == b.encryption->algorithm &&
            a.encryption->keyUuid == b.encryption->keyUuid &&
            a.encryption->keyPointer == b.encryption->keyPointer &&
            a.encryption->bsonType == b.encryption->bsonType) {
            return;
        }
        reject("$rename of '" + std::string(from) + "' across different encryption");
    }

    void setArgs(bson::View args, bson::Builder& out) {
        for (auto e : args) {
            PathClass c = model_.classify(e.key(), SchemaModel::PathMode::kUpdate);
            std::string path(e.key());
            switch (c.kind) {
                case PathKind::kNotEncrypted:
                    out.append(e);
                    break;
                case PathKind::kEncrypted:
                    if (c.encryption->keyUuid < 0) {
                        reject("$set of JSON-pointer-keyed '" + path + "' (no document)");
                        out.append(e);
                    } else {
                        writeEncrypted(*c.encryption, e, args, path, out);
                    }
                    break;
                case PathKind::kPrefix:
                    if (e.isDocument()) {
                        out.appendDocument(e.key(), [&](bson::Builder& b) {
                            document(c.node, e.document(), e.document(), path, b);
                        });
                    } else {
                        if (e.isArray() && containsDocument(e.document())) {
                            reject("$set of an array of documents at '" + path + "'");
                        }
                        out.append(e);
                    }
                    break;
                case PathKind::kBelow:
                case PathKind::kAmbiguous:
                    reject("$set of '" + path + "', which may be inside encrypted data");
                    out.append(e);
                    break;
            }
        }
    }

    // --- filters ----------------------------------------------------------------------------

    void filter(bson::View f, bson::Builder& out) {
        for (auto e : f) {
            std::string_view k = e.key();
            if (k == "$and" || k == "$or" || k == "$nor") {
                if (!e.isArray()) {
                    out.append(e);
                    continue;
                }
                out.appendArray(k, [&](bson::Builder& arr) {
                    for (auto c : e.document()) {
                        if (c.isDocument()) {
                            arr.appendDocument(c.key(),
                                               [&](bson::Builder& b) { filter(c.document(), b); });
                        } else {
                            arr.append(c);
                        }
                    }
                });
            } else if (k == "$expr") {
                expr(e, out);
            } else if (startsWithDollar(k)) {
                if (k == "$where" || k == "$text" || k == "$jsonSchema") {
                    reject(std::string(k) + " in a query");
                }
                out.append(e);
            } else if (isOperatorDocument(e)) {
                PathClass c = model_.classify(k);
                out.appendDocument(k,
                                   [&](bson::Builder& ops) { operators(k, c, e.document(), ops); });
            } else {
                PathClass c = model_.classify(k);
                operand(k, c, e, "$eq", out);
            }
        }
    }

    static bool isFieldRef(const bson::Element& e) {
        return e.isString() && e.utf8().size() > 1 && e.utf8()[0] == '$' && e.utf8()[1] != '$';
    }

    // {$expr: {$eq|$ne: ["$encrypted", literal]}}: the literal is marked like a query operand.
    // Any other read of encrypted data in an expression must be refused.
    void expr(const bson::Element& e, bson::Builder& out) {
        if (e.isDocument() && e.document().count() == 1) {
            auto op = *e.document().begin();
            if ((op.key() == "$eq" || op.key() == "$ne") && op.isArray() &&
                op.document().count() == 2) {
                auto it = op.document().begin();
                bson::Element path = *it;
                bson::Element literal = *++it;
                if (isFieldRef(path) && !isFieldRef(literal) && !literal.isDocument() &&
                    !literal.isArray()) {
                    std::string p(path.utf8().substr(1));
                    PathClass c = model_.classify(p, SchemaModel::PathMode::kExpression);
                    if (c.kind == PathKind::kEncrypted) {
                        out.appendDocument(e.key(), [&](bson::Builder& x) {
                            x.appendArray(op.key(), [&](bson::Builder& arr) {
                                arr.append(path);
                                operand(p, c, literal, "$expr", arr);
                            });
                        });
                        return;
                    }
                }
            }
        }
        exprCheck(e);
        out.append(e);
    }

    void exprCheck(const bson::Element& e) {
        // Any "$path" string inside that reaches encrypted data: the literal it is compared with
        // would go out in plaintext.
        std::vector<std::string> refs;
        collectRefs(e, refs);
        for (const auto& r : refs) {
            PathClass c = model_.classify(r, SchemaModel::PathMode::kExpression);
            if (c.kind != PathKind::kNotEncrypted) {
                reject("$expr reading '" + r + "', which is or holds encrypted data");
            }
        }
    }

    static void collectRefs(const bson::Element& e, std::vector<std::string>& out) {
        if (e.isString() && e.utf8().size() > 1 && e.utf8()[0] == '$' && e.utf8()[1] != '$') {
            out.emplace_back(e.utf8().substr(1));
        }
        if (e.isDocument() || e.isArray()) {
            for (auto c : e.document()) collectRefs(c, out);
        }
    }

    void operators(std::string_view path, const PathClass& c, bson::View ops, bson::Builder& out) {
        for (auto op : ops) {
            std::string_view name = op.key();
            if (name == "$eq" || name == "$ne") {
                operand(path, c, op, name, out);
            } else if (name == "$in" || name == "$nin") {
                if (!op.isArray()) {
                    out.append(op);
                    continue;
                }
                out.appendArray(name, [&](bson::Builder& arr) {
                    for (auto v : op.document()) operand(path, c, v, name, arr);
                });
            } else if (name == "$not") {
                if (op.isDocument()) {
                    out.appendDocument(
                        name, [&](bson::Builder& b) { operators(path, c, op.document(), b); });
                } else {
                    if (c.kind != PathKind::kNotEncrypted) {
                        reject("$not with a regex on '" + std::string(path) + "'");
                    }
                    out.append(op);
                }
            } else if (name == "$exists") {
                out.append(op);
            } else {
                if (c.kind == PathKind::kEncrypted || c.kind == PathKind::kBelow ||
                    c.kind == PathKind::kAmbiguous) {
                    reject(std::string(name) + " on '" + std::string(path) +
                           "', which is or may be encrypted");
                } else if (c.kind == PathKind::kPrefix &&
                           (op.isDocument() || (op.isArray() && containsDocument(op.document())))) {
                    reject(std::string(name) + " with a document/array operand on '" +
                           std::string(path) + "', which holds encrypted fields");
                }
                out.append(op);
            }
        }
    }

    // One comparison operand `v` for `path` (element key kept), marked when due.
    void operand(std::string_view path, const PathClass& c, const bson::Element& v,
                 std::string_view op, bson::Builder& out) {
        std::string p(path);
        switch (c.kind) {
            case PathKind::kNotEncrypted:
                out.append(v);
                return;
            case PathKind::kBelow:
            case PathKind::kAmbiguous:
                reject("a comparison (" + std::string(op) + ") on '" + p +
                       "', which may be inside encrypted data");
                out.append(v);
                return;
            case PathKind::kPrefix:
                if (v.isDocument()) {
                    out.appendDocument(v.key(), [&](bson::Builder& b) {
                        document(c.node, v.document(), v.document(), p, b);
                    });
                    return;
                }
                if (v.isArray() && containsDocument(v.document())) {
                    reject("a comparison to an array of documents on '" + p + "'");
                }
                out.append(v);
                return;
            case PathKind::kEncrypted:
                break;
        }
        const Encryption& enc = *c.encryption;
        if (enc.algorithm == 2) reject("a query on randomized '" + p + "'");
        if (enc.keyUuid < 0) reject("a query on JSON-pointer-keyed '" + p + "'");
        bson_type_t t = v.type();
        if (t == BSON_TYPE_NULL || t == BSON_TYPE_REGEX || t == BSON_TYPE_UNDEFINED ||
            t == BSON_TYPE_MINKEY || t == BSON_TYPE_MAXKEY || t == BSON_TYPE_DOCUMENT ||
            t == BSON_TYPE_ARRAY || t == BSON_TYPE_DOUBLE || t == BSON_TYPE_DECIMAL128 ||
            t == BSON_TYPE_BOOL) {
            reject("a " + std::string(v.typeName()) + " compared with encrypted '" + p + "'");
        }
        appendMarking(enc, v, bson::View(), p, out);
    }

    const SchemaModel& model_;
    // Writing whole documents (insert, replacement): the server fills in Timestamp(0, 0) there,
    // which an encrypted field cannot take. $set stores it as it is.
    bool wholeDocument_ = true;
};

// ---------------------------------------------------------------------------------------------
// Canonical rendering.

std::string canonicalValue(const bson::Element& e);

std::string scalar(const bson::Element& e) {
    bson::Builder b;
    b.append("", e);
    std::string json = b.finish().toCanonicalJson();
    // { "" : <value> }
    size_t colon = json.find(':');
    return json.substr(colon + 2, json.size() - colon - 4);
}

std::string marking(const bson::Element& e) {
    auto bin = e.binary();
    if (bin.len < 6 || bin.data[0] != 0 || !bson::isValid(bin.data + 1, bin.len - 1)) {
        return "BADMARKING(" + scalar(e) + ")";
    }
    bson::View d(bin.data + 1, bin.len - 1);
    std::string a, k, v;
    int fields = 0;
    for (auto f : d) {
        ++fields;
        if (f.key() == "a") a = scalar(f);
        if (f.key() == "ki" || f.key() == "ka") k = std::string(f.key()) + "=" + scalar(f);
        if (f.key() == "v") v = canonicalValue(f);
    }
    if (fields != 3 || a.empty() || k.empty()) return "BADMARKING(" + d.toCanonicalJson() + ")";
    return "M(a=" + a + "," + k + ",v=" + v + ")";
}

std::string canonicalValue(const bson::Element& e) {
    if (e.type() == BSON_TYPE_BINARY && e.binary().subtype == BSON_SUBTYPE_ENCRYPTED) {
        return marking(e);
    }
    if (e.isDocument() || e.isArray()) {
        std::string out = e.isArray() ? "[" : "{";
        for (auto c : e.document()) {
            if (!e.isArray()) out += std::string(c.key()) + ":";
            out += canonicalValue(c) + ",";
        }
        return out + (e.isArray() ? "]" : "}");
    }
    return scalar(e);
}

std::string renderAnd(std::vector<std::string> conjuncts) {
    if (conjuncts.size() == 1) return conjuncts[0];
    std::sort(conjuncts.begin(), conjuncts.end());
    std::string out = "AND[";
    for (const auto& c : conjuncts) out += c + ";";
    return out + "]";
}

void filterConjuncts(bson::View f, std::vector<std::string>& out);

std::string renderBranch(const bson::Element& c) {
    std::vector<std::string> conj;
    if (c.isDocument()) {
        filterConjuncts(c.document(), conj);
    } else {
        conj.push_back("BAD(" + canonicalValue(c) + ")");
    }
    return renderAnd(conj);
}

std::string regexText(const bson::Element& e) {
    const bson::Element::Regex r = e.regex();
    return "/" + std::string(r.pattern) + "/" + std::string(r.options);
}

// {$elemMatch: {$gt: 1}} (operators on the element) or {$elemMatch: {a: 1}} (a filter on it).
std::string canonicalElemMatch(const bson::Element& e);

// Equality to a regex value means a regex match: {f: /x/} == {f: {$eq: /x/}} == {f: {$regex: "x"}}.
std::string equality(const std::string& path, const bson::Element& v) {
    if (v.type() == BSON_TYPE_REGEX) return "P(" + path + " $regex " + regexText(v) + ")";
    return "P(" + path + " $eq " + canonicalValue(v) + ")";
}

void operatorConjuncts(const std::string& path, bson::View ops, std::vector<std::string>& out) {
    // $regex and $options belong together.
    std::optional<bson::Element> options;
    for (auto op : ops) {
        if (op.key() == "$options") options = op;
    }
    bool regexSeen = false;
    for (auto op : ops) {
        std::string name(op.key());
        auto pred = [&](const std::string& o, const std::string& v) {
            return "P(" + path + " " + o + " " + v + ")";
        };
        if (name == "$regex") {
            regexSeen = true;
            std::string text = op.type() == BSON_TYPE_REGEX
                                   ? regexText(op)
                                   : "/" + (op.isString() ? std::string(op.utf8()) : "?") + "/";
            if (options && options->isString()) text += std::string(options->utf8());
            out.push_back(pred("$regex", text));
        } else if (name == "$options") {
            continue;
        } else if (name == "$eq") {
            out.push_back(equality(path, op));
        } else if (name == "$ne") {
            out.push_back("NOT(" + equality(path, op) + ")");
        } else if (name == "$elemMatch") {
            out.push_back(pred(name, canonicalElemMatch(op)));
        } else if (name == "$nin") {
            out.push_back("NOT(" + pred("$in", canonicalValue(op)) + ")");
        } else if (name == "$not" && op.isDocument()) {
            std::vector<std::string> inner;
            operatorConjuncts(path, op.document(), inner);
            out.push_back("NOT(" + renderAnd(inner) + ")");
        } else if (name == "$not" && op.type() == BSON_TYPE_REGEX) {
            out.push_back("NOT(" + equality(path, op) + ")");
        } else if (name == "$exists") {
            out.push_back(pred("$exists", op.truthy() ? "true" : "false"));
        } else {
            out.push_back(pred(name, canonicalValue(op)));
        }
    }
    if (options && !regexSeen)
        out.push_back("P(" + path + " $options " + canonicalValue(*options) + ")");
}

void filterConjuncts(bson::View f, std::vector<std::string>& out) {
    for (auto e : f) {
        std::string k(e.key());
        if ((k == "$and" || k == "$or" || k == "$nor") && e.isArray()) {
            std::vector<std::string> branches;
            for (auto c : e.document()) branches.push_back(renderBranch(c));
            if (k == "$and") {
                for (auto c : e.document()) {
                    if (c.isDocument()) {
                        filterConjuncts(c.document(), out);
                    } else {
                        out.push_back("BAD(" + canonicalValue(c) + ")");
                    }
                }
                continue;
            }
            if (k == "$or" && branches.size() == 1) {
                auto c = *e.document().begin();
                if (c.isDocument()) filterConjuncts(c.document(), out);
                continue;
            }
            if (k == "$nor" && branches.size() == 1) {
                out.push_back("NOT(" + branches[0] + ")");
                continue;
            }
            std::sort(branches.begin(), branches.end());
            std::string r = (k == "$or" ? "OR[" : "NOR[");
            for (const auto& b : branches) r += b + ";";
            out.push_back(r + "]");
        } else if (!k.empty() && k[0] == '$') {
            out.push_back("RAW(" + k + "=" + canonicalValue(e) + ")");
        } else if (isOperatorDocument(e)) {
            operatorConjuncts(k, e.document(), out);
        } else {
            out.push_back(equality(k, e));
        }
    }
}

std::string canonicalElemMatch(const bson::Element& e) {
    if (!e.isDocument()) return canonicalValue(e);
    bool operatorForm = true;
    for (auto c : e.document()) {
        std::string_view k = c.key();
        if (k.empty() || k[0] != '$' || k == "$and" || k == "$or" || k == "$nor" || k == "$expr" ||
            k == "$where" || k == "$text" || k == "$jsonSchema") {
            operatorForm = false;
        }
    }
    std::vector<std::string> conj;
    if (operatorForm) {
        operatorConjuncts("", e.document(), conj);
    } else {
        filterConjuncts(e.document(), conj);
    }
    return "{" + renderAnd(conj) + "}";
}

std::string canonicalFilter(const bson::Element& e) {
    if (!e.isDocument()) return canonicalValue(e);
    std::vector<std::string> conj;
    filterConjuncts(e.document(), conj);
    if (conj.empty()) return "TRUE";
    return renderAnd(conj);
}

std::string canonicalStatements(const bson::Element& e) {
    if (!e.isArray()) return canonicalValue(e);
    std::string out = "[";
    for (auto s : e.document()) {
        if (!s.isDocument()) {
            out += canonicalValue(s) + ",";
            continue;
        }
        std::vector<std::string> fields;
        for (auto f : s.document()) {
            fields.push_back(std::string(f.key()) + ":" +
                             (f.key() == "q" ? canonicalFilter(f) : canonicalValue(f)));
        }
        std::sort(fields.begin(), fields.end());
        out += "{";
        for (const auto& f : fields) out += f + ",";
        out += "},";
    }
    return out + "]";
}

std::string canonicalPipeline(const bson::Element& e) {
    if (!e.isArray()) return canonicalValue(e);
    std::string out = "[";
    for (auto s : e.document()) {
        if (!s.isDocument()) {
            out += canonicalValue(s) + ",";
            continue;
        }
        out += "{";
        for (auto f : s.document()) {
            out += std::string(f.key()) + ":" +
                   (f.key() == "$match" ? canonicalFilter(f) : canonicalValue(f)) + ",";
        }
        out += "},";
    }
    return out + "]";
}

std::string canonical(bson::View result, bson::View original, bool top) {
    std::string name;
    std::vector<std::string> fields;
    bool first = true;
    for (auto e : result) {
        std::string_view k = e.key();
        if (first) name = std::string(k);
        if (top && (k == "$db" || k == "jsonSchema" || k == "isRemoteSchema")) continue;
        // explain's default verbosity is filled in when the request had none.
        if (name == "explain" && k == "verbosity" && !original.find("verbosity")) continue;
        std::string v;
        if (Expecter::isFilterField(name, k)) {
            v = canonicalFilter(e);
        } else if ((name == "delete" && k == "deletes") || (name == "update" && k == "updates")) {
            v = canonicalStatements(e);
        } else if (name == "aggregate" && k == "pipeline") {
            v = canonicalPipeline(e);
        } else if (name == "explain" && k == "explain" && e.isDocument()) {
            auto inner = original.find("explain");
            v = canonical(e.document(),
                          inner && inner->isDocument() ? inner->document() : bson::View(), false);
        } else {
            v = canonicalValue(e);
        }
        std::string field = std::string(k) + "=" + v;
        if (first) {
            fields.insert(fields.begin(), "#" + field);  // the command name stays first
        } else {
            fields.push_back(field);
        }
        first = false;
    }
    if (!fields.empty()) std::sort(fields.begin() + 1, fields.end());
    std::string out = "{";
    for (const auto& f : fields) out += f + "\n";
    return out + "}";
}

size_t countMarkings(bson::View d) {
    size_t n = 0;
    for (auto e : d) {
        if (e.type() == BSON_TYPE_BINARY && e.binary().subtype == BSON_SUBTYPE_ENCRYPTED) ++n;
        if (e.isDocument() || e.isArray()) n += countMarkings(e.document());
    }
    return n;
}

}  // namespace

std::vector<uint8_t> markingBytes(int algorithm, const std::array<uint8_t, 16>* keyUuid,
                                  const std::string& keyAltName, const bson_value_t* value) {
    bson::Builder m;
    m.appendInt32("a", algorithm);
    if (keyUuid != nullptr) {
        m.appendBinary("ki", BSON_SUBTYPE_UUID, keyUuid->data(), 16);
    } else {
        m.appendUtf8("ka", keyAltName);
    }
    m.appendValue("v", value);
    bson::Doc d = m.finish();
    // Sized once and copied in: GCC 12 -O2 reported a false -Warray-bounds for {0} + insert.
    std::vector<uint8_t> out(1 + size_t{d.size()}, 0);
    std::memcpy(out.data() + 1, d.data(), d.size());
    return out;
}

std::string InvariantChecker::canonicalCommand(bson::View result, bson::View original) {
    return canonical(result, original, true);
}

std::vector<std::string> InvariantChecker::mustReject(bson::View command) const {
    Expecter x(model_);
    x.command(command, true);
    return x.reasons;
}

std::vector<Violation> InvariantChecker::check(bson::View command, bson::View reply) const {
    std::vector<Violation> out;
    auto result = reply.find("result");
    if (!result || !result->isDocument()) {
        out.push_back({"the reply has no result document", "", reply.toJson()});
        return out;
    }
    Expecter x(model_);
    bson::Doc expected = x.command(command, true);
    for (const auto& r : x.reasons) {
        out.push_back({"accepted although " + r, "", ""});
    }
    std::string e = canonicalCommand(expected.view(), command);
    std::string a = canonicalCommand(result->document(), command);
    if (e != a) {
        bool plaintext = countMarkings(result->document()) < countMarkings(expected.view());
        out.push_back({plaintext ? "PLAINTEXT: fewer markings than due (values went out unmarked)"
                                 : "the result differs from the command with markings where due",
                       e, a});
    }
    auto has = reply.find("hasEncryptionPlaceholders");
    bool marked = countMarkings(result->document()) > 0;
    if (!has || !has->isBool() || has->boolean() != marked) {
        out.push_back(
            {std::string("hasEncryptionPlaceholders is not ") + (marked ? "true" : "false"), "",
             reply.toJson()});
    }
    auto req = reply.find("schemaRequiresEncryption");
    if (!req || !req->isBool() || req->boolean() != model_.requiresEncryption()) {
        out.push_back({std::string("schemaRequiresEncryption is not ") +
                           (model_.requiresEncryption() ? "true" : "false"),
                       "", ""});
    }
    return out;
}

}  // namespace cryptd::test::invariant
