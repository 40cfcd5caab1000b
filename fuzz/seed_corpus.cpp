// Builds the fuzzers' seed corpora from the spec-tests cases (commands, schemas) so fuzzing
// starts from real driver traffic rather than noise:
//
//   seed_corpus <spec-tests dir> <out dir>
//
//   <out>/intake/   each case's command (with $db) as BSON
//   <out>/wire/     the same as OP_MSG (plus a document-sequence variant for inserts, a
//                   checksummed one, and OP_QUERY for admin commands)
//   <out>/schema/   flags byte (bit 0 = isRemoteSchema) + each jsonSchema, and spec-tests/schemas
//   <out>/analyze/  a few byte strings (the analyze target is structure-aware: bytes are choices)
//
// `{"$$include": "schemas/x.json"}` is resolved as the spec runner does.

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "common/bson.h"
#include "support/wire_builder.h"

namespace fs = std::filesystem;
using namespace cryptd;

namespace {

std::string readText(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void writeBytes(const fs::path& p, const uint8_t* data, size_t n) {
    std::ofstream out(p, std::ios::binary);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(n));
}

bson::Doc resolveIncludes(bson::View doc, const fs::path& root, bool array);

void appendResolved(bson::Builder& b, const bson::Element& e, const fs::path& root) {
    if (e.isDocument()) {
        auto inc = e.document().find("$$include");
        if (inc && inc->isString() && e.document().count() == 1) {
            bson::Doc included = bson::Doc::fromJson(readText(root / std::string(inc->utf8())));
            b.appendDocument(e.key(), resolveIncludes(included.view(), root, false).view());
            return;
        }
        b.appendDocument(e.key(), resolveIncludes(e.document(), root, false).view());
    } else if (e.isArray()) {
        b.appendArray(e.key(), resolveIncludes(e.document(), root, true).view());
    } else {
        b.append(e);
    }
}

bson::Doc resolveIncludes(bson::View doc, const fs::path& root, bool) {
    bson::Builder b;
    for (auto e : doc) appendResolved(b, e, root);
    return b.finish();
}

void writeSchema(const fs::path& dir, const std::string& name, bson::View schema, bool remote) {
    std::vector<uint8_t> bytes{static_cast<uint8_t>(remote ? 1 : 0)};
    bytes.insert(bytes.end(), schema.data(), schema.data() + schema.size());
    writeBytes(dir / (name + (remote ? ".remote" : ".local")), bytes.data(), bytes.size());
    // The same as JSON text (see documentFrom in targets/targets.h).
    std::string text = std::string(1, remote ? '\1' : '\0') + schema.toCanonicalJson();
    writeBytes(dir / (name + (remote ? ".remote.json" : ".local.json")),
               reinterpret_cast<const uint8_t*>(text.data()), text.size());
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::cerr << "usage: seed_corpus <spec-tests dir> <out dir>\n";
        return 2;
    }
    fs::path specs = argv[1];
    fs::path out = argv[2];
    for (const char* t : {"intake", "wire", "schema", "analyze"}) fs::create_directories(out / t);
    int cases = 0, skipped = 0;
    for (const auto& entry : fs::recursive_directory_iterator(specs / "cases")) {
        if (entry.path().extension() != ".json") continue;
        std::string name =
            entry.path().parent_path().filename().string() + "__" + entry.path().stem().string();
        try {
            bson::Doc c = bson::Doc::fromJson(readText(entry.path()));
            auto cmd = c.view().find("command");
            if (!cmd || !cmd->isDocument()) {
                ++skipped;
                continue;
            }
            auto dbField = c.view().find("db");
            std::string db = dbField && dbField->isString() ? std::string(dbField->utf8()) : "test";
            bson::Doc resolved = resolveIncludes(cmd->document(), specs, false);
            bson::Builder withDb;
            for (auto e : resolved.view()) withDb.append(e);
            withDb.appendUtf8("$db", db);
            bson::Doc body = withDb.finish();
            writeBytes(out / "intake" / (name + ".bson"), body.data(), body.size());
            std::string text = body.view().toCanonicalJson();
            writeBytes(out / "intake" / (name + ".json"),
                       reinterpret_cast<const uint8_t*>(text.data()), text.size());

            auto msg = test::wire::opMsg(1, body);
            writeBytes(out / "wire" / (name + ".opmsg"), msg.data(), msg.size());
            auto crc = test::wire::opMsg(2, body, 0, {}, true);
            writeBytes(out / "wire" / (name + ".crc"), crc.data(), crc.size());
            if (auto docs = body.view().find("documents"); docs && docs->isArray()) {
                // The insert as drivers send it: documents in a kind-1 sequence.
                bson::Builder rest;
                for (auto e : body.view()) {
                    if (e.key() != "documents") rest.append(e);
                }
                std::vector<bson::Doc> owned;
                for (auto d : docs->document()) {
                    if (d.isDocument()) owned.push_back(bson::Doc::copyOf(d.document()));
                }
                std::vector<const bson::Doc*> ptrs;
                for (const auto& d : owned) ptrs.push_back(&d);
                auto seq = test::wire::opMsg(3, rest.finish(), 0, {{"documents", ptrs}});
                writeBytes(out / "wire" / (name + ".seq"), seq.data(), seq.size());
            }
            if (entry.path().parent_path().filename() == "admin") {
                auto q = test::wire::opQuery(4, db + ".$cmd", resolved);
                writeBytes(out / "wire" / (name + ".opquery"), q.data(), q.size());
            }
            if (auto schema = body.view().find("jsonSchema"); schema && schema->isDocument()) {
                auto remote = body.view().find("isRemoteSchema");
                writeSchema(out / "schema", name, schema->document(), remote && remote->truthy());
            }
            ++cases;
        } catch (const std::exception& e) {
            std::cerr << "seed_corpus: skipping " << entry.path() << ": " << e.what() << "\n";
            ++skipped;
        }
    }
    for (const auto& entry : fs::directory_iterator(specs / "schemas")) {
        if (entry.path().extension() != ".json") continue;
        try {
            bson::Doc s = bson::Doc::fromJson(readText(entry.path()));
            writeSchema(out / "schema", "schemas__" + entry.path().stem().string(), s.view(),
                        false);
            writeSchema(out / "schema", "schemas__" + entry.path().stem().string(), s.view(), true);
        } catch (const std::exception& e) {
            std::cerr << "seed_corpus: skipping " << entry.path() << ": " << e.what() << "\n";
        }
    }
    // The structure-aware target: a few plain byte strings of different lengths.
    for (int i = 0; i < 16; ++i) {
        std::vector<uint8_t> bytes(static_cast<size_t>(8 + i * 16));
        for (size_t k = 0; k < bytes.size(); ++k) bytes[k] = static_cast<uint8_t>(k * 37 + i * 101);
        writeBytes(out / "analyze" / ("bytes" + std::to_string(i)), bytes.data(), bytes.size());
    }
    std::cout << "seed_corpus: " << cases << " cases written, " << skipped << " skipped\n";
    return 0;
}
