#include "analysis/expression_refs.h"

#include <array>
#include <string>

#include "common/error.h"

namespace cryptd::analysis {

namespace {

// Operators that reach a field by a name given as data, not as a "$path" string.
constexpr std::array<std::string_view, 3> kNameBasedAccess = {"$getField", "$setField",
                                                              "$unsetField"};

[[noreturn]] void reject(std::string_view where, const std::string& what) {
    fail(ErrorCode::BadValue, std::string(where) +
                                  " reading encrypted data is not supported: " + what +
                                  " (comparisons and computations on encrypted fields "
                                  "cannot run on the server)");
}

void checkPath(const SchemaView& schema, std::string_view dotted, std::string_view where) {
    if (dotted.empty()) return;
    FieldPath path;
    try {
        path = FieldPath::parse(dotted);
    } catch (const Error&) {
        return;  // not a field path the server would accept either; nothing to read
    }
    if (schema.resolve(path).kind != schema::PathInfo::Kind::NotEncrypted) {
        reject(where,
               "field '" + std::string(dotted) + "' is encrypted or contains encrypted fields");
    }
}

void checkString(const SchemaView& schema, std::string_view s, std::string_view where) {
    if (s.size() < 2 || s[0] != '$') return;  // a literal
    if (s[1] != '$') {
        checkPath(schema, s.substr(1), where);
        return;
    }
    // $$var or $$var.path: only ROOT and CURRENT are the document itself.
    std::string_view rest = s.substr(2);
    size_t dot = rest.find('.');
    std::string_view var = rest.substr(0, dot);
    if (var != "ROOT" && var != "CURRENT") return;
    if (dot == std::string_view::npos) {
        if (schema.requiresEncryption()) {
            // Appended piece by piece: GCC 12 at -O3 reports a false -Wrestrict for "'" + s.
            std::string what = "'";
            what.append(s).append("' is the whole document");
            reject(where, what);
        }
        return;
    }
    checkPath(schema, rest.substr(dot + 1), where);
}

void walk(const SchemaView& schema, const bson::Element& e, std::string_view where, int depth) {
    if (depth > 200) fail(ErrorCode::BadValue, std::string(where) + " is nested too deeply");
    if (e.isString()) {
        checkString(schema, e.utf8(), where);
        return;
    }
    if (!e.isDocument() && !e.isArray()) return;
    for (bson::Element child : e.document()) {
        std::string_view key = child.key();
        if (e.isDocument() && key == "$literal") continue;  // its operand is never evaluated
        if (e.isDocument() && schema.requiresEncryption()) {
            for (auto op : kNameBasedAccess) {
                if (key == op) reject(where, std::string(op) + " can name any field");
            }
            if (key == "$let" && child.isDocument()) {
                if (auto vars = child.document().find("vars"); vars && vars->isDocument()) {
                    if (vars->document().find("CURRENT")) reject(where, "$let rebinds CURRENT");
                }
            }
        }
        walk(schema, child, where, depth + 1);
    }
}

}  // namespace

void checkExpressionReadsNoEncryptedField(const SchemaView& schema, const bson::Element& expr,
                                          std::string_view where) {
    if (!schema.requiresEncryption()) return;
    walk(schema, expr, where, 0);
}

}  // namespace cryptd::analysis
