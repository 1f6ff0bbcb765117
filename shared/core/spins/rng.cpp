#include "core/spins/rng.hpp"

#include "core/assert.hpp"

namespace kopilka::spins {

namespace {
std::uint64_t rotl(std::uint64_t x, int k) {
    return (x << k) | (x >> (64 - k));
}
}  // namespace

std::uint64_t splitmix64_next(std::uint64_t* state) {
    std::uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

Rng::Rng(std::uint64_t seed) {
    // SplitMix64 never yields four zeros in a row, the one state xoshiro must not start in.
    for (auto& word : s_) word = splitmix64_next(&seed);
}

std::uint64_t Rng::next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
}

std::uint64_t Rng::uniform_below(std::uint64_t n) {
    KOPILKA_ASSERT(n > 0);
    // 2^64 mod n values at the bottom would make the low results more likely; they are
    // rejected, so every result in [0, n) comes from the same number of 64-bit values.
    const std::uint64_t rejected_below = (0 - n) % n;
    for (;;) {
        const std::uint64_t x = next();
        if (x >= rejected_below) return x % n;
    }
}

}  // namespace kopilka::spins
