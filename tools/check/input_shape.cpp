#include "check/input_shape.h"

#include <algorithm>

namespace cryptd::check {

namespace {

void addProblem(SplitInput& out, Segments where, std::string ns, std::string_view rule,
                std::string message, std::string hint) {
    Diagnostic d;
    d.ns = std::move(ns);
    d.rule = std::string(rule);
    d.source = Source::kChecker;
    d.errmsg = d.message = std::move(message);
    d.hint = std::move(hint);
    out.problems.push_back(std::move(d));
    out.problemPaths.push_back(std::move(where));
}

// "db.coll": a database name without the characters MongoDB forbids, and a collection name.
bool isNamespace(std::string_view ns) {
    auto dot = ns.find('.');
    if (dot == std::string_view::npos || dot == 0 || dot + 1 == ns.size()) return false;
    return ns.substr(0, dot).find_first_of(std::string_view("/\\ \"$\0", 6)) ==
           std::string_view::npos;
}

void splitSchemaMap(bson::View root, SplitInput& out) {
    out.shape = Shape::kSchemaMap;
    std::vector<std::string_view> seen;
    for (auto e : root) {
        std::string ns(e.key());
        Segments where{ns};
        if (!isNamespace(ns)) {
            addProblem(out, where, ns, "bad-namespace",
                       "schemaMap key '" + ns + "' is not a namespace \"<db>.<collection>\"",
                       "a schemaMap maps \"db.collection\" to that collection's $jsonSchema; "
                       "a key without its database never matches a command");
            continue;
        }
        if (std::find(seen.begin(), seen.end(), e.key()) != seen.end()) {
            addProblem(out, where, ns, "duplicate-namespace",
                       "schemaMap namespace '" + ns + "' appears more than once",
                       "drivers use the first entry only: merge the schemas into one");
            continue;
        }
        seen.push_back(e.key());
        if (!e.isDocument()) {
            addProblem(
                out, where, ns, "schema-not-object",
                "the schema for '" + ns + "' is " + std::string(e.typeName()) + ", not an object",
                "a schemaMap value is a $jsonSchema object");
            continue;
        }
        out.units.push_back(SchemaUnit{ns, where, e.document(), false, false});
    }
}

// {"$jsonSchema": ...} at `validator` (a validator document) located at `base`.
void splitValidator(bson::View validator, Segments base, std::string ns, SplitInput& out) {
    out.shape = Shape::kCollectionOptions;
    std::optional<bson::Element> schema;
    bool siblings = false;
    for (auto e : validator) {
        if (e.key() == "$jsonSchema" && !schema) {
            schema = e;
        } else {
            siblings = true;
        }
    }
    if (!schema) return;  // a validator without $jsonSchema: nothing is encrypted
    base.emplace_back("$jsonSchema");
    if (!schema->isDocument()) {
        addProblem(out, base, ns, "schema-not-object",
                   "$jsonSchema is " + std::string(schema->typeName()) + ", not an object",
                   "the validator's $jsonSchema is an object");
        return;
    }
    out.units.push_back(SchemaUnit{ns, base, schema->document(), true, siblings});
}

}  // namespace

std::string_view shapeName(Shape shape) {
    switch (shape) {
        case Shape::kSchemaMap:
            return "schemaMap";
        case Shape::kJsonSchema:
            return "$jsonSchema";
        case Shape::kCollectionOptions:
            return "collection options";
    }
    return "";
}

SplitInput splitInput(bson::View root, const ShapeOptions& options) {
    SplitInput out;
    auto stringField = [&](bson::View doc, std::string_view key) -> std::string {
        auto e = doc.find(key);
        return e && e->isString() ? std::string(e->utf8()) : std::string();
    };
    auto nsOr = [&](std::string fallback) { return options.ns ? *options.ns : fallback; };

    if (auto validator = root.find("validator")) {
        // Collection options, or a create/collMod command carrying them.
        std::string coll = stringField(root, "create");
        if (coll.empty()) coll = stringField(root, "collMod");
        if (!validator->isDocument()) {
            addProblem(out, {"validator"}, nsOr(coll), "schema-not-object",
                       "validator is " + std::string(validator->typeName()) + ", not an object",
                       "collection options hold {\"validator\": {\"$jsonSchema\": {...}}}");
            out.shape = Shape::kCollectionOptions;
            return out;
        }
        splitValidator(validator->document(), {"validator"}, nsOr(coll), out);
        return out;
    }
    if (auto opts = root.find("options"); opts && opts->isDocument()) {
        if (auto validator = opts->document().find("validator"); validator) {
            std::string ns = nsOr(stringField(root, "name"));
            out.shape = Shape::kCollectionOptions;
            if (!validator->isDocument()) {
                addProblem(out, {"options", "validator"}, ns, "schema-not-object",
                           "validator is " + std::string(validator->typeName()) + ", not an object",
                           "collection options hold {\"validator\": {\"$jsonSchema\": {...}}}");
                return out;
            }
            splitValidator(validator->document(), {"options", "validator"}, ns, out);
            return out;
        }
    }
    if (root.find("$jsonSchema")) {
        splitValidator(root, {}, nsOr(""), out);
        return out;
    }
    for (auto e : root) {
        if (e.key().find('.') != std::string_view::npos) {
            splitSchemaMap(root, out);
            return out;
        }
    }
    out.shape = Shape::kJsonSchema;
    out.units.push_back(SchemaUnit{nsOr(""), {}, root, options.remote, false});
    return out;
}

}  // namespace cryptd::check
