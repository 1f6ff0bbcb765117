#include "core/tiers/tier_ladder.hpp"

#include "core/assert.hpp"

namespace kopilka::tiers {

LadderStatus validate_ladder(const std::vector<Tier>& ladder, std::size_t* bad_index) {
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

TierProgress tier_progress(const std::vector<Tier>& ladder, std::int64_t qualifying) {
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

TierProgress tier_progress(const std::vector<Tier>& ladder, std::int64_t qualifying, int held) {
    TierProgress p = tier_progress(ladder, qualifying);
    if (held <= p.current || held >= static_cast<int>(ladder.size())) return p;
    p.current = held;
    p.next = held + 1 < static_cast<int>(ladder.size()) ? held + 1 : -1;
    p.gap = p.next < 0 ? 0 : ladder[static_cast<std::size_t>(p.next)].threshold - p.qualifying;
    p.progress_permille = p.next < 0 ? 1000 : 0;
    return p;
}

}  // namespace kopilka::tiers
