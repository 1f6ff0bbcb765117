// What a member sees on the kiosk and in the widget: one consistent, derived picture.
// The server builds it from the ledger; the client caches and draws it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/money/money.hpp"

namespace kopilka::members {

struct TierView {
    std::string id;               // current tier
    std::string name;
    std::string next_name;        // empty at the top
    std::int64_t gap = 0;         // qualifying amount still needed for next_name
    int progress_permille = 0;    // 0..1000
};

struct ExpiringView {
    std::int64_t points = 0;
    std::int64_t expires_at_ms = 0;
};

struct RewardView {
    std::string id;
    std::string name;
    std::int64_t cost_points = 0;
};

struct HistoryView {
    std::string reason;        // "earn", "redeem", "expire", …
    std::string rule;
    std::int64_t at_ms = 0;
    std::int64_t points = 0;   // change of the balance, signed
};

struct MemberSnapshot {
    std::string id;
    std::string name;                 // first name only: this is shown on a shop-floor screen
    std::string merchant;             // merchant code
    std::int64_t balance = 0;         // points, in minor units of points (whole points)
    money::Currency currency = money::Currency::RUB;  // the merchant's money, for spend gaps
    std::string tier_basis = "points";                // "points" or "spend": unit of gap
    TierView tier;
    std::int64_t as_of_ms = 0;        // server time the snapshot was built, ms since epoch
    std::int64_t available = 0;       // spendable now
    std::int64_t pending = 0;         // earned, unlocking after the return window
    std::vector<ExpiringView> expiring;        // the next batches to expire, soonest first
    std::vector<RewardView> rewards_affordable;  // cheapest first
    std::optional<RewardView> reward_next;     // the cheapest reward not yet affordable
    std::int64_t spins_available = 0;
    // SHA-256 of the server's seed for the member's next spin (core/spins/fair.hpp), 64 hex
    // digits; "" when the snapshot counts no wheel.
    std::string spin_commitment;
    std::vector<HistoryView> history;          // newest first
};

}  // namespace kopilka::members
