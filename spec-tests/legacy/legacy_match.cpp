#include "legacy_match.h"

namespace cryptd::speclegacy {

namespace {

std::string join(const std::string& base, std::string_view key) {
    return base.empty() ? std::string(key) : base + "." + std::string(key);
}

std::string show(const bson::Element& e) {
    bson::Builder b;
    b.append("v", e);
    return b.finish().toJson() + " (" + std::string(e.typeName()) + ")";
}

// The one "$$..." operator of an expected value {"$$op": arg}, if it is one.
std::optional<bson::Element> operatorOf(const bson::Element& expected) {
    if (!expected.isDocument()) return std::nullopt;
    auto d = expected.document();
    if (d.count() != 1) return std::nullopt;
    auto only = *d.begin();
    if (only.key().starts_with("$$")) return only;
    return std::nullopt;
}

bool sameBytes(const bson::Element& e, const bson::Element& a) {
    bson::Builder eb, ab;
    eb.append("", e);
    ab.append("", a);
    return eb.view() == ab.view();
}

std::optional<std::string> value(const bson::Element& e, const bson::Element& a,
                                 const std::string& path);

std::optional<std::string> typeMatch(const bson::Element& want, const bson::Element& a,
                                     const std::string& path) {
    if (want.isString()) {
        if (a.typeName() == want.utf8()) return std::nullopt;
    } else if (want.isArray()) {
        for (auto alias : want.document())
            if (alias.isString() && a.typeName() == alias.utf8()) return std::nullopt;
    } else {
        return path + ": malformed $$type in the expectation";
    }
    return path + ": expected a value of $$type " + show(want) + ", got " + show(a);
}

std::optional<std::string> document(bson::View exp, bson::View act, const std::string& path) {
    for (auto e : exp) {
        auto a = act.find(e.key());
        auto op = operatorOf(e);
        if (op && op->key() == "$$unsetOrMatches") {
            if (!a) continue;
            if (auto m = value(*op, *a, join(path, e.key()))) return m;
            continue;
        }
        if (!a) return join(path, e.key()) + ": missing field, expected " + show(e);
        if (auto m = value(e, *a, join(path, e.key()))) return m;
    }
    return std::nullopt;
}

std::optional<std::string> array(bson::View exp, bson::View act, const std::string& path) {
    if (exp.count() != act.count())
        return path + ": array length differs: expected " + std::to_string(exp.count()) + ", got " +
               std::to_string(act.count());
    auto ai = act.begin();
    size_t i = 0;
    for (auto e : exp) {
        if (auto m = value(e, *ai, join(path, std::to_string(i)))) return m;
        ++ai;
        ++i;
    }
    return std::nullopt;
}

std::optional<std::string> value(const bson::Element& e, const bson::Element& a,
                                 const std::string& path) {
    if (auto op = operatorOf(e)) {
        if (op->key() == "$$type") return typeMatch(*op, a, path);
        if (op->key() == "$$unsetOrMatches") return value(*op, a, path);
        return path + ": unknown operator " + std::string(op->key()) + " in the expectation";
    }
    if (e.isNumber() && a.isNumber()) {
        bool equal;
        if (e.type() == BSON_TYPE_DECIMAL128 || a.type() == BSON_TYPE_DECIMAL128)
            equal = sameBytes(e, a);
        else if (e.type() == BSON_TYPE_DOUBLE || a.type() == BSON_TYPE_DOUBLE)
            equal = e.asDouble() == a.asDouble();
        else
            equal = e.asInt64() == a.asInt64();
        if (equal) return std::nullopt;
        return path + ": expected " + show(e) + ", got " + show(a);
    }
    if (e.type() != a.type()) return path + ": expected " + show(e) + ", got " + show(a);
    if (e.isDocument()) return document(e.document(), a.document(), path);
    if (e.isArray()) return array(e.document(), a.document(), path);
    if (!sameBytes(e, a)) return path + ": expected " + show(e) + ", got " + show(a);
    return std::nullopt;
}

}  // namespace

std::optional<std::string> legacyMismatch(bson::View expected, bson::View actual,
                                          const std::string& path) {
    return document(expected, actual, path);
}

}  // namespace cryptd::speclegacy
