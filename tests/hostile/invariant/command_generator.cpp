#include "hostile/invariant/command_generator.h"

#include <cstring>

namespace cryptd::test::invariant {

namespace {

const std::vector<std::string> kAnyTypes = {
    "string", "int",  "long",  "double", "bool",   "date",      "objectId", "object",
    "array",  "null", "regex", "binary", "minKey", "timestamp", "decimal",  "undefined"};
const std::vector<std::string> kStrings = {"457-55-5462",    "s0",   "s1", "", "caf\xc3\xa9", "x.y",
                                           "$notAnOperator", "kname"};
const std::vector<std::string> kCommands = {"find",   "count",   "distinct",
                                            "delete", "update",  "findAndModify",
                                            "insert", "explain", "aggregate"};

std::string key(uint32_t i) {
    return std::to_string(i);
}

}  // namespace

std::string CommandGenerator::typeFor(const PathClass& cls) {
    if (cls.kind == PathKind::kEncrypted && !cls.encryption->bsonType.empty() && e_.chance(80)) {
        return cls.encryption->bsonType;
    }
    return e_.pick(kAnyTypes);
}

void CommandGenerator::appendValue(bson::Builder& b, std::string_view k, std::string_view type,
                                   int depth) {
    if (type == "string") {
        if (e_.chance(80)) {
            b.appendUtf8(k, e_.pick(kStrings));
        } else {
            b.appendUtf8(k, "v" + std::to_string(e_.below(1000)));
        }
    } else if (type == "int") {
        b.appendInt32(k, static_cast<int32_t>(e_.below(2000)) - 1000);
    } else if (type == "long") {
        b.appendInt64(k, static_cast<int64_t>(e_.below(1u << 30)) << 10);
    } else if (type == "double") {
        b.appendDouble(k, static_cast<double>(e_.below(1000)) / 8.0);
    } else if (type == "bool") {
        b.appendBool(k, e_.chance(50));
    } else if (type == "date") {
        b.appendDateTime(k, static_cast<int64_t>(e_.below(1u << 31)) * 1000);
    } else if (type == "objectId") {
        bson_oid_t oid;
        for (auto& byte : oid.bytes) byte = static_cast<uint8_t>(e_.below(256));
        bson_value_t v{};
        v.value_type = BSON_TYPE_OID;
        v.value.v_oid = oid;
        b.appendValue(k, &v);
    } else if (type == "object") {
        if (depth > 3) {
            b.appendDocument(k, bson::View());
            return;
        }
        b.appendDocument(k, [&](bson::Builder& d) {
            uint32_t n = e_.below(3);
            for (uint32_t i = 0; i < n; ++i) {
                appendRandomValue(d, e_.chance(50) ? "a" : "ssn", depth + 1);
            }
        });
    } else if (type == "array") {
        if (depth > 3) {
            b.appendArray(k, bson::View());
            return;
        }
        b.appendArray(k, [&](bson::Builder& arr) {
            uint32_t n = e_.below(4);
            for (uint32_t i = 0; i < n; ++i) appendRandomValue(arr, key(i), depth + 1);
        });
    } else if (type == "null") {
        b.appendNull(k);
    } else if (type == "regex") {
        bson_value_t v{};
        v.value_type = BSON_TYPE_REGEX;
        v.value.v_regex.regex = const_cast<char*>("^4");
        v.value.v_regex.options = const_cast<char*>("i");
        b.appendValue(k, &v);
    } else if (type == "binary") {
        uint8_t data[3] = {1, 2, 3};
        b.appendBinary(k, BSON_SUBTYPE_BINARY, data, e_.below(4));
    } else if (type == "minKey") {
        bson_value_t v{};
        v.value_type = e_.chance(50) ? BSON_TYPE_MINKEY : BSON_TYPE_MAXKEY;
        b.appendValue(k, &v);
    } else if (type == "timestamp") {
        bson_value_t v{};
        v.value_type = BSON_TYPE_TIMESTAMP;
        bool zero = e_.chance(40);
        v.value.v_timestamp.timestamp = zero ? 0 : 1 + e_.below(100);
        v.value.v_timestamp.increment = zero ? 0 : e_.below(100);
        b.appendValue(k, &v);
    } else if (type == "decimal") {
        bson_value_t v{};
        v.value_type = BSON_TYPE_DECIMAL128;
        bson_decimal128_from_string(e_.chance(50) ? "1.5" : "-0", &v.value.v_decimal128);
        b.appendValue(k, &v);
    } else {  // undefined
        bson_value_t v{};
        v.value_type = BSON_TYPE_UNDEFINED;
        b.appendValue(k, &v);
    }
}

void CommandGenerator::appendRandomValue(bson::Builder& b, std::string_view k, int depth) {
    appendValue(b, k, e_.pick(kAnyTypes), depth);
}

void CommandGenerator::appendDocument(bson::Builder& b, const Node* node, int depth, bool root) {
    if (root && model_.usesPointerKeys() && e_.chance(85)) {
        if (e_.chance(90)) {
            b.appendUtf8("kname", "alt" + std::to_string(e_.below(3)));
        } else {
            b.appendInt32("kname", 7);
        }
    }
    if (node != nullptr) {
        for (const auto& property : node->properties) {
            // Named copies: clang 14 cannot capture structured bindings in lambdas.
            const std::string& name = property.first;
            const Node* child = property.second.get();
            if (!e_.chance(80)) continue;
            if (child->encrypt) {
                PathClass cls{PathKind::kEncrypted, &*child->encrypt, child};
                appendValue(b, name, typeFor(cls), depth + 1);
            } else if (child->isObject() && depth < 4) {
                uint32_t shape = e_.below(10);
                if (shape < 8) {
                    b.appendDocument(name, [&](bson::Builder& sub) {
                        appendDocument(sub, child, depth + 1, false);
                    });
                } else if (shape == 8) {
                    b.appendArray(name, [&](bson::Builder& arr) {
                        arr.appendDocument("0", [&](bson::Builder& sub) {
                            appendDocument(sub, child, depth + 1, false);
                        });
                    });
                } else {
                    appendRandomValue(b, name, depth + 1);
                }
            } else {
                appendRandomValue(b, name, depth + 1);
            }
            // Now and then the same field twice: both copies are bound for that field.
            if (e_.chance(3)) appendRandomValue(b, name, depth + 1);
        }
    }
    if (node != nullptr && node->additional && e_.chance(70)) {
        // A field only additionalProperties covers.
        const Node* extra = node->additional.get();
        if (extra->encrypt) {
            PathClass cls{PathKind::kEncrypted, &*extra->encrypt, extra};
            appendValue(b, "extra", typeFor(cls), depth + 1);
        } else if (depth < 4) {
            b.appendDocument(
                "extra", [&](bson::Builder& sub) { appendDocument(sub, extra, depth + 1, false); });
        }
    } else if (e_.chance(30)) {
        appendRandomValue(b, root ? "extra" : "inner", depth + 1);
    }
}

std::string CommandGenerator::path() {
    std::vector<std::string> encrypted = model_.encryptedPaths();
    std::vector<std::string> all = model_.paths();
    uint32_t k = e_.below(100);
    if (k < 50 && !encrypted.empty()) return e_.pick(encrypted);
    if (k < 70 && !all.empty()) return e_.pick(all);
    if (k < 80) return e_.chance(50) ? "z" : "q.r";
    if (k < 90 && !encrypted.empty()) return e_.pick(encrypted) + (e_.chance(50) ? ".x" : ".0");
    if (!all.empty()) {
        // An index or positional part in the middle of a schema path.
        const std::string& p = e_.pick(all);
        size_t dot = p.find('.');
        if (dot != std::string::npos) {
            return p.substr(0, dot) + (e_.chance(70) ? ".0" : ".$") + p.substr(dot);
        }
        return p + ".0";
    }
    return "z";
}

void CommandGenerator::appendOperand(bson::Builder& b, std::string_view k, const PathClass& cls,
                                     int depth) {
    if (cls.kind == PathKind::kPrefix && e_.chance(40)) {
        b.appendDocument(k,
                         [&](bson::Builder& sub) { appendDocument(sub, cls.node, depth, false); });
        return;
    }
    appendValue(b, k, typeFor(cls), depth + 1);
}

void CommandGenerator::appendPredicate(bson::Builder& b, int depth) {
    std::string p = path();
    PathClass cls = model_.classify(p);
    uint32_t k = e_.below(100);
    if (k < 25) {
        appendOperand(b, p, cls, depth);
        return;
    }
    if (k < 28) {
        b.appendNull(p);
        return;
    }
    if (k < 31) {
        // {$expr: {$eq: ["$path", value]}}
        b.appendDocument("$expr", [&](bson::Builder& ex) {
            ex.appendArray("$eq", [&](bson::Builder& arr) {
                arr.appendUtf8("0", "$" + p);
                appendOperand(arr, "1", cls, depth);
            });
        });
        return;
    }
    b.appendDocument(p, [&](bson::Builder& ops) {
        uint32_t n = 1 + (e_.chance(15) ? 1 : 0);
        for (uint32_t i = 0; i < n; ++i) {
            uint32_t op = e_.below(100);
            if (op < 15) {
                appendOperand(ops, "$eq", cls, depth);
            } else if (op < 27) {
                appendOperand(ops, "$ne", cls, depth);
            } else if (op < 47) {
                ops.appendArray(op < 40 ? "$in" : "$nin", [&](bson::Builder& arr) {
                    uint32_t m = e_.below(4);
                    for (uint32_t j = 0; j < m; ++j) appendOperand(arr, key(j), cls, depth);
                });
            } else if (op < 53) {
                ops.appendDocument("$not", [&](bson::Builder& nt) {
                    appendOperand(nt, e_.chance(70) ? "$eq" : "$gt", cls, depth);
                });
            } else if (op < 62) {
                ops.appendBool("$exists", e_.chance(50));
            } else if (op < 72) {
                static const std::vector<std::string> cmp = {"$gt", "$gte", "$lt", "$lte"};
                appendOperand(ops, e_.pick(cmp), cls, depth);
            } else if (op < 76) {
                ops.appendUtf8("$regex", "^45");
            } else if (op < 79) {
                ops.appendInt32("$size", 2);
            } else if (op < 82) {
                ops.appendUtf8("$type", "string");
            } else if (op < 86) {
                ops.appendArray("$all",
                                [&](bson::Builder& arr) { appendOperand(arr, "0", cls, depth); });
            } else if (op < 92 && depth < 3) {
                ops.appendDocument("$elemMatch", [&](bson::Builder& em) {
                    if (e_.chance(50)) {
                        appendOperand(em, "$eq", cls, depth);
                    } else {
                        appendFilter(em, depth + 1);
                    }
                });
            } else {
                ops.appendArray("$mod", [](bson::Builder& arr) {
                    arr.appendInt32("0", 4);
                    arr.appendInt32("1", 0);
                });
            }
        }
    });
}

void CommandGenerator::appendFilter(bson::Builder& b, int depth) {
    uint32_t n = e_.below(3) + (depth == 0 ? 0 : 1);
    for (uint32_t i = 0; i < n; ++i) {
        if (depth < 3 && e_.chance(20)) {
            static const std::vector<std::string> logical = {"$and", "$or", "$nor"};
            b.appendArray(e_.pick(logical), [&](bson::Builder& arr) {
                uint32_t m = 1 + e_.below(3);
                for (uint32_t j = 0; j < m; ++j) {
                    arr.appendDocument(key(j),
                                       [&](bson::Builder& sub) { appendFilter(sub, depth + 1); });
                }
            });
        } else {
            appendPredicate(b, depth);
        }
    }
}

void CommandGenerator::appendUpdate(bson::Builder& b, std::string_view k) {
    uint32_t shape = e_.below(100);
    if (shape < 25) {
        b.appendDocument(k, [&](bson::Builder& d) { appendDocument(d, &model_.root, 0, true); });
        return;
    }
    if (shape < 30) {
        b.appendArray(k, [&](bson::Builder& pipeline) {
            pipeline.appendDocument("0", [&](bson::Builder& st) {
                st.appendDocument("$set", [&](bson::Builder& s) {
                    std::string p = path();
                    appendOperand(s, p, model_.classify(p), 1);
                });
            });
        });
        return;
    }
    b.appendDocument(k, [&](bson::Builder& ops) {
        uint32_t n = 1 + e_.below(2);
        static const std::vector<std::string> names = {
            "$set",    "$set",  "$set",      "$setOnInsert", "$unset",       "$inc",
            "$rename", "$push", "$addToSet", "$min",         "$currentDate", "$pull"};
        std::vector<std::string> used;
        for (uint32_t i = 0; i < n; ++i) {
            const std::string& op = e_.pick(names);
            bool dup = false;
            for (const auto& u : used) dup = dup || u == op;
            if (dup && !e_.chance(10)) continue;
            used.push_back(op);
            ops.appendDocument(op, [&](bson::Builder& args) {
                uint32_t m = 1 + e_.below(2);
                for (uint32_t j = 0; j < m; ++j) {
                    std::string p = path();
                    PathClass cls = model_.classify(p);
                    if (op == "$unset") {
                        args.appendUtf8(p, "");
                    } else if (op == "$inc") {
                        args.appendInt32(p, 1);
                    } else if (op == "$rename") {
                        args.appendUtf8(p, path());
                    } else if (op == "$currentDate") {
                        args.appendBool(p, true);
                    } else {
                        appendOperand(args, p, cls, 1);
                    }
                }
            });
        }
    });
}

bson::Doc CommandGenerator::document() {
    bson::Builder b;
    appendDocument(b, &model_.root, 0, true);
    return b.finish();
}

bson::Doc CommandGenerator::filter() {
    bson::Builder b;
    appendFilter(b, 0);
    return b.finish();
}

bson::Doc CommandGenerator::updateOperators() {
    bson::Builder b;
    appendUpdate(b, "u");
    return b.finish();
}

void CommandGenerator::appendInner(bson::Builder& b, const std::string& name) {
    auto filterField = [&](const char* k) {
        b.appendDocument(k, [&](bson::Builder& f) { appendFilter(f, 0); });
    };
    if (name == "find") {
        b.appendUtf8("find", "coll");
        filterField("filter");
        if (e_.chance(30)) {
            b.appendDocument("projection", [&](bson::Builder& p) { p.appendInt32(path(), 1); });
        }
        if (e_.chance(30)) {
            b.appendDocument("sort", [&](bson::Builder& s) { s.appendInt32(path(), -1); });
        }
        if (e_.chance(30)) b.appendInt64("limit", 5);
    } else if (name == "count") {
        b.appendUtf8("count", "coll");
        filterField("query");
        if (e_.chance(20)) b.appendInt64("skip", 1);
    } else if (name == "distinct") {
        b.appendUtf8("distinct", "coll");
        b.appendUtf8("key", path());
        filterField("query");
    } else if (name == "delete") {
        b.appendUtf8("delete", "coll");
        b.appendArray("deletes", [&](bson::Builder& arr) {
            uint32_t n = 1 + e_.below(2);
            for (uint32_t i = 0; i < n; ++i) {
                arr.appendDocument(key(i), [&](bson::Builder& d) {
                    d.appendDocument("q", [&](bson::Builder& f) { appendFilter(f, 0); });
                    d.appendInt32("limit", static_cast<int32_t>(e_.below(2)));
                });
            }
        });
    } else if (name == "update") {
        b.appendUtf8("update", "coll");
        b.appendArray("updates", [&](bson::Builder& arr) {
            uint32_t n = 1 + e_.below(2);
            for (uint32_t i = 0; i < n; ++i) {
                arr.appendDocument(key(i), [&](bson::Builder& d) {
                    d.appendDocument("q", [&](bson::Builder& f) { appendFilter(f, 0); });
                    appendUpdate(d, "u");
                    if (e_.chance(30)) d.appendBool("upsert", true);
                    if (e_.chance(30)) d.appendBool("multi", e_.chance(50));
                });
            }
        });
        if (e_.chance(30)) b.appendBool("ordered", true);
    } else if (name == "findAndModify") {
        b.appendUtf8("findAndModify", "coll");
        filterField("query");
        if (e_.chance(20)) {
            b.appendBool("remove", true);
        } else {
            appendUpdate(b, "update");
            if (e_.chance(30)) b.appendBool("new", true);
            if (e_.chance(30)) b.appendBool("upsert", true);
        }
        if (e_.chance(20)) {
            b.appendDocument("sort", [&](bson::Builder& s) { s.appendInt32(path(), 1); });
        }
    } else if (name == "insert") {
        b.appendUtf8("insert", "coll");
        b.appendArray("documents", [&](bson::Builder& arr) {
            uint32_t n = 1 + e_.below(3);
            for (uint32_t i = 0; i < n; ++i) {
                arr.appendDocument(
                    key(i), [&](bson::Builder& d) { appendDocument(d, &model_.root, 0, true); });
            }
        });
        if (e_.chance(30)) b.appendBool("ordered", false);
    } else {  // aggregate
        b.appendUtf8("aggregate", "coll");
        b.appendArray("pipeline", [&](bson::Builder& arr) {
            uint32_t n = e_.below(4);
            for (uint32_t i = 0; i < n; ++i) {
                arr.appendDocument(key(i), [&](bson::Builder& st) {
                    uint32_t s = e_.below(10);
                    if (s < 6) {
                        st.appendDocument("$match", [&](bson::Builder& f) { appendFilter(f, 0); });
                    } else if (s < 7) {
                        st.appendInt64("$limit", 3);
                    } else if (s < 8) {
                        st.appendInt64("$skip", 1);
                    } else {
                        st.appendDocument("$sort",
                                          [&](bson::Builder& so) { so.appendInt32(path(), 1); });
                    }
                });
            }
        });
        b.appendDocument("cursor", bson::View());
    }
}

bson::Doc CommandGenerator::command(bson::View jsonSchema, bool isRemoteSchema) {
    std::string name = e_.pick(kCommands);
    bson::Builder b;
    if (name == "explain") {
        static const std::vector<std::string> inner = {
            "find", "count", "distinct", "delete", "update", "findAndModify", "aggregate"};
        std::string in = e_.pick(inner);
        b.appendDocument("explain", [&](bson::Builder& ib) { appendInner(ib, in); });
        if (e_.chance(50)) b.appendUtf8("verbosity", "queryPlanner");
    } else {
        appendInner(b, name);
    }
    if (e_.chance(20)) {
        b.appendDocument("lsid", [&](bson::Builder& l) {
            l.appendBinary("id", BSON_SUBTYPE_UUID, keyUuids()[0].data(), 16);
        });
    }
    b.appendDocument("jsonSchema", jsonSchema);
    b.appendBool("isRemoteSchema", isRemoteSchema);
    b.appendUtf8("$db", "test");
    return b.finish();
}

}  // namespace cryptd::test::invariant
