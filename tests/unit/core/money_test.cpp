#include <doctest/doctest.h>

#include <cstdint>
#include <limits>

#include "core/money/money.hpp"

using namespace kopilka::money;

TEST_CASE("currency codes round-trip and unknown codes are refused") {
    CHECK(currency_from_code("RUB") == Currency::RUB);
    CHECK(currency_from_code("EUR") == Currency::EUR);
    CHECK(currency_info(Currency::EUR).minor_digits == 2);
    CHECK(currency_info(Currency::PTS).minor_digits == 0);
    CHECK_FALSE(currency_from_code("rub").has_value());
    CHECK_FALSE(currency_from_code("XXX").has_value());
}

TEST_CASE("checked arithmetic reports overflow instead of wrapping") {
    const std::int64_t max = std::numeric_limits<std::int64_t>::max();
    std::int64_t out = 7;
    CHECK(checked_add(2, 3, &out));
    CHECK(out == 5);
    CHECK_FALSE(checked_add(max, 1, &out));
    CHECK(out == 5);
    CHECK_FALSE(checked_sub(std::numeric_limits<std::int64_t>::min(), 1, &out));
    CHECK_FALSE(checked_mul(max / 2 + 1, 2, &out));
    CHECK(checked_mul(-4, 5, &out));
    CHECK(out == -20);
}

TEST_CASE("named rounding of a × num / den") {
    std::int64_t r = 0;
    // 2.5 → half-even 2, half-up 3, floor 2, ceil 3
    CHECK((mul_div(5, 1, 2, Rounding::half_even, &r) && r == 2));
    CHECK((mul_div(5, 1, 2, Rounding::half_up, &r) && r == 3));
    CHECK((mul_div(5, 1, 2, Rounding::floor, &r) && r == 2));
    CHECK((mul_div(5, 1, 2, Rounding::ceil, &r) && r == 3));
    // 3.5 → half-even 4
    CHECK((mul_div(7, 1, 2, Rounding::half_even, &r) && r == 4));
    // negatives: -2.5 → half-even -2, half-up -3, floor -3, ceil -2
    CHECK((mul_div(-5, 1, 2, Rounding::half_even, &r) && r == -2));
    CHECK((mul_div(-5, 1, 2, Rounding::half_up, &r) && r == -3));
    CHECK((mul_div(-5, 1, 2, Rounding::floor, &r) && r == -3));
    CHECK((mul_div(-5, 1, 2, Rounding::ceil, &r) && r == -2));
    // exact results are untouched
    CHECK((mul_div(900000, 500, 10000, Rounding::floor, &r) && r == 45000));
    CHECK_FALSE(mul_div(1, 1, 0, Rounding::floor, &r));
}

TEST_CASE("basis points: 5 % of 9 000,00 ₽ is 450,00 ₽; intermediate products do not overflow") {
    std::int64_t r = 0;
    CHECK((apply_basis_points(900000, 500, Rounding::half_even, &r) && r == 45000));
    CHECK((apply_basis_points(199, 500, Rounding::floor, &r) && r == 9));  // 9.95 → 9
    const std::int64_t big = std::numeric_limits<std::int64_t>::max() / 3;
    CHECK((apply_basis_points(big, 10000, Rounding::floor, &r) && r == big));
    CHECK_FALSE(
        apply_basis_points(std::numeric_limits<std::int64_t>::max(), 20000, Rounding::floor, &r));
}

TEST_CASE("64-bit rounding agrees with 128-bit rounding of the same fraction") {
    // Scaling numerator and denominator by 2^40 keeps the fraction but takes div_wide off its
    // 64-bit path, so both paths are compared over seeded and edge-biased inputs.
    std::uint64_t x = 7;
    auto next = [&x] {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        return x >> 33;
    };
    const __int128 scale = static_cast<__int128>(1) << 40;
    const Rounding roundings[] = {Rounding::half_even, Rounding::half_up, Rounding::floor,
                                  Rounding::ceil};
    for (int round = 0; round < 4000; ++round) {
        const std::int64_t den = 1 + static_cast<std::int64_t>(next() % (round % 2 ? 7 : 20000));
        const std::int64_t a = static_cast<std::int64_t>(next() % 2000001) - 1000000;
        const std::int64_t num = static_cast<std::int64_t>(next() % 20001);
        for (const Rounding rounding : roundings) {
            std::int64_t narrow = 0, wide = 0;
            REQUIRE(mul_div(a, num, den, rounding, &narrow));
            REQUIRE(div_wide(static_cast<__int128>(a) * num * scale, den * scale, rounding, &wide));
            CHECK(narrow == wide);
        }
    }
}
