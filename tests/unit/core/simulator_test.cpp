#include <doctest/doctest.h>

#include <cstdint>

#include "core/simulator/economics.hpp"

using namespace kopilka::simulator;
using kopilka::money::Rounding;

namespace {

// PRODUCT.md's worked example: price 9 000, margin 30 %, rate 5 %.
EconomicsInput example(std::int64_t price, std::int64_t visits) {
    EconomicsInput in;
    in.price = price;
    in.margin_bp = 3000;
    in.rate_bp = 500;
    in.visits = visits;
    return in;
}

// Relations every result must satisfy, whatever the input.
void check_invariants(const Economics& r) {
    for (const SchemeResult* s : {&r.none, &r.discount, &r.bonus}) {
        CHECK(s->revenue == s->sales - s->program_cost);
        CHECK(s->margin == s->sales - s->goods_cost);
        CHECK(s->profit == s->margin - s->program_cost);
        CHECK(s->profit == s->revenue - s->goods_cost);
    }
    CHECK(r.none.program_cost == 0);
    CHECK(r.bonus.program_cost == r.bonus_flow.redeemed);
    const auto& f = r.bonus_flow;
    CHECK(f.issued == f.redeemed + f.broken + f.liability);
    CHECK(f.liability >= 0);
    CHECK(r.bonus_vs_discount == r.bonus.profit - r.discount.profit);
}

}  // namespace

TEST_CASE("simulator: the worked example, one sale with a discount") {
    // 9 000.00 in kopecks: the discount is 450.00 of a 2 700.00 margin.
    const auto r = simulate_economics(example(900000, 1));
    REQUIRE(r.status == EconomicsStatus::ok);
    CHECK(r.purchases == 1);
    CHECK(r.discount.margin == 270000);
    CHECK(r.discount.program_cost == 45000);
    CHECK(r.discount.cost_share_of_margin_bp == 1667);  // 16.67 %
    CHECK(r.discount.cost_share_of_margin_ppm == 166667);
    CHECK(r.discount.cost_share_of_sales_bp == 500);
    CHECK(r.discount.profit == 225000);
    CHECK(r.discount.revenue == 855000);
    CHECK(r.discount.goods_cost == 630000);
    // One sale with the bonus: nothing redeemed yet, the 450.00 is still owed.
    CHECK(r.bonus.program_cost == 0);
    CHECK(r.bonus.profit == 270000);
    CHECK(r.bonus_flow.liability == 45000);
    check_invariants(r);
}

TEST_CASE("simulator: the worked example, two sales with a bonus redeemed on the second") {
    const auto r = simulate_economics(example(900000, 2));
    REQUIRE(r.status == EconomicsStatus::ok);
    CHECK(r.purchases == 2);
    CHECK(r.bonus.margin == 540000);
    CHECK(r.bonus.program_cost == 45000);
    CHECK(r.bonus.cost_share_of_margin_bp == 833);  // 8.33 %
    CHECK(r.bonus.cost_share_of_margin_ppm == 83333);
    CHECK(r.bonus.profit == 495000);     // 4 950.00
    CHECK(r.discount.profit == 450000);  // 4 500.00
    CHECK(r.discount.cost_share_of_margin_bp == 1667);
    CHECK(r.none.profit == 540000);
    CHECK(r.bonus_vs_discount == 45000);
    CHECK(r.bonus.revenue == 1755000);  // 9 000 + 8 550 paid
    // The second sale earns 5 % of the 8 550.00 actually paid; it stays a liability.
    CHECK(r.bonus_flow.issued == 45000 + 42750);
    CHECK(r.bonus_flow.redeemed == 45000);
    CHECK(r.bonus_flow.liability == 42750);
    check_invariants(r);
}

TEST_CASE("simulator: the example in whole units gives the same shares") {
    auto r = simulate_economics(example(9000, 1));
    CHECK(r.discount.program_cost == 450);
    CHECK(r.discount.margin == 2700);
    CHECK(r.discount.cost_share_of_margin_bp == 1667);
    r = simulate_economics(example(9000, 2));
    CHECK(r.bonus.program_cost == 450);
    CHECK(r.bonus.margin == 5400);
    CHECK(r.bonus.profit == 4950);
    CHECK(r.discount.profit == 4500);
    CHECK(r.bonus.cost_share_of_margin_ppm == 83333);
    CHECK(r.bonus_flow.liability == 427);  // 5 % of 8 550 = 427.5, floored per receipt
}

TEST_CASE("simulator: breakage lowers only the redeemed bonus") {
    auto in = example(9000, 2);
    in.breakage_bp = 2000;
    const auto r = simulate_economics(in);
    REQUIRE(r.status == EconomicsStatus::ok);
    // Visit 1 earns 450, 90 of it is never redeemed; visit 2 redeems 360, pays 8 640 and earns
    // 432, of which 86.4 → 86 (half even) breaks and 346 is still held.
    CHECK(r.bonus_flow.issued == 450 + 432);
    CHECK(r.bonus_flow.broken == 90 + 86);
    CHECK(r.bonus_flow.redeemed == 360);
    CHECK(r.bonus_flow.liability == 346);
    CHECK(r.bonus.program_cost == 360);
    CHECK(r.bonus.profit == 5040);
    CHECK(r.bonus.cost_share_of_margin_bp == 667);  // 360 / 5 400
    CHECK(r.discount.profit == 4500);               // the discount has no breakage
    check_invariants(r);

    in.breakage_bp = 10000;  // nothing ever redeemed: as good as no program
    const auto all = simulate_economics(in);
    CHECK(all.bonus.profit == all.none.profit);
    CHECK(all.bonus_flow.liability == 0);
    CHECK(all.bonus_flow.broken == all.bonus_flow.issued);
}

TEST_CASE("simulator: a horizon of several visits") {
    const auto r = simulate_economics(example(9000, 3));
    REQUIRE(r.status == EconomicsStatus::ok);
    // Earned 450, then 5 % of 8 550 = 427, then 5 % of 8 573 = 428 (floors); each is
    // redeemed on the next visit, the last one is still held.
    CHECK(r.bonus_flow.issued == 450 + 427 + 428);
    CHECK(r.bonus_flow.redeemed == 450 + 427);
    CHECK(r.bonus_flow.liability == 428);
    CHECK(r.bonus.profit == 8100 - 877);
    CHECK(r.discount.profit == 8100 - 1350);
    CHECK(r.discount.cost_share_of_margin_bp == 1667);  // a discount costs the same every sale
    check_invariants(r);

    // Over a long horizon the bonus settles at rate / (1 + rate) of each sale: the carried
    // amount goes 45 000, 42 750, 42 862, 42 856, then 42 857 (= 900 000 × 5 / 105) for good.
    const auto year = simulate_economics(example(900000, 365));
    REQUIRE(year.status == EconomicsStatus::ok);
    CHECK(year.purchases == 365);
    CHECK(year.bonus_flow.redeemed == 45000 + 42750 + 42862 + 42856 + 360 * 42857);
    CHECK(year.bonus_flow.liability == 42857);
    CHECK(year.bonus.cost_share_of_sales_bp == 475);
    CHECK(year.discount.cost_share_of_sales_bp == 500);
    check_invariants(year);
}

TEST_CASE("simulator: customers who do not come back never redeem") {
    auto in = example(9000, 3);
    in.customers = 1000;
    in.comeback_bp = 6000;
    const auto r = simulate_economics(in);
    REQUIRE(r.status == EconomicsStatus::ok);
    CHECK(r.purchases == 1000 + 600 + 360);
    CHECK(r.last_customers == 360);
    CHECK(r.bonus_flow.redeemed == 600 * 450 + 360 * 427);
    // Held at the end: what the 400 and the 240 who left took with them, and the last visit's.
    CHECK(r.bonus_flow.liability == 400 * 450 + 240 * 427 + 360 * 428);
    CHECK(r.discount.program_cost == 1960 * 450);
    CHECK(r.none.margin == 1960 * 2700);
    check_invariants(r);

    in.comeback_bp = 0;  // nobody comes back: the bonus costs nothing, all of it is held
    const auto once = simulate_economics(in);
    CHECK(once.purchases == 1000);
    CHECK(once.bonus.program_cost == 0);
    CHECK(once.bonus_flow.liability == 450000);
}

TEST_CASE("simulator: a zero rate costs nothing either way") {
    auto in = example(9000, 4);
    in.rate_bp = 0;
    const auto r = simulate_economics(in);
    CHECK(r.discount.profit == r.none.profit);
    CHECK(r.bonus.profit == r.none.profit);
    CHECK(r.bonus_flow.issued == 0);
}

TEST_CASE("simulator: validation names the field") {
    struct Case {
        void (*change)(EconomicsInput&);
        EconomicsStatus status;
        const char* field;
    };
    const Case cases[] = {
        {[](EconomicsInput& in) { in.price = 0; }, EconomicsStatus::price_invalid, "price"},
        {[](EconomicsInput& in) { in.price = -9000; }, EconomicsStatus::price_invalid, "price"},
        {[](EconomicsInput& in) { in.price = price_minor_max + 1; }, EconomicsStatus::price_invalid,
         "price"},
        {[](EconomicsInput& in) { in.margin_bp = 10001; }, EconomicsStatus::margin_invalid,
         "margin_bp"},
        {[](EconomicsInput& in) { in.margin_bp = 0; }, EconomicsStatus::margin_invalid,
         "margin_bp"},
        {[](EconomicsInput& in) { in.rate_bp = 10001; }, EconomicsStatus::rate_invalid, "rate_bp"},
        {[](EconomicsInput& in) { in.rate_bp = -1; }, EconomicsStatus::rate_invalid, "rate_bp"},
        {[](EconomicsInput& in) { in.visits = 0; }, EconomicsStatus::visits_invalid, "visits"},
        {[](EconomicsInput& in) { in.visits = visits_max + 1; }, EconomicsStatus::visits_invalid,
         "visits"},
        {[](EconomicsInput& in) { in.breakage_bp = -1; }, EconomicsStatus::breakage_invalid,
         "breakage_bp"},
        {[](EconomicsInput& in) { in.comeback_bp = 10001; }, EconomicsStatus::comeback_invalid,
         "comeback_bp"},
        {[](EconomicsInput& in) { in.customers = 0; }, EconomicsStatus::customers_invalid,
         "customers"},
        {[](EconomicsInput& in) {
             in.price = 1;
             in.margin_bp = 1;
         },
         EconomicsStatus::margin_rounds_to_zero, "margin_bp"},
    };
    for (const auto& c : cases) {
        auto in = example(9000, 2);
        c.change(in);
        const auto r = simulate_economics(in);
        INFO(economics_status_name(c.status));
        CHECK(r.status == c.status);
        CHECK(economics_status_field(r.status) == c.field);
    }
    // Limits are inclusive.
    auto in = example(price_minor_max, visits_max);
    in.margin_bp = 10000;
    in.rate_bp = 10000;
    CHECK(validate_economics(in) == EconomicsStatus::ok);
    CHECK(simulate_economics(in).status == EconomicsStatus::ok);
}

TEST_CASE("simulator: totals too large for int64 are an overflow, not a wrap") {
    auto in = example(price_minor_max, visits_max);
    in.customers = customers_max;
    const auto r = simulate_economics(in);
    CHECK(r.status == EconomicsStatus::overflow);
    CHECK(economics_status_field(r.status) == "");
}

TEST_CASE("simulator: invariants hold over seeded random inputs") {
    std::uint64_t state = 20240607;  // a tiny LCG: the same numbers natively and in wasm
    const auto next = [&](std::uint64_t bound) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return static_cast<std::int64_t>((state >> 33) % bound);
    };
    for (int i = 0; i < 300; ++i) {
        EconomicsInput in;
        in.price = 1 + next(3) * next(1'000'000);
        in.margin_bp = 1 + next(10000);
        in.rate_bp = next(4) == 0 ? 10000 : next(2001);
        in.visits = 1 + next(40);
        in.breakage_bp = next(3) == 0 ? 0 : next(10001);
        in.comeback_bp = next(3) == 0 ? 10000 : next(10001);
        in.customers = 1 + next(5000);
        const auto r = simulate_economics(in);
        INFO("case " << i << " price " << in.price << " margin " << in.margin_bp);
        if (r.status == EconomicsStatus::margin_rounds_to_zero) continue;
        REQUIRE(r.status == EconomicsStatus::ok);
        check_invariants(r);
        // Earned on what was paid, floored, and only on a later visit: never dearer than the
        // discount of the same rate.
        CHECK(r.bonus.profit >= r.discount.profit);
        CHECK(r.bonus.profit <= r.none.profit);
    }
}
