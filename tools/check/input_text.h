#pragma once
// Reading an input (a file, or stdin for "-") into memory, and the one shell literal the MongoDB
// docs print in encryption schemas, UUID("..."), rewritten to Extended JSON for libbson.

#include <cstddef>
#include <istream>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "check/diagnostic.h"

namespace cryptd::check {

// The input cannot be read or is not one JSON document (exit code 2).
class InputError : public std::runtime_error {
  public:
    explicit InputError(const std::string& message, std::optional<Location> where = {})
        : std::runtime_error(message), location(where) {}
    std::optional<Location> location;
};

// Larger inputs are refused rather than read without bound.
inline constexpr size_t kMaxInputBytes = 16 * 1024 * 1024;

// The bytes of `path`, or of `in` when path is "-". Throws InputError.
std::string readInput(const std::string& path, std::istream& in);

// Text for libbson, with every one-line UUID("hex") / UUID('hex') outside strings replaced by
// {"$uuid": "hex"}. offsetInOriginal() maps offsets back (for libbson's error positions).
class ShellLiterals {
  public:
    explicit ShellLiterals(std::string_view original);
    const std::string& json() const { return json_; }
    size_t offsetInOriginal(size_t offsetInJson) const;

  private:
    struct Shift {
        size_t jsonOffset;  // where the replacement ends in json_
        long delta;         // original length - replacement length, summed so far
    };
    std::string json_;
    std::vector<Shift> shifts_;
};

}  // namespace cryptd::check
