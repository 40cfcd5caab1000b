#include "operation_table.h"

#include <functional>

#include "workload.h"

namespace cryptd::bench {

namespace {

// The wire workload of the performance targets: a 20-field schema, and a 1 KB document to insert.
constexpr size_t kWireSchemaFields = 20;
constexpr size_t kWireDocBytes = 1024;

struct Entry {
    OperationSpec spec;
    std::function<bson::Doc()> build;
    bool expectOk;
};

bson::Doc wireSchema() {
    return generatedSchema(kWireSchemaFields);
}

// $gt on a deterministic encrypted field: an error path (MongoDB rejects range queries there).
bson::Doc rejectedFind() {
    bson::Doc schema = wireSchema();
    bson::Builder b;
    b.appendUtf8("find", "generated");
    b.appendDocument("filter", [](bson::Builder& f) {
        f.appendDocument("f0", [](bson::Builder& c) { c.appendUtf8("$gt", "a"); });
    });
    b.appendDocument("jsonSchema", schema.view());
    b.appendBool("isRemoteSchema", false);
    b.appendUtf8("$db", "bench");
    return b.finish();
}

bson::Doc unknownCommand() {
    bson::Builder b;
    b.appendInt32("noSuchCommand", 1);
    b.appendUtf8("$db", "admin");
    return b.finish();
}

const std::vector<Entry>& entries() {
    static const std::vector<Entry> table = {
        {{"ping", "ping (the floor: framing, dispatch, reply)"}, pingCommand, true},
        {{"hello", "hello handshake"}, helloCommand, true},
        {{"find", "find, 20-field schema, $eq/$in on encrypted fields"},
         [] { return generatedFind(wireSchema().view()); },
         true},
        {{"insert", "insert of one 1 KB document, 20-field schema"},
         [] { return generatedInsert(wireSchema().view(), kWireSchemaFields, kWireDocBytes); },
         true},
        {{"find_wide", "the same find with a 10,000-field schema (the command is ~380 KB)"},
         [] { return generatedFind(generatedSchema(10000).view()); },
         true},
        {{"find_medco", "find on MedCo.patients"},
         [] { return medcoFind(medcoSchema().view()); },
         true},
        {{"update_medco", "update with $set of encrypted fields, MedCo inherited schema"},
         [] { return medcoUpdate(medcoInheritedSchema().view()); },
         true},
        {{"insert_medco_10", "insert of 10 MedCo patients"},
         [] { return medcoInsert(medcoSchema().view(), 10); },
         true},
        {{"aggregate_medco", "aggregate $match/$project on MedCo.patients"},
         [] { return medcoAggregate(medcoSchema().view()); },
         true},
        {{"find_rejected", "find with $gt on an encrypted field (error reply expected)"},
         rejectedFind,
         false},
        {{"unknown_command", "a command the daemon does not know (error reply expected)"},
         unknownCommand,
         false},
    };
    return table;
}

}  // namespace

const std::vector<OperationSpec>& operationSpecs() {
    static const std::vector<OperationSpec> specs = [] {
        std::vector<OperationSpec> out;
        for (const auto& e : entries()) out.push_back(e.spec);
        return out;
    }();
    return specs;
}

std::optional<Operation> makeOperation(std::string_view name) {
    for (const auto& e : entries()) {
        if (e.spec.name == name) return Operation{std::string(name), e.build(), e.expectOk};
    }
    return std::nullopt;
}

}  // namespace cryptd::bench
