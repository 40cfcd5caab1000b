#include "schema/property_index.h"

#include <cstring>
#include <random>

namespace cryptd::schema {

namespace {

uint64_t processSeed() {
    static const uint64_t seed = [] {
        std::random_device rd;
        return (static_cast<uint64_t>(rd()) << 32) ^ rd() ^ 0x9e3779b97f4a7c15ULL;
    }();
    return seed;
}

uint64_t mix(uint64_t h) {
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
}

}  // namespace

uint64_t PropertyIndex::hash(uint64_t seed, std::string_view name) {
    constexpr uint64_t kMul = 0x9fb21c651e98df25ULL;
    uint64_t h = seed ^ (name.size() * kMul);
    const char* p = name.data();
    size_t n = name.size();
    for (; n >= 8; n -= 8, p += 8) {
        uint64_t w;
        std::memcpy(&w, p, 8);
        h = (h ^ w) * kMul;
        h ^= h >> 29;
    }
    if (n > 0) {
        uint64_t w = 0;
        std::memcpy(&w, p, n);
        h = (h ^ w) * kMul;
    }
    return mix(h);
}

void PropertyIndex::build(std::vector<Entry> entries) {
    entries_ = std::move(entries);
    slots_.clear();
    hashes_.clear();
    mask_ = 0;
    if (entries_.size() <= kLinearMax) return;
    size_t size = 16;
    while (size < 2 * entries_.size()) size *= 2;
    slots_.assign(size, 0);
    hashes_.resize(entries_.size());
    mask_ = size - 1;
    seed_ = processSeed();
    for (size_t i = 0; i < entries_.size(); ++i) {
        uint64_t h = hash(seed_, entries_[i].name);
        hashes_[i] = static_cast<uint32_t>(h >> 32);
        size_t at = h & mask_;
        while (slots_[at] != 0) at = (at + 1) & mask_;
        slots_[at] = static_cast<uint32_t>(i + 1);
    }
}

const Node* PropertyIndex::find(std::string_view name) const {
    if (slots_.empty()) {
        for (const Entry& e : entries_) {
            if (e.name.size() == name.size() &&
                std::memcmp(e.name.data(), name.data(), name.size()) == 0) {
                return e.node;
            }
        }
        return nullptr;
    }
    uint64_t h = hash(seed_, name);
    auto tag = static_cast<uint32_t>(h >> 32);
    for (size_t at = h & mask_;; at = (at + 1) & mask_) {
        uint32_t slot = slots_[at];
        if (slot == 0) return nullptr;
        const Entry& e = entries_[slot - 1];
        if (hashes_[slot - 1] == tag && e.name.size() == name.size() &&
            std::memcmp(e.name.data(), name.data(), name.size()) == 0) {
            return e.node;
        }
    }
}

void PropertyIndex::clear() {
    entries_.clear();
    slots_.clear();
    hashes_.clear();
    mask_ = 0;
}

}  // namespace cryptd::schema
