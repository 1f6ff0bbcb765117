// What a member sees on the kiosk and in the widget: one consistent, derived picture.
// The server builds it from the ledger; the client caches and draws it.
#pragma once

#include <cstdint>
#include <string>

#include "core/money/money.hpp"

namespace kopilka::members {

struct TierView {
    std::string id;               // current tier
    std::string name;
    std::string next_name;        // empty at the top
    std::int64_t gap = 0;         // qualifying amount still needed for next_name
    int progress_permille = 0;    // 0..1000
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
};

}  // namespace kopilka::members
