// LRU cache of parsed schemas keyed by (isRemote, schema bytes). A hit costs one sampled hash
// and one memcmp of the bytes (a full hash would be a second pass over a schema that may be
// megabytes); parsing happens outside the lock so that a slow parse never blocks other hits.

#include "schema/schema_cache.h"

#include <cstring>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "schema/parsed_schema.h"

namespace cryptd::schema {

namespace {

struct Entry {
    std::string bytes;
    bool isRemote;
    uint64_t sketch;
    std::shared_ptr<const ParsedSchema> schema;
    size_t cost;  // bytes charged against maxBytes
};

using Lru = std::list<Entry>;  // front = most recently used

// Hash of the size, the flag, both ends and ~64 evenly spaced 8-byte samples, read a word at a
// time. Equal bytes give equal sketches; entries with the same sketch are told apart by memcmp,
// which is the one full pass over the bytes a hit makes (it cannot be skipped: a hash match alone
// could hand a command another collection's schema).
uint64_t sketchOf(std::string_view b, bool isRemote) {
    uint64_t h = 1469598103934665603ull ^ (b.size() * 2 + (isRemote ? 1 : 0));
    auto mix = [&h](uint64_t word) {
        h = (h ^ word) * 1099511628211ull;
        h ^= h >> 32;
    };
    auto mixPart = [&mix](std::string_view part) {
        size_t at = 0;
        for (; at + 8 <= part.size(); at += 8) {
            uint64_t word;
            std::memcpy(&word, part.data() + at, 8);
            mix(word);
        }
        for (; at < part.size(); ++at) mix(static_cast<unsigned char>(part[at]));
    };
    mixPart(b.substr(0, 64));
    if (b.size() > 64) mixPart(b.substr(b.size() - 64));
    if (b.size() > 1024) {
        size_t step = b.size() / 64;
        for (size_t at = step; at + 8 <= b.size(); at += step) mixPart(b.substr(at, 8));
    }
    return h;
}

}  // namespace

struct SchemaCache::Impl {
    Impl(size_t entries, size_t maxBytesHeld) : maxEntries(entries), maxBytes(maxBytesHeld) {}

    size_t maxEntries;
    size_t maxBytes;
    mutable std::mutex mutex;
    Lru lru;
    std::unordered_multimap<uint64_t, Lru::iterator> index;  // by sketch
    size_t bytes = 0;
    Stats stats;

    Lru::iterator lookup(std::string_view key, bool isRemote, uint64_t sketch) {
        auto [begin, end] = index.equal_range(sketch);
        for (auto it = begin; it != end; ++it) {
            const Entry& e = *it->second;
            if (e.isRemote == isRemote && e.bytes.size() == key.size() &&
                std::memcmp(e.bytes.data(), key.data(), key.size()) == 0)
                return it->second;
        }
        return lru.end();
    }

    std::shared_ptr<const EncryptionSchema> find(std::string_view key, bool isRemote,
                                                 uint64_t sketch) {
        std::lock_guard lock(mutex);
        auto it = lookup(key, isRemote, sketch);
        if (it == lru.end()) {
            ++stats.misses;
            return nullptr;
        }
        ++stats.hits;
        lru.splice(lru.begin(), lru, it);
        return it->schema;
    }

    std::shared_ptr<const EncryptionSchema> insert(std::string_view key, bool isRemote,
                                                   uint64_t sketch,
                                                   std::shared_ptr<const ParsedSchema> schema) {
        size_t cost = key.size() + schema->footprint() + sizeof(Entry) + 64;
        if (cost > maxBytes || maxEntries == 0) return schema;  // too big to keep: still valid
        std::lock_guard lock(mutex);
        if (auto it = lookup(key, isRemote, sketch); it != lru.end()) {
            return it->schema;  // another thread parsed the same schema meanwhile
        }
        lru.push_front(Entry{std::string(key), isRemote, sketch, std::move(schema), cost});
        index.emplace(sketch, lru.begin());
        bytes += cost;
        while (lru.size() > maxEntries || bytes > maxBytes) evictOldest();
        return lru.front().schema;
    }

    void evictOldest() {
        auto last = std::prev(lru.end());
        auto [begin, end] = index.equal_range(last->sketch);
        for (auto it = begin; it != end; ++it) {
            if (it->second == last) {
                index.erase(it);
                break;
            }
        }
        bytes -= last->cost;
        ++stats.evictions;
        lru.erase(last);
    }
};

SchemaCache::SchemaCache(size_t maxEntries, size_t maxBytes)
    : impl_(std::make_unique<Impl>(maxEntries, maxBytes)) {}

SchemaCache::~SchemaCache() = default;

std::shared_ptr<const EncryptionSchema> SchemaCache::get(bson::View jsonSchema, bool isRemote) {
    std::string_view key(reinterpret_cast<const char*>(jsonSchema.data()), jsonSchema.size());
    uint64_t sketch = sketchOf(key, isRemote);
    if (auto hit = impl_->find(key, isRemote, sketch)) return hit;
    return impl_->insert(key, isRemote, sketch, ParsedSchema::parse(jsonSchema, isRemote));
}

size_t SchemaCache::size() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->lru.size();
}

SchemaCache::Stats SchemaCache::stats() const {
    std::lock_guard lock(impl_->mutex);
    Stats out = impl_->stats;
    out.entries = impl_->lru.size();
    out.bytes = impl_->bytes;
    return out;
}

void SchemaCache::clear() {
    std::lock_guard lock(impl_->mutex);
    impl_->index.clear();
    impl_->lru.clear();
    impl_->bytes = 0;
}

}  // namespace cryptd::schema
