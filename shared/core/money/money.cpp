#include "core/money/money.hpp"

#include <limits>

namespace kopilka::money {

namespace {
constexpr CurrencyInfo kCurrencies[] = {
    {Currency::RUB, "RUB", 2, "\u20BD"},
    {Currency::EUR, "EUR", 2, "\u20AC"},
    {Currency::USD, "USD", 2, "$"},
    {Currency::PTS, "PTS", 0, ""},
};

using i128 = __int128;
constexpr i128 kMax = std::numeric_limits<std::int64_t>::max();
constexpr i128 kMin = std::numeric_limits<std::int64_t>::min();

bool fits(i128 v) { return v >= kMin && v <= kMax; }
}  // namespace

std::string_view rounding_name(Rounding r) {
    static constexpr std::string_view kNames[] = {"half_even", "half_up", "floor", "ceil"};
    return kNames[static_cast<int>(r)];
}

const CurrencyInfo& currency_info(Currency c) {
    for (const auto& info : kCurrencies)
        if (info.currency == c) return info;
    return kCurrencies[3];
}

std::optional<Currency> currency_from_code(std::string_view code) {
    for (const auto& info : kCurrencies)
        if (info.code == code) return info.currency;
    return std::nullopt;
}

namespace {
// The quotient q of numerator / den (den > 0), truncated toward zero, moved as the rounding
// says, given the remainder r. In 64 or 128 bits, for div_narrow and div_wide alike.
template <typename Int>
Int round_quotient(Int q, Int r, Int den, bool negative, Rounding rounding) {
    if (r == 0) return q;
    const Int below = r < 0 ? -r : r, above = den - below;  // 2 × below against den
    switch (rounding) {
        case Rounding::floor:
            if (negative) q -= 1;
            break;
        case Rounding::ceil:
            if (!negative) q += 1;
            break;
        case Rounding::half_up:  // half away from zero
            if (below >= above) q += negative ? -1 : 1;
            break;
        case Rounding::half_even:
            if (below > above || (below == above && (q % 2 != 0))) q += negative ? -1 : 1;
            break;
    }
    return q;
}

// div_wide in 64 bits, for a numerator and a denominator > 0 that fit: the same rounding with
// no 128-bit arithmetic, which wasm does in library calls. The result always fits.
std::int64_t div_narrow(std::int64_t product, std::int64_t den, Rounding rounding) {
    const std::int64_t q = product / den;
    const std::int64_t r = product - q * den;  // wasm has no instruction for both at once
    return round_quotient(q, r, den, product < 0, rounding);
}

}  // namespace

bool mul_div(std::int64_t a, std::int64_t num, std::int64_t den, Rounding rounding,
             std::int64_t* out) {
    std::int64_t product = 0;
    if (den > 0 && checked_mul(a, num, &product)) {
        *out = div_narrow(product, den, rounding);
        return true;
    }
    return div_wide(static_cast<i128>(a) * num, den, rounding, out);
}

bool div_wide(__int128 product, __int128 den, Rounding rounding, std::int64_t* out) {
    if (den <= 0) return false;
    if (fits(product) && den <= kMax) {
        *out = div_narrow(static_cast<std::int64_t>(product), static_cast<std::int64_t>(den),
                          rounding);
        return true;
    }
    const WideQuotient d = divide_wide(product, den);  // truncates toward zero
    const i128 q = round_quotient(d.quotient, d.remainder, den, product < 0, rounding);
    if (!fits(q)) return false;
    *out = static_cast<std::int64_t>(q);
    return true;
}

bool apply_basis_points(std::int64_t amount, std::int64_t bp, Rounding rounding,
                        std::int64_t* out) {
    return mul_div(amount, bp, 10000, rounding, out);
}

}  // namespace kopilka::money
