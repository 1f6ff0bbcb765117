// Tier ladders: which status a member holds for an amount of tier-qualifying points (or
// spend) earned in the qualification window, and how far the next tier is. A ladder never
// looks at the redeemable balance: spending points demotes no one.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/assert.hpp"

namespace kopilka::tiers {

struct Tier {
    std::string id;           // "silver"
    std::string name;         // shown to members, "Silver"
    std::int64_t threshold;   // qualifying amount needed, minor units; the first tier's is 0
};

enum class LadderStatus : std::uint8_t { ok, empty, first_not_zero, not_increasing, duplicate_id };

struct TierProgress {
    int current = 0;             // index into the ladder
    int next = -1;               // index of the next tier, -1 at the top
    std::int64_t qualifying = 0; // what was counted
    std::int64_t gap = 0;        // still needed for the next tier, 0 at the top
    int progress_permille = 0;   // 0..1000 of the way from current to next; 1000 at the top
};

// A ladder is a vector of Tier or of anything else with an id and a threshold (a program's
// tier levels), so a caller need not copy its tiers into Tiers to ask where a member stands.

// A ladder is valid when it has tiers, the first starts at 0 and thresholds strictly rise.
template <typename Ladder = std::vector<Tier>>
LadderStatus validate_ladder(const Ladder& ladder, std::size_t* bad_index) {
    *bad_index = 0;
    if (ladder.empty()) return LadderStatus::empty;
    if (ladder.front().threshold != 0) return LadderStatus::first_not_zero;
    for (std::size_t i = 1; i < ladder.size(); ++i) {
        *bad_index = i;
        if (ladder[i].threshold <= ladder[i - 1].threshold) return LadderStatus::not_increasing;
        for (std::size_t j = 0; j < i; ++j)
            if (ladder[j].id == ladder[i].id) return LadderStatus::duplicate_id;
    }
    *bad_index = 0;
    return LadderStatus::ok;
}

// ladder must be valid (KOPILKA_ASSERT); negative qualifying counts as 0.
template <typename Ladder = std::vector<Tier>>
TierProgress tier_progress(const Ladder& ladder, std::int64_t qualifying) {
    std::size_t bad = 0;
    KOPILKA_ASSERT(validate_ladder(ladder, &bad) == LadderStatus::ok);
    TierProgress p;
    p.qualifying = qualifying < 0 ? 0 : qualifying;
    std::size_t i = 0;
    while (i + 1 < ladder.size() && ladder[i + 1].threshold <= p.qualifying) ++i;
    p.current = static_cast<int>(i);
    if (i + 1 == ladder.size()) {
        p.progress_permille = 1000;
        return p;
    }
    p.next = static_cast<int>(i + 1);
    const std::int64_t from = ladder[i].threshold;
    const std::int64_t to = ladder[i + 1].threshold;
    p.gap = to - p.qualifying;
    // (qualifying - from) < (to - from), both non-negative: the product fits in 128 bits.
    p.progress_permille =
        static_cast<int>(static_cast<__int128>(p.qualifying - from) * 1000 / (to - from));
    return p;
}

// The same for a member who holds tier `held` (an index; demotion waits for a review): the
// current tier is the higher of the two, and the next tier is the one above that.
template <typename Ladder = std::vector<Tier>>
TierProgress tier_progress(const Ladder& ladder, std::int64_t qualifying, int held) {
    TierProgress p = tier_progress(ladder, qualifying);
    if (held <= p.current || held >= static_cast<int>(ladder.size())) return p;
    p.current = held;
    p.next = held + 1 < static_cast<int>(ladder.size()) ? held + 1 : -1;
    p.gap = p.next < 0 ? 0 : ladder[static_cast<std::size_t>(p.next)].threshold - p.qualifying;
    p.progress_permille = p.next < 0 ? 1000 : 0;
    return p;
}

}  // namespace kopilka::tiers
