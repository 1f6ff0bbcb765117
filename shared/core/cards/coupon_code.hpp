// Single-use coupon codes for redeemed rewards: "KC-XXXX-XXXX-XXXX-CC", Crockford base32
// (no I, L, O, U), so a cashier can type one without mixing up 0/O or 1/I. The code is
// derived from the merchant's secret and the reservation id, so it can't be guessed; the
// last character is a check character that catches one mistyped or swapped character
// before the till asks the server.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace kopilka::cards {

// 60 bits of HMAC-SHA256(secret, "coupon:" + reservation_id), grouped, plus two check characters.
std::string coupon_code(std::string_view secret, std::string_view reservation_id);

enum class CouponStatus : std::uint8_t { ok, bad_format, bad_check };

// Normalises what a cashier typed (case, spaces, dashes, O→0, I/L→1) and checks it.
// On ok, *canonical is the code as coupon_code() prints it.
CouponStatus parse_coupon_code(std::string_view typed, std::string* canonical);

}  // namespace kopilka::cards
