// The prize wheel (PRODUCT.md mechanic 11): the server decides every spin from the wheel's
// config, its stock and budget state, the member's counters and a seed, and logs the seed so
// anyone can replay the outcome; the kiosk only animates what it was told.
//
// A prize drops out of the draw (its weight counts as 0) when it is out of stock or costs
// more than what is left of the day's or the campaign's budget. When the weights left are all
// zero but "nothing" prizes are still available (ones the merchant weighted 0, say "Sold
// out"), each of those gets weight 1; when none is left either, the wheel is empty
// (SpinStatus::nothing_left).
//
// A wheel may have a campaign window [starts_at_ms, ends_at_ms): outside it the wheel gives no
// spins (wheel_phase). The window and the name are the merchant's; decide_spin does not read
// them, so the caller checks the phase before it asks for a spin.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/money/money.hpp"
#include "core/theme/theme.hpp"

namespace kopilka::spins {

using Limit = std::optional<std::int64_t>;  // std::nullopt: unlimited

constexpr std::size_t wheel_prizes_max = 32;              // more would not fit on a wheel
constexpr std::int64_t prize_weight_max = 1'000'000'000;  // weight sums stay far from overflow
constexpr std::size_t wheel_name_bytes_max = 64;

enum class PrizeKind : std::uint8_t { nothing, points, coupon };

struct Prize {
    std::string id;     // "coffee", unique on the wheel
    std::string label;  // shown on the wheel, "Free coffee"
    PrizeKind kind = PrizeKind::nothing;
    std::int64_t points = 0;  // points prizes: the amount credited
    std::string reward_id;    // coupon prizes: the reward the coupon is for
    std::int64_t weight = 0;  // relative chance, 0..prize_weight_max
    Limit stock;              // units for the whole campaign
    std::int64_t cost = 0;    // what one win costs the merchant, minor units
    std::optional<theme::Rgba> colour;  // the segment's fill, opaque; none: the theme's colours
};

struct WheelConfig {
    money::Currency currency = money::Currency::RUB;  // of costs and budgets
    std::vector<Prize> prizes;
    Limit day_budget;       // minor units the merchant spends on prizes per day
    Limit campaign_budget;  // minor units for the whole campaign
    Limit member_spins_per_day_max;
    Limit member_wins_per_day_max;  // a win is any prize that is not "nothing"
    Limit member_wins_per_campaign_max;
    std::string name;                         // the merchant's, "Spring wheel"; "" for none
    std::optional<std::int64_t> starts_at_ms;  // campaign window, ms UTC; none: open-ended
    std::optional<std::int64_t> ends_at_ms;    // the first moment the wheel no longer spins
};

enum class WheelStatus : std::uint8_t {
    ok,
    no_prizes,
    too_many_prizes,  // more than wheel_prizes_max
    empty_id,
    duplicate_id,  // bad_index is the later of the two
    negative_weight,
    weight_too_large,  // above prize_weight_max
    negative_stock,
    negative_cost,
    bad_points,      // a points prize must credit at least 1 point
    missing_reward,  // a coupon prize needs a reward_id
    all_weights_zero,
    negative_budget,        // day_budget or campaign_budget
    negative_member_limit,  // one of the member_*_max limits
    translucent_colour,     // a prize's colour must be opaque
    name_too_long,          // above wheel_name_bytes_max
    ends_before_start,      // ends_at_ms is not after starts_at_ms
};

// Checks prizes in order, then the wheel; *bad_index is the offending prize (0 otherwise).
WheelStatus validate_wheel(const WheelConfig& config, std::size_t* bad_index);
std::string_view wheel_status_name(WheelStatus s);  // "all_weights_zero", …
std::string_view prize_kind_name(PrizeKind k);      // "nothing", "points", "coupon"

// Shared by every member; the server stores it and applies each outcome in one transaction.
struct WheelState {
    std::vector<std::int64_t> stock_left;  // per prize; ignored for unlimited prizes
    std::int64_t spent_today = 0;          // minor units; the server zeroes it each day
    std::int64_t spent_campaign = 0;
};

// One member's counters on this wheel; the server zeroes the daily ones each day.
struct MemberSpinState {
    std::int64_t spins_today = 0;
    std::int64_t wins_today = 0;
    std::int64_t wins_campaign = 0;
};

// Where now_ms lies in the wheel's campaign window: before starts_at_ms, inside, or at or after
// ends_at_ms. A wheel without a window is always running.
enum class WheelPhase : std::uint8_t { scheduled, running, ended };
WheelPhase wheel_phase(const WheelConfig& config, std::int64_t now_ms);
std::string_view wheel_phase_name(WheelPhase p);  // "scheduled", "running", "ended"

WheelState initial_wheel_state(const WheelConfig& config);  // full stock, nothing spent

// The weights the draw uses after drop-outs, one per prize (the fallback to "nothing"
// prizes included); all zero when nothing is left. The published odds use the same.
std::vector<std::int64_t> candidate_weights(const WheelConfig& config, const WheelState& state);

enum class SpinStatus : std::uint8_t {
    ok,
    member_limit_reached,  // the spin is refused and not used up; see SpinOutcome::limit
    nothing_left,          // every prize is out of stock or over budget
};

enum class MemberLimit : std::uint8_t { none, spins_per_day, wins_per_day, wins_per_campaign };

struct SpinOutcome {
    SpinStatus status = SpinStatus::nothing_left;
    MemberLimit limit = MemberLimit::none;  // member_limit_reached: which one
    int prize = -1;                         // index into config.prizes when ok, else -1
    std::uint64_t seed = 0;                 // log it: it replays this outcome
    std::vector<std::int64_t> weights;      // candidate_weights() at the time of the spin
    std::int64_t total_weight = 0;          // their sum
    std::int64_t ticket = 0;                // the draw, in [0, total_weight)
};

// A pure function of its arguments: the same inputs give the same outcome on every platform.
// config must be valid and state.stock_left sized to it (KOPILKA_ASSERT).
SpinOutcome decide_spin(const WheelConfig& config, const WheelState& state,
                        const MemberSpinState& member, std::uint64_t seed);

std::string_view spin_status_name(SpinStatus s);    // "member_limit_reached", …
std::string_view member_limit_name(MemberLimit l);  // "wins_per_day", …

// The state after an outcome decided on exactly this state: stock and budgets go down by the
// prize. Outcomes that are not ok change nothing. Going below zero stock or over a budget
// means the outcome was decided on another state, a programmer error (KOPILKA_ASSERT).
WheelState apply_outcome(const WheelConfig& config, const WheelState& state,
                         const SpinOutcome& outcome);
MemberSpinState apply_member_outcome(const WheelConfig& config, const MemberSpinState& member,
                                     const SpinOutcome& outcome);

}  // namespace kopilka::spins
