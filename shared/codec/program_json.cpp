#include "codec/program_json.hpp"

#include "codec/object_reader.hpp"
#include "codec/theme_json.hpp"
#include "core/program/validate.hpp"

namespace kopilka::codec {

namespace {
using namespace program;
constexpr std::size_t kListMax = program_rules_max;

void read_filter(ObjectReader& r, const char* key, LineFilter* f) {
    if (!r.has(key)) return;
    ObjectReader c = r.child(key);
    c.optional_texts("categories", &f->categories, kListMax);
    c.optional_texts("skus", &f->skus, kListMax);
    c.reject_unknown({"categories", "skus"});
}

void read_multipliers(ObjectReader& r, const char* key, std::vector<Multiplier>* out) {
    r.optional_array(key, kListMax, [&](ObjectReader& e, std::size_t) {
        Multiplier m;
        e.text("key", &m.key);
        e.integer("percent", &m.percent, 0, multiplier_pct_max);
        e.reject_unknown({"key", "percent"});
        out->push_back(m);
    });
}

void read_flat(ObjectReader r, Program* p) {
    FlatDiscount f;
    r.integer("rate_bp", &f.rate_bp, 0, rate_bp_max);
    read_filter(r, "applies_to", &f.applies_to);
    r.reject_unknown({"rate_bp", "applies_to"});
    p->flat_discount = f;
}

void read_ladder(ObjectReader r, Program* p) {
    DiscountLadder l;
    r.optional_enum("mode", &l.mode, {"receipt", "cumulative"});
    r.optional_array("steps", kListMax, [&](ObjectReader& e, std::size_t) {
        LadderStep s;
        e.integer("threshold", &s.threshold, 0, amount_max);
        e.integer("rate_bp", &s.rate_bp, 0, rate_bp_max);
        e.reject_unknown({"threshold", "rate_bp"});
        l.steps.push_back(s);
    });
    r.optional_integer("cap_bp", &l.cap_bp, 0, rate_bp_max);
    r.optional_integer("decay_period_days", &l.decay_period_days, 0, days_max);
    r.reject_unknown({"mode", "steps", "cap_bp", "decay_period_days"});
    p->discount_ladder = l;
}

void read_bonus(ObjectReader r, Program* p) {
    BonusPoints b;
    r.integer("earn_bp", &b.earn_bp, 0, rate_bp_max);
    r.optional_integer("receipt_min", &b.receipt_min, 0, amount_max);
    read_multipliers(r, "category_multipliers", &b.category_multipliers);
    read_multipliers(r, "sku_multipliers", &b.sku_multipliers);
    r.optional_texts("excluded_categories", &b.excluded_categories, kListMax);
    r.optional_flag("exclude_discounted_lines", &b.exclude_discounted_lines);
    r.optional_integer("redeem_cap_bp", &b.redeem_cap_bp, 0, rate_bp_max);
    r.optional_integer("redeem_order_min", &b.redeem_order_min, 0, amount_max);
    r.optional_array("redeem_blackouts", kListMax, [&](ObjectReader& e, std::size_t) {
        Period period;
        e.integer("from_ms", &period.from_ms, 0, INT64_MAX / 2);
        e.integer("to_ms", &period.to_ms, 0, INT64_MAX / 2);
        e.reject_unknown({"from_ms", "to_ms"});
        b.redeem_blackouts.push_back(period);
    });
    r.optional_integer("pending_days", &b.pending_days, 0, days_max);
    r.optional_integer("expiry_days", &b.expiry_days, 0, days_max);
    r.optional_integer("welcome_bonus", &b.welcome_bonus, 0, amount_max);
    r.optional_integer("birthday_bonus", &b.birthday_bonus, 0, amount_max);
    if (r.has("action_bonuses")) {
        ObjectReader a = r.child("action_bonuses");
        if (a.ok())
            for (const auto& item : r.at("action_bonuses").items()) {
                std::int64_t v = 0;
                a.integer(item.key().c_str(), &v, 0, amount_max);
                b.action_bonuses[item.key()] = v;
            }
    }
    r.optional_rounding("earn_rounding", &b.earn_rounding);
    r.reject_unknown({"earn_bp", "receipt_min", "category_multipliers", "sku_multipliers",
                      "excluded_categories", "exclude_discounted_lines", "redeem_cap_bp",
                      "redeem_order_min", "redeem_blackouts", "pending_days", "expiry_days",
                      "welcome_bonus", "birthday_bonus", "action_bonuses", "earn_rounding"});
    p->bonus = b;
}

void read_stamp_cards(ObjectReader& r, Program* p) {
    r.optional_array("stamp_cards", kListMax, [&](ObjectReader& e, std::size_t) {
        StampCard c;
        e.text("id", &c.id, 64);
        e.integer("stamps_per_card", &c.stamps_per_card, 1, 1000);
        read_filter(e, "earns_on", &c.earns_on);
        e.optional_integer("spend_per_stamp", &c.spend_per_stamp, 0, amount_max);
        e.optional_text("reward_id", &c.reward_id, 64);
        e.reject_unknown({"id", "stamps_per_card", "earns_on", "spend_per_stamp", "reward_id"});
        p->stamp_cards.push_back(c);
    });
}

void read_tiers(ObjectReader r, Program* p) {
    Tiers t;
    r.optional_enum("basis", &t.basis, {"points", "spend"});
    r.optional_integer("window_days", &t.window_days, 1, days_max);
    r.optional_integer("downgrade_inactivity_days", &t.downgrade_inactivity_days, 0, days_max);
    r.optional_array("levels", kListMax, [&](ObjectReader& e, std::size_t) {
        TierLevel l;
        e.text("id", &l.id, 64);
        e.text("name", &l.name, 64);
        e.integer("threshold", &l.threshold, 0, amount_max);
        e.optional_integer("earn_multiplier_pct", &l.earn_multiplier_pct, 0, multiplier_pct_max);
        e.optional_integer("discount_bp", &l.discount_bp, 0, rate_bp_max);
        e.optional_texts("perks", &l.perks, kListMax);
        e.reject_unknown(
            {"id", "name", "threshold", "earn_multiplier_pct", "discount_bp", "perks"});
        t.levels.push_back(l);
    });
    r.reject_unknown({"basis", "window_days", "downgrade_inactivity_days", "levels"});
    p->tiers = t;
}

void read_vip(ObjectReader& r, Program* p) {
    r.optional_array("vip_plans", kListMax, [&](ObjectReader& e, std::size_t) {
        VipPlan v;
        e.text("id", &v.id, 64);
        e.text("name", &v.name, 64);
        e.integer("fee", &v.fee, 0, amount_max);
        e.optional_enum("period", &v.period, {"month", "year"});
        e.optional_integer("earn_multiplier_pct", &v.earn_multiplier_pct, 0, multiplier_pct_max);
        e.optional_integer("discount_bp", &v.discount_bp, 0, rate_bp_max);
        e.optional_texts("perks", &v.perks, kListMax);
        e.reject_unknown(
            {"id", "name", "fee", "period", "earn_multiplier_pct", "discount_bp", "perks"});
        p->vip_plans.push_back(v);
    });
}

void read_cashback(ObjectReader r, Program* p) {
    Cashback c;
    r.integer("rate_bp", &c.rate_bp, 0, rate_bp_max);
    r.optional_texts("excluded_categories", &c.excluded_categories, kListMax);
    r.reject_unknown({"rate_bp", "excluded_categories"});
    p->cashback = c;
}

void read_referral(ObjectReader r, Program* p) {
    Referral f;
    r.optional_integer("inviter_bonus", &f.inviter_bonus, 0, amount_max);
    r.optional_integer("invitee_bonus", &f.invitee_bonus, 0, amount_max);
    r.optional_integer("first_receipt_min", &f.first_receipt_min, 0, amount_max);
    r.optional_integer("per_inviter_month_max", &f.per_inviter_month_max, 0, 10000);
    r.reject_unknown(
        {"inviter_bonus", "invitee_bonus", "first_receipt_min", "per_inviter_month_max"});
    p->referral = f;
}

void read_coalition(ObjectReader r, Program* p) {
    Coalition c;
    r.text("coalition_id", &c.coalition_id, 64);
    r.text("partner_id", &c.partner_id, 64);
    r.integer("clearing_price_num", &c.clearing_price_num, 0, amount_max);
    r.optional_integer("clearing_price_den", &c.clearing_price_den, 1, amount_max);
    r.reject_unknown({"coalition_id", "partner_id", "clearing_price_num", "clearing_price_den"});
    p->coalition = c;
}

void read_rewards(ObjectReader& r, Program* p) {
    r.optional_array("rewards", kListMax, [&](ObjectReader& e, std::size_t) {
        Reward w;
        read_reward(e, &w);
        e.reject_unknown(
            {"id", "name", "cost_points", "kind", "value", "coupon_valid_days", "image"});
        p->rewards.push_back(w);
    });
}

void read_segments(ObjectReader& r, Program* p) {
    r.optional_array("segments", kListMax, [&](ObjectReader& e, std::size_t) {
        SegmentRule s;
        e.text("attribute", &s.attribute, 64);
        e.text("value", &s.value, 128);
        e.integer("discount_bp", &s.discount_bp, 0, rate_bp_max);
        read_filter(e, "applies_to", &s.applies_to);
        e.reject_unknown({"attribute", "value", "discount_bp", "applies_to"});
        p->segments.push_back(s);
    });
}

Json filter_json(const LineFilter& f) { return {{"categories", f.categories}, {"skus", f.skus}}; }
Json multipliers_json(const std::vector<Multiplier>& ms) {
    Json a = Json::array();
    for (const auto& m : ms) a.push_back({{"key", m.key}, {"percent", m.percent}});
    return a;
}
}  // namespace

Json encode_reward(const Reward& w, Pictures pictures) {
    static const char* const kinds[] = {"gift", "fixed_discount", "percent_discount"};
    Json j = {{"id", w.id},
              {"name", w.name},
              {"cost_points", w.cost_points},
              {"kind", kinds[static_cast<int>(w.kind)]},
              {"value", w.value},
              {"coupon_valid_days", w.coupon_valid_days}};
    if (pictures == Pictures::included && !w.image.empty()) j["image"] = w.image;
    return j;
}

void read_reward(ObjectReader& e, Reward* w) {
    e.text("id", &w->id, 64);
    e.text("name", &w->name, 128);
    e.integer("cost_points", &w->cost_points, 1, amount_max);
    e.optional_enum("kind", &w->kind, {"gift", "fixed_discount", "percent_discount"});
    e.optional_integer("value", &w->value, 0, amount_max);
    e.optional_integer("coupon_valid_days", &w->coupon_valid_days, 1, days_max);
    e.optional_text("image", &w->image, theme::logo_bytes_max);
    if (e.ok()) {
        const std::string why = logo_problem(w->image);  // the same rules as a theme's logo
        if (!why.empty()) e.fail("invalid_value", e.field("image"), why);
    }
}

Decoded<Program> decode_program(const Json& j, bool check_rules) {
    Decoded<Program> out;
    Program p;
    ObjectReader r(j, "", &out.error);
    r.text("id", &p.id, 64);
    r.optional_text("name", &p.name, 128);
    r.optional_currency("currency", &p.currency);
    r.optional_integer("point_value_minor", &p.point_value_minor, 1, 1'000'000);
    if (r.has("flat_discount")) read_flat(r.child("flat_discount"), &p);
    if (r.has("discount_ladder")) read_ladder(r.child("discount_ladder"), &p);
    if (r.has("bonus")) read_bonus(r.child("bonus"), &p);
    read_stamp_cards(r, &p);
    if (r.has("tiers")) read_tiers(r.child("tiers"), &p);
    read_vip(r, &p);
    if (r.has("cashback")) read_cashback(r.child("cashback"), &p);
    if (r.has("referral")) read_referral(r.child("referral"), &p);
    if (r.has("coalition")) read_coalition(r.child("coalition"), &p);
    read_rewards(r, &p);
    read_segments(r, &p);
    r.reject_unknown({"id", "name", "currency", "point_value_minor", "flat_discount",
                      "discount_ladder", "bonus", "stamp_cards", "tiers", "vip_plans", "cashback",
                      "referral", "coalition", "rewards", "segments"});
    if (!r.ok()) return out;
    if (const auto problem = check_rules ? validate_program(p) : std::nullopt) {
        out.error = {problem->code, problem->field, problem->message};
        return out;
    }
    out.value = std::move(p);
    return out;
}

Json encode_program(const Program& p, Pictures pictures) {
    Json j = {{"id", p.id}, {"name", p.name}, {"currency", money::currency_info(p.currency).code},
              {"point_value_minor", p.point_value_minor}};
    if (p.flat_discount)
        j["flat_discount"] = {{"rate_bp", p.flat_discount->rate_bp},
                              {"applies_to", filter_json(p.flat_discount->applies_to)}};
    if (p.discount_ladder) {
        Json steps = Json::array();
        for (const auto& s : p.discount_ladder->steps)
            steps.push_back({{"threshold", s.threshold}, {"rate_bp", s.rate_bp}});
        j["discount_ladder"] = {
            {"mode", p.discount_ladder->mode == LadderMode::receipt ? "receipt" : "cumulative"},
            {"steps", steps},
            {"cap_bp", p.discount_ladder->cap_bp},
            {"decay_period_days", p.discount_ladder->decay_period_days}};
    }
    if (p.bonus) {
        const BonusPoints& b = *p.bonus;
        Json blackouts = Json::array();
        for (const auto& period : b.redeem_blackouts)
            blackouts.push_back({{"from_ms", period.from_ms}, {"to_ms", period.to_ms}});
        j["bonus"] = {{"earn_bp", b.earn_bp},
                      {"receipt_min", b.receipt_min},
                      {"category_multipliers", multipliers_json(b.category_multipliers)},
                      {"sku_multipliers", multipliers_json(b.sku_multipliers)},
                      {"excluded_categories", b.excluded_categories},
                      {"exclude_discounted_lines", b.exclude_discounted_lines},
                      {"redeem_cap_bp", b.redeem_cap_bp},
                      {"redeem_order_min", b.redeem_order_min},
                      {"redeem_blackouts", blackouts},
                      {"pending_days", b.pending_days},
                      {"expiry_days", b.expiry_days},
                      {"welcome_bonus", b.welcome_bonus},
                      {"birthday_bonus", b.birthday_bonus},
                      {"action_bonuses", b.action_bonuses},
                      {"earn_rounding", money::rounding_name(b.earn_rounding)}};
    }
    if (!p.stamp_cards.empty()) {
        Json a = Json::array();
        for (const auto& c : p.stamp_cards)
            a.push_back({{"id", c.id},
                         {"stamps_per_card", c.stamps_per_card},
                         {"earns_on", filter_json(c.earns_on)},
                         {"spend_per_stamp", c.spend_per_stamp},
                         {"reward_id", c.reward_id}});
        j["stamp_cards"] = a;
    }
    if (p.tiers) {
        Json levels = Json::array();
        for (const auto& l : p.tiers->levels)
            levels.push_back({{"id", l.id},
                              {"name", l.name},
                              {"threshold", l.threshold},
                              {"earn_multiplier_pct", l.earn_multiplier_pct},
                              {"discount_bp", l.discount_bp},
                              {"perks", l.perks}});
        j["tiers"] = {{"basis", p.tiers->basis == TierBasis::points ? "points" : "spend"},
                      {"window_days", p.tiers->window_days},
                      {"downgrade_inactivity_days", p.tiers->downgrade_inactivity_days},
                      {"levels", levels}};
    }
    if (!p.vip_plans.empty()) {
        Json a = Json::array();
        for (const auto& v : p.vip_plans)
            a.push_back({{"id", v.id},
                         {"name", v.name},
                         {"fee", v.fee},
                         {"period", v.period == BillingPeriod::month ? "month" : "year"},
                         {"earn_multiplier_pct", v.earn_multiplier_pct},
                         {"discount_bp", v.discount_bp},
                         {"perks", v.perks}});
        j["vip_plans"] = a;
    }
    if (p.cashback)
        j["cashback"] = {{"rate_bp", p.cashback->rate_bp},
                         {"excluded_categories", p.cashback->excluded_categories}};
    if (p.referral)
        j["referral"] = {{"inviter_bonus", p.referral->inviter_bonus},
                         {"invitee_bonus", p.referral->invitee_bonus},
                         {"first_receipt_min", p.referral->first_receipt_min},
                         {"per_inviter_month_max", p.referral->per_inviter_month_max}};
    if (p.coalition)
        j["coalition"] = {{"coalition_id", p.coalition->coalition_id},
                          {"partner_id", p.coalition->partner_id},
                          {"clearing_price_num", p.coalition->clearing_price_num},
                          {"clearing_price_den", p.coalition->clearing_price_den}};
    if (!p.rewards.empty()) {
        Json a = Json::array();
        for (const auto& w : p.rewards) a.push_back(encode_reward(w, pictures));
        j["rewards"] = a;
    }
    if (!p.segments.empty()) {
        Json a = Json::array();
        for (const auto& s : p.segments)
            a.push_back({{"attribute", s.attribute},
                         {"value", s.value},
                         {"discount_bp", s.discount_bp},
                         {"applies_to", filter_json(s.applies_to)}});
        j["segments"] = a;
    }
    return j;
}

}  // namespace kopilka::codec
