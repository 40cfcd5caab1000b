#include "check/problem_finder.h"

#include <algorithm>
#include <exception>
#include <optional>

#include "check/schema_edit.h"
#include "common/error.h"
#include "common/field_path.h"

namespace cryptd::check {

namespace {

constexpr size_t kMaxBytesParsed = size_t{256} << 20;

bool isPrefix(const Segments& prefix, const Segments& of) {
    return prefix.size() <= of.size() && std::equal(prefix.begin(), prefix.end(), of.begin());
}

Segments append(Segments base, const std::string& part) {
    base.push_back(part);
    return base;
}

// What has been removed so far: errors that only follow from these removals are not news.
struct Removed {
    std::vector<Segments> metadata;  // subschemas whose encryptMetadata was removed
    std::vector<Segments> keywords;  // keyword paths removed from their subschema
};

SchemaProblem describe(const Error& e, bson::View schema) {
    SchemaProblem p;
    p.code = e.numericCode();
    p.codeName = std::string(e.codeName());
    p.errmsg = e.reason();
    p.message = p.errmsg;
    // The message ends with " (at <path>)". The message part may quote user text containing the
    // same marker, so take the first split whose path exists in the schema, else the last one.
    const std::string& m = p.errmsg;
    if (!m.empty() && m.back() == ')') {
        std::optional<size_t> chosen;
        for (size_t at = m.find(" (at "); at != std::string::npos; at = m.find(" (at ", at + 1)) {
            std::string_view path(m.data() + at + 5, m.size() - at - 6);
            chosen = at;
            if (resolveSchemaPath(schema, path).exact) break;
        }
        if (chosen) {
            p.schemaPath = m.substr(*chosen + 5, m.size() - *chosen - 6);
            p.message = m.substr(0, *chosen);
            if (p.schemaPath == "$jsonSchema") p.schemaPath.clear();
            p.where = resolveSchemaPath(schema, p.schemaPath);
        }
    }
    auto rule = classifyError(p.code, p.message);
    p.rule = std::string(rule.id);
    p.hint = std::move(rule.hint);
    p.lastOccurrence = p.rule == "duplicate-keyword" || p.rule == "duplicate-property";
    return p;
}

bool isArrayAt(bson::View doc, const Segments& segments) {
    for (size_t i = 0; i < segments.size(); ++i) {
        auto e = doc.find(segments[i]);
        if (!e) return false;
        if (i + 1 == segments.size()) return e->isArray();
        if (!e->isDocument() && !e->isArray()) return false;
        doc = e->document();
    }
    return false;
}

struct Fix {
    Segments target;
    EditKind kind = EditKind::kRemove;
    bool lastOccurrence = false;
};

// The smallest removal that takes this error away without hiding problems elsewhere.
std::optional<Fix> chooseFix(bson::View schema, const SchemaProblem& p, Removed& removed) {
    const Segments& segs = p.where.segments;
    size_t s = innermostSubschema(schema, segs);
    Segments sub(segs.begin(), segs.begin() + static_cast<long>(s));
    bool atSubschema = s == segs.size();
    if (atSubschema || segs[s] == "encrypt") {
        // The subschema itself is wrong, or its encryption is: drop that whole field.
        if (sub.empty()) {
            if (atSubschema) return std::nullopt;  // the root itself: nothing left to check
            return Fix{{"encrypt"}, EditKind::kRemove, false};
        }
        Segments container(sub.begin(), sub.end() - 1);
        Fix fix{sub, isArrayAt(schema, container) ? EditKind::kReplaceWithEmpty : EditKind::kRemove,
                atSubschema && p.lastOccurrence};
        return fix;
    }
    // A keyword of the subschema is wrong: drop just that keyword, keep checking the rest.
    const std::string& keyword = segs[s];
    if (keyword == "encryptMetadata") removed.metadata.push_back(sub);
    removed.keywords.push_back(append(sub, keyword));
    return Fix{append(sub, keyword), EditKind::kRemove, p.lastOccurrence && segs.size() == s + 1};
}

// True when `p` only exists because of an earlier removal.
bool consequential(bson::View schema, const SchemaProblem& p, const Removed& removed) {
    Segments sub = p.where.segments;
    sub.resize(innermostSubschema(schema, sub));
    if (p.rule == "missing-algorithm" || p.rule == "missing-keyid") {
        return std::any_of(removed.metadata.begin(), removed.metadata.end(),
                           [&](const Segments& m) { return isPrefix(m, sub); });
    }
    auto wasRemoved = [&](const std::string& keyword) {
        auto path = append(sub, keyword);
        return std::find(removed.keywords.begin(), removed.keywords.end(), path) !=
               removed.keywords.end();
    };
    if (p.rule == "metadata-needs-object") return wasRemoved("bsonType") || wasRemoved("type");
    if (p.rule == "encrypt-parent-not-object") {
        // An ancestor's bad bsonType/type was removed: the parent is untyped only because of it.
        return std::any_of(
            removed.keywords.begin(), removed.keywords.end(), [&](const Segments& k) {
                return !k.empty() && (k.back() == "bsonType" || k.back() == "type") &&
                       isPrefix(Segments(k.begin(), k.end() - 1), sub);
            });
    }
    if (p.rule == "keyword-dependency") {
        // "$jsonSchema keyword 'minimum' must be present if 'exclusiveMinimum' is present"
        auto a = p.message.find('\'');
        auto b = a == std::string::npos ? a : p.message.find('\'', a + 1);
        if (b != std::string::npos) return wasRemoved(p.message.substr(a + 1, b - a - 1));
    }
    return false;
}

}  // namespace

FinderResult findSchemaProblems(bson::View original, bool remote, size_t limit) {
    FinderResult out;
    bson::Doc current = bson::Doc::copyOf(original);
    Removed removed;
    size_t parses = 0, parsedBytes = 0;
    while (true) {
        std::optional<SchemaProblem> p;
        try {
            schema::EncryptionSchema::parse(current.view(), remote);
            return out;
        } catch (const Error& e) {
            p = describe(e, current.view());
        } catch (const std::exception& e) {
            SchemaProblem internal;
            internal.code = static_cast<int32_t>(ErrorCode::InternalError);
            internal.codeName = "InternalError";
            internal.errmsg = internal.message = e.what();
            internal.rule = std::string(kUnknownRule);
            internal.hint = "the schema layer failed unexpectedly: please report this schema";
            out.problems.push_back(std::move(internal));
            out.incomplete = true;
            return out;
        }
        // The parser's verdict on the unmodified schema is always reported.
        bool report = out.problems.empty() || !consequential(current.view(), *p, removed);
        // A suppressed problem's node is removed unseen: it may hide problems of its own.
        if (!report) out.incomplete = true;
        std::optional<Fix> fix;
        if (p->where.exact && !p->schemaPath.empty()) fix = chooseFix(current.view(), *p, removed);
        if (report) out.problems.push_back(*p);
        std::optional<bson::Doc> next;
        if (fix) next = editAt(current.view(), fix->target, fix->kind, fix->lastOccurrence);
        bool progressed = next && !(next->view() == current.view());
        if (!progressed) {
            // Cannot take this error away (the root itself, or a path not found): stop here.
            // (An error about the root schema itself leaves nothing else to check.)
            out.incomplete = out.incomplete || !(p->where.exact && p->where.segments.empty());
            return out;
        }
        // Suppressed problems cost a parse each too: bound the number of parses and the bytes
        // parsed, so a huge schema full of errors still finishes quickly.
        ++parses;
        parsedBytes += current.size();
        if (out.problems.size() >= limit || parses >= limit * 10 || parsedBytes > kMaxBytesParsed) {
            out.incomplete = true;
            return out;
        }
        current = std::move(*next);
    }
}

std::vector<SchemaProblem> findAmbiguousFields(bson::View schemaDoc,
                                               const schema::EncryptionSchema& parsed) {
    std::vector<SchemaProblem> out;
    FieldPath field;
    Segments segments;
    // Walks properties only: their names are the fields a command can name.
    auto walk = [&](auto&& self, bson::View node) -> void {
        auto props = node.find("properties");
        if (!props || !props->isDocument()) return;
        for (auto prop : props->document()) {
            auto name = prop.key();
            if (name.empty() || name.find('.') != std::string_view::npos || !prop.isDocument()) {
                continue;
            }
            PathScope scope(field, name);
            segments.push_back("properties");
            segments.emplace_back(name);
            bool ambiguous = false;
            try {
                parsed.resolve(field);
            } catch (const Error& e) {
                ambiguous = true;
                SchemaProblem p;
                p.code = e.numericCode();
                p.codeName = std::string(e.codeName());
                p.errmsg = p.message = e.reason();
                p.schemaPath = dottedPath(segments);
                p.where = ResolvedPath{segments, true, false};
                auto rule = classifyError(p.code, p.message);
                p.rule = std::string(rule.id);
                p.hint = std::move(rule.hint);
                out.push_back(std::move(p));
            }
            // Below an ambiguous field every path fails the same way: report it once.
            if (!ambiguous && out.size() < kMaxProblemsPerSchema) self(self, prop.document());
            segments.resize(segments.size() - 2);
        }
    };
    walk(walk, schemaDoc);
    return out;
}

}  // namespace cryptd::check
