// Dates and times as the console shows and takes them: UTC, "2026-12-04 18:30" (the console
// says "UTC" beside every field that takes one, so a shop in another zone is not surprised).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace kopilka::client {

// "2026-12-04 18:30" (UTC) of ms since the epoch.
std::string date_time_text(std::int64_t ms);

// "2026-12-04" → ms at 00:00 UTC (end_of_day: at 24:00, the next day's start); "2026-12-04
// 18:30" → that minute. nullopt for anything else, an impossible date (2026-02-30) included.
std::optional<std::int64_t> parse_date_time(const std::string& text, bool end_of_day = false);

}  // namespace kopilka::client
