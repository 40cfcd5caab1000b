#include "crypt_shared/validated_schemas.h"

#include <array>
#include <cstring>
#include <vector>

namespace cryptd::crypt_shared {

namespace {

constexpr size_t kEntries = 4;
constexpr size_t kMaxSchemaBytes = 1 << 20;  // larger schemas are validated every time

struct Entry {
    std::vector<uint8_t> bytes;
    int depth = 0;
};

struct Remembered {
    std::array<Entry, kEntries> entries;
    size_t next = 0;
};

Remembered& remembered() {
    thread_local Remembered r;
    return r;
}

}  // namespace

int knownSchemaDepth(bson::View schema) {
    for (const Entry& e : remembered().entries) {
        if (e.depth != 0 && e.bytes.size() == schema.size() &&
            std::memcmp(e.bytes.data(), schema.data(), schema.size()) == 0)
            return e.depth;
    }
    return 0;
}

void rememberSchema(bson::View schema, int depth) {
    if (depth <= 0 || schema.size() > kMaxSchemaBytes) return;
    Remembered& r = remembered();
    Entry& e = r.entries[r.next];
    r.next = (r.next + 1) % kEntries;
    e.bytes.assign(schema.data(), schema.data() + schema.size());
    e.depth = depth;
}

}  // namespace cryptd::crypt_shared
