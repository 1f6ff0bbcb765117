// Published odds of a prize wheel, in whole parts per million so that they add up exactly
// and read the same everywhere. Given the current state they reflect drop-outs: a prize out
// of stock or over budget shows 0 and the others' chances grow in proportion.
#pragma once

#include <cstdint>
#include <vector>

#include "core/spins/wheel.hpp"

namespace kopilka::spins {

constexpr std::int64_t ppm_total = 1'000'000;
constexpr std::int64_t win_chance_ppm_min = 250'000;  // below 25 % the merchant is warned

struct WheelOdds {
    std::vector<std::int64_t> chance_ppm;  // per prize; sums to ppm_total (all 0 when empty)
    std::int64_t win_chance_ppm = 0;       // any prize that is not "nothing", rounded down
    bool low_win_chance = false;           // win_chance_ppm < win_chance_ppm_min
    bool nothing_left = false;             // every prize has dropped out
};

// Per-prize chances are rounded by the largest-remainder method (ties to the earlier prize).
// The win chance is rounded down from the exact ratio, so the warning is never hidden by
// rounding; it can differ by a few ppm from the sum of the rounded per-prize chances.
WheelOdds wheel_odds(const WheelConfig& config);  // at the start of the campaign
WheelOdds wheel_odds(const WheelConfig& config, const WheelState& state);

// weights ≥ 0 with a positive sum ≤ 2^63 / ppm_total; returns parts per million summing to
// ppm_total. All weights zero: all parts zero.
std::vector<std::int64_t> ppm_shares(const std::vector<std::int64_t>& weights);

}  // namespace kopilka::spins
