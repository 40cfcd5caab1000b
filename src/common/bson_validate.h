#pragma once
// One pass over untrusted BSON bytes: structure, nesting depth, array keys and key UTF-8, without
// recursion (hostile nesting cannot exhaust the stack) and without allocating for documents up to
// 32 levels deep. Everything that reads BSON after this pass (libbson iterators, re-encoding,
// Extended JSON) can trust the bytes.
//
// What it accepts, element by element: every type libbson iterates (0x01-0x13, 0x7F, 0xFF, the
// deprecated ones included); lengths inside their parents; strings, code and symbols with their
// terminating zero and no zero byte inside (libbson would re-encode them cut short); booleans
// 0 or 1; binary subtype 2 with its inner length; code-with-scope whose parts add up. Keys must be
// well-formed UTF-8 (no overlong forms, surrogates or code points above U+10FFFF). The UTF-8 of
// string values is not checked, as neither libbson 1.23 nor mongod does by default.

#include <cstddef>
#include <cstdint>

namespace cryptd::bson {

enum class Invalid {
    kNone,
    kStructure,       // a length, terminator or type byte is wrong
    kArrayKeys,       // an array's keys are not "0", "1", ... in order
    kTooDeep,         // nested deeper than the limit
    kKeyUtf8,         // a key is not well-formed UTF-8
    kStringZeroByte,  // a string, code, symbol or DBPointer name contains a zero byte
};

struct ValidateOptions {
    int maxDepth = 1 << 30;         // a flat document has depth 1
    bool arrayKeysInOrder = false;  // libbson re-encodes arrays only with such keys
    // An embedded document whose bytes the caller validated before with these same options (as
    // a document of its own, `trustedDepth` levels deep): when a document value starts at
    // `trustedOffset` and is `trustedSize` bytes long, its frame and the depth limit are checked
    // and its content is not read again. trustedSize 0: none. (A driver sends the same schema
    // with every command; mongo_crypt_v1.so remembers the schemas it has validated.)
    size_t trustedOffset = 0;
    size_t trustedSize = 0;
    int trustedDepth = 0;
};

struct Validation {
    Invalid problem = Invalid::kNone;
    size_t offset = 0;  // where the problem was found
    int depth = 0;      // the deepest level seen (when valid: the document's depth)
    explicit operator bool() const { return problem == Invalid::kNone; }
    // A short phrase for error messages: "a string value contains a zero byte".
    const char* describe() const;
};

// True when the bytes are well-formed UTF-8 as keys must be (a zero byte counts as malformed).
bool isValidKey(const uint8_t* data, size_t len);

// `len` must be the number of bytes available; the document's own length must equal it.
Validation validate(const uint8_t* data, size_t len, ValidateOptions options = {});

}  // namespace cryptd::bson
