#include "core/spins/wheel.hpp"

#include "core/assert.hpp"
#include "core/money/money.hpp"
#include "core/spins/fair.hpp"

namespace kopilka::spins {

namespace {
bool negative(const Limit& l) {
    return l && *l < 0;
}

WheelStatus validate_prize(const Prize& p) {
    if (p.id.empty()) return WheelStatus::empty_id;
    if (p.weight < 0) return WheelStatus::negative_weight;
    if (p.weight > prize_weight_max) return WheelStatus::weight_too_large;
    if (negative(p.stock)) return WheelStatus::negative_stock;
    if (p.cost < 0) return WheelStatus::negative_cost;
    if (p.kind == PrizeKind::points && p.points <= 0) return WheelStatus::bad_points;
    if (p.kind == PrizeKind::coupon && p.reward_id.empty()) return WheelStatus::missing_reward;
    if (p.colour && p.colour->a != 255) return WheelStatus::translucent_colour;
    return WheelStatus::ok;
}

// What is left of a budget. Spent can be above it when the merchant lowers a budget
// mid-campaign; then nothing is left, and only prizes that cost nothing stay in the draw.
Limit budget_left(const Limit& budget, std::int64_t spent) {
    if (!budget) return std::nullopt;
    return *budget > spent ? *budget - spent : 0;
}

bool available(const Prize& p, std::int64_t stock_left, const Limit& day_left,
               const Limit& campaign_left, const WheelState& s) {
    if (p.stock && stock_left <= 0) return false;
    // Without a budget the sums spent only grow: a prize they could no longer count is out.
    std::int64_t sum = 0;
    if (!money::checked_add(s.spent_today, p.cost, &sum) ||
        !money::checked_add(s.spent_campaign, p.cost, &sum))
        return false;
    if (day_left && p.cost > *day_left) return false;
    if (campaign_left && p.cost > *campaign_left) return false;
    return true;
}

bool reached(const Limit& max, std::int64_t count) {
    return max && count >= *max;
}

MemberLimit member_limit(const WheelConfig& c, const MemberSpinState& m) {
    if (reached(c.member_spins_per_day_max, m.spins_today)) return MemberLimit::spins_per_day;
    if (reached(c.member_wins_per_day_max, m.wins_today)) return MemberLimit::wins_per_day;
    if (reached(c.member_wins_per_campaign_max, m.wins_campaign))
        return MemberLimit::wins_per_campaign;
    return MemberLimit::none;
}

void check_config_and_state(const WheelConfig& config, const WheelState& state) {
    std::size_t bad = 0;
    KOPILKA_ASSERT(validate_wheel(config, &bad) == WheelStatus::ok);
    KOPILKA_ASSERT(state.stock_left.size() == config.prizes.size());
}
}  // namespace

WheelStatus validate_wheel(const WheelConfig& config, std::size_t* bad_index) {
    *bad_index = 0;
    const auto& prizes = config.prizes;
    if (prizes.empty()) return WheelStatus::no_prizes;
    if (prizes.size() > wheel_prizes_max) return WheelStatus::too_many_prizes;
    bool any_weight = false;
    for (std::size_t i = 0; i < prizes.size(); ++i) {
        *bad_index = i;
        const WheelStatus s = validate_prize(prizes[i]);
        if (s != WheelStatus::ok) return s;
        for (std::size_t j = 0; j < i; ++j)
            if (prizes[j].id == prizes[i].id) return WheelStatus::duplicate_id;
        any_weight = any_weight || prizes[i].weight > 0;
    }
    *bad_index = 0;
    if (!any_weight) return WheelStatus::all_weights_zero;
    if (negative(config.day_budget) || negative(config.campaign_budget))
        return WheelStatus::negative_budget;
    if (negative(config.member_spins_per_day_max) || negative(config.member_wins_per_day_max) ||
        negative(config.member_wins_per_campaign_max))
        return WheelStatus::negative_member_limit;
    if (config.name.size() > wheel_name_bytes_max) return WheelStatus::name_too_long;
    if (config.starts_at_ms && config.ends_at_ms && *config.ends_at_ms <= *config.starts_at_ms)
        return WheelStatus::ends_before_start;
    return WheelStatus::ok;
}

WheelPhase wheel_phase(const WheelConfig& config, std::int64_t now_ms) {
    if (config.starts_at_ms && now_ms < *config.starts_at_ms) return WheelPhase::scheduled;
    if (config.ends_at_ms && now_ms >= *config.ends_at_ms) return WheelPhase::ended;
    return WheelPhase::running;
}

std::string_view wheel_phase_name(WheelPhase p) {
    switch (p) {
        case WheelPhase::scheduled:
            return "scheduled";
        case WheelPhase::running:
            return "running";
        case WheelPhase::ended:
            return "ended";
    }
    return "unknown";
}

WheelState initial_wheel_state(const WheelConfig& config) {
    WheelState s;
    for (const auto& p : config.prizes) s.stock_left.push_back(p.stock.value_or(0));
    return s;
}

std::vector<std::int64_t> candidate_weights(const WheelConfig& config, const WheelState& state) {
    check_config_and_state(config, state);
    const Limit day_left = budget_left(config.day_budget, state.spent_today);
    const Limit campaign_left = budget_left(config.campaign_budget, state.spent_campaign);
    const auto& prizes = config.prizes;
    std::vector<std::int64_t> weights(prizes.size(), 0);
    std::vector<bool> open(prizes.size(), false);
    bool any_weight = false;
    for (std::size_t i = 0; i < prizes.size(); ++i) {
        open[i] = available(prizes[i], state.stock_left[i], day_left, campaign_left, state);
        if (open[i]) weights[i] = prizes[i].weight;
        any_weight = any_weight || weights[i] > 0;
    }
    if (any_weight) return weights;
    // Only zero-weight prizes are left: the "nothing" ones among them share the draw.
    for (std::size_t i = 0; i < prizes.size(); ++i)
        if (open[i] && prizes[i].kind == PrizeKind::nothing) weights[i] = 1;
    return weights;
}

SpinOutcome decide_spin(const WheelConfig& config, const WheelState& state,
                        const MemberSpinState& member, std::uint64_t seed) {
    SpinOutcome out;
    out.seed = seed;
    out.limit = member_limit(config, member);
    if (out.limit != MemberLimit::none) {
        check_config_and_state(config, state);
        out.status = SpinStatus::member_limit_reached;
        return out;
    }
    out.weights = candidate_weights(config, state);
    for (const std::int64_t w : out.weights) out.total_weight += w;  // ≤ 32 × 10^9
    if (out.total_weight == 0) {
        out.status = SpinStatus::nothing_left;
        return out;
    }
    const Ticket t = draw_ticket(out.weights, seed);
    out.ticket = t.ticket;
    out.status = SpinStatus::ok;
    out.prize = t.prize;
    return out;
}

WheelState apply_outcome(const WheelConfig& config, const WheelState& state,
                         const SpinOutcome& outcome) {
    check_config_and_state(config, state);
    if (outcome.status != SpinStatus::ok) return state;
    KOPILKA_ASSERT(outcome.prize >= 0 &&
                   static_cast<std::size_t>(outcome.prize) < config.prizes.size());
    const auto i = static_cast<std::size_t>(outcome.prize);
    const Prize& p = config.prizes[i];
    // The prize was in this state's draw, so stock stays ≥ 0 and spending within budget.
    const Limit day_left = budget_left(config.day_budget, state.spent_today);
    const Limit campaign_left = budget_left(config.campaign_budget, state.spent_campaign);
    KOPILKA_ASSERT(available(p, state.stock_left[i], day_left, campaign_left, state));
    WheelState next = state;
    if (p.stock) --next.stock_left[i];
    const bool fits = money::checked_add(state.spent_today, p.cost, &next.spent_today) &&
                      money::checked_add(state.spent_campaign, p.cost, &next.spent_campaign);
    KOPILKA_ASSERT(fits);
    return next;
}

MemberSpinState apply_member_outcome(const WheelConfig& config, const MemberSpinState& member,
                                     const SpinOutcome& outcome) {
    if (outcome.status != SpinStatus::ok) return member;
    KOPILKA_ASSERT(outcome.prize >= 0 &&
                   static_cast<std::size_t>(outcome.prize) < config.prizes.size());
    MemberSpinState next = member;
    ++next.spins_today;
    if (config.prizes[static_cast<std::size_t>(outcome.prize)].kind != PrizeKind::nothing) {
        ++next.wins_today;
        ++next.wins_campaign;
    }
    return next;
}

std::string_view wheel_status_name(WheelStatus s) {
    switch (s) {
        case WheelStatus::ok:
            return "ok";
        case WheelStatus::no_prizes:
            return "no_prizes";
        case WheelStatus::too_many_prizes:
            return "too_many_prizes";
        case WheelStatus::empty_id:
            return "empty_id";
        case WheelStatus::duplicate_id:
            return "duplicate_id";
        case WheelStatus::negative_weight:
            return "negative_weight";
        case WheelStatus::weight_too_large:
            return "weight_too_large";
        case WheelStatus::negative_stock:
            return "negative_stock";
        case WheelStatus::negative_cost:
            return "negative_cost";
        case WheelStatus::bad_points:
            return "bad_points";
        case WheelStatus::missing_reward:
            return "missing_reward";
        case WheelStatus::all_weights_zero:
            return "all_weights_zero";
        case WheelStatus::negative_budget:
            return "negative_budget";
        case WheelStatus::negative_member_limit:
            return "negative_member_limit";
        case WheelStatus::translucent_colour:
            return "translucent_colour";
        case WheelStatus::name_too_long:
            return "name_too_long";
        case WheelStatus::ends_before_start:
            return "ends_before_start";
    }
    return "unknown";
}

std::string_view prize_kind_name(PrizeKind k) {
    switch (k) {
        case PrizeKind::nothing:
            return "nothing";
        case PrizeKind::points:
            return "points";
        case PrizeKind::coupon:
            return "coupon";
    }
    return "unknown";
}

std::string_view spin_status_name(SpinStatus s) {
    switch (s) {
        case SpinStatus::ok:
            return "ok";
        case SpinStatus::member_limit_reached:
            return "member_limit_reached";
        case SpinStatus::nothing_left:
            return "nothing_left";
    }
    return "unknown";
}

std::string_view member_limit_name(MemberLimit l) {
    switch (l) {
        case MemberLimit::none:
            return "none";
        case MemberLimit::spins_per_day:
            return "spins_per_day";
        case MemberLimit::wins_per_day:
            return "wins_per_day";
        case MemberLimit::wins_per_campaign:
            return "wins_per_campaign";
    }
    return "unknown";
}

}  // namespace kopilka::spins
