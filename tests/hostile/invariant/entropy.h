#pragma once
// Where generated schemas and commands get their choices from: a seeded PRNG for the property
// test, the fuzzer's input bytes for the structure-aware fuzz target (same generator, so every
// fuzz input is a valid-looking schema + command rather than noise).

#include <cstddef>
#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <vector>

namespace cryptd::test::invariant {

class Entropy {
  public:
    virtual ~Entropy() = default;
    // A number in [0, n); n > 0.
    virtual uint32_t below(uint32_t n) = 0;

    bool chance(uint32_t percent) { return below(100) < percent; }
    template <typename T>
    const T& pick(const std::vector<T>& from) {
        return from[below(static_cast<uint32_t>(from.size()))];
    }
};

class SeededEntropy : public Entropy {
  public:
    explicit SeededEntropy(uint64_t seed) : rng_(seed) {}
    uint32_t below(uint32_t n) override { return static_cast<uint32_t>(rng_() % n); }

  private:
    std::mt19937_64 rng_;
};

// Reads choices from bytes; once they run out every choice is 0 (the simplest option), so any
// input, even an empty one, yields a finite case.
class ByteEntropy : public Entropy {
  public:
    explicit ByteEntropy(std::span<const uint8_t> bytes) : bytes_(bytes) {}
    uint32_t below(uint32_t n) override {
        if (n <= 1) return 0;
        uint32_t v = 0;
        // As many bytes as n needs, so small choices consume one byte each.
        for (uint32_t range = n - 1; range != 0; range >>= 8) {
            v = (v << 8) | (pos_ < bytes_.size() ? bytes_[pos_++] : 0);
        }
        return v % n;
    }

  private:
    std::span<const uint8_t> bytes_;
    size_t pos_ = 0;
};

}  // namespace cryptd::test::invariant
