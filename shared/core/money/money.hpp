// Money and points: integer minor units with a currency, overflow-checked arithmetic and
// named rounding. No floating point touches an amount anywhere in Kopilka.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace kopilka::money {

enum class Currency : std::uint8_t { RUB, EUR, USD, PTS };  // PTS = loyalty points

struct CurrencyInfo {
    Currency currency;
    std::string_view code;    // ISO 4217 (or "PTS")
    int minor_digits;         // 2 for RUB/EUR/USD, 0 for points
    std::string_view symbol;  // "₽", "€", "$", ""
};

const CurrencyInfo& currency_info(Currency c);                     // never fails
std::optional<Currency> currency_from_code(std::string_view code);  // "RUB" → RUB, else nullopt

struct Money {
    std::int64_t minor = 0;
    Currency currency = Currency::PTS;
    friend bool operator==(const Money& a, const Money& b) {
        return a.minor == b.minor && a.currency == b.currency;
    }
};

enum class Rounding : std::uint8_t { half_even, half_up, floor, ceil };
std::string_view rounding_name(Rounding r);                       // "half_even", …

// Checked integer arithmetic: false on overflow (out is then left unchanged). Inline: the quote
// calls them per line.
inline bool checked_add(std::int64_t a, std::int64_t b, std::int64_t* out) {
    std::int64_t r = 0;
    if (__builtin_add_overflow(a, b, &r)) return false;
    *out = r;
    return true;
}
inline bool checked_sub(std::int64_t a, std::int64_t b, std::int64_t* out) {
    std::int64_t r = 0;
    if (__builtin_sub_overflow(a, b, &r)) return false;
    *out = r;
    return true;
}
// Factors that both fit in 32 bits, as amounts and rates nearly always do, cannot overflow: their
// product is taken directly, since wasm checks a 64-bit product with a 128-bit library call.
inline bool checked_mul(std::int64_t a, std::int64_t b, std::int64_t* out) {
    std::int64_t r = 0;
    if (a == static_cast<std::int32_t>(a) && b == static_cast<std::int32_t>(b))
        r = a * b;
    else if (__builtin_mul_overflow(a, b, &r))
        return false;
    *out = r;
    return true;
}

// a * num / den rounded as named; den > 0. False when the result does not fit in int64.
bool mul_div(std::int64_t a, std::int64_t num, std::int64_t den, Rounding rounding,
             std::int64_t* out);

// numerator / denominator (128-bit, denominator > 0) rounded as named; false when the
// result does not fit in int64. For products of several factors (amount × rate × multiplier).
bool div_wide(__int128 numerator, __int128 denominator, Rounding rounding, std::int64_t* out);

// numerator / denominator truncated toward zero, and the remainder; denominator > 0. In 64
// bits when both fit, as amounts nearly always do: a 128-bit division is a library call
// (emulated in wasm) and many times slower.
struct WideQuotient {
    __int128 quotient;
    __int128 remainder;
};
inline WideQuotient divide_wide(__int128 numerator, __int128 denominator) {
    constexpr __int128 min = INT64_MIN, max = INT64_MAX;
    if (numerator >= min && numerator <= max && denominator <= max) {
        const auto n = static_cast<std::int64_t>(numerator);
        const auto d = static_cast<std::int64_t>(denominator);
        const std::int64_t q = n / d;
        return {q, n - q * d};  // the remainder without a second division (wasm has no divmod)
    }
    return {numerator / denominator, numerator % denominator};
}

// amount × basis points / 10 000 (1 bp = 0.01 %), rounded as named.
bool apply_basis_points(std::int64_t amount, std::int64_t bp, Rounding rounding,
                        std::int64_t* out);

}  // namespace kopilka::money
