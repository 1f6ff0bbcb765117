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

bool checked_add(std::int64_t a, std::int64_t b, std::int64_t* out) {
    std::int64_t r = 0;
    if (__builtin_add_overflow(a, b, &r)) return false;
    *out = r;
    return true;
}
bool checked_sub(std::int64_t a, std::int64_t b, std::int64_t* out) {
    std::int64_t r = 0;
    if (__builtin_sub_overflow(a, b, &r)) return false;
    *out = r;
    return true;
}
bool checked_mul(std::int64_t a, std::int64_t b, std::int64_t* out) {
    std::int64_t r = 0;
    if (__builtin_mul_overflow(a, b, &r)) return false;
    *out = r;
    return true;
}

bool mul_div(std::int64_t a, std::int64_t num, std::int64_t den, Rounding rounding,
             std::int64_t* out) {
    return div_wide(static_cast<i128>(a) * num, den, rounding, out);
}

bool div_wide(__int128 product, __int128 den, Rounding rounding, std::int64_t* out) {
    if (den <= 0) return false;
    const WideQuotient d = divide_wide(product, den);  // truncates toward zero
    i128 q = d.quotient;
    const i128 r = d.remainder;
    if (r != 0) {
        const bool negative = product < 0;
        const i128 twice = (r < 0 ? -r : r) * 2;
        switch (rounding) {
            case Rounding::floor:
                if (negative) q -= 1;
                break;
            case Rounding::ceil:
                if (!negative) q += 1;
                break;
            case Rounding::half_up:  // half away from zero
                if (twice >= den) q += negative ? -1 : 1;
                break;
            case Rounding::half_even:
                if (twice > den || (twice == den && (q % 2 != 0))) q += negative ? -1 : 1;
                break;
        }
    }
    if (!fits(q)) return false;
    *out = static_cast<std::int64_t>(q);
    return true;
}

bool apply_basis_points(std::int64_t amount, std::int64_t bp, Rounding rounding,
                        std::int64_t* out) {
    return mul_div(amount, bp, 10000, rounding, out);
}

}  // namespace kopilka::money
