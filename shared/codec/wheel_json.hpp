// Prize wheels ⇄ JSON: the merchant's wheel config (console, server storage), and what the
// server answers: a spin's outcome (the kiosk animates it) and the published odds.
//
//   {"currency": "RUB", "name": "Spring wheel", "starts_at_ms": 1772323200000,
//    "ends_at_ms": 1775001600000, "day_budget": 50000, "campaign_budget": "unlimited",
//    "member_spins_per_day_max": 3, "member_wins_per_day_max": 1,
//    "member_wins_per_campaign_max": "unlimited",
//    "prizes": [{"id": "coffee", "label": "Free coffee", "kind": "coupon",
//                "reward_id": "coffee-s", "weight": 10, "stock": 100, "cost": 9000,
//                "colour": "#2E7D32"}, …]}
//
// Every stock, budget and limit is required and is a whole number or "unlimited", so a
// forgotten field never means "unlimited" by accident. "points" is required for points
// prizes and "reward_id" for coupon prizes. "name", the campaign window ("starts_at_ms",
// "ends_at_ms": ms UTC, the end after the start) and a prize's "colour" ("#RRGGBB") are
// optional and left out when unset, so wheels stored before they existed still decode.
// Seeds are 16 hex digits in a string: JavaScript numbers lose 64-bit integers.
#pragma once

#include "codec/decode.hpp"
#include "codec/kiosk_json.hpp"
#include "core/spins/odds.hpp"
#include "core/spins/wheel.hpp"

namespace kopilka::codec {

// The config is validated (spins::validate_wheel); errors name the field, "prizes[3].weight".
Decoded<spins::WheelConfig> decode_wheel(const Json& j, std::string_view path = "");
Json encode_wheel(const spins::WheelConfig& config);

// {"status", "seed", and when ok "prize" (index), "prize_id", "label", "kind", "points" or
// "reward_id", "weights", "total_weight", "ticket"; when refused "limit"}.
Json encode_spin_outcome(const spins::WheelConfig& config, const spins::SpinOutcome& outcome);

// {"prizes": [{"id", "label", "kind", "chance_ppm"}], "win_chance_ppm", "win_chance_ppm_min",
//  "low_win_chance", "nothing_left"}.
Json encode_odds(const spins::WheelConfig& config, const spins::WheelOdds& odds);
// The prizes with their published odds, as encode_odds and the kiosk's config show them.
std::vector<WheelPrizeView> published_prizes(const spins::WheelConfig& config,
                                             const spins::WheelOdds& odds);

std::string seed_hex(std::uint64_t seed);  // "00000000deadbeef"

}  // namespace kopilka::codec
