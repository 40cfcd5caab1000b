#include "check/schema_path.h"

#include <string>

namespace cryptd::check {

namespace {

// What a value is in $jsonSchema structure.
enum class Role {
    kSubschema,    // a $jsonSchema (the root, a property, an items entry, ...)
    kSchemaMap,    // properties, patternProperties, dependencies: name -> subschema
    kSchemaArray,  // allOf, anyOf, oneOf, items as an array: index -> subschema
    kOther,        // encrypt, encryptMetadata, enum, ...: plain data
};

Role roleOfKeyword(std::string_view keyword, const bson::Element& value) {
    if (keyword == "properties" || keyword == "patternProperties" || keyword == "dependencies") {
        return Role::kSchemaMap;
    }
    if (keyword == "allOf" || keyword == "anyOf" || keyword == "oneOf") return Role::kSchemaArray;
    if (keyword == "items") return value.isArray() ? Role::kSchemaArray : Role::kSubschema;
    if (keyword == "additionalProperties" || keyword == "additionalItems" || keyword == "not") {
        return Role::kSubschema;
    }
    return Role::kOther;
}

Role childRole(Role parent, std::string_view key, const bson::Element& value) {
    switch (parent) {
        case Role::kSubschema:
            return roleOfKeyword(key, value);
        case Role::kSchemaMap:
        case Role::kSchemaArray:
            return Role::kSubschema;
        case Role::kOther:
            return Role::kOther;
    }
    return Role::kOther;
}

// Depth-first search for splits of `rest` matching keys below `doc`; stops after two matches.
void search(bson::View doc, std::string_view rest, Segments& current, std::vector<Segments>& full,
            Segments& deepest) {
    for (auto e : doc) {
        if (full.size() >= 2) return;
        auto key = e.key();
        if (rest.size() < key.size() || rest.substr(0, key.size()) != key) continue;
        current.emplace_back(key);
        if (current.size() > deepest.size()) deepest = current;
        if (rest.size() == key.size()) {
            // Duplicate keys name one path: count it once.
            if (full.empty() || full.back() != current) full.push_back(current);
        } else if (rest[key.size()] == '.' && (e.isDocument() || e.isArray())) {
            search(e.document(), rest.substr(key.size() + 1), current, full, deepest);
        }
        current.pop_back();
    }
}

}  // namespace

ResolvedPath resolveSchemaPath(bson::View schema, std::string_view dotted) {
    ResolvedPath out;
    if (dotted.empty() || dotted == "$jsonSchema") {
        out.exact = true;
        return out;
    }
    Segments current, deepest;
    std::vector<Segments> full;
    search(schema, dotted, current, full, deepest);
    if (!full.empty()) {
        out.segments = full.front();
        out.exact = true;
        out.ambiguous = full.size() > 1;
        return out;
    }
    out.segments = deepest;
    return out;
}

size_t innermostSubschema(bson::View schema, const Segments& segments) {
    size_t innermost = 0;
    Role role = Role::kSubschema;
    bson::View doc = schema;
    for (size_t i = 0; i < segments.size(); ++i) {
        auto e = doc.find(segments[i]);
        if (!e) break;
        role = childRole(role, segments[i], *e);
        if (role == Role::kSubschema) innermost = i + 1;
        if (!e->isDocument() && !e->isArray()) break;
        doc = e->document();
    }
    return innermost;
}

std::string dottedPath(const Segments& segments) {
    std::string out;
    for (const auto& s : segments) {
        if (!out.empty()) out += '.';
        out += s;
    }
    return out;
}

}  // namespace cryptd::check
