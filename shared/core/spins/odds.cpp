#include "core/spins/odds.hpp"

#include <algorithm>
#include <numeric>

#include "core/assert.hpp"

namespace kopilka::spins {

std::vector<std::int64_t> ppm_shares(const std::vector<std::int64_t>& weights) {
    std::int64_t total = 0;
    for (const std::int64_t w : weights) {
        KOPILKA_ASSERT(w >= 0 && w <= INT64_MAX / ppm_total - total);
        total += w;
    }
    std::vector<std::int64_t> ppm(weights.size(), 0);
    if (total == 0) return ppm;
    std::vector<std::int64_t> remainder(weights.size(), 0);
    std::int64_t given = 0;
    for (std::size_t i = 0; i < weights.size(); ++i) {
        ppm[i] = weights[i] * ppm_total / total;
        remainder[i] = weights[i] * ppm_total % total;
        given += ppm[i];
    }
    // Fewer parts are missing than there are non-zero remainders, so a prize of weight 0
    // never gets one.
    std::vector<std::size_t> order(weights.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return remainder[a] > remainder[b]; });
    for (std::size_t k = 0; given < ppm_total; ++k, ++given) ++ppm[order[k]];
    return ppm;
}

WheelOdds wheel_odds(const WheelConfig& config) {
    return wheel_odds(config, initial_wheel_state(config));
}

WheelOdds wheel_odds(const WheelConfig& config, const WheelState& state) {
    const std::vector<std::int64_t> weights = candidate_weights(config, state);
    WheelOdds odds;
    odds.chance_ppm = ppm_shares(weights);
    std::int64_t total = 0;
    std::int64_t win = 0;
    for (std::size_t i = 0; i < weights.size(); ++i) {
        total += weights[i];
        if (config.prizes[i].kind != PrizeKind::nothing) win += weights[i];
    }
    odds.nothing_left = total == 0;
    odds.win_chance_ppm = total == 0 ? 0 : win * ppm_total / total;
    odds.low_win_chance = odds.win_chance_ppm < win_chance_ppm_min;
    return odds;
}

}  // namespace kopilka::spins
