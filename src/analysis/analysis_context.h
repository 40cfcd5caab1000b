#pragma once
// State shared by the walkers while one command is analyzed: the schema in effect and the count
// of markings written (reply field hasEncryptionPlaceholders).

#include <cstddef>

#include "analysis/schema_view.h"

namespace cryptd::analysis {

struct Context {
    explicit Context(SchemaView s) : schema(s) {}
    SchemaView schema;
    size_t placeholders = 0;
};

}  // namespace cryptd::analysis
