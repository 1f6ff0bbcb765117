#include "core/program/validate.hpp"

#include <set>

#include "core/ledger/operation.hpp"

namespace kopilka::program {

namespace {

std::string at(const std::string& path, std::size_t i) {
    return path + "[" + std::to_string(i) + "]";
}

struct Checker {
    std::optional<Problem> problem;

    bool fail(std::string field, const char* code, std::string why) {
        if (!problem) problem = Problem{field, code, field + " " + why};
        return false;
    }
    bool range(const std::string& field, std::int64_t v, std::int64_t lo, std::int64_t hi) {
        if (v >= lo && v <= hi) return true;
        return fail(field, "out_of_range",
                    "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
    }
    bool rate(const std::string& field, BasisPoints v) { return range(field, v, 0, rate_bp_max); }
    bool amount(const std::string& field, std::int64_t v) { return range(field, v, 0, amount_max); }
    // Points that one ledger operation credits or holds (a bonus, a reward's cost).
    bool points(const std::string& field, std::int64_t v) {
        return range(field, v, 0, ledger::points_max);
    }
    bool days(const std::string& field, std::int64_t v) { return range(field, v, 0, days_max); }
    bool multiplier(const std::string& field, std::int64_t v) {
        return range(field, v, 0, multiplier_pct_max);
    }
    bool count(const std::string& field, std::size_t n) {
        if (n <= program_rules_max) return true;
        return fail(field, "out_of_range",
                    "has more than " + std::to_string(program_rules_max) + " entries");
    }
    bool text(const std::string& field, const std::string& s) {
        if (!s.empty() && s.size() <= 64) return true;
        return fail(field, "invalid_value", "must be 1 to 64 characters");
    }
};

void check_ladder(Checker& c, const DiscountLadder& l) {
    const std::string p = "discount_ladder";
    if (l.steps.empty()) c.fail(p + ".steps", "invalid_value", "needs at least one step");
    c.count(p + ".steps", l.steps.size());
    c.rate(p + ".cap_bp", l.cap_bp);
    c.days(p + ".decay_period_days", l.decay_period_days);
    for (std::size_t i = 0; i < l.steps.size(); ++i) {
        const std::string s = at(p + ".steps", i);
        c.amount(s + ".threshold", l.steps[i].threshold);
        c.rate(s + ".rate_bp", l.steps[i].rate_bp);
        if (i > 0 && l.steps[i].threshold <= l.steps[i - 1].threshold)
            c.fail(s + ".threshold", "not_increasing",
                   "must be above the previous step's threshold (steps overlap)");
        if (i > 0 && l.steps[i].rate_bp <= l.steps[i - 1].rate_bp)
            c.fail(s + ".rate_bp", "not_increasing", "must be above the previous step's rate");
    }
}

void check_bonus(Checker& c, const BonusPoints& b) {
    const std::string p = "bonus";
    c.rate(p + ".earn_bp", b.earn_bp);
    c.amount(p + ".receipt_min", b.receipt_min);
    c.rate(p + ".redeem_cap_bp", b.redeem_cap_bp);
    c.amount(p + ".redeem_order_min", b.redeem_order_min);
    c.days(p + ".pending_days", b.pending_days);
    c.days(p + ".expiry_days", b.expiry_days);
    c.points(p + ".welcome_bonus", b.welcome_bonus);
    c.points(p + ".birthday_bonus", b.birthday_bonus);
    c.count(p + ".category_multipliers", b.category_multipliers.size());
    c.count(p + ".sku_multipliers", b.sku_multipliers.size());
    for (std::size_t i = 0; i < b.category_multipliers.size(); ++i)
        c.multiplier(at(p + ".category_multipliers", i) + ".percent",
                     b.category_multipliers[i].percent);
    for (std::size_t i = 0; i < b.sku_multipliers.size(); ++i)
        c.multiplier(at(p + ".sku_multipliers", i) + ".percent", b.sku_multipliers[i].percent);
    for (std::size_t i = 0; i < b.redeem_blackouts.size(); ++i)
        if (b.redeem_blackouts[i].to_ms <= b.redeem_blackouts[i].from_ms)
            c.fail(at(p + ".redeem_blackouts", i) + ".to_ms", "contradiction",
                   "must be after from_ms");
    for (const auto& [action, points] : b.action_bonuses)
        c.points(p + ".action_bonuses." + action, points);
    if (b.pending_days > 0 && b.expiry_days > 0 && b.expiry_days <= b.pending_days)
        c.fail(p + ".expiry_days", "contradiction",
               "must be longer than pending_days (points would expire before they unlock)");
}

void check_tiers(Checker& c, const Tiers& t) {
    const std::string p = "tiers";
    c.range(p + ".window_days", t.window_days, 1, days_max);
    c.days(p + ".downgrade_inactivity_days", t.downgrade_inactivity_days);
    if (t.levels.empty()) c.fail(p + ".levels", "invalid_value", "needs at least one tier");
    c.count(p + ".levels", t.levels.size());
    std::set<std::string> ids;
    for (std::size_t i = 0; i < t.levels.size(); ++i) {
        const std::string s = at(p + ".levels", i);
        const TierLevel& l = t.levels[i];
        c.text(s + ".id", l.id);
        if (!ids.insert(l.id).second)
            c.fail(s + ".id", "duplicate", "repeats an earlier tier's id");
        c.amount(s + ".threshold", l.threshold);
        c.multiplier(s + ".earn_multiplier_pct", l.earn_multiplier_pct);
        c.rate(s + ".discount_bp", l.discount_bp);
        if (i == 0 && l.threshold != 0)
            c.fail(s + ".threshold", "invalid_value",
                   "must be 0: every member holds the first tier");
        if (i > 0 && l.threshold <= t.levels[i - 1].threshold)
            c.fail(s + ".threshold", "not_increasing",
                   "must be above the previous tier's threshold (tiers overlap)");
    }
}

void check_rewards(Checker& c, const Program& p) {
    c.count("rewards", p.rewards.size());
    std::set<std::string> ids;
    for (std::size_t i = 0; i < p.rewards.size(); ++i) {
        const std::string s = at("rewards", i);
        const Reward& r = p.rewards[i];
        c.text(s + ".id", r.id);
        if (!ids.insert(r.id).second)
            c.fail(s + ".id", "duplicate", "repeats an earlier reward's id");
        c.range(s + ".cost_points", r.cost_points, 1, ledger::points_max);
        c.range(s + ".coupon_valid_days", r.coupon_valid_days, 1, days_max);
        if (r.kind == RewardKind::percent_discount) c.range(s + ".value", r.value, 1, rate_bp_max);
        else c.amount(s + ".value", r.value);
    }
    for (std::size_t i = 0; i < p.stamp_cards.size(); ++i) {
        const std::string s = at("stamp_cards", i);
        const StampCard& card = p.stamp_cards[i];
        c.text(s + ".id", card.id);
        c.range(s + ".stamps_per_card", card.stamps_per_card, 1, 1000);
        c.amount(s + ".spend_per_stamp", card.spend_per_stamp);
        if (!card.reward_id.empty() && !ids.count(card.reward_id))
            c.fail(s + ".reward_id", "unknown_reference", "names no reward in rewards");
    }
}

void check_rest(Checker& c, const Program& p) {
    c.text("id", p.id);
    c.range("point_value_minor", p.point_value_minor, 1, 1'000'000);
    if (p.flat_discount) c.rate("flat_discount.rate_bp", p.flat_discount->rate_bp);
    if (p.cashback) c.rate("cashback.rate_bp", p.cashback->rate_bp);
    if (p.referral) {
        c.points("referral.inviter_bonus", p.referral->inviter_bonus);
        c.points("referral.invitee_bonus", p.referral->invitee_bonus);
        c.amount("referral.first_receipt_min", p.referral->first_receipt_min);
        c.range("referral.per_inviter_month_max", p.referral->per_inviter_month_max, 0, 10000);
    }
    if (p.coalition) {
        c.text("coalition.coalition_id", p.coalition->coalition_id);
        c.text("coalition.partner_id", p.coalition->partner_id);
        c.amount("coalition.clearing_price_num", p.coalition->clearing_price_num);
        c.range("coalition.clearing_price_den", p.coalition->clearing_price_den, 1, amount_max);
    }
    c.count("vip_plans", p.vip_plans.size());
    for (std::size_t i = 0; i < p.vip_plans.size(); ++i) {
        const std::string s = at("vip_plans", i);
        c.text(s + ".id", p.vip_plans[i].id);
        c.amount(s + ".fee", p.vip_plans[i].fee);
        c.multiplier(s + ".earn_multiplier_pct", p.vip_plans[i].earn_multiplier_pct);
        c.rate(s + ".discount_bp", p.vip_plans[i].discount_bp);
    }
    c.count("segments", p.segments.size());
    for (std::size_t i = 0; i < p.segments.size(); ++i) {
        c.text(at("segments", i) + ".attribute", p.segments[i].attribute);
        c.rate(at("segments", i) + ".discount_bp", p.segments[i].discount_bp);
    }
}

}  // namespace

std::optional<Problem> validate_program(const Program& p) {
    Checker c;
    check_rest(c, p);
    if (p.discount_ladder) check_ladder(c, *p.discount_ladder);
    if (p.bonus) check_bonus(c, *p.bonus);
    if (p.tiers) check_tiers(c, *p.tiers);
    check_rewards(c, p);
    return c.problem;
}

bool line_matches(const LineFilter& f, const std::string& category, const std::string& sku) {
    if (f.categories.empty() && f.skus.empty()) return true;
    for (const auto& c : f.categories)
        if (c == category) return true;
    for (const auto& s : f.skus)
        if (s == sku) return true;
    return false;
}

}  // namespace kopilka::program
