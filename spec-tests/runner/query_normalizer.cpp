#include "query_normalizer.h"

#include <set>
#include <string>
#include <vector>

namespace cryptd::spec {

namespace {

bool isOperator(std::string_view key) {
    return !key.empty() && key[0] == '$';
}

bson::Doc normalizeArray(bson::View arr);

// Normalizes the value of field `key` into `out` (recursing first, so rules apply bottom-up).
void appendNormalized(bson::Builder& out, std::string_view key, const bson::Element& e);

// {$regex: "p"[, $options: "o"]} (string pattern) -> the regex literal /p/o.
bool appendRegexOperator(bson::Builder& out, std::string_view key, bson::View value) {
    auto re = value.find("$regex");
    auto opts = value.find("$options");
    if (!re || !re->isString() || value.count() != (opts ? 2u : 1u)) return false;
    if (opts && !opts->isString()) return false;
    out.appendRegex(key, re->utf8(), opts ? opts->utf8() : std::string_view(""));
    return true;
}

// {$eq: X} alone -> X; {$ne: X} alone -> {$not: {$eq: X}}; {$nin: A} alone -> {$not: {$in: A}}.
bool appendFieldSugar(bson::Builder& out, std::string_view key, bson::View value) {
    if (appendRegexOperator(out, key, value)) return true;
    if (value.count() != 1) return false;
    auto only = *value.begin();
    if (only.key() == "$eq") {
        appendNormalized(out, key, only);
        return true;
    }
    if (only.key() == "$ne" || only.key() == "$nin") {
        std::string inner = only.key() == "$ne" ? "$eq" : "$in";
        out.appendDocument(key, [&](bson::Builder& notDoc) {
            notDoc.appendDocument("$not",
                                  [&](bson::Builder& op) { appendNormalized(op, inner, only); });
        });
        return true;
    }
    return false;
}

bson::Doc normalizeDoc(bson::View doc) {
    // First pass: normalize every value.
    bson::Builder first;
    for (auto e : doc) {
        if (!isOperator(e.key()) && e.isDocument() &&
            appendFieldSugar(first, e.key(), e.document()))
            continue;
        appendNormalized(first, e.key(), e);
    }
    bson::Doc normalized = first.finish();

    // Second pass: flatten $and whose clauses are documents with distinct keys.
    auto andElem = normalized.view().find("$and");
    if (!andElem || !andElem->isArray()) return normalized;
    std::set<std::string> keys;
    for (auto e : normalized.view())
        if (e.key() != "$and") keys.insert(std::string(e.key()));
    for (auto clause : andElem->document()) {
        if (!clause.isDocument()) return normalized;
        for (auto c : clause.document())
            if (!keys.insert(std::string(c.key())).second) return normalized;
    }
    bson::Builder flat;
    for (auto e : normalized.view()) {
        if (e.key() != "$and") {
            flat.append(e);
            continue;
        }
        for (auto clause : e.document())
            for (auto c : clause.document()) flat.append(c);
    }
    return flat.finish();
}

bson::Doc normalizeArray(bson::View arr) {
    bson::Builder out;
    for (auto e : arr) appendNormalized(out, e.key(), e);
    return out.finish();
}

void appendNormalized(bson::Builder& out, std::string_view key, const bson::Element& e) {
    if (e.isDocument()) {
        auto d = normalizeDoc(e.document());
        out.appendDocument(key, d.view());
    } else if (e.isArray()) {
        auto a = normalizeArray(e.document());
        out.appendArray(key, a.view());
    } else {
        out.append(key, e);
    }
}

}  // namespace

bson::Doc normalizeQuerySugar(bson::View doc) {
    return normalizeDoc(doc);
}

}  // namespace cryptd::spec
