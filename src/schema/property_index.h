#pragma once
// Name -> node lookup for one schema node's `properties`: the hot path of analysis (one lookup per
// field of every document and filter). Built once, read-only afterwards.
//
// Few names: a linear scan comparing lengths first. More: an open-addressing table (power-of-two
// size, at most half full) keyed by a word-at-a-time hash, so a lookup hashes the name once and
// usually compares one key. std::unordered_map cost about 310 instructions per lookup here
// (murmur hash, a division by a prime, a node chase). The hash is seeded once per process, so
// names chosen to collide cannot be precomputed for a hostile schema.

#include <cstdint>
#include <string_view>
#include <vector>

namespace cryptd::schema {

class Node;

class PropertyIndex {
  public:
    struct Entry {
        std::string_view name;  // views into the owner's keys, which must outlive the index
        const Node* node;
    };

    void build(std::vector<Entry> entries);  // names distinct
    const Node* find(std::string_view name) const;
    void clear();

  private:
    static constexpr size_t kLinearMax = 8;
    static uint64_t hash(uint64_t seed, std::string_view name);

    std::vector<Entry> entries_;
    // Upper 32 bits: the entry's hash bits, compared before its key; lower 32: 1 + index into
    // entries_; 0 = empty. One load per probe.
    std::vector<uint64_t> slots_;
    uint64_t mask_ = 0;
    uint64_t seed_ = 0;  // the process seed, copied here so a lookup needs no guard check
};

}  // namespace cryptd::schema
