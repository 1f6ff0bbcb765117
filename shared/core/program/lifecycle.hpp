// Things a program does outside a receipt: welcome, birthday and action bonuses, the tier
// review that demotes (one step at a time), and VIP billing periods. Pure functions of the
// program, the member's state and the time; the server runs them and writes the ledger.
#pragma once

#include <cstdint>
#include <string>

#include "core/program/program.hpp"

namespace kopilka::program {

enum class BonusEvent : std::uint8_t { welcome, birthday, action };

struct EventBonus {
    std::int64_t points = 0;   // 0: the program gives nothing for it
    std::string rule;          // "bonus.welcome", "bonus.birthday", "bonus.action.review"
};

// The points an event is worth; action names the action ("review") for BonusEvent::action.
EventBonus event_bonus(const Program& p, BonusEvent event, const std::string& action = {});

// Whether the birthday bonus is due at now_ms: it is the member's birthday (month 1–12,
// day 1–31, UTC; 29 Feb counts on 28 Feb in other years) and none was granted in the last
// 300 days.
bool birthday_bonus_due(int birth_month, int birth_day, std::int64_t last_granted_ms,
                        std::int64_t now_ms);

// The tier a member holds after a review at now_ms. A member is promoted as soon as the
// qualifying amount reaches a threshold; demotion happens only here: at the end of the
// qualification window (window_start_ms + window_days) or after downgrade_inactivity_days
// without a purchase, and one step at a time. Returns an index into p.tiers->levels.
struct TierReview {
    int tier = 0;
    bool demoted = false;
    bool window_ended = false;     // the caller starts a new window at now_ms
};
TierReview review_tier(const Program& p, int held_tier, std::int64_t qualifying,
                       std::int64_t window_start_ms, std::int64_t last_purchase_ms,
                       std::int64_t now_ms);

// The end of a VIP billing period that starts at start_ms: the same day and time next
// month or next year, clamped to the month's last day (31 Jan → 28/29 Feb).
std::int64_t vip_period_end_ms(std::int64_t start_ms, BillingPeriod period);

// Civil dates (UTC) for the functions above.
struct Date {
    int year = 1970, month = 1, day = 1;
};
Date date_of(std::int64_t ms);
std::int64_t ms_of(const Date& d);  // midnight UTC

}  // namespace kopilka::program
