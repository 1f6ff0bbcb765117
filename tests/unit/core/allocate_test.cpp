#include <doctest/doctest.h>

#include <numeric>

#include "core/money/allocate.hpp"

using kopilka::money::allocate;

TEST_CASE("allocate: proportional, exact sum, largest remainder, earlier part wins ties") {
    CHECK(allocate(300, {99999, 50001}) == std::vector<std::int64_t>{200, 100});
    CHECK(allocate(10, {1, 1, 1}) == std::vector<std::int64_t>{4, 3, 3});
    CHECK(allocate(0, {5, 7}) == std::vector<std::int64_t>{0, 0});
    CHECK(allocate(7, {0, 0}) ==
          std::vector<std::int64_t>{7, 0});  // no weights: first part takes it
    CHECK(allocate(5, {0, 3}) == std::vector<std::int64_t>{0, 5});
}

TEST_CASE("allocate with caps never exceeds a cap and still sums exactly") {
    const std::vector<std::int64_t> caps = {1, 1, 10};
    const auto parts = allocate(6, {150, 150, 150}, &caps);
    REQUIRE(parts.size() == 3);
    CHECK(parts[0] <= 1);
    CHECK(parts[1] <= 1);
    CHECK(std::accumulate(parts.begin(), parts.end(), std::int64_t{0}) == 6);
    CHECK(allocate(13, {1, 1, 1}, &caps).empty());  // more than the caps hold
}

TEST_CASE("allocate refuses bad input instead of guessing") {
    CHECK(allocate(-1, {1}).empty());
    CHECK(allocate(1, {}).empty());
    CHECK(allocate(1, {-1, 2}).empty());
}

TEST_CASE("allocate: sums are exact over many seeded inputs") {
    std::uint64_t x = 42;
    auto next = [&x] { x = x * 6364136223846793005ULL + 1442695040888963407ULL; return x >> 33; };
    for (int round = 0; round < 2000; ++round) {
        const std::size_t n = 1 + next() % 7;
        std::vector<std::int64_t> w(n);
        for (auto& v : w) v = static_cast<std::int64_t>(next() % 1000);
        const std::int64_t total = static_cast<std::int64_t>(next() % 100000);
        const auto parts = allocate(total, w);
        REQUIRE(parts.size() == n);
        CHECK(std::accumulate(parts.begin(), parts.end(), std::int64_t{0}) == total);
        for (auto p : parts) CHECK(p >= 0);
    }
}

TEST_CASE("allocate: weights whose sum passes int64 split as the same proportions do") {
    const std::int64_t big = std::int64_t{1} << 62;  // three of them sum past INT64_MAX
    CHECK(allocate(10, {big, big, big}) == allocate(10, {1, 1, 1}));
    CHECK(allocate(7, {big, 2 * (big / 2), big / 2}) == allocate(7, {2, 2, 1}));
    const std::vector<std::int64_t> caps{1, 5, 5};
    CHECK(allocate(9, {big, big, big}, &caps) == allocate(9, {1, 1, 1}, &caps));
}
