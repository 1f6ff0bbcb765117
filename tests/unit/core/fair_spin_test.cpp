// Spins a shopper can check (core/spins/fair.hpp): the commitment and the draw's seed are plain
// SHA-256 anyone can recompute, the draw agrees with decide_spin, and each side's share changes
// the outcome.
#include <doctest/doctest.h>

#include <array>
#include <cctype>

#include "core/spins/fair.hpp"
#include "core/spins/wheel.hpp"

using namespace kopilka::spins;

namespace {
const std::string kSeed = std::string(63, '0') + "1";
const std::string kOp = "0123456789abcdef0123456789abcdef";
}  // namespace

TEST_CASE("fair spins: the commitment and the draw's seed are SHA-256 of the texts shown") {
    // printf %s 000…01 | sha256sum
    CHECK(seed_commitment(kSeed) ==
          "c386d8e8d07342f2e39e189c8e6c57bb205bb373fe4e3a6f69404a8bb767b417");
    // printf %s 000…01:0123…cdef | sha256sum | cut -c1-16
    CHECK(draw_seed(kSeed, kOp) == 0xd5a67907905e9c63ULL);
    // Upper-case hex is read as the same text.
    std::string upper = kOp;
    for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    CHECK(draw_seed(kSeed, upper) == draw_seed(kSeed, kOp));
}

TEST_CASE("fair spins: check_spin confirms an honest spin and names what does not match") {
    const std::vector<std::int64_t> weights = {40, 40, 0, 20};
    const SpinCheck ok = check_spin(kSeed, seed_commitment(kSeed), kOp, weights);
    CHECK(ok.seed_well_formed);
    CHECK(ok.commitment_matches);
    CHECK(ok.draw.total_weight == 100);
    CHECK(ok.draw.ticket >= 0);
    CHECK(ok.draw.ticket < 100);
    CHECK(ok.draw.prize != 2);  // a weight of 0 is never drawn

    // decide_spin draws the same ticket and prize from the same seed and weights.
    WheelConfig config;
    for (int i = 0; i < 4; ++i)
        config.prizes.push_back({"p" + std::to_string(i),
                                 "P",
                                 PrizeKind::nothing,
                                 0,
                                 "",
                                 weights[static_cast<std::size_t>(i)],
                                 std::nullopt,
                                 0,
                                 {}});
    const SpinOutcome o =
        decide_spin(config, initial_wheel_state(config), MemberSpinState{}, ok.draw_seed);
    CHECK(o.ticket == ok.draw.ticket);
    CHECK(o.prize == ok.draw.prize);

    CHECK_FALSE(
        check_spin(kSeed, seed_commitment(std::string(64, '2')), kOp, weights).commitment_matches);
    CHECK_FALSE(check_spin(kSeed.substr(1), seed_commitment(kSeed.substr(1)), kOp, weights)
                    .seed_well_formed);
    CHECK_FALSE(
        check_spin("z" + kSeed.substr(1), seed_commitment("z" + kSeed.substr(1)), kOp, weights)
            .commitment_matches);
    CHECK(check_spin(kSeed, "", kOp, {0, 0}).draw.prize == -1);
    CHECK(check_spin(kSeed, "", kOp, {}).draw.prize == -1);
    CHECK(check_spin(kSeed, "", kOp, {3, -1}).draw.prize == -1);
}

TEST_CASE("fair spins: over many operation ids the draw follows the published weights") {
    const std::vector<std::int64_t> weights = {1, 3};
    std::array<int, 2> count{};
    constexpr int kDraws = 20000;
    for (int i = 0; i < kDraws; ++i) {
        const Ticket t = draw_ticket(weights, draw_seed(kSeed, std::to_string(i)));
        REQUIRE(t.prize >= 0);
        ++count[static_cast<std::size_t>(t.prize)];
    }
    // 5 000 expected for the first; its standard deviation is ~61.
    CHECK(count[0] > 4700);
    CHECK(count[0] < 5300);
}
