#include "client/console_time.hpp"

#include <cstdio>

#include "core/time.hpp"

namespace kopilka::client {

namespace {
// Days since 1970-01-01 of a civil date and back (Howard Hinnant's algorithms).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Civil {
    std::int64_t y;
    unsigned m, d;
};

Civil civil_from_days(std::int64_t z) {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    return {static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2), m, d};
}
}  // namespace

std::string date_time_text(std::int64_t ms) {
    const std::int64_t days = (ms >= 0 ? ms : ms - (day_ms - 1)) / day_ms;
    const std::int64_t secs = (ms - days * day_ms) / 1000;
    const Civil c = civil_from_days(days);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u %02lld:%02lld", static_cast<long long>(c.y),
                  c.m, c.d, static_cast<long long>(secs / 3600),
                  static_cast<long long>(secs / 60 % 60));
    return buf;
}

std::optional<std::int64_t> parse_date_time(const std::string& text, bool end_of_day) {
    int y = 0, n = 0;
    unsigned m = 0, d = 0, hh = 0, mm = 0;
    const bool date_only = std::sscanf(text.c_str(), "%4d-%2u-%2u%n", &y, &m, &d, &n) == 3 &&
                           text.size() == 10 && n == 10;
    const bool with_time =
        !date_only &&
        std::sscanf(text.c_str(), "%4d-%2u-%2u %2u:%2u%n", &y, &m, &d, &hh, &mm, &n) == 5 &&
        static_cast<std::size_t>(n) == text.size() && text.size() == 16;
    if ((!date_only && !with_time) || y < 1970 || m < 1 || m > 12 || d < 1 || hh > 23 || mm > 59)
        return std::nullopt;
    const std::int64_t days = days_from_civil(y, m, d);
    if (civil_from_days(days).d != d) return std::nullopt;  // the 30th of February
    if (date_only) return (days + (end_of_day ? 1 : 0)) * day_ms;
    return days * day_ms + (hh * 60 + mm) * 60'000LL;
}

}  // namespace kopilka::client
