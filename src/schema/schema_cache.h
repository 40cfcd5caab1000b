#pragma once
// Parsed schemas cached by their bytes (and isRemote), so a driver that sends the same schema
// with every command pays the parse once. Bounded (LRU); thread-safe.

#include <cstddef>
#include <cstdint>
#include <memory>

#include "schema/encryption_schema.h"

namespace cryptd::schema {

class SchemaCache {
  public:
    explicit SchemaCache(size_t maxEntries = 256, size_t maxBytes = 64u << 20);
    ~SchemaCache();
    // Returns the parsed schema, parsing it on a miss. Parse errors are not cached; they throw.
    std::shared_ptr<const EncryptionSchema> get(bson::View jsonSchema, bool isRemote);
    size_t size() const;

    // Added for logs and benchmarks: hit/miss/eviction counters and the current footprint.
    struct Stats {
        uint64_t hits = 0;
        uint64_t misses = 0;
        uint64_t evictions = 0;
        size_t entries = 0;
        size_t bytes = 0;  // approximate bytes held (keys + parsed trees)
    };
    Stats stats() const;
    void clear();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace cryptd::schema
