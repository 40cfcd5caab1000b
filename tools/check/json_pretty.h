#pragma once
// Indents one-line JSON (libbson's relaxed Extended JSON) for people to read.

#include <string>
#include <string_view>

namespace cryptd::check {

std::string prettyJson(std::string_view json, std::string_view indent = "  ");

}  // namespace cryptd::check
