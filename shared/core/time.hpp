// Time as the core counts it: milliseconds since the Unix epoch in int64, UTC, passed in by
// the caller (the core never reads a clock).
#pragma once

#include <cstdint>

namespace kopilka {

constexpr std::int64_t day_ms = 86'400'000;  // a calendar day; no leap seconds in Unix time

}  // namespace kopilka
