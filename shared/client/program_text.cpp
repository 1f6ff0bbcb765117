#include "client/program_text.hpp"

#include <algorithm>

namespace kopilka::client {

namespace {

using i18n::Args;
using i18n::Locale;

constexpr std::int64_t kYearDays = 365;
constexpr std::int64_t kMonthDays = 30;

// value / 100 with the locale's grouping and decimal mark, trailing zeros dropped:
// 1250 → "12,5", 125 → "1,25", 500 → "5".
std::string hundredths(Locale l, std::int64_t value) {
    std::string s = i18n::format_integer(l, value / 100);
    std::int64_t frac = value % 100;
    if (frac < 0) frac = -frac;
    if (frac == 0) return s;
    const char digits[] = {static_cast<char>('0' + frac / 10), static_cast<char>('0' + frac % 10)};
    return s + (l == Locale::en ? "." : ",") + std::string(digits, frac % 10 == 0 ? 1 : 2);
}

std::string joined(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& p : parts) out += (out.empty() ? "" : ", ") + p;
    return out;
}

// What a line filter names: its categories, then its products; empty for "every line".
std::string filter_items(const program::LineFilter& f) {
    std::vector<std::string> all = f.categories;
    all.insert(all.end(), f.skus.begin(), f.skus.end());
    return joined(all);
}

struct Writer {
    const program::Program& p;
    const i18n::Catalogues& c;
    Locale l;

    std::string t(std::string_view key, const Args& a = {}) const {
        return i18n::translate(c, l, key, a);
    }
    std::string count(std::string_view key, std::int64_t n, Args a = {}) const {
        a.count = n;
        return t(key, a);
    }
    std::string money(std::int64_t minor) const {
        return i18n::format_money(l, {minor, p.currency});
    }
    std::string percent(std::int64_t bp) const { return percent_from_bp(l, bp); }
    // A period in days in the largest whole unit: key + "_years", "_months" or "_days".
    std::string duration(const std::string& key, std::int64_t days, Args a = {}) const {
        if (days % kYearDays == 0) return count(key + "_years", days / kYearDays, a);
        if (days % kMonthDays == 0) return count(key + "_months", days / kMonthDays, a);
        return count(key + "_days", days, a);
    }
    // "points ×1,5, 3 % off, free delivery": what a tier or plan adds, or "".
    std::string benefits(std::int64_t multiplier_pct, std::int64_t discount_bp,
                         const std::vector<std::string>& perks) const {
        std::vector<std::string> parts;
        if (multiplier_pct != 100)
            parts.push_back(
                t("rules.benefit_points",
                  {std::nullopt, {{"factor", factor_from_percent(l, multiplier_pct)}}}));
        if (discount_bp > 0)
            parts.push_back(
                t("rules.benefit_discount", {std::nullopt, {{"percent", percent(discount_bp)}}}));
        parts.insert(parts.end(), perks.begin(), perks.end());
        return joined(parts);
    }
    std::string with_benefits(const std::string& what, const std::string& benefits) const {
        if (benefits.empty()) return what;
        return t("rules.with_benefits", {std::nullopt, {{"what", what}, {"benefits", benefits}}});
    }
    std::string reward_name(const std::string& id) const {
        for (const auto& r : p.rewards)
            if (r.id == id) return r.name.empty() ? r.id : r.name;
        return id;
    }
};

// "1 point per 20 ₽", "3 points per 100 ₽", or the share in percent when no round amount
// earns a whole number of points.
std::string earn_rate(const Writer& w, std::int64_t earn_bp) {
    const __int128 per_point = static_cast<__int128>(10000) * w.p.point_value_minor;
    if (per_point % earn_bp == 0)
        return w.count("rules.earn_per", 1,
                       {std::nullopt, {{"amount", w.money(per_point / earn_bp)}}});
    std::int64_t amount = 1;
    for (int i = 0; i < money::currency_info(w.p.currency).minor_digits; ++i) amount *= 10;
    for (int step = 0; step <= 6; ++step, amount *= 10) {
        const __int128 earned = static_cast<__int128>(amount) * earn_bp;
        if (earned % per_point == 0)
            return w.count("rules.earn_per", static_cast<std::int64_t>(earned / per_point),
                           {std::nullopt, {{"amount", w.money(amount)}}});
    }
    return w.t("rules.earn_percent", {std::nullopt, {{"percent", w.percent(earn_bp)}}});
}

void earn_items(const Writer& w, const program::BonusPoints& b, std::vector<std::string>* out) {
    if (b.earn_bp == 0) return;
    out->push_back(earn_rate(w, b.earn_bp));
    auto multiplier = [&](const char* key, const program::Multiplier& m) {
        out->push_back(
            w.t(key,
                {std::nullopt, {{"factor", factor_from_percent(w.l, m.percent)}, {"key", m.key}}}));
    };
    for (const auto& m : b.sku_multipliers) multiplier("rules.multiplier_product", m);
    for (const auto& m : b.category_multipliers) multiplier("rules.multiplier_category", m);
    if (!b.excluded_categories.empty())
        out->push_back(w.t("rules.no_points_categories",
                           {std::nullopt, {{"list", joined(b.excluded_categories)}}}));
    if (b.exclude_discounted_lines) out->push_back(w.t("rules.no_points_discounted"));
    if (b.receipt_min > 0)
        out->push_back(
            w.t("rules.earn_receipt_min", {std::nullopt, {{"amount", w.money(b.receipt_min)}}}));
    if (b.pending_days > 0) out->push_back(w.count("rules.pending", b.pending_days));
    if (b.expiry_days > 0) out->push_back(w.duration("rules.expiry", b.expiry_days));
}

void spend_items(const Writer& w, const program::BonusPoints& b, std::vector<std::string>* out) {
    out->push_back(
        w.t("rules.point_value", {std::nullopt, {{"amount", w.money(w.p.point_value_minor)}}}));
    if (b.redeem_cap_bp < program::rate_bp_max)
        out->push_back(
            w.t("rules.redeem_cap", {std::nullopt, {{"percent", w.percent(b.redeem_cap_bp)}}}));
    if (b.redeem_order_min > 0)
        out->push_back(
            w.t("rules.redeem_min", {std::nullopt, {{"amount", w.money(b.redeem_order_min)}}}));
    for (const auto& period : b.redeem_blackouts)  // to_ms is exclusive: its last day is before
        out->push_back(
            w.t("rules.redeem_blackout", {std::nullopt,
                                          {{"from", i18n::format_date(w.l, period.from_ms)},
                                           {"to", i18n::format_date(w.l, period.to_ms - 1)}}}));
}

void ladder_items(const Writer& w, const program::DiscountLadder& d,
                  std::vector<std::string>* out) {
    const bool total = d.mode == program::LadderMode::cumulative;
    out->push_back(w.t(total ? "rules.ladder_cumulative" : "rules.ladder_receipt"));
    bool capped = false;
    for (const auto& s : d.steps) {
        capped = capped || s.rate_bp > d.cap_bp;
        out->push_back(w.t(total ? "rules.ladder_step_total" : "rules.ladder_step_receipt",
                           {std::nullopt,
                            {{"percent", w.percent(std::min(s.rate_bp, d.cap_bp))},
                             {"amount", w.money(s.threshold)}}}));
    }
    if (capped)
        out->push_back(w.t("rules.ladder_cap", {std::nullopt, {{"percent", w.percent(d.cap_bp)}}}));
    if (total && d.decay_period_days > 0)
        out->push_back(w.count("rules.ladder_decay", d.decay_period_days));
}

std::vector<std::string> discount_items(const Writer& w) {
    std::vector<std::string> out;
    if (const auto& f = w.p.flat_discount) {
        const std::string items = filter_items(f->applies_to);
        out.push_back(w.t(items.empty() ? "rules.flat_all" : "rules.flat_some",
                          {std::nullopt, {{"percent", w.percent(f->rate_bp)}, {"items", items}}}));
    }
    if (w.p.discount_ladder) ladder_items(w, *w.p.discount_ladder, &out);
    for (const auto& s : w.p.segments) {
        const std::string items = filter_items(s.applies_to);
        out.push_back(w.t(items.empty() ? "rules.segment_all" : "rules.segment_some",
                          {std::nullopt,
                           {{"attribute", s.attribute},
                            {"value", s.value},
                            {"percent", w.percent(s.discount_bp)},
                            {"items", items}}}));
    }
    return out;
}

std::vector<std::string> tier_items(const Writer& w, const program::Tiers& tiers) {
    std::vector<std::string> out;
    const std::int64_t days = tiers.window_days;
    const std::string window =
        days == kYearDays ? w.t("rules.window_year") : w.duration("rules.window", days);
    for (const auto& level : tiers.levels) {
        const Args named{std::nullopt, {{"tier", level.name}, {"window", window}}};
        std::string what;
        if (level.threshold == 0)
            what = w.t("rules.tier_start", named);
        else if (tiers.basis == program::TierBasis::points)
            what = w.count("rules.tier_points", level.threshold, named);
        else {
            Args a = named;
            a.named.emplace_back("amount", w.money(level.threshold));
            what = w.t("rules.tier_spend", a);
        }
        out.push_back(w.with_benefits(
            what, w.benefits(level.earn_multiplier_pct, level.discount_bp, level.perks)));
    }
    if (tiers.downgrade_inactivity_days > 0)
        out.push_back(w.count("rules.tier_downgrade", tiers.downgrade_inactivity_days));
    out.push_back(w.t("rules.tier_balance_safe"));
    return out;
}

std::vector<std::string> vip_items(const Writer& w) {
    std::vector<std::string> out;
    for (const auto& plan : w.p.vip_plans) {
        const bool month = plan.period == program::BillingPeriod::month;
        const std::string what =
            w.t(month ? "rules.vip_month" : "rules.vip_year",
                {std::nullopt, {{"plan", plan.name}, {"amount", w.money(plan.fee)}}});
        out.push_back(w.with_benefits(
            what, w.benefits(plan.earn_multiplier_pct, plan.discount_bp, plan.perks)));
    }
    return out;
}

std::vector<std::string> cashback_items(const Writer& w, const program::Cashback& cb) {
    std::vector<std::string> out;
    out.push_back(w.t("rules.cashback", {std::nullopt, {{"percent", w.percent(cb.rate_bp)}}}));
    if (!cb.excluded_categories.empty())
        out.push_back(w.t("rules.cashback_excluded",
                          {std::nullopt, {{"list", joined(cb.excluded_categories)}}}));
    return out;
}

std::vector<std::string> stamp_items(const Writer& w) {
    std::vector<std::string> out;
    for (const auto& card : w.p.stamp_cards) {
        out.push_back(w.count("rules.stamp_card", card.stamps_per_card,
                              {std::nullopt, {{"reward", w.reward_name(card.reward_id)}}}));
        const std::string items = filter_items(card.earns_on);
        const Args a{std::nullopt, {{"items", items}, {"amount", w.money(card.spend_per_stamp)}}};
        if (card.spend_per_stamp > 0)
            out.push_back(
                w.t(items.empty() ? "rules.stamp_per_spend_all" : "rules.stamp_per_spend", a));
        else
            out.push_back(
                w.t(items.empty() ? "rules.stamp_per_item_all" : "rules.stamp_per_item", a));
    }
    return out;
}

// Welcome, birthday and action bonuses; an action the catalogue doesn't name keeps its key.
std::vector<std::string> bonus_items(const Writer& w, const program::BonusPoints& b) {
    std::vector<std::string> out;
    if (b.welcome_bonus > 0) out.push_back(w.count("rules.welcome", b.welcome_bonus));
    if (b.birthday_bonus > 0) out.push_back(w.count("rules.birthday", b.birthday_bonus));
    for (const auto& [action, points] : b.action_bonuses) {
        const std::string key = "rules.action." + action;
        std::string name = w.t(key);
        if (name == key) name = action;
        out.push_back(w.count("rules.action", points, {std::nullopt, {{"action", name}}}));
    }
    return out;
}

std::vector<std::string> referral_items(const Writer& w, const program::Referral& r) {
    std::vector<std::string> out;
    const std::string after = r.first_receipt_min > 0
                                  ? w.t("rules.referral_after_min",
                                        {std::nullopt, {{"amount", w.money(r.first_receipt_min)}}})
                                  : w.t("rules.referral_after");
    const Args a{std::nullopt, {{"after", after}}};
    if (r.inviter_bonus > 0 && r.inviter_bonus == r.invitee_bonus) {
        out.push_back(w.count("rules.referral_both", r.inviter_bonus, a));
    } else {
        if (r.inviter_bonus > 0)
            out.push_back(w.count("rules.referral_inviter", r.inviter_bonus, a));
        if (r.invitee_bonus > 0)
            out.push_back(w.count("rules.referral_invitee", r.invitee_bonus, a));
    }
    if (r.inviter_bonus > 0)
        out.push_back(w.count("rules.referral_limit", r.per_inviter_month_max));
    return out;
}

std::vector<std::string> reward_items(const Writer& w) {
    std::vector<std::string> out;
    bool same_validity = true;
    for (const auto& r : w.p.rewards) {
        same_validity =
            same_validity && r.coupon_valid_days == w.p.rewards.front().coupon_valid_days;
        Args a{std::nullopt, {{"reward", r.name.empty() ? r.id : r.name}}};
        if (r.kind == program::RewardKind::fixed_discount)
            a.named.emplace_back("amount", w.money(r.value));
        if (r.kind == program::RewardKind::percent_discount)
            a.named.emplace_back("percent", w.percent(r.value));
        const char* key = r.kind == program::RewardKind::gift             ? "rules.reward_gift"
                          : r.kind == program::RewardKind::fixed_discount ? "rules.reward_fixed"
                                                                          : "rules.reward_percent";
        out.push_back(w.count(key, r.cost_points, a));
    }
    if (w.p.rewards.empty()) return out;
    if (same_validity) {
        out.push_back(w.count("rules.coupon_valid", w.p.rewards.front().coupon_valid_days));
        return out;
    }
    for (const auto& r : w.p.rewards)
        out.push_back(w.count("rules.coupon_valid_for", r.coupon_valid_days,
                              {std::nullopt, {{"reward", r.name.empty() ? r.id : r.name}}}));
    return out;
}

}  // namespace

std::string percent_from_bp(Locale l, std::int64_t bp) {
    return hundredths(l, bp) + (l == Locale::en ? "%" : "\u00A0%");
}

std::string factor_from_percent(Locale l, std::int64_t percent) {
    return "\u00D7" + hundredths(l, percent);
}

std::string rules_catalogue_path(Locale l) {
    return "i18n/rules/" + std::string(i18n::locale_tag(l)) + ".json";
}

RulesText program_rules_text(const program::Program& p, const i18n::Catalogues& c, Locale l) {
    const Writer w{p, c, l};
    RulesText out;
    auto section = [&](const char* id, std::vector<std::string> items) {
        if (items.empty()) return;
        out.sections.push_back({id, w.t(std::string("rules.heading.") + id), std::move(items)});
    };
    std::vector<std::string> earn, spend, bonuses;
    if (p.bonus) {
        earn_items(w, *p.bonus, &earn);
        spend_items(w, *p.bonus, &spend);
        bonuses = bonus_items(w, *p.bonus);
    }
    section("earn", std::move(earn));
    section("cashback", p.cashback ? cashback_items(w, *p.cashback) : std::vector<std::string>{});
    section("stamps", stamp_items(w));
    section("discounts", discount_items(w));
    section("tiers", p.tiers ? tier_items(w, *p.tiers) : std::vector<std::string>{});
    section("vip", vip_items(w));
    section("bonuses", std::move(bonuses));
    section("referral", p.referral ? referral_items(w, *p.referral) : std::vector<std::string>{});
    section("spend", std::move(spend));
    section("rewards", reward_items(w));
    if (p.coalition)
        section("coalition", {w.t("rules.coalition",
                                  {std::nullopt, {{"coalition", p.coalition->coalition_id}}})});
    return out;
}

std::string rules_plain_text(const RulesText& t) {
    std::string out;
    for (const auto& s : t.sections) {
        out += s.heading + "\n";
        for (const auto& item : s.items) out += "  \u2022 " + item + "\n";
    }
    return out;
}

}  // namespace kopilka::client
