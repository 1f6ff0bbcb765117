#include "core/cards/coupon_code.hpp"

#include <cstdint>

#include "core/crypto/sha256.hpp"

namespace kopilka::cards {

namespace {
using crypto::base32_alphabet;
using crypto::base32_value;
constexpr std::size_t kBodyChars = 12;

// A weighted sum mod 37, written as two base32 characters. 37 is a prime above every
// character value, so any single substitution (difference 1..31 times a weight 1..12) and
// any swap of two neighbours (difference 1..31) changes the sum.
std::string check_chars(std::string_view body) {
    int sum = 0;
    for (std::size_t i = 0; i < body.size(); ++i)
        sum = (sum + static_cast<int>(i + 1) * base32_value(body[i])) % 37;
    return {base32_alphabet[sum / 32], base32_alphabet[sum % 32]};
}

std::string format(std::string_view body) {
    std::string out = "KC";
    for (std::size_t i = 0; i < body.size(); i += 4) out.append("-").append(body.substr(i, 4));
    out += '-';
    out += check_chars(body);
    return out;
}
}  // namespace

std::string coupon_code(std::string_view secret, std::string_view reservation_id) {
    const crypto::Digest d =
        crypto::hmac_sha256(secret, std::string("coupon:").append(reservation_id));
    std::uint64_t bits = 0;
    for (int i = 0; i < 8; ++i) bits = (bits << 8) | d[static_cast<std::size_t>(i)];
    std::string body;
    for (std::size_t i = 0; i < kBodyChars; ++i)
        body += base32_alphabet[(bits >> (59 - 5 * i)) & 31];
    return format(body);
}

CouponStatus parse_coupon_code(std::string_view typed, std::string* canonical) {
    const std::string chars = crypto::fold_typed_base32(typed);
    if (chars.size() != 2 + kBodyChars + 2 || chars.compare(0, 2, "KC") != 0)
        return CouponStatus::bad_format;
    const std::string body = chars.substr(2, kBodyChars);
    for (char c : chars.substr(2))
        if (base32_value(c) < 0) return CouponStatus::bad_format;
    if (check_chars(body) != chars.substr(2 + kBodyChars)) return CouponStatus::bad_check;
    *canonical = format(body);
    return CouponStatus::ok;
}

}  // namespace kopilka::cards
