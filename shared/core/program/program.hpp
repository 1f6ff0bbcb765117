// A merchant's loyalty program as plain data: any combination of PRODUCT.md's mechanics.
// Programs arrive as JSON (shared/codec/program_json) and are validated before use; the
// quote engine (quote.hpp) and the ledger only ever see a valid Program.
//
// Units: money in minor units of the program's currency; points are whole points, each
// worth point_value_minor; rates in basis points (10 000 = 100 %); multipliers in percent
// (100 = ×1); times in ms since the Unix epoch (UTC); durations in days.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/money/money.hpp"

namespace kopilka::program {

using BasisPoints = std::int64_t;

struct Period {
    std::int64_t from_ms = 0;  // inclusive
    std::int64_t to_ms = 0;    // exclusive
    bool contains(std::int64_t t) const { return t >= from_ms && t < to_ms; }
};

// Which lines a rule applies to: empty lists mean every line.
struct LineFilter {
    std::vector<std::string> categories;
    std::vector<std::string> skus;
};

// 1. Flat discount card: a fixed percentage on everything or on some product groups.
struct FlatDiscount {
    BasisPoints rate_bp = 0;
    LineFilter applies_to;
};

// 2. Cumulative discount ladder.
enum class LadderMode : std::uint8_t {
    receipt,     // this receipt's amount picks the step
    cumulative,  // spend before this receipt picks the step
};
struct LadderStep {
    std::int64_t threshold = 0;  // minor units of spend
    BasisPoints rate_bp = 0;
};
struct DiscountLadder {
    LadderMode mode = LadderMode::cumulative;
    std::vector<LadderStep> steps;       // strictly rising thresholds and rates
    BasisPoints cap_bp = 10000;          // never more than this
    std::int64_t decay_period_days = 0;  // 0: no decay; else one step down per full idle period
};

struct Multiplier {
    std::string key;               // category or SKU
    std::int64_t percent = 100;    // 200 = double points
};

// 3. Bonus points.
struct BonusPoints {
    BasisPoints earn_bp = 0;                    // of the paid amount
    std::int64_t receipt_min = 0;  // minor units after discounts; smaller receipts earn nothing
    std::vector<Multiplier> category_multipliers;
    std::vector<Multiplier> sku_multipliers;    // boosted products; beats a category multiplier
    std::vector<std::string> excluded_categories;
    bool exclude_discounted_lines = false;      // lines already discounted before the receipt
    BasisPoints redeem_cap_bp = 10000;  // share of the receipt (after discounts) points may pay
    std::int64_t redeem_order_min = 0;  // minor units after discounts; below it no redemption
    std::vector<Period> redeem_blackouts;       // no redemption in these periods
    std::int64_t pending_days = 0;              // earned points unlock after the return window
    std::int64_t expiry_days = 0;  // 0: never; else each batch expires this long after earning
    std::int64_t welcome_bonus = 0;             // points on enrolment
    std::int64_t birthday_bonus = 0;            // points once a year on the birthday
    std::map<std::string, std::int64_t> action_bonuses;  // "review" → 50 points
    money::Rounding earn_rounding = money::Rounding::floor;  // once per receipt
};

// 4. Stamp card: N stamps fill a card, which gives a reward.
struct StampCard {
    std::string id;
    std::int64_t stamps_per_card = 10;  // "ten burgers, the eleventh free": 10
    LineFilter earns_on;                // one stamp per unit of a matching line…
    std::int64_t spend_per_stamp = 0;   // …or, when > 0, one stamp per this much paid (minor units)
    std::string reward_id;              // the reward a full card issues
};

// 5. Tiers.
enum class TierBasis : std::uint8_t { points, spend };
struct TierLevel {
    std::string id;
    std::string name;
    std::int64_t threshold = 0;              // qualifying points or minor units in the window
    std::int64_t earn_multiplier_pct = 100;
    BasisPoints discount_bp = 0;             // a tier's own discount perk
    std::vector<std::string> perks;          // words for the comparison table
};
struct Tiers {
    TierBasis basis = TierBasis::points;
    std::int64_t window_days = 365;
    std::vector<TierLevel> levels;           // the first threshold is 0
    std::int64_t downgrade_inactivity_days = 0;  // 0: only at the end of a window
};

// 6. Paid VIP membership.
enum class BillingPeriod : std::uint8_t { month, year };
struct VipPlan {
    std::string id;
    std::string name;
    std::int64_t fee = 0;                    // minor units per period
    BillingPeriod period = BillingPeriod::month;
    std::int64_t earn_multiplier_pct = 100;
    BasisPoints discount_bp = 0;
    std::vector<std::string> perks;          // "free delivery", "closed sales"
};

// 7. Cashback: a share of the paid amount as money-equivalent credit.
struct Cashback {
    BasisPoints rate_bp = 0;
    std::vector<std::string> excluded_categories;
};

// 8. Referral.
struct Referral {
    std::int64_t inviter_bonus = 0;          // points, when the invitee's first receipt posts
    std::int64_t invitee_bonus = 0;
    std::int64_t first_receipt_min = 0;      // minor units paid
    std::int64_t per_inviter_month_max = 10; // abuse limit
};

// 9. Coalition membership.
struct Coalition {
    std::string coalition_id;
    std::string partner_id;                  // this merchant inside the coalition
    std::int64_t clearing_price_num = 0;     // minor units…
    std::int64_t clearing_price_den = 1;     // …per this many points
};

// 10. Rewards catalogue.
enum class RewardKind : std::uint8_t { gift, fixed_discount, percent_discount };
struct Reward {
    std::string id;
    std::string name;
    std::int64_t cost_points = 0;
    RewardKind kind = RewardKind::gift;
    std::int64_t value = 0;                  // minor units, or basis points for percent_discount
    std::int64_t coupon_valid_days = 30;
    // The merchant's picture of it on the kiosk's reward tile: a data:image/… base64 URL (at most
    // 48 KiB, like a theme's logo) or an https:// URL; "" none.
    std::string image;
};

// 12. Segment rules: a member attribute gives a discount ("status" = "student" → 10 %).
struct SegmentRule {
    std::string attribute;
    std::string value;
    BasisPoints discount_bp = 0;
    LineFilter applies_to;
};

struct Program {
    std::string id;
    std::string name;
    money::Currency currency = money::Currency::RUB;
    std::int64_t point_value_minor = 100;    // 1 point = 1 ₽ by default
    std::optional<FlatDiscount> flat_discount;
    std::optional<DiscountLadder> discount_ladder;
    std::optional<BonusPoints> bonus;
    std::vector<StampCard> stamp_cards;
    std::optional<Tiers> tiers;
    std::vector<VipPlan> vip_plans;
    std::optional<Cashback> cashback;
    std::optional<Referral> referral;
    std::optional<Coalition> coalition;
    std::vector<Reward> rewards;
    std::vector<SegmentRule> segments;
};

// Limits on what a program may hold.
constexpr std::size_t program_rules_max = 64;       // per list (steps, tiers, rewards, …)
constexpr BasisPoints rate_bp_max = 10000;
constexpr std::int64_t multiplier_pct_max = 10000;  // ×100
constexpr std::int64_t amount_max = 1'000'000'000'000'000;  // 10^18 minor units
constexpr std::int64_t days_max = 36500;

bool line_matches(const LineFilter& f, const std::string& category, const std::string& sku);

}  // namespace kopilka::program
