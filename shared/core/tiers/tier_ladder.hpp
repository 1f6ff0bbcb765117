// Tier ladders: which status a member holds for an amount of tier-qualifying points (or
// spend) earned in the qualification window, and how far the next tier is. A ladder never
// looks at the redeemable balance: spending points demotes no one.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace kopilka::tiers {

struct Tier {
    std::string id;           // "silver"
    std::string name;         // shown to members, "Silver"
    std::int64_t threshold;   // qualifying amount needed, minor units; the first tier's is 0
};

enum class LadderStatus : std::uint8_t { ok, empty, first_not_zero, not_increasing, duplicate_id };

// A ladder is valid when it has tiers, the first starts at 0 and thresholds strictly rise.
LadderStatus validate_ladder(const std::vector<Tier>& ladder, std::size_t* bad_index);

struct TierProgress {
    int current = 0;             // index into the ladder
    int next = -1;               // index of the next tier, -1 at the top
    std::int64_t qualifying = 0; // what was counted
    std::int64_t gap = 0;        // still needed for the next tier, 0 at the top
    int progress_permille = 0;   // 0..1000 of the way from current to next; 1000 at the top
};

// ladder must be valid (KOPILKA_ASSERT); negative qualifying counts as 0.
TierProgress tier_progress(const std::vector<Tier>& ladder, std::int64_t qualifying);

// The same for a member who holds tier `held` (an index; demotion waits for a review): the
// current tier is the higher of the two, and the next tier is the one above that.
TierProgress tier_progress(const std::vector<Tier>& ladder, std::int64_t qualifying, int held);

}  // namespace kopilka::tiers
