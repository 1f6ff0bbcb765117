// Fixtures for the rules-text and product-points tests: the rules catalogues of
// assets/i18n/rules, the programs of tests/scenarios (every mechanic the format has, worked
// by hand there) and one program that uses every section at once.
#pragma once

#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "../test_assets.hpp"
#include "client/program_text.hpp"
#include "codec/catalogue_json.hpp"
#include "codec/program_json.hpp"

namespace kopilka::testing {

inline const i18n::Catalogues& rules_catalogues() {
    static const i18n::Catalogues c = [] {
        std::map<i18n::Locale, std::string> texts;
        for (i18n::Locale l : i18n::all_locales)
            texts[l] = read_asset(client::rules_catalogue_path(l));
        auto decoded = codec::decode_catalogues(texts);
        return decoded.ok() ? *decoded.value : i18n::Catalogues{};
    }();
    return c;
}

inline program::Program program_of(const codec::Json& j) {
    auto p = codec::decode_program(j);
    return p.ok() ? *p.value : program::Program{};
}

// Every section at once, in euros so that money shows decimals in every locale.
inline program::Program full_program() {
    return program_of(codec::Json::parse(R"({
      "id": "full", "name": "Everything", "currency": "EUR", "point_value_minor": 1,
      "flat_discount": {"rate_bp": 500, "applies_to": {"categories": ["shoes"], "skus": []}},
      "discount_ladder": {"mode": "cumulative", "cap_bp": 1000, "decay_period_days": 90,
        "steps": [{"threshold": 1000000, "rate_bp": 500}, {"threshold": 2000000, "rate_bp": 700},
                  {"threshold": 5000000, "rate_bp": 1250}]},
      "bonus": {"earn_bp": 500, "receipt_min": 1000, "pending_days": 14, "expiry_days": 360,
        "category_multipliers": [{"key": "coffee", "percent": 200}],
        "sku_multipliers": [{"key": "cake-special", "percent": 125}],
        "excluded_categories": ["tobacco", "alcohol"], "exclude_discounted_lines": true,
        "redeem_cap_bp": 5000, "redeem_order_min": 5000,
        "redeem_blackouts": [{"from_ms": 1769904000000, "to_ms": 1770508800000}],
        "welcome_bonus": 100, "birthday_bonus": 21, "action_bonuses": {"review": 50, "quiz": 2}},
      "stamp_cards": [
        {"id": "burger", "stamps_per_card": 10, "earns_on": {"skus": ["burger"]},
         "reward_id": "free-burger"},
        {"id": "meal", "stamps_per_card": 8, "earns_on": {"categories": []},
         "spend_per_stamp": 5000, "reward_id": "free-burger"}],
      "tiers": {"basis": "spend", "window_days": 365, "downgrade_inactivity_days": 180,
        "levels": [{"id": "base", "name": "Base", "threshold": 0},
                   {"id": "gold", "name": "Gold", "threshold": 5000000,
                    "earn_multiplier_pct": 150, "discount_bp": 300, "perks": ["free delivery"]}]},
      "vip_plans": [{"id": "plus", "name": "Plus", "fee": 2990, "period": "month",
                     "earn_multiplier_pct": 200, "discount_bp": 500, "perks": ["closed sales"]},
                    {"id": "year", "name": "Year", "fee": 29900, "period": "year"}],
      "cashback": {"rate_bp": 300, "excluded_categories": ["alcohol"]},
      "referral": {"inviter_bonus": 200, "invitee_bonus": 200, "first_receipt_min": 50000,
                   "per_inviter_month_max": 3},
      "coalition": {"coalition_id": "city-card", "partner_id": "bakery",
                    "clearing_price_num": 50, "clearing_price_den": 1},
      "rewards": [
        {"id": "free-burger", "name": "Burger", "cost_points": 300, "coupon_valid_days": 30},
        {"id": "minus-5", "name": "Voucher", "cost_points": 1500, "kind": "fixed_discount",
         "value": 500, "coupon_valid_days": 21},
        {"id": "ten", "name": "Tenth", "cost_points": 1000, "kind": "percent_discount",
         "value": 1000, "coupon_valid_days": 30}],
      "segments": [
        {"attribute": "status", "value": "student", "discount_bp": 1000},
        {"attribute": "status", "value": "pensioner", "discount_bp": 700,
         "applies_to": {"categories": ["pharmacy"]}}]
    })"));
}

inline codec::Json scenario_file(const std::string& name) {
    std::ifstream in(std::string(KOPILKA_SCENARIOS_DIR) + "/" + name + ".json", std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return codec::Json::parse(s.str(), nullptr, false);
}

// The program of every scenario file (the ladder file holds several) with its cases.
inline std::vector<std::pair<program::Program, codec::Json>> scenario_programs() {
    std::vector<std::pair<program::Program, codec::Json>> out;
    for (const char* name : {"flat_discount", "discount_ladder", "bonus_points", "stamps", "tiers",
                             "vip", "cashback", "referral", "segments", "returns"}) {
        const codec::Json file = scenario_file(name);
        if (file.contains("suites"))
            for (const auto& s : file["suites"])
                out.emplace_back(program_of(s["program"]), s["cases"]);
        else
            out.emplace_back(program_of(file["program"]), file["cases"]);
    }
    return out;
}

}  // namespace kopilka::testing
