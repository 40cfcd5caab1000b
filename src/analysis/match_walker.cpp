#include "analysis/match_walker.h"

#include <cstring>
#include <string>

#include "analysis/encrypted_value.h"
#include "analysis/expression_refs.h"
#include "analysis/match_operators.h"
#include "common/error.h"

namespace cryptd::analysis {

using Kind = schema::PathInfo::Kind;

namespace {

constexpr int kMaxDepth = 100;  // MongoDB's own limit on match-expression nesting

bool startsWithDollar(std::string_view s) {
    return !s.empty() && s.front() == '$';
}

// The first key of a document, read in place (after the length and the first type byte) rather
// than through an iterator: asked twice for every predicate. Empty when there is none.
std::string_view firstKey(bson::View v) {
    if (v.empty()) return {};
    const char* key = reinterpret_cast<const char*>(v.data()) + 5;
    const void* end = std::memchr(key, 0, v.size() - 5);  // a validated document has it
    return end ? std::string_view(key, static_cast<const char*>(end) - key) : std::string_view();
}

// {$op: ..} is an operator object; a DBRef ({$ref, $id, $db}) is a plain value.
bool isOperatorObject(bson::View v) {
    std::string_view key = firstKey(v);
    return startsWithDollar(key) && key != "$ref" && key != "$id" && key != "$db";
}

bool isAttached(const PathOperator* op) {
    return op && op->kind == PathOpKind::Attached;
}

// One pass over an operator object: the number of predicates it holds (an attached operator is
// written with its owner, not counted) and the check that every attached operator has its owner:
// $options needs $regex, $minDistance/$maxDistance need $near, $nearSphere or $geoNear.
size_t checkOperatorObject(bson::View ops) {
    bool regex = false, options = false, near = false, distance = false;
    size_t predicates = 0;
    for (bson::Element op : ops) {
        std::string_view key = op.key();
        const PathOperator* entry = findPathOperator(key);
        if (isAttached(entry)) {
            (key == "$options" ? options : distance) = true;
            continue;
        }
        if (entry) {
            regex = regex || entry->kind == PathOpKind::Regex;
            near = near || entry->kind == PathOpKind::Near;
        }
        ++predicates;
    }
    if (options && !regex) fail(ErrorCode::BadValue, "$options needs a $regex");
    if (distance && !near) {
        fail(ErrorCode::BadValue, "$minDistance and $maxDistance need $near or $nearSphere");
    }
    return predicates;
}

// Checked before anything is written, so a malformed operator object anywhere in the filter is
// reported the same way whatever precedes it.
size_t countPredicates(bson::View filter) {
    size_t n = 0;
    for (bson::Element e : filter) {
        if (!startsWithDollar(e.key()) && e.isDocument() && isOperatorObject(e.document())) {
            n += checkOperatorObject(e.document());
        } else {
            ++n;
        }
    }
    return n;
}

std::string onPath(const FieldPath& path) {
    return " (field " + quoted(path) + ")";
}

[[noreturn]] void failBelowEncrypted(const FieldPath& path, const schema::PathInfo& info) {
    fail(ErrorCode::BadValue, "Cannot query on a path below an encrypted field: " + quoted(path) +
                                  " is inside encrypted field '" +
                                  path.prefix(info.encryptedPrefixLength).dotted() + "'");
}

[[noreturn]] void failStoredComparison(const FieldPath& path) {
    fail(ErrorCode::BadValue,
         "Comparison to encrypted fields not supported in a validator or partialFilterExpression" +
             onPath(path));
}

// An object compared where the schema has encrypted fields below: it would be matched against
// their ciphertexts with plaintext inside.
[[noreturn]] void failObjectComparison(const FieldPath& path, std::string_view prefix) {
    fail(ErrorCode::BadValue,
         std::string(prefix) +
             "Cannot compare to an object on a field that contains encrypted fields" +
             onPath(path));
}

}  // namespace

// Writes predicates either straight into a document (one predicate) or as the entries of a
// `$and` array (several), so a filter is walked once with no intermediate tree.
class MatchWalker::Sink {
  public:
    Sink(bson::Builder& out, bool array) : out_(out), array_(array) {}
    template <typename Fill>
    void emit(Fill&& fill) {
        if (!array_) {
            fill(out_);
            return;
        }
        char buf[16];
        out_.appendDocument(bson::arrayKey(index_++, buf), std::forward<Fill>(fill));
    }

  private:
    bson::Builder& out_;
    bool array_;
    uint32_t index_ = 0;
};

void MatchWalker::enterNested() {
    if (++depth_ > kMaxDepth) {
        fail(ErrorCode::BadValue, "exceeded depth limit of 100 when parsing a filter");
    }
}

schema::PathInfo MatchWalker::resolve(const FieldPath& path) const {
    if (elemMatchDepth_ > 0) return {};  // only reached under a path with nothing encrypted
    return ctx_.schema.resolve(path);
}

void MatchWalker::appendFilter(bson::Builder& out, std::string_view key, bson::View filter) {
    out.appendDocument(key, [&](bson::Builder& sub) { writeFilter(sub, filter); });
}

void MatchWalker::writeFilter(bson::Builder& out, bson::View filter) {
    enterNested();
    size_t n = countPredicates(filter);
    if (n == 1) {
        Sink sink(out, false);
        writePredicates(sink, filter);
    } else if (n > 1) {
        out.appendArray("$and", [&](bson::Builder& arr) {
            Sink sink(arr, true);
            writePredicates(sink, filter);
        });
    }
    --depth_;
}

void MatchWalker::writePredicates(Sink& sink, bson::View filter) {
    for (bson::Element e : filter) {
        if (startsWithDollar(e.key())) {
            writeTopLevel(sink, e);
        } else {
            writePathPredicates(sink, e);
        }
    }
}

void MatchWalker::writeTopLevel(Sink& sink, const bson::Element& e) {
    const TopOperator* op = findTopOperator(e.key());
    if (!op) fail(ErrorCode::BadValue, "unknown top level operator: " + std::string(e.key()));
    switch (op->kind) {
        case TopOpKind::Logical: {
            if (!e.isArray() || e.document().empty()) {
                fail(ErrorCode::BadValue, std::string(e.key()) + " must be a nonempty array");
            }
            for (bson::Element entry : e.document()) {
                if (!entry.isDocument()) {
                    fail(ErrorCode::BadValue,
                         std::string(e.key()) + " argument's entries must be objects");
                }
            }
            sink.emit([&](bson::Builder& b) {
                b.appendArray(e.key(), [&](bson::Builder& arr) {
                    for (bson::Element entry : e.document()) {
                        arr.appendDocument(entry.key(), [&](bson::Builder& child) {
                            writeFilter(child, entry.document());
                        });
                    }
                });
            });
            return;
        }
        case TopOpKind::Expr:
            // Queries: the aggregation expression rules (constants compared to deterministic
            // fields marked). Stored filters are evaluated on ciphertext: nothing encrypted may
            // be read. Under $elemMatch too: an expression's field paths start at the root.
            if (elemMatchDepth_ == 0 && ctx_.expressions && mode_ == MatchMode::Query) {
                sink.emit([&](bson::Builder& b) { ctx_.expressions->writeMatchExpr(ctx_, b, e); });
                return;
            }
            checkExpressionReadsNoEncryptedField(ctx_.schema, e, "$expr");
            break;
        case TopOpKind::Unsupported:
            if (ctx_.schema.requiresEncryption()) {
                failUnsupportedMatchOperator(e.key());
            }
            break;
        case TopOpKind::JsonSchema:
            if (mode_ == MatchMode::StoredOnServer) {
                if (!e.isDocument()) fail(ErrorCode::TypeMismatch, "$jsonSchema must be an object");
                // A validator's schema must itself follow the encryption-schema rules.
                schema::EncryptionSchema::parse(e.document(), true);
            } else if (ctx_.schema.requiresEncryption()) {
                failUnsupportedMatchOperator("$jsonSchema");
            }
            break;
        case TopOpKind::Inert:
            break;
    }
    sink.emit([&](bson::Builder& b) { b.append(e); });
}

void MatchWalker::writePathPredicates(Sink& sink, const bson::Element& e) {
    FieldPath path = FieldPath::parse(e.key());
    schema::PathInfo info = resolve(path);
    if (e.isDocument() && isOperatorObject(e.document())) {
        bson::View ops = e.document();
        for (bson::Element op : ops) {
            const PathOperator* entry = findPathOperator(op.key());
            if (isAttached(entry)) continue;  // written with the operator it belongs to
            sink.emit([&](bson::Builder& b) {
                b.appendDocument(e.key(), [&](bson::Builder& f) {
                    writeOperator(f, path, info, op, entry, ops);
                });
            });
        }
        return;
    }
    if (e.type() == BSON_TYPE_REGEX) {
        // {a: /x/} is a regex predicate, not an equality.
        if (info.kind == Kind::BelowEncrypted) failBelowEncrypted(path, info);
        if (info.kind == Kind::Encrypted) {
            requireQuery(path, *info.encryption, schema::QueryKind::Other, "$regex");
        }
        sink.emit([&](bson::Builder& b) {
            b.appendDocument(e.key(), [&](bson::Builder& f) { writeRegex(f, e, bson::View()); });
        });
        return;
    }
    sink.emit([&](bson::Builder& b) {
        b.appendDocument(e.key(),
                         [&](bson::Builder& f) { writeEquality(f, "$eq", path, info, e); });
    });
}

void MatchWalker::writeOperator(bson::Builder& f, const FieldPath& path,
                                const schema::PathInfo& info, const bson::Element& op,
                                const PathOperator* entry, bson::View siblings) {
    if (!entry) fail(ErrorCode::BadValue, "unknown operator: " + std::string(op.key()));
    PathOpKind kind = entry->kind;

    // The schema's verdict on this path, before the operator's own form is looked at.
    if (info.kind == Kind::BelowEncrypted) failBelowEncrypted(path, info);
    if (info.kind == Kind::Encrypted && entry->needs) {
        if (mode_ == MatchMode::StoredOnServer) {
            failStoredComparison(path);
        }
        // Only Equality is served today (CSFLE), and its operators are the ones marked below.
        requireQuery(path, *info.encryption, *entry->needs, op.key());
    }
    if (info.kind == Kind::PrefixOfEncrypted) {
        if (kind == PathOpKind::ElemMatch) {
            fail(ErrorCode::BadValue,
                 "$elemMatch is not supported on a field that contains "
                 "encrypted fields" +
                     onPath(path));
        }
        if (kind != PathOpKind::Not && containsDocument(op)) {
            failObjectComparison(path, mode_ == MatchMode::StoredOnServer
                                           ? "Comparison to encrypted fields not supported: "
                                           : "");
        }
    }

    switch (kind) {
        case PathOpKind::Eq:
            writeEquality(f, "$eq", path, info, op);
            return;
        case PathOpKind::Ne:
            f.appendDocument("$not",
                             [&](bson::Builder& n) { writeEquality(n, "$eq", path, info, op); });
            return;
        case PathOpKind::In:
            writeIn(f, "$in", path, info, op);
            return;
        case PathOpKind::Nin:
            f.appendDocument("$not", [&](bson::Builder& n) { writeIn(n, "$in", path, info, op); });
            return;
        case PathOpKind::Not: {
            if (op.type() == BSON_TYPE_REGEX) {
                if (info.kind == Kind::Encrypted) {
                    requireQuery(path, *info.encryption, schema::QueryKind::Other, "$regex");
                }
                f.appendDocument("$not",
                                 [&](bson::Builder& n) { writeRegex(n, op, bson::View()); });
                return;
            }
            if (!op.isDocument()) fail(ErrorCode::BadValue, "$not needs a regex or a document");
            bson::View inner = op.document();
            if (inner.empty()) fail(ErrorCode::BadValue, "$not cannot be empty");
            if (!isOperatorObject(inner)) {
                fail(ErrorCode::BadValue, "$not needs an operator object, e.g. {$not: {$eq: 1}}");
            }
            checkOperatorObject(inner);
            enterNested();
            f.appendDocument("$not", [&](bson::Builder& n) {
                for (bson::Element innerOp : inner) {
                    const PathOperator* innerEntry = findPathOperator(innerOp.key());
                    if (!isAttached(innerEntry)) {
                        writeOperator(n, path, info, innerOp, innerEntry, inner);
                    }
                }
            });
            --depth_;
            return;
        }
        case PathOpKind::ElemMatch:
            writeElemMatch(f, op);
            return;
        case PathOpKind::Regex:
            writeRegex(f, op, siblings);
            return;
        case PathOpKind::Near:
            f.append(op);
            for (bson::Element s : siblings) {
                if (s.key() == "$minDistance" || s.key() == "$maxDistance") f.append(s);
            }
            return;
        case PathOpKind::Attached:
            return;  // written by its owner
        case PathOpKind::Exists:
        case PathOpKind::Comparison:
            f.append(op);
            return;
    }
}

void MatchWalker::writeEquality(bson::Builder& f, std::string_view name, const FieldPath& path,
                                const schema::PathInfo& info, const bson::Element& operand) {
    if (info.kind == Kind::Encrypted) {
        if (mode_ == MatchMode::StoredOnServer) {
            failStoredComparison(path);
        }
        appendQueryMarking(ctx_, f, name, path, *info.encryption, operand, QueryOperand::Equality);
        return;
    }
    if (info.kind == Kind::BelowEncrypted) failBelowEncrypted(path, info);
    if (info.kind == Kind::PrefixOfEncrypted && containsDocument(operand)) {
        failObjectComparison(path, "");
    }
    f.append(name, operand);
}

void MatchWalker::writeIn(bson::Builder& f, std::string_view name, const FieldPath& path,
                          const schema::PathInfo& info, const bson::Element& operand) {
    if (!operand.isArray()) fail(ErrorCode::BadValue, "$in needs an array" + onPath(path));
    if (info.kind != Kind::Encrypted) {
        f.append(name, operand);
        return;
    }
    f.appendArray(name, [&](bson::Builder& arr) {
        for (bson::Element v : operand.document()) {
            appendQueryMarking(ctx_, arr, v.key(), path, *info.encryption, v,
                               QueryOperand::InElement);
        }
    });
}

void MatchWalker::writeRegex(bson::Builder& f, const bson::Element& regex, bson::View siblings) {
    std::string pattern, options;
    if (regex.type() == BSON_TYPE_REGEX) {
        const bson::Element::Regex r = regex.regex();
        pattern = r.pattern;
        options = r.options;
    } else if (regex.isString()) {
        pattern = regex.utf8();
    } else {
        fail(ErrorCode::BadValue, "$regex has to be a string");
    }
    if (auto o = siblings.find("$options")) {
        if (!o->isString()) fail(ErrorCode::BadValue, "$options has to be a string");
        if (!options.empty() && !o->utf8().empty()) {
            fail(ErrorCode::BadValue, "options set in both $regex and $options");
        }
        if (options.empty()) options = o->utf8();
    }
    f.appendUtf8("$regex", pattern);
    if (!options.empty()) f.appendUtf8("$options", options);
}

void MatchWalker::writeElemMatch(bson::Builder& f, const bson::Element& op) {
    if (!op.isDocument()) fail(ErrorCode::BadValue, "$elemMatch needs an Object");
    bson::View inner = op.document();
    enterNested();
    ++elemMatchDepth_;
    bool valueForm = isOperatorObject(inner) && !findTopOperator(firstKey(inner));
    f.appendDocument("$elemMatch", [&](bson::Builder& m) {
        if (valueForm) {
            checkOperatorObject(inner);
            // {$elemMatch: {$gt: 1, $lt: 5}}: all operators apply to the same element together.
            FieldPath self = FieldPath::parse("$elem");
            for (bson::Element innerOp : inner) {
                const PathOperator* innerEntry = findPathOperator(innerOp.key());
                if (!isAttached(innerEntry)) writeOperator(m, self, {}, innerOp, innerEntry, inner);
            }
        } else {
            writeFilter(m, inner);
        }
    });
    --elemMatchDepth_;
    --depth_;
}

}  // namespace cryptd::analysis
