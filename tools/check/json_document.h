#pragma once
// One input file as a BSON document plus what is needed to point into its text: read (file or
// stdin), shell UUID("...") literals rewritten, parsed by libbson (canonical or relaxed Extended
// JSON), and indexed for line numbers.

#include <istream>
#include <string>

#include "check/input_text.h"
#include "check/json_locator.h"
#include "common/bson.h"

namespace cryptd::check {

struct JsonDocument {
    std::string text;  // as read
    bson::Doc doc;
    JsonLocator locator;

    // Throws InputError (with a location when libbson or the scanner gives one) when the input
    // cannot be read, is not JSON, is not one object, or has text after the object.
    static JsonDocument load(const std::string& path, std::istream& in);
};

// "<stdin>" for "-", else the path as given.
std::string displayName(const std::string& path);

}  // namespace cryptd::check
