#pragma once
// The three shapes people keep encryption schemas in, and how each becomes the (namespace,
// $jsonSchema, isRemoteSchema) units the daemon would receive:
//   schemaMap           {"db.coll": <$jsonSchema>, ...}            local rules (isRemoteSchema
//   false) $jsonSchema         {"bsonType": "object", "properties": ...}  local, or remote with
//   --remote collection options  {"validator": {"$jsonSchema": ...}}        remote rules (a
//   validator);
//                       also a listCollections entry {"name", "options": {"validator": ...}}
//                       and a bare validator {"$jsonSchema": ...}

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "check/diagnostic.h"
#include "check/json_locator.h"
#include "common/bson.h"

namespace cryptd::check {

enum class Shape { kSchemaMap, kJsonSchema, kCollectionOptions };
std::string_view shapeName(Shape shape);

struct SchemaUnit {
    std::string ns;                     // "db.coll", or what the input says ("coll"), or ""
    Segments base;                      // from the file root to this $jsonSchema
    bson::View schema;                  // borrows the input document
    bool remote = false;                // the isRemoteSchema the driver would send
    bool validatorHasSiblings = false;  // validator keys besides $jsonSchema
};

struct ShapeOptions {
    std::optional<std::string> ns;  // --namespace
    bool remote = false;            // --remote: a bare $jsonSchema is a validator's
};

struct SplitInput {
    Shape shape = Shape::kJsonSchema;
    std::vector<SchemaUnit> units;
    std::vector<Diagnostic> problems;    // input that cannot be what it claims (no location yet)
    std::vector<Segments> problemPaths;  // where each problem is, from the file root
};

SplitInput splitInput(bson::View root, const ShapeOptions& options);

}  // namespace cryptd::check
