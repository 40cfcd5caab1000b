// engine_bench: the analysis engine in-process, with Google Benchmark.
//
//   engine_bench [--benchmark_filter=REGEX] [--benchmark_min_time=0.5] [--benchmark_out=FILE
//                 --benchmark_out_format=json] ...
//
// Families (those the performance targets name):
//   SchemaParse/<schema>           EncryptionSchema::parse: small, MedCo (two variants),
//                                  generated 10 and 10,000 fields
//   SchemaCacheHit/<fields>        SchemaCache::get of an already parsed schema
//   Analyze/<command>              Analyzer::analyze (the daemon's path, schema cache hit):
//                                  MedCo find, insert 1 and 1,000 docs, update, aggregate
//                                  (registered only when the engine handles aggregate), and
//                                  loadgen's wire_find / wire_insert (20 fields, 1 KB document)
//   AnalyzeInsertDocs/<n>          insert of n MedCo documents, n = 10..10,000 (linearity; BigO)
//   FindSchemaFields/<fields>      the same find against a 10- and a 10,000-field schema, with
//                                  the schema already parsed (analysis proper: O(path depth))
//   FindSchemaFieldsFrontDoor/<f>  the same through Analyzer::analyze (adds the cache-key check,
//                                  which reads every byte of the schema)
//   MarkingWrite/<value>           one intent-to-encrypt marking
//   ParseRequest/<command>         the server's wire::parseRequest of the OP_MSG the daemon gets
//                                  for ping and for loadgen's find / 1 KB insert / find_wide:
//                                  framing, depth check, BSON validation, copy of the body
// Every workload is analyzed once before timing; one that throws fails the run (exit 1), so a
// benchmark never times an error path by accident.

#include <benchmark/benchmark.h>

#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "analysis/analyze_command.h"
#include "analysis/analyzer.h"
#include "analysis/marking_writer.h"
#include "common/error.h"
#include "schema/encryption_schema.h"
#include "schema/schema_cache.h"
#include "server/wire_message.h"
#include "wire_client.h"
#include "workload.h"

using namespace cryptd;
using namespace cryptd::bench;

namespace {

constexpr int64_t kInsertSizes[] = {10, 100, 1000, 10000};
constexpr int64_t kSchemaSizes[] = {10, 10000};

struct Fixtures {
    std::map<std::string, bson::Doc> schemas;
    std::map<std::string, bson::Doc> commands;             // Analyze/<name>
    std::map<int64_t, bson::Doc> inserts;                  // AnalyzeInsertDocs/<n>
    std::map<int64_t, bson::Doc> generated;                // generated schema by field count
    std::map<int64_t, bson::Doc> finds;                    // generatedFind against that schema
    std::map<std::string, std::vector<uint8_t>> messages;  // ParseRequest/<name>: OP_MSG bytes

    Fixtures() {
        schemas.emplace("small", smallSchema());
        schemas.emplace("medco", medcoSchema());
        schemas.emplace("medco_inherited", medcoInheritedSchema());
        for (int64_t n : kSchemaSizes) {
            generated.emplace(n, generatedSchema(static_cast<size_t>(n)));
            finds.emplace(n, generatedFind(generated.at(n).view()));
            schemas.emplace("generated_" + std::to_string(n), generated.at(n).clone());
        }
        bson::View medco = schemas.at("medco").view();
        commands.emplace("find", medcoFind(medco));
        commands.emplace("insert_1", medcoInsert(medco, 1));
        commands.emplace("insert_1000", medcoInsert(medco, 1000));
        commands.emplace("update", medcoUpdate(schemas.at("medco_inherited").view()));
        commands.emplace("aggregate", medcoAggregate(medco));
        for (int64_t n : kInsertSizes) {
            inserts.emplace(n, medcoInsert(medco, static_cast<size_t>(n)));
        }
        // loadgen's wire workload: 20-field schema, 1 KB document.
        bson::Doc wire = generatedSchema(20);
        commands.emplace("wire_find", generatedFind(wire.view()));
        commands.emplace("wire_insert", generatedInsert(wire.view(), 20, 1024));
        messages.emplace("ping", encodeOpMsg(pingCommand().view(), 1));
        messages.emplace("find", encodeOpMsg(generatedFind(wire.view()).view(), 1));
        messages.emplace("insert", encodeOpMsg(generatedInsert(wire.view(), 20, 1024).view(), 1));
        messages.emplace("find_wide", encodeOpMsg(finds.at(10000).view(), 1));
    }
};

const Fixtures& fixtures() {
    static const Fixtures f;
    return f;
}

// The reply must carry markings: a benchmark of a rejected command would time the error path.
bool analyzesWithMarkings(const analysis::Analyzer& a, bson::View command, std::string& why) {
    try {
        bson::Doc reply = a.analyze(command);
        auto flag = reply.view().find("hasEncryptionPlaceholders");
        if (flag && flag->isBool() && flag->boolean()) return true;
        why = "no markings in " + reply.toJson().substr(0, 300);
    } catch (const Error& e) {
        why = e.reason();
    }
    return false;
}

void schemaParse(benchmark::State& state, const std::string& name) {
    bson::View schema = fixtures().schemas.at(name).view();
    for (auto _ : state) {
        auto parsed = schema::EncryptionSchema::parse(schema, false);
        benchmark::DoNotOptimize(parsed.get());
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * schema.size());
    state.counters["schema_bytes"] = schema.size();
}

void schemaCacheHit(benchmark::State& state) {
    bson::View schema = fixtures().generated.at(state.range(0)).view();
    schema::SchemaCache cache;
    cache.get(schema, false);
    for (auto _ : state) benchmark::DoNotOptimize(cache.get(schema, false).get());
    state.counters["schema_bytes"] = schema.size();
}

void analyze(benchmark::State& state, const std::string& name) {
    analysis::Analyzer analyzer;
    bson::View command = fixtures().commands.at(name).view();
    analyzer.analyze(command);  // parse the schema into the cache, as the first command would
    for (auto _ : state) benchmark::DoNotOptimize(analyzer.analyze(command).data());
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * command.size());
}

void analyzeInsertDocs(benchmark::State& state) {
    analysis::Analyzer analyzer;
    bson::View command = fixtures().inserts.at(state.range(0)).view();
    analyzer.analyze(command);
    for (auto _ : state) benchmark::DoNotOptimize(analyzer.analyze(command).data());
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
    state.SetComplexityN(state.range(0));
}

void findSchemaFields(benchmark::State& state) {
    const Fixtures& f = fixtures();
    auto parsed = schema::EncryptionSchema::parse(f.generated.at(state.range(0)).view(), false);
    bson::View command = f.finds.at(state.range(0)).view();
    for (auto _ : state) {
        benchmark::DoNotOptimize(analysis::analyzeCommand(command, parsed.get()).data());
    }
}

void findSchemaFieldsFrontDoor(benchmark::State& state) {
    analysis::Analyzer analyzer;
    bson::View command = fixtures().finds.at(state.range(0)).view();
    analyzer.analyze(command);
    for (auto _ : state) benchmark::DoNotOptimize(analyzer.analyze(command).data());
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * command.size());
}

void markingWrite(benchmark::State& state, schema::Algorithm algorithm, size_t valueBytes) {
    Uuid key;
    for (size_t i = 0; i < key.bytes.size(); ++i) key.bytes[i] = static_cast<uint8_t>(i * 17);
    std::string text(valueBytes, 'v');
    bson_value_t value{};
    value.value_type = BSON_TYPE_UTF8;
    value.value.v_utf8.str = text.data();
    value.value.v_utf8.len = static_cast<uint32_t>(text.size());
    for (auto _ : state) {
        bson::Builder out;
        analysis::appendMarking(out, "field", algorithm, analysis::MarkingKey(key), &value);
        benchmark::DoNotOptimize(out.view().data());
    }
}

void parseRequest(benchmark::State& state, const std::string& name) {
    const Fixtures& f = fixtures();
    const std::vector<uint8_t>& message = f.messages.at(name);
    for (auto _ : state) {
        server::wire::Request request = server::wire::parseRequest(message);
        benchmark::DoNotOptimize(request.body.data());
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * message.size()));
}

// Checks every workload once; returns false (with a message) when one is rejected.
bool checkWorkloads(const analysis::Analyzer& analyzer, bool& aggregateRegistered) {
    const Fixtures& f = fixtures();
    bool ok = true;
    std::string why;
    aggregateRegistered = analyzer.handles("aggregate");
    for (const auto& [name, command] : f.commands) {
        if (name == "aggregate" && !aggregateRegistered) continue;
        if (!analyzesWithMarkings(analyzer, command.view(), why)) {
            std::fprintf(stderr, "engine_bench: workload Analyze/%s is rejected: %s\n",
                         name.c_str(), why.c_str());
            ok = false;
        }
    }
    for (const auto& group : {&f.inserts, &f.finds}) {
        for (const auto& [n, command] : *group) {
            if (!analyzesWithMarkings(analyzer, command.view(), why)) {
                std::fprintf(stderr, "engine_bench: workload (%lld) is rejected: %s\n",
                             static_cast<long long>(n), why.c_str());
                ok = false;
            }
        }
    }
    for (const auto& [name, schema] : f.schemas) {
        try {
            schema::EncryptionSchema::parse(schema.view(), false);
        } catch (const Error& e) {
            std::fprintf(stderr, "engine_bench: schema %s is rejected: %s\n", name.c_str(),
                         e.reason().c_str());
            ok = false;
        }
    }
    return ok;
}

void registerAll(bool aggregateRegistered) {
    for (const char* name :
         {"small", "medco", "medco_inherited", "generated_10", "generated_10000"}) {
        benchmark::RegisterBenchmark((std::string("SchemaParse/") + name).c_str(), schemaParse,
                                     std::string(name))
            ->Unit(benchmark::kMicrosecond);
    }
    auto* hit = benchmark::RegisterBenchmark("SchemaCacheHit", schemaCacheHit);
    for (int64_t n : kSchemaSizes) hit->Arg(n);
    hit->Unit(benchmark::kMicrosecond);

    for (const char* name :
         {"find", "insert_1", "insert_1000", "update", "aggregate", "wire_find", "wire_insert"}) {
        if (std::string(name) == "aggregate" && !aggregateRegistered) {
            std::fprintf(stderr,
                         "engine_bench: Analyze/aggregate skipped: the engine does not handle "
                         "aggregate yet\n");
            continue;
        }
        benchmark::RegisterBenchmark((std::string("Analyze/") + name).c_str(), analyze,
                                     std::string(name))
            ->Unit(benchmark::kMicrosecond);
    }
    auto* docs = benchmark::RegisterBenchmark("AnalyzeInsertDocs", analyzeInsertDocs);
    for (int64_t n : kInsertSizes) docs->Arg(n);
    docs->Unit(benchmark::kMicrosecond)->Complexity(benchmark::oN);

    auto* fields = benchmark::RegisterBenchmark("FindSchemaFields", findSchemaFields);
    auto* front =
        benchmark::RegisterBenchmark("FindSchemaFieldsFrontDoor", findSchemaFieldsFrontDoor);
    for (int64_t n : kSchemaSizes) {
        fields->Arg(n);
        front->Arg(n);
    }
    fields->Unit(benchmark::kMicrosecond);
    front->Unit(benchmark::kMicrosecond);

    benchmark::RegisterBenchmark("MarkingWrite/deterministic_16B", markingWrite,
                                 schema::Algorithm::Deterministic, size_t{16});
    benchmark::RegisterBenchmark("MarkingWrite/random_1KB", markingWrite, schema::Algorithm::Random,
                                 size_t{1024});
    for (const char* name : {"ping", "find", "insert", "find_wide"}) {
        benchmark::RegisterBenchmark((std::string("ParseRequest/") + name).c_str(), parseRequest,
                                     std::string(name))
            ->Unit(benchmark::kMicrosecond);
    }
}

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
    bool aggregateRegistered = false;
    {
        analysis::Analyzer analyzer;
        if (!checkWorkloads(analyzer, aggregateRegistered)) return 1;
    }
    registerAll(aggregateRegistered);
    benchmark::AddCustomContext("aggregate", aggregateRegistered ? "analyzed" : "not registered");
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
