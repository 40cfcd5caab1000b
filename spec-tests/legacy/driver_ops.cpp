#include "driver_ops.h"

#include <functional>
#include <map>

namespace cryptd::speclegacy {

namespace {

using Args = bson::View;
struct Target {
    std::string db;
    std::string coll;
};
using Translate = std::function<DriverOp(Args, const Target&)>;

bson::View docArg(Args args, std::string_view name) {
    auto e = args.find(name);
    if (!e || !(e->isDocument() || e->isArray()))
        throw std::invalid_argument("argument '" + std::string(name) + "' missing");
    return e->document();
}

bson::View filterArg(Args args) {
    auto e = args.find("filter");
    return e && e->isDocument() ? e->document() : bson::View();
}

DriverOp one(const Target& t, bson::Doc command) {
    DriverOp op;
    op.commands.push_back({t.db, std::move(command)});
    return op;
}

// Copies the named optional arguments into the command under the same names.
void copyOptions(bson::Builder& b, Args args, std::initializer_list<std::string_view> names) {
    for (auto name : names)
        if (auto e = args.find(name)) b.append(name, *e);
}

// Drivers refuse an update without $-operators (and a replacement with them) before sending.
void checkUpdate(bson::View update, bool replacement) {
    for (auto e : update) {
        bool isOperator = e.key().starts_with("$");
        if (replacement && isOperator)
            throw ClientValidationError("replacement document must not contain $-operators");
        if (!replacement && !isOperator)
            throw ClientValidationError("update document must contain only $-operators, got '" +
                                        std::string(e.key()) + "'");
    }
}

void appendUpdateStatement(bson::Builder& updates, Args args, std::string_view updateKey,
                           bool multi, bool replacement) {
    auto update = args.find(updateKey);
    if (!update) throw std::invalid_argument("argument '" + std::string(updateKey) + "' missing");
    if (update->isDocument()) checkUpdate(update->document(), replacement);
    updates.appendDocument("0", [&](bson::Builder& s) {
        s.appendDocument("q", filterArg(args));
        s.append("u", *update);
        // As pymongo sends them: multi and upsert always present.
        s.appendBool("multi", multi);
        if (auto upsert = args.find("upsert"))
            s.append("upsert", *upsert);
        else
            s.appendBool("upsert", false);
        copyOptions(s, args, {"arrayFilters", "collation", "hint"});
    });
}

DriverOp update(Args args, const Target& t, bool multi, bool replacement) {
    bson::Builder b;
    b.appendUtf8("update", t.coll);
    b.appendArray("updates", [&](bson::Builder& u) {
        appendUpdateStatement(u, args, replacement ? "replacement" : "update", multi, replacement);
    });
    b.appendBool("ordered", true);
    return one(t, b.finish());
}

DriverOp remove(Args args, const Target& t, bool many) {
    bson::Builder b;
    b.appendUtf8("delete", t.coll);
    b.appendArray("deletes", [&](bson::Builder& d) {
        d.appendDocument("0", [&](bson::Builder& s) {
            s.appendDocument("q", filterArg(args));
            s.appendInt32("limit", many ? 0 : 1);
            copyOptions(s, args, {"collation", "hint"});
        });
    });
    b.appendBool("ordered", true);
    return one(t, b.finish());
}

DriverOp find(Args args, const Target& t, bool findOne) {
    bson::Builder b;
    b.appendUtf8("find", t.coll);
    b.appendDocument("filter", filterArg(args));
    copyOptions(b, args, {"sort", "projection", "skip", "collation", "hint", "batchSize"});
    if (findOne)
        b.appendInt32("limit", 1);
    else
        copyOptions(b, args, {"limit"});
    return one(t, b.finish());
}

DriverOp findAndModify(Args args, const Target& t, std::string_view kind) {
    bson::Builder b;
    b.appendUtf8("findAndModify", t.coll);
    b.appendDocument("query", filterArg(args));
    if (kind == "delete") {
        b.appendBool("remove", true);
    } else {
        bool replacement = kind == "replace";
        auto update = args.find(replacement ? "replacement" : "update");
        if (!update) throw std::invalid_argument("findOneAnd: update/replacement missing");
        if (update->isDocument()) checkUpdate(update->document(), replacement);
        b.append("update", *update);
        if (auto rd = args.find("returnDocument"); rd && rd->isString() && rd->utf8() == "After")
            b.appendBool("new", true);
        copyOptions(b, args, {"upsert", "arrayFilters"});
    }
    copyOptions(b, args, {"sort", "projection", "collation", "hint"});
    return one(t, b.finish());
}

DriverOp aggregate(Args args, const Target& t, bool onDatabase) {
    bson::Builder b;
    if (onDatabase)
        b.appendInt32("aggregate", 1);
    else
        b.appendUtf8("aggregate", t.coll);
    b.appendArray("pipeline", docArg(args, "pipeline"));
    b.appendDocument("cursor", bson::View());
    copyOptions(b, args, {"collation", "hint", "allowDiskUse"});
    return one(t, b.finish());
}

DriverOp insert(const Target& t, const std::function<void(bson::Builder&)>& documents, Args args) {
    bson::Builder b;
    b.appendUtf8("insert", t.coll);
    b.appendArray("documents", documents);
    b.appendBool("ordered", true);
    copyOptions(b, args, {"bypassDocumentValidation"});
    return one(t, b.finish());
}

// bulkWrite: consecutive requests of one kind go into one command, as drivers batch them.
DriverOp bulkWrite(Args args, const Target& t) {
    DriverOp op;
    std::string kind;
    std::optional<bson::Builder> batch;
    std::vector<bson::Doc> statements;
    auto flush = [&] {
        if (statements.empty()) return;
        bson::Builder b;
        std::string listName = kind == "insert"   ? "documents"
                               : kind == "update" ? "updates"
                                                  : "deletes";
        b.appendUtf8(kind, t.coll);
        b.appendArray(listName, [&](bson::Builder& list) {
            for (size_t i = 0; i < statements.size(); ++i) {
                auto key = std::to_string(i);
                auto s = statements[i].view();
                if (kind == "insert")
                    list.appendDocument(key, s.find("document")->document());
                else
                    list.appendDocument(key, s);
            }
        });
        b.appendBool("ordered", true);
        op.commands.push_back({t.db, b.finish()});
        statements.clear();
    };
    for (auto request : docArg(args, "requests")) {
        auto r = request.document();
        auto name = std::string(r.find("name")->utf8());
        auto rargs = r.find("arguments")->document();
        std::string k = name == "insertOne"                                  ? "insert"
                        : name.starts_with("delete")                         ? "delete"
                        : name.starts_with("update") || name == "replaceOne" ? "update"
                                                                             : "";
        if (k.empty()) throw std::invalid_argument("bulkWrite request " + name);
        if (k != kind) flush();
        kind = k;
        bson::Builder s;
        if (k == "insert") {
            s.appendDocument("document", docArg(rargs, "document"));
            statements.push_back(s.finish());
        } else if (k == "delete") {
            auto d = remove(rargs, t, name == "deleteMany");
            auto stmt = d.commands[0].command.view().find("deletes")->document();
            statements.push_back(bson::Doc::copyOf((*stmt.begin()).document()));
        } else {
            auto u = update(rargs, t, name == "updateMany", name == "replaceOne");
            auto stmt = u.commands[0].command.view().find("updates")->document();
            statements.push_back(bson::Doc::copyOf((*stmt.begin()).document()));
        }
    }
    flush();
    return op;
}

const std::map<std::string, Translate, std::less<>>& table() {
    static const std::map<std::string, Translate, std::less<>> ops = {
        {"insertOne",
         [](Args a, const Target& t) {
             return insert(
                 t, [&](bson::Builder& d) { d.appendDocument("0", docArg(a, "document")); }, a);
         }},
        {"insertMany",
         [](Args a, const Target& t) {
             return insert(
                 t,
                 [&](bson::Builder& d) {
                     size_t i = 0;
                     for (auto doc : docArg(a, "documents")) d.append(std::to_string(i++), doc);
                 },
                 a);
         }},
        {"find", [](Args a, const Target& t) { return find(a, t, false); }},
        {"findOne", [](Args a, const Target& t) { return find(a, t, true); }},
        {"aggregate", [](Args a, const Target& t) { return aggregate(a, t, false); }},
        {"count",
         [](Args a, const Target& t) {
             bson::Builder b;
             b.appendUtf8("count", t.coll);
             b.appendDocument("query", filterArg(a));
             return one(t, b.finish());
         }},
        {"estimatedDocumentCount",
         [](Args, const Target& t) {
             bson::Builder b;
             b.appendUtf8("count", t.coll);
             return one(t, b.finish());
         }},
        {"countDocuments",
         [](Args a, const Target& t) {
             bson::Builder b;
             b.appendUtf8("aggregate", t.coll);
             b.appendArray("pipeline", [&](bson::Builder& p) {
                 p.appendDocument(
                     "0", [&](bson::Builder& s) { s.appendDocument("$match", filterArg(a)); });
                 p.appendDocument("1", [](bson::Builder& s) {
                     s.appendDocument("$group", [](bson::Builder& g) {
                         g.appendInt32("_id", 1);
                         g.appendDocument("n", [](bson::Builder& n) { n.appendInt32("$sum", 1); });
                     });
                 });
             });
             b.appendDocument("cursor", bson::View());
             return one(t, b.finish());
         }},
        {"distinct",
         [](Args a, const Target& t) {
             bson::Builder b;
             b.appendUtf8("distinct", t.coll);
             b.append("key", *a.find("fieldName"));
             b.appendDocument("query", filterArg(a));
             return one(t, b.finish());
         }},
        {"updateOne", [](Args a, const Target& t) { return update(a, t, false, false); }},
        {"updateMany", [](Args a, const Target& t) { return update(a, t, true, false); }},
        {"replaceOne", [](Args a, const Target& t) { return update(a, t, false, true); }},
        {"deleteOne", [](Args a, const Target& t) { return remove(a, t, false); }},
        {"deleteMany", [](Args a, const Target& t) { return remove(a, t, true); }},
        {"findOneAndDelete", [](Args a, const Target& t) { return findAndModify(a, t, "delete"); }},
        {"findOneAndReplace",
         [](Args a, const Target& t) { return findAndModify(a, t, "replace"); }},
        {"findOneAndUpdate", [](Args a, const Target& t) { return findAndModify(a, t, "update"); }},
        {"bulkWrite", bulkWrite},
        {"mapReduce",
         [](Args a, const Target& t) {
             bson::Builder b;
             b.appendUtf8("mapReduce", t.coll);
             copyOptions(b, a, {"map", "reduce", "out"});
             return one(t, b.finish());
         }},
        {"runCommand",
         [](Args a, const Target& t) { return one(t, bson::Doc::copyOf(docArg(a, "command"))); }},
        {"createCollection",
         [](Args a, const Target& t) {
             bson::Builder b;
             b.append("create", *a.find("collection"));
             for (auto e : a)
                 if (e.key() != "collection") b.append(e);
             return one(t, b.finish());
         }},
        {"dropCollection",
         [](Args a, const Target& t) {
             bson::Builder b;
             b.append("drop", *a.find("collection"));
             return one(t, b.finish());
         }},
        {"wait",
         [](Args a, const Target&) {
             DriverOp op;
             op.waitMs = static_cast<int>(a.find("ms")->asInt64());
             return op;
         }},
    };
    return ops;
}

}  // namespace

DriverOp translateOperation(bson::View operation, const std::string& db, const std::string& coll) {
    auto nameEl = operation.find("name");
    if (!nameEl || !nameEl->isString()) throw std::invalid_argument("operation without a name");
    std::string name(nameEl->utf8());
    auto argsEl = operation.find("arguments");
    bson::View args = argsEl && argsEl->isDocument() ? argsEl->document() : bson::View();
    if (name.starts_with("assert")) {
        DriverOp op;
        op.serverOnly = name + " inspects the server's state";
        return op;
    }
    auto objectEl = operation.find("object");
    std::string object =
        objectEl && objectEl->isString() ? std::string(objectEl->utf8()) : "collection";
    Target target{db, coll};
    if (name == "aggregate" && object == "database") return aggregate(args, target, true);
    auto it = table().find(name);
    if (it == table().end()) throw std::invalid_argument("operation '" + name + "' not translated");
    return it->second(args, target);
}

}  // namespace cryptd::speclegacy
