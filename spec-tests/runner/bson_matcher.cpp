#include "bson_matcher.h"

#include <cstring>

#include "marking_codec.h"
#include "query_normalizer.h"

namespace cryptd::spec {

namespace {

std::string join(const std::string& base, std::string_view key) {
    return base.empty() ? std::string(key) : base + "." + std::string(key);
}

// One element rendered for a message: `"abc"` (string), 5 (int), {...} with markings decoded.
std::string show(const bson::Element& e) {
    bson::Builder b;
    b.append("v", e);
    auto doc = b.finish();
    std::string json = readableJson(doc.view());
    // json is `{ "v" : <value> }`: strip the wrapper.
    auto colon = json.find(':');
    auto end = json.rfind('}');
    if (colon == std::string::npos || end == std::string::npos || end <= colon) return json;
    std::string inner = json.substr(colon + 1, end - colon - 1);
    while (!inner.empty() && inner.front() == ' ') inner.erase(inner.begin());
    while (!inner.empty() && inner.back() == ' ') inner.pop_back();
    return inner + " (" + std::string(e.typeName()) + ")";
}

bool isMarking(const bson::Element& e) {
    return e.type() == BSON_TYPE_BINARY && e.binary().subtype == BSON_SUBTYPE_ENCRYPTED;
}

// {"$$type": ...} or {"$$exists": ...}: a one-key document whose key starts with "$$".
std::optional<bson::Element> specialMatcher(const bson::Element& expected) {
    if (!expected.isDocument()) return std::nullopt;
    auto d = expected.document();
    if (d.count() != 1) return std::nullopt;
    auto only = *d.begin();
    if (only.key() == "$$type" || only.key() == "$$exists" || only.key() == "$$optional")
        return only;
    return std::nullopt;
}

class Matcher {
  public:
    explicit Matcher(const MatchOptions& o) : opt_(o) {}

    std::optional<Mismatch> docs(bson::View exp, bson::View act, const std::string& path,
                                 bool isArray) {
        if (isArray) return arrays(exp, act, path);
        for (auto e : exp) {
            auto a = act.find(e.key());
            auto special = specialMatcher(e);
            if (special && special->key() == "$$optional") {
                if (!a) continue;
                if (auto m = values(*special, *a, join(path, e.key()))) return m;
                continue;
            }
            if (special && special->key() == "$$exists") {
                bool want = special->truthy();
                if (want != a.has_value())
                    return Mismatch{
                        join(path, e.key()),
                        want ? "missing field" : "field must be absent, got " + show(*a)};
                continue;
            }
            if (!a) return Mismatch{join(path, e.key()), "missing field, expected " + show(e)};
            if (auto m = values(e, *a, join(path, e.key()))) return m;
        }
        if (!opt_.allowExtraFields) {
            for (auto a : act)
                if (!exp.find(a.key()))
                    return Mismatch{join(path, a.key()), "unexpected field, got " + show(a)};
        }
        return std::nullopt;
    }

    std::optional<Mismatch> arrays(bson::View exp, bson::View act, const std::string& path) {
        auto ei = exp.begin();
        auto ai = act.begin();
        size_t i = 0;
        for (; ei != exp.end() && ai != act.end(); ++ei, ++ai, ++i)
            if (auto m = values(*ei, *ai, join(path, std::to_string(i)))) return m;
        if (ei != exp.end() || ai != act.end())
            return Mismatch{path, "array length differs: expected " + std::to_string(exp.count()) +
                                      ", got " + std::to_string(act.count())};
        return std::nullopt;
    }

    std::optional<Mismatch> values(const bson::Element& e, const bson::Element& a,
                                   const std::string& path) {
        if (auto special = specialMatcher(e)) {
            if (special->key() == "$$exists") return std::nullopt;  // present: enough
            if (special->key() == "$$optional") return values(*special, a, path);
            std::string want(special->isString() ? special->utf8() : "");
            if (a.typeName() != want)
                return Mismatch{path, "expected a value of type " + want + ", got " + show(a)};
            return std::nullopt;
        }
        if (isMarking(e) || isMarking(a)) return markings(e, a, path);
        if (e.isNumber() && a.isNumber()) return numbers(e, a, path);
        if (e.type() != a.type()) return Mismatch{path, "expected " + show(e) + ", got " + show(a)};
        if (e.isDocument() || e.isArray())
            return docs(e.document(), a.document(), path, e.isArray());
        if (!sameValue(e, a)) return Mismatch{path, "expected " + show(e) + ", got " + show(a)};
        return std::nullopt;
    }

  private:
    std::optional<Mismatch> markings(const bson::Element& e, const bson::Element& a,
                                     const std::string& path) {
        if (!isMarking(a))
            return Mismatch{path,
                            "expected a marking " + show(e) + ", got " + show(a) +
                                (isMarking(e) ? "  <-- PLAINTEXT WHERE A MARKING WAS DUE" : "")};
        if (!isMarking(e))
            return Mismatch{path, "expected " + show(e) + ", got a marking " + show(a)};
        auto eb = e.binary();
        auto ab = a.binary();
        auto ed = decodeMarking(eb.data, eb.len);
        auto ad = decodeMarking(ab.data, ab.len);
        if (!ed || !ad) {
            if (eb.len == ab.len && std::memcmp(eb.data, ab.data, eb.len) == 0) return std::nullopt;
            return Mismatch{path, "binary subtype 6 bytes differ (not decodable as markings)"};
        }
        if (ed->blobSubtype != ad->blobSubtype)
            return Mismatch{path, "marking first byte: expected " +
                                      std::to_string(ed->blobSubtype) + ", got " +
                                      std::to_string(ad->blobSubtype)};
        MatchOptions strict{false, true, false};
        Matcher inner(strict);
        return inner.docs(ed->payload.view(), ad->payload.view(), join(path, "$$marking"), false);
    }

    std::optional<Mismatch> numbers(const bson::Element& e, const bson::Element& a,
                                    const std::string& path) {
        if (opt_.strictNumberTypes && e.type() != a.type())
            return Mismatch{path,
                            "expected " + show(e) + ", got " + show(a) + " (number type differs)"};
        bool equal;
        if (e.type() == BSON_TYPE_DECIMAL128 || a.type() == BSON_TYPE_DECIMAL128) {
            equal = e.type() == a.type() && sameValue(e, a);
        } else if (e.type() == BSON_TYPE_DOUBLE || a.type() == BSON_TYPE_DOUBLE) {
            equal = e.asDouble() == a.asDouble();
        } else {
            equal = e.asInt64() == a.asInt64();
        }
        if (!equal) return Mismatch{path, "expected " + show(e) + ", got " + show(a)};
        return std::nullopt;
    }

    // Same type, same value bytes.
    static bool sameValue(const bson::Element& e, const bson::Element& a) {
        bson::Builder eb, ab;
        eb.append("", e);
        ab.append("", a);
        return eb.view() == ab.view();
    }

    MatchOptions opt_;
};

}  // namespace

std::optional<Mismatch> firstDifference(bson::View expected, bson::View actual,
                                        const MatchOptions& options, const std::string& basePath) {
    Matcher m(options);
    if (!options.normalizeQueries) return m.docs(expected, actual, basePath, false);
    auto e = normalizeQuerySugar(expected);
    auto a = normalizeQuerySugar(actual);
    return m.docs(e.view(), a.view(), basePath, false);
}

std::optional<Mismatch> firstDifference(const bson::Element& expected, const bson::Element& actual,
                                        const MatchOptions& options, const std::string& path) {
    bson::Builder eb, ab;
    eb.append("v", expected);
    ab.append("v", actual);
    auto e = eb.finish();
    auto a = ab.finish();
    auto m = firstDifference(e.view(), a.view(), options, "");
    if (m) {
        // Re-root "v..." on `path`.
        std::string rest = m->path.size() > 1 ? m->path.substr(1) : "";
        m->path = path + rest;
    }
    return m;
}

}  // namespace cryptd::spec
