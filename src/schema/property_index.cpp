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

namespace {

// 1..7 bytes as one word, from at most two overlapping loads (no memcpy call for a short tail).
uint64_t shortWord(const char* p, size_t n) {
    if (n >= 4) {
        uint32_t lo, hi;
        std::memcpy(&lo, p, 4);
        std::memcpy(&hi, p + n - 4, 4);
        return (uint64_t{hi} << 32) | lo;
    }
    uint64_t w = static_cast<uint8_t>(p[0]);
    w |= uint64_t{static_cast<uint8_t>(p[n / 2])} << 8;
    w |= uint64_t{static_cast<uint8_t>(p[n - 1])} << 16;
    return w;
}

// Equal bytes; names are mostly short, so up to 16 bytes are compared with two word loads each
// instead of a call to memcmp.
bool sameName(std::string_view a, std::string_view b) {
    const size_t n = a.size();
    if (n != b.size()) return false;
    if (n >= 8 && n <= 16) {
        uint64_t a0, a1, b0, b1;
        std::memcpy(&a0, a.data(), 8);
        std::memcpy(&b0, b.data(), 8);
        std::memcpy(&a1, a.data() + n - 8, 8);
        std::memcpy(&b1, b.data() + n - 8, 8);
        return ((a0 ^ b0) | (a1 ^ b1)) == 0;
    }
    return n == 0 || std::memcmp(a.data(), b.data(), n) == 0;
}

}  // namespace

uint64_t PropertyIndex::hash(uint64_t seed, std::string_view name) {
    constexpr uint64_t kMul = 0x9fb21c651e98df25ULL;
    uint64_t h = seed ^ (name.size() * kMul);
    const char* p = name.data();
    const size_t n = name.size();
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        std::memcpy(&w, p + i, 8);
        h = (h ^ w) * kMul;
        h ^= h >> 29;
    }
    if (i < n) {
        uint64_t w;
        if (n >= 8) {
            std::memcpy(&w, p + n - 8, 8);  // the last 8 bytes, overlapping the loop's
        } else {
            w = shortWord(p, n);
        }
        h = (h ^ w) * kMul;
    }
    return mix(h);
}

void PropertyIndex::build(std::vector<Entry> entries) {
    entries_ = std::move(entries);
    slots_.clear();
    mask_ = 0;
    if (entries_.size() <= kLinearMax) return;
    size_t size = 16;
    while (size < 2 * entries_.size()) size *= 2;
    slots_.assign(size, 0);
    mask_ = size - 1;
    seed_ = processSeed();
    for (size_t i = 0; i < entries_.size(); ++i) {
        uint64_t h = hash(seed_, entries_[i].name);
        size_t at = h & mask_;
        while (slots_[at] != 0) at = (at + 1) & mask_;
        slots_[at] = (h & 0xFFFFFFFF00000000ULL) | (i + 1);
    }
}

const Node* PropertyIndex::find(std::string_view name) const {
    if (slots_.empty()) {
        for (const Entry& e : entries_) {
            if (sameName(e.name, name)) return e.node;
        }
        return nullptr;
    }
    const uint64_t h = hash(seed_, name);
    const uint64_t tag = h & 0xFFFFFFFF00000000ULL;
    for (size_t at = h & mask_;; at = (at + 1) & mask_) {
        const uint64_t slot = slots_[at];
        if (slot == 0) return nullptr;
        if ((slot & 0xFFFFFFFF00000000ULL) != tag) continue;
        const Entry& e = entries_[(slot & 0xFFFFFFFFu) - 1];
        if (sameName(e.name, name)) return e.node;
    }
}

void PropertyIndex::clear() {
    entries_.clear();
    slots_.clear();
    mask_ = 0;
}

}  // namespace cryptd::schema
