#pragma once
// The messages MongoDB's IDL parser gives for a command or option object it refuses, built in
// one place for every strict parser (schema `encrypt`, command fields, ...). Clients and tools
// (cryptd-check's rules) match on these words.

#include <string>
#include <string_view>

namespace cryptd::idl {

inline constexpr std::string_view kUnknownField = "' is an unknown field.";
inline constexpr std::string_view kDuplicateField = "' is a duplicate field";

// "BSON field 'find.filter' is the wrong type 'string', expected type 'object'"
inline std::string wrongType(std::string_view field, std::string_view actual,
                             std::string_view expected) {
    return "BSON field '" + std::string(field) + "' is the wrong type '" + std::string(actual) +
           "', expected type '" + std::string(expected) + "'";
}

// "BSON field 'encrypt.bsonType' is the wrong type 'int', expected types '[string, array]'"
inline std::string wrongTypes(std::string_view field, std::string_view actual,
                              std::string_view expected) {
    return "BSON field '" + std::string(field) + "' is the wrong type '" + std::string(actual) +
           "', expected types '" + std::string(expected) + "'";
}

// "BSON field 'encrypt.iv' is an unknown field."
inline std::string unknownField(std::string_view field) {
    return "BSON field '" + std::string(field) + std::string(kUnknownField);
}

// "BSON field 'encrypt.algorithm' is a duplicate field"
inline std::string duplicateField(std::string_view field) {
    return "BSON field '" + std::string(field) + std::string(kDuplicateField);
}

}  // namespace cryptd::idl
