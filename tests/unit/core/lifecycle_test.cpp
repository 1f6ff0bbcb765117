#include <doctest/doctest.h>

#include "core/program/lifecycle.hpp"
#include "core/time.hpp"

using namespace kopilka::program;

namespace {
constexpr std::int64_t kDay = kopilka::day_ms;
constexpr std::int64_t kJan1 = 1767225600000;  // 2026-01-01 00:00 UTC

Program tiered() {
    Program p;
    p.id = "t";
    Tiers t;
    t.window_days = 365;
    t.downgrade_inactivity_days = 180;
    t.levels = {{"base", "Base", 0}, {"silver", "Silver", 1000}, {"gold", "Gold", 5000}};
    p.tiers = t;
    BonusPoints b;
    b.welcome_bonus = 100;
    b.birthday_bonus = 200;
    b.action_bonuses = {{"review", 50}};
    p.bonus = b;
    return p;
}
}  // namespace

TEST_CASE("civil dates round-trip, leap years included") {
    CHECK(date_of(kJan1).year == 2026);
    CHECK(ms_of({2026, 1, 1}) == kJan1);
    CHECK(ms_of({2024, 2, 29}) + kDay == ms_of({2024, 3, 1}));
    const Date d = date_of(ms_of({1999, 12, 31}) + kDay);
    CHECK((d.year == 2000 && d.month == 1 && d.day == 1));
    CHECK(date_of(-1).year == 1969);
}

TEST_CASE("event bonuses name their rule; unknown actions give nothing") {
    const Program p = tiered();
    CHECK(event_bonus(p, BonusEvent::welcome).points == 100);
    CHECK(event_bonus(p, BonusEvent::birthday).rule == "bonus.birthday");
    CHECK(event_bonus(p, BonusEvent::action, "review").points == 50);
    CHECK(event_bonus(p, BonusEvent::action, "review").rule == "bonus.action.review");
    CHECK(event_bonus(p, BonusEvent::action, "selfie").points == 0);
}

TEST_CASE("the birthday bonus is due on the day, once a year; 29 February falls on 28 February") {
    const std::int64_t may5 = ms_of({2026, 5, 5}) + 10 * 3600000;
    CHECK(birthday_bonus_due(5, 5, 0, may5));
    CHECK_FALSE(birthday_bonus_due(5, 6, 0, may5));
    CHECK_FALSE(birthday_bonus_due(5, 5, may5 - 3600000, may5));  // already granted today
    CHECK(birthday_bonus_due(5, 5, ms_of({2025, 5, 5}), may5));
    CHECK(birthday_bonus_due(2, 29, 0, ms_of({2026, 2, 28})));
    CHECK(birthday_bonus_due(2, 29, 0, ms_of({2028, 2, 29})));
    CHECK_FALSE(birthday_bonus_due(2, 29, 0, ms_of({2028, 2, 28})));
    CHECK_FALSE(birthday_bonus_due(13, 1, 0, may5));
}

TEST_CASE(
    "tier review: promotion is immediate, demotion waits for the window's end and is one step") {
    const Program p = tiered();
    // Earned 6 000 in the window: Gold right away.
    CHECK(review_tier(p, 0, 6000, kJan1, kJan1, kJan1 + 10 * kDay).tier == 2);
    // Gold held, 0 earned, window still open: stays Gold.
    auto r = review_tier(p, 2, 0, kJan1, kJan1 + 100 * kDay, kJan1 + 200 * kDay);
    CHECK(r.tier == 2);
    CHECK_FALSE(r.demoted);
    // Window over: one step down to Silver, not to Base.
    r = review_tier(p, 2, 0, kJan1, kJan1 + 300 * kDay, kJan1 + 366 * kDay);
    CHECK(r.tier == 1);
    CHECK(r.demoted);
    CHECK(r.window_ended);
    // Window over but enough earned to keep Gold.
    CHECK(review_tier(p, 2, 5000, kJan1, kJan1 + 300 * kDay, kJan1 + 366 * kDay).tier == 2);
    // 180 idle days inside the window also demote one step.
    r = review_tier(p, 2, 0, kJan1, kJan1 + 10 * kDay, kJan1 + 200 * kDay);
    CHECK(r.tier == 1);
    CHECK_FALSE(r.window_ended);
}

TEST_CASE("VIP periods end on the same day next month or year, clamped to the month's end") {
    const std::int64_t jan31 = ms_of({2026, 1, 31}) + 3600000;
    CHECK(vip_period_end_ms(jan31, BillingPeriod::month) == ms_of({2026, 2, 28}) + 3600000);
    CHECK(vip_period_end_ms(ms_of({2024, 1, 31}), BillingPeriod::month) == ms_of({2024, 2, 29}));
    CHECK(vip_period_end_ms(ms_of({2026, 12, 15}), BillingPeriod::month) == ms_of({2027, 1, 15}));
    CHECK(vip_period_end_ms(ms_of({2024, 2, 29}), BillingPeriod::year) == ms_of({2025, 2, 28}));
}
