#pragma once
// The schemas and commands every benchmark sends, built in one place so the in-process numbers
// (engine_bench) and the wire numbers (loadgen, memory_bench) measure the same work.
//
// Schemas: the two-field hr.employees and the MedCo.patients examples of MongoDB's "Automatic
// Encryption Rules" page (explicit keys, and the encryptMetadata-inheritance variant), and a
// generated flat schema of N fields where every even field `f<i>` is a deterministic encrypted
// string and every odd one a plain int. The generated schemas of 10, 20 and 10,000 fields share
// their first fields, so the same command can be analyzed against each.
//
// Commands carry what libmongocrypt appends: `jsonSchema`, `isRemoteSchema: false`, `$db`.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/bson.h"

namespace cryptd::bench {

bson::Doc smallSchema();           // hr.employees: taxid (random), taxid-short (deterministic)
bson::Doc medcoSchema();           // MedCo.patients, every encrypt with its own keyId/algorithm
bson::Doc medcoInheritedSchema();  // MedCo.patients, keyId/algorithm from encryptMetadata
bson::Doc generatedSchema(size_t fields);

// A MedCo patient; `seed` varies the values so documents are not identical.
bson::Doc patientDoc(int seed);
// A document of the generated schema's first `fields` fields (even ones strings, odd ones ints)
// padded so that its BSON size is close to `targetBytes` (the strings take the padding).
bson::Doc generatedDoc(size_t fields, size_t targetBytes, int seed);

// MedCo commands.
bson::Doc medcoFind(bson::View schema);  // $eq + $in on encrypted fields, one plain field
bson::Doc medcoInsert(bson::View schema, size_t documents);
bson::Doc medcoUpdate(bson::View schema);     // query on and $set of encrypted fields
bson::Doc medcoAggregate(bson::View schema);  // $match on encrypted fields, then $project

// Generated-schema commands: the same command text for any schema size >= 4 fields.
bson::Doc generatedFind(bson::View schema);
bson::Doc generatedInsert(bson::View schema, size_t fields, size_t docBytes, int seed = 0);

// Admin commands, as drivers send them.
bson::Doc pingCommand();
bson::Doc helloCommand();

}  // namespace cryptd::bench
