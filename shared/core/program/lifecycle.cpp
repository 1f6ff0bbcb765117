#include "core/program/lifecycle.hpp"

#include <algorithm>

#include "core/time.hpp"

namespace kopilka::program {

namespace {

// Days since 1970-01-01 for a civil date, and back (Howard Hinnant's algorithms).
std::int64_t days_from_civil(int y, int m, int d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const std::int64_t yoe = y - era * 400;
    const std::int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

Date civil_from_days(std::int64_t z) {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const std::int64_t doe = z - era * 146097;
    const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const std::int64_t mp = (5 * doy + 2) / 153;
    Date d;
    d.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    d.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    d.year = static_cast<int>(yoe + era * 400 + (d.month <= 2));
    return d;
}

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
int days_in_month(int y, int m) {
    static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : kDays[m - 1];
}
std::int64_t floor_div(std::int64_t a, std::int64_t b) {
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}
}  // namespace

Date date_of(std::int64_t ms) { return civil_from_days(floor_div(ms, day_ms)); }
std::int64_t ms_of(const Date& d) { return days_from_civil(d.year, d.month, d.day) * day_ms; }

EventBonus event_bonus(const Program& p, BonusEvent event, const std::string& action) {
    if (!p.bonus) return {};
    switch (event) {
        case BonusEvent::welcome: return {p.bonus->welcome_bonus, "bonus.welcome"};
        case BonusEvent::birthday: return {p.bonus->birthday_bonus, "bonus.birthday"};
        case BonusEvent::action: {
            const auto it = p.bonus->action_bonuses.find(action);
            if (it == p.bonus->action_bonuses.end()) return {};
            return {it->second, "bonus.action." + action};
        }
    }
    return {};
}

bool birthday_bonus_due(int birth_month, int birth_day, std::int64_t last_granted_ms,
                        std::int64_t now_ms) {
    if (birth_month < 1 || birth_month > 12 || birth_day < 1 || birth_day > 31) return false;
    const Date today = date_of(now_ms);
    const int day = std::min(birth_day, days_in_month(today.year, birth_month));
    if (today.month != birth_month || today.day != day) return false;
    return last_granted_ms <= 0 || now_ms - last_granted_ms >= 300 * day_ms;
}

TierReview review_tier(const Program& p, int held_tier, std::int64_t qualifying,
                       std::int64_t window_start_ms, std::int64_t last_purchase_ms,
                       std::int64_t now_ms) {
    TierReview r;
    if (!p.tiers || p.tiers->levels.empty()) return r;
    const auto& levels = p.tiers->levels;
    const int top = static_cast<int>(levels.size()) - 1;
    int earned = 0;  // the tier the window's qualifying amount reaches
    for (int i = 0; i <= top; ++i)
        if (levels[static_cast<std::size_t>(i)].threshold <= qualifying) earned = i;
    r.tier = std::clamp(std::max(held_tier, earned), 0, top);
    r.window_ended = now_ms >= window_start_ms + p.tiers->window_days * day_ms;
    const std::int64_t idle_days = p.tiers->downgrade_inactivity_days;
    const bool idle =
        idle_days > 0 && last_purchase_ms > 0 && now_ms - last_purchase_ms >= idle_days * day_ms;
    if ((r.window_ended || idle) && earned < r.tier) {
        r.tier -= 1;  // one step at a time
        r.demoted = true;
    }
    return r;
}

std::int64_t vip_period_end_ms(std::int64_t start_ms, BillingPeriod period) {
    const std::int64_t time_of_day = start_ms - floor_div(start_ms, day_ms) * day_ms;
    Date d = date_of(start_ms);
    if (period == BillingPeriod::year) {
        d.year += 1;
    } else if (++d.month > 12) {
        d.month = 1;
        d.year += 1;
    }
    d.day = std::min(d.day, days_in_month(d.year, d.month));
    return ms_of(d) + time_of_day;
}

}  // namespace kopilka::program
