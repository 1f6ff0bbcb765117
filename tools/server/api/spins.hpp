// POST /v1/kiosk/spin: a member spins the kiosk's prize wheel (PRODUCT.md, mechanic 11). The
// server decides with shared/core/spins from the wheel's config, its shared state (stock used,
// budgets spent) and the member's counters, drawing with the seed whose commitment the member's
// snapshot showed and the client's operation id (core/spins/fair.hpp); the answer reveals the
// seed, and the spin record logs the draw's seed so anyone can replay it; a points prize is
// credited to the ledger (a bonus, rule "wheel:<id>"), a coupon prize issues a coupon (source
// "spin"). All in the member's transaction, the wheel's state locked after the member: concurrent
// spins never give more than the stock nor spend more than the budgets, on SQLite or PostgreSQL.
//
//   {"operation_id", "member": {"id"}, "wheel_id"?}   (the kiosk's active wheel by default)
//   → 201 {"operation_id", "wheel_id", "prize": {"index", "id", "label", "kind", "points"?,
//   "reward_id"?},
//          "coupon"?, "spin": {"seed", "commitment", "draw_seed", "ticket", "total_weight",
//          "weights"}, "member" (with the next spin's commitment)}
//   → 409 member_limit_reached (field: the wheel's limit, "member_spins_per_day_max", …), not
//     stored, so a retry is decided afresh; 409 nothing_left, logged and stored like a prize.
#pragma once

#include <cstdint>

#include "api/member_lookup.hpp"
#include "storage/store.hpp"

namespace kopilka::server {

ApiResult post_spin(Store& store, const Caller& caller, const codec::Json& body,
                    std::int64_t now_ms);

}  // namespace kopilka::server
