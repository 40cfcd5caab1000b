// LRU cache of parsed schemas keyed by (isRemote, schema bytes). A hit costs one hash of the
// bytes and one comparison; parsing happens outside the lock so that a slow parse never blocks
// other connections' hits.

#include "schema/schema_cache.h"

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
    std::shared_ptr<const ParsedSchema> schema;
    size_t cost;  // bytes charged against maxBytes
};

using Lru = std::list<Entry>;  // front = most recently used

struct ViewHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using Index = std::unordered_map<std::string, Lru::iterator, ViewHash, std::equal_to<>>;

}  // namespace

struct SchemaCache::Impl {
    Impl(size_t entries, size_t maxBytesHeld) : maxEntries(entries), maxBytes(maxBytesHeld) {}

    size_t maxEntries;
    size_t maxBytes;
    mutable std::mutex mutex;
    Lru lru;
    Index index[2];  // by isRemote: the flag changes which keywords are allowed
    size_t bytes = 0;
    Stats stats;

    std::shared_ptr<const EncryptionSchema> find(std::string_view key, bool isRemote) {
        std::lock_guard lock(mutex);
        auto& idx = index[isRemote];
        auto it = idx.find(key);
        if (it == idx.end()) {
            ++stats.misses;
            return nullptr;
        }
        ++stats.hits;
        lru.splice(lru.begin(), lru, it->second);
        return it->second->schema;
    }

    std::shared_ptr<const EncryptionSchema> insert(std::string_view key, bool isRemote,
                                                   std::shared_ptr<const ParsedSchema> schema) {
        // Key stored twice (list entry and index) plus the parsed tree.
        size_t cost = 2 * key.size() + schema->footprint() + 128;
        if (cost > maxBytes || maxEntries == 0) return schema;  // too big to keep: still valid
        std::lock_guard lock(mutex);
        auto& idx = index[isRemote];
        if (auto it = idx.find(key); it != idx.end()) {
            return it->second->schema;  // another thread parsed the same schema meanwhile
        }
        lru.push_front(Entry{std::string(key), isRemote, std::move(schema), cost});
        idx.emplace(lru.front().bytes, lru.begin());
        bytes += cost;
        while (lru.size() > maxEntries || bytes > maxBytes) evictOldest();
        return lru.front().schema;
    }

    void evictOldest() {
        Entry& last = lru.back();
        index[last.isRemote].erase(last.bytes);
        bytes -= last.cost;
        ++stats.evictions;
        lru.pop_back();
    }
};

SchemaCache::SchemaCache(size_t maxEntries, size_t maxBytes)
    : impl_(std::make_unique<Impl>(maxEntries, maxBytes)) {}

SchemaCache::~SchemaCache() = default;

std::shared_ptr<const EncryptionSchema> SchemaCache::get(bson::View jsonSchema, bool isRemote) {
    std::string_view key(reinterpret_cast<const char*>(jsonSchema.data()), jsonSchema.size());
    if (auto hit = impl_->find(key, isRemote)) return hit;
    return impl_->insert(key, isRemote, ParsedSchema::parse(jsonSchema, isRemote));
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
    impl_->index[0].clear();
    impl_->index[1].clear();
    impl_->lru.clear();
    impl_->bytes = 0;
}

}  // namespace cryptd::schema
