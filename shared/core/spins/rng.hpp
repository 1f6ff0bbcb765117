// Our own seeded generator for spins: xoshiro256** (Blackman and Vigna, 2018) with its state
// expanded from a 64-bit seed by SplitMix64. Plain 64-bit integer arithmetic only, so the
// same seed gives the same numbers natively and in wasm; std::*_distribution would not
// (each standard library implements them differently).
#pragma once

#include <cstdint>

namespace kopilka::spins {

// SplitMix64: advances *state and returns the next output. Also good for deriving seeds.
std::uint64_t splitmix64_next(std::uint64_t* state);

class Rng {
public:
    explicit Rng(std::uint64_t seed);              // state = four SplitMix64 outputs from seed
    std::uint64_t next();                          // the next 64 random bits
    std::uint64_t uniform_below(std::uint64_t n);  // uniform in [0, n), n > 0; no modulo bias

private:
    std::uint64_t s_[4];
};

}  // namespace kopilka::spins
