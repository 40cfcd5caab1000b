// Stages that reshape documents: $project, $addFields/$set, $unset, $replaceRoot/$replaceWith,
// $unwind. Each derives the output schema from the input one: included fields keep their
// encryption, excluded ones go, computed ones take the shape of their expression.
#include <deque>
#include <memory>
#include <unordered_map>

#include "analysis/encrypted_value.h"
#include "analysis/stages/stages.h"
#include "common/error.h"

namespace cryptd::analysis::stages {

using schema::SchemaNode;

namespace {

// A projection or $addFields specification as a tree of field names ("a.b" and {a: {b: ..}}
// are the same entry).
struct Spec;
struct Entry {
    enum class Kind { Include, Exclude, Computed, Nested } kind;
    Shape shape;                   // Computed
    std::unique_ptr<Spec> nested;  // Nested
};
struct Spec {
    std::deque<std::pair<std::string, Entry>> fields;     // in order; stable addresses
    std::unordered_map<std::string_view, Entry*> byName;  // wide specs stay O(fields)
    Entry* find(std::string_view name) {
        auto it = byName.find(name);
        return it == byName.end() ? nullptr : it->second;
    }
    Entry& add(std::string_view name, Entry e) {
        auto& [n, entry] = fields.emplace_back(std::string(name), std::move(e));
        byName.emplace(n, &entry);
        return entry;
    }
};

[[noreturn]] void failCollision(std::string_view stage, const FieldPath& path) {
    failStage(stage, "Path collision at " + path.dotted());
}

// The nested spec at `path` (created on the way); `path` must not cross a leaf entry. `full` is
// the path being added, for the message.
Spec& nestedAt(Spec& root, const FieldPath& path, std::string_view stage, const FieldPath& full) {
    Spec* node = &root;
    for (const auto& part : path.parts()) {
        Entry* e = node->find(part);
        if (!e) {
            e = &node->add(part, Entry{Entry::Kind::Nested, {}, std::make_unique<Spec>()});
        } else if (e->kind != Entry::Kind::Nested) {
            failCollision(stage, full);
        }
        node = e->nested.get();
    }
    return *node;
}

void addLeaf(Spec& root, const FieldPath& path, Entry entry, std::string_view stage) {
    Spec& parent = nestedAt(root, path.prefix(path.size() - 1), stage, path);
    if (parent.find(path.back())) failCollision(stage, path);
    parent.add(path.back(), std::move(entry));
}

bool isNestedSpec(const bson::Element& f) {
    return f.isDocument() && !f.document().empty() && (*f.document().begin()).key().front() != '$';
}

// Parses `spec` into `tree` under `prefix`, writing it (computed values with markings) to `out`.
void parseSpec(StageInput& in, ExpressionAnalyzer& a, bson::Builder& out, bson::View spec,
               Spec& tree, const FieldPath& prefix, bool isProject) {
    std::string stage = in.name();
    if (prefix.size() > SchemaArena::kMaxPathParts) {
        failStage(stage, "the specification is nested too deeply");
    }
    for (bson::Element f : spec) {
        std::string_view key = f.key();
        if (key.empty() || key.front() == '$') {
            failStage(stage,
                      "FieldPath field names may not start with '$': '" + std::string(key) + "'");
        }
        FieldPath path = prefix;
        FieldPath relative = FieldPath::parse(key);
        for (const auto& part : relative.parts()) path.push(part);
        if (isProject && (f.isNumber() || f.isBool())) {
            addLeaf(tree, path,
                    Entry{f.truthy() ? Entry::Kind::Include : Entry::Kind::Exclude, {}, {}}, stage);
            out.append(f);
        } else if (isNestedSpec(f)) {
            nestedAt(tree, path, stage, path);
            out.appendDocument(key, [&](bson::Builder& sub) {
                parseSpec(in, a, sub, f.document(), tree, path, isProject);
            });
        } else if (isProject && f.isDocument() && f.document().empty()) {
            failStage(stage,
                      "An empty sub-projection is not a valid value. Found empty object at path " +
                          path.dotted());
        } else {
            addLeaf(tree, path, Entry{Entry::Kind::Computed, a.write(out, key, f), {}}, stage);
        }
    }
}

// Walks the tree: `fn(path, entry)` for every leaf.
template <typename Fn>
void forEachLeaf(Spec& spec, FieldPath& path, Fn&& fn) {
    for (auto& [name, entry] : spec.fields) {
        PathScope scope(path, name);
        if (entry.kind == Entry::Kind::Nested) {
            forEachLeaf(*entry.nested, path, fn);
        } else {
            fn(path, entry);
        }
    }
}

// Inclusion projection: only the named fields survive; `_id` unless excluded.
const SchemaNode* includeNode(SchemaArena& arena, const SchemaNode* old, Spec& spec, bool top) {
    if (old && !isUnknown(old) && old->encryption()) old = nullptr;  // a ciphertext has no fields
    bool array = isArrayOfDocuments(old);
    std::vector<std::pair<std::string, const SchemaNode*>> fields;
    for (auto& [name, entry] : spec.fields) {
        switch (entry.kind) {
            case Entry::Kind::Include:
                fields.emplace_back(name, childOrUnknown(old, name));
                break;
            case Entry::Kind::Exclude:
                break;
            case Entry::Kind::Computed:
                fields.emplace_back(name, nodeForShape(arena, entry.shape));
                break;
            case Entry::Kind::Nested:
                fields.emplace_back(
                    name, includeNode(arena, childOrUnknown(old, name), *entry.nested, false));
                break;
        }
    }
    if (top && !spec.find("_id")) fields.emplace_back("_id", childOrUnknown(old, "_id"));
    return arena.document(nullptr, true, std::move(fields), array);
}

}  // namespace

const SchemaNode* project(StageInput& in, bson::Builder& stage) {
    if (!in.spec.isDocument()) {
        fail(ErrorCode::TypeMismatch,
             "$project specification must be an object, found " + std::string(in.spec.typeName()));
    }
    if (in.spec.document().empty()) failStage("$project", "requires at least one output field");
    ExpressionAnalyzer a = in.walker.expressions(in.root);
    Spec tree;
    stage.appendDocument(in.spec.key(), [&](bson::Builder& out) {
        parseSpec(in, a, out, in.spec.document(), tree, FieldPath(), true);
    });

    // Inclusion or exclusion: `_id` may go either way in both.
    std::optional<std::string> included, excluded;
    FieldPath path;
    forEachLeaf(tree, path, [&](const FieldPath& p, Entry& e) {
        if (p.size() == 1 && p[0] == "_id") return;
        if (e.kind == Entry::Kind::Exclude) {
            if (!excluded) excluded = p.dotted();
        } else if (!included) {
            included = p.dotted();
        }
    });
    if (included && excluded) {
        failStage("$project",
                  "Cannot do exclusion on field " + *excluded + " in inclusion projection");
    }
    const Entry* id = tree.find("_id");
    bool exclusion = excluded || (!included && id && id->kind == Entry::Kind::Exclude);
    if (!exclusion) return includeNode(in.arena(), in.root, tree, true);

    const SchemaNode* out = in.root;
    forEachLeaf(tree, path, [&](const FieldPath& p, Entry& e) {
        if (e.kind == Entry::Kind::Exclude) out = in.arena().remove(out, p);
    });
    return out;
}

// $addFields / $set: every value is an expression over the input document; fields are then set
// (dotted paths and embedded documents merge into existing documents).
const SchemaNode* addFields(StageInput& in, bson::Builder& stage) {
    if (!in.spec.isDocument()) {
        fail(ErrorCode::TypeMismatch, in.name() + " specification must be an object, found " +
                                          std::string(in.spec.typeName()));
    }
    ExpressionAnalyzer a = in.walker.expressions(in.root);
    Spec tree;
    stage.appendDocument(in.spec.key(), [&](bson::Builder& out) {
        parseSpec(in, a, out, in.spec.document(), tree, FieldPath(), false);
    });
    const SchemaNode* out = in.root;
    FieldPath path;
    forEachLeaf(tree, path, [&](const FieldPath& p, Entry& e) {
        out = in.arena().set(out, p, nodeForShape(in.arena(), e.shape));
    });
    return out;
}

const SchemaNode* unset(StageInput& in, bson::Builder& stage) {
    std::vector<FieldPath> paths;
    auto add = [&](const bson::Element& e) {
        if (!e.isString())
            failStage("$unset", "specification must be a string or an array of strings");
        paths.push_back(stagePath(e, "$unset", "field", false));
    };
    if (in.spec.isArray()) {
        for (bson::Element e : in.spec.document()) add(e);
        if (paths.empty()) failStage("$unset", "specification must be a non-empty array");
    } else {
        add(in.spec);
    }
    stage.append(in.spec);
    const SchemaNode* out = in.root;
    for (const FieldPath& p : paths) out = in.arena().remove(out, p);
    return out;
}

namespace {

const SchemaNode* newRoot(StageInput& in, const Shape& s) {
    switch (s.kind) {
        case Shape::Kind::Document:
            return s.node;
        case Shape::Kind::Unknown:
            return in.arena().unknown(s.why);
        case Shape::Kind::Encrypted:
            failStage(in.name(), "the new root cannot be " + describeShape(s) +
                                     ": an encrypted value is not a document");
        case Shape::Kind::Missing:
            failStage(in.name(), "the new root cannot be $$REMOVE");
        case Shape::Kind::Plain:
        case Shape::Kind::Constant:
            break;
    }
    return nullptr;
}

}  // namespace

const SchemaNode* replaceRoot(StageInput& in, bson::Builder& stage) {
    if (!in.spec.isDocument()) failStage("$replaceRoot", "specification must be an object");
    auto nr = in.spec.document().find("newRoot");
    if (!nr) failStage("$replaceRoot", "no newRoot specified");
    for (bson::Element f : in.spec.document()) {
        if (f.key() != "newRoot") {
            failStage("$replaceRoot",
                      "unrecognized option to $replaceRoot stage: " + std::string(f.key()));
        }
    }
    Shape s;
    stage.appendDocument(in.spec.key(), [&](bson::Builder& out) {
        s = in.walker.expressions(in.root).write(out, "newRoot", *nr);
    });
    return newRoot(in, s);
}

const SchemaNode* replaceWith(StageInput& in, bson::Builder& stage) {
    Shape s = in.walker.expressions(in.root).write(stage, in.spec.key(), in.spec);
    return newRoot(in, s);
}

// $unwind: an array of ciphertexts built by $push/$addToSet unwinds into single ciphertexts; an
// encrypted field is one ciphertext, whose array (if any) the server cannot see.
const SchemaNode* unwind(StageInput& in, bson::Builder& stage) {
    std::optional<bson::Element> pathE, indexE;
    if (in.spec.isString()) {
        pathE = in.spec;
    } else if (in.spec.isDocument()) {
        for (bson::Element f : in.spec.document()) {
            if (f.key() == "path") {
                pathE = f;
            } else if (f.key() == "includeArrayIndex") {
                indexE = f;
            } else if (f.key() == "preserveNullAndEmptyArrays") {
                if (!f.isBool()) failStage("$unwind", "preserveNullAndEmptyArrays must be a bool");
            } else {
                failStage("$unwind", "unrecognized option '" + std::string(f.key()) + "'");
            }
        }
        if (!pathE) failStage("$unwind", "no path specified");
    } else {
        failStage("$unwind", "expected a string or an object as specification, found " +
                                 std::string(in.spec.typeName()));
    }
    FieldPath path = stagePath(*pathE, "$unwind", "path", true);
    Shape s = in.walker.expressions(in.root).shapeOfPath(path.dotted());
    const SchemaNode* out = in.root;
    if (s.kind == Shape::Kind::Encrypted) {
        if (!s.elementwise) {
            failStage("$unwind", "cannot unwind encrypted field " + quoted(path) +
                                     ": it is one encrypted value, so an array inside it cannot "
                                     "be unwound on the server");
        }
        out = in.arena().set(out, path, in.arena().encrypted(s.encryption, false));
    } else if (s.kind == Shape::Kind::Document && isArrayOfDocuments(s.node)) {
        out = in.arena().set(out, path, asDerived(s.node)->base());  // each document alone
    }
    if (indexE)
        out =
            in.arena().set(out, stagePath(*indexE, "$unwind", "includeArrayIndex", false), nullptr);
    stage.append(in.spec);
    return out;
}

}  // namespace cryptd::analysis::stages
