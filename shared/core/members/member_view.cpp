#include "core/members/member_view.hpp"

#include <algorithm>

#include "core/quote/quote.hpp"

namespace kopilka::members {

namespace {
TierView tier_view(const program::Program& p, const TierState& state) {
    TierView v;
    if (!p.tiers) return v;
    const auto ladder = quote::tier_ladder(p);
    const tiers::TierProgress pr =
        tiers::tier_progress(ladder, state.qualifying, quote::tier_index(p, state.held));
    const auto& current = ladder[static_cast<std::size_t>(pr.current)];
    v.id = current.id;
    v.name = current.name;
    if (pr.next >= 0) v.next_name = ladder[static_cast<std::size_t>(pr.next)].name;
    v.gap = pr.gap;
    v.progress_permille = pr.progress_permille;
    return v;
}
}  // namespace

MemberSnapshot build_member_snapshot(const program::Program& p, const MemberIdentity& who,
                                     const ledger::Snapshot& points, const TierState& tier,
                                     std::int64_t spins_available, std::int64_t now_ms) {
    MemberSnapshot s;
    s.id = who.id;
    s.name = who.name;
    s.merchant = who.merchant;
    s.currency = p.currency;
    s.balance = points.balance;
    s.available = points.available;
    s.pending = points.pending;
    s.as_of_ms = now_ms;
    s.tier_basis = p.tiers && p.tiers->basis == program::TierBasis::spend ? "spend" : "points";
    s.tier = tier_view(p, tier);
    for (const auto& e : points.expiring) s.expiring.push_back({e.points, e.expires_at_ms});
    std::vector<RewardView> rewards;
    for (const auto& r : p.rewards) rewards.push_back({r.id, r.name, r.cost_points});
    std::stable_sort(rewards.begin(), rewards.end(), [](const RewardView& a, const RewardView& b) {
        return a.cost_points < b.cost_points;
    });
    for (const auto& r : rewards) {
        if (r.cost_points <= points.available) s.rewards_affordable.push_back(r);
        else if (!s.reward_next) s.reward_next = r;
    }
    s.spins_available = spins_available;
    for (const auto& h : points.history)
        if (h.balance_delta != 0)
            s.history.push_back(
                {std::string(ledger::reason_name(h.reason)), h.rule, h.at_ms, h.balance_delta});
    return s;
}

}  // namespace kopilka::members
