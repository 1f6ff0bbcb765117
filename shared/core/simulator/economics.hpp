// The console's simulator: what a flat discount and a bonus of the same rate cost a merchant
// over a number of visits, against no program at all. Integers only (minor units).
//
// Model. A cohort of `customers` makes a first purchase at `price`; before each further visit
// `comeback_bp` of them come back (the count rounded as `rounding` says), up to `visits`
// purchases each. Every sale earns `margin_bp` of the list price before any program.
//  - Discount: every sale is `rate_bp` cheaper; the discount is the program's cost.
//  - Bonus: as PRODUCT.md says, the bonus is earned on the money actually paid (rounded per
//    receipt with `earn_rounding`, floor by default) and credited for the next visit. Of
//    every bonus issued, `breakage_bp` is never redeemed; the rest is redeemed in full on
//    the customer's next visit, which pays that much less. Only redeemed bonus costs money.
//    What is still held after the last visit (the last visit's bonus and that of customers
//    who did not come back, minus breakage) is reported as `liability`, not as a cost.
// A bonus is valued in money (minor units): 1 point = 1 currency unit is 100 minor units.
// The program is assumed not to change how often customers come back or what they buy.
//
// Worked example (PRODUCT.md's simulator): price 9 000.00 (900 000 minor), margin 30 %,
// rate 5 %. One sale with the discount: 45 000 of 270 000 margin, 1 667 bp. Two sales with the
// bonus: earned on the first, redeemed on the second, 45 000 of 540 000, 833 bp; profit
// 495 000 against 450 000 with the discount.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/money/money.hpp"

namespace kopilka::simulator {

constexpr std::int64_t price_minor_max = 10'000'000'000;  // 100 million currency units a sale
constexpr std::int64_t visits_max = 1000;                 // three years of daily coffee
constexpr std::int64_t customers_max = 10'000'000;
constexpr std::int64_t basis_points_max = 10000;  // 100 %

struct EconomicsInput {
    std::int64_t price = 0;            // list price of one sale, minor units, ≥ 1
    std::int64_t margin_bp = 0;        // gross margin as a share of the price, 1..10 000
    std::int64_t rate_bp = 0;          // discount, or bonus earned on the money paid, 0..10 000
    std::int64_t visits = 1;           // purchases per customer in the horizon, 1..visits_max
    std::int64_t breakage_bp = 0;      // share of every issued bonus never redeemed
    std::int64_t comeback_bp = 10000;  // share of customers who come back for the next visit
    std::int64_t customers = 1;        // cohort on the first visit, 1..customers_max
    money::Currency currency = money::Currency::RUB;         // labels the amounts only
    money::Rounding rounding = money::Rounding::half_even;   // discount, margin, breakage,
                                                             // customers, shares
    money::Rounding earn_rounding = money::Rounding::floor;  // bonus earned per receipt
};

// Ordered by precedence: the first problem found is reported.
enum class EconomicsStatus : std::uint8_t {
    ok,
    price_invalid,          // price < 1 or > price_minor_max
    margin_invalid,         // margin_bp < 1 or > 10 000
    rate_invalid,           // rate_bp < 0 or > 10 000
    visits_invalid,         // visits < 1 or > visits_max
    breakage_invalid,       // breakage_bp < 0 or > 10 000
    comeback_invalid,       // comeback_bp < 0 or > 10 000
    customers_invalid,      // customers < 1 or > customers_max
    margin_rounds_to_zero,  // price × margin is below one minor unit: no share to compare
    overflow,               // a total does not fit in int64 (fewer customers or visits)
};

// One scheme over the whole horizon. margin − program_cost = profit = revenue − goods_cost.
struct SchemeResult {
    std::int64_t sales = 0;                     // all purchases at list price
    std::int64_t revenue = 0;                   // money received: sales − program_cost
    std::int64_t goods_cost = 0;                // what the goods sold cost the merchant
    std::int64_t margin = 0;                    // sales − goods_cost, before the program
    std::int64_t program_cost = 0;              // discount given, or bonus redeemed
    std::int64_t profit = 0;                    // margin − program_cost
    std::int64_t cost_share_of_margin_bp = 0;   // program_cost / margin
    std::int64_t cost_share_of_margin_ppm = 0;  // the same in parts per million
    std::int64_t cost_share_of_sales_bp = 0;    // program_cost / sales ("about 4 %")
};

// The bonus scheme's flow of bonus money; issued = redeemed + broken + liability.
struct BonusFlow {
    std::int64_t issued = 0;
    std::int64_t redeemed = 0;
    std::int64_t broken = 0;     // never redeemed (breakage)
    std::int64_t liability = 0;  // still held after the last visit
};

struct Economics {
    EconomicsStatus status = EconomicsStatus::ok;
    std::int64_t purchases = 0;       // customer visits in the horizon (sales counted)
    std::int64_t last_customers = 0;  // customers still coming on the last visit
    SchemeResult none;                // no program
    SchemeResult discount;            // flat discount of rate_bp
    SchemeResult bonus;               // bonus of rate_bp, redeemed on the next visit
    BonusFlow bonus_flow;
    std::int64_t bonus_vs_discount = 0;  // bonus.profit − discount.profit
};

EconomicsStatus validate_economics(const EconomicsInput& in);  // ranges, as listed above
Economics simulate_economics(const EconomicsInput& in);        // validates first

// The input field a status is about: "price", "margin_bp", …; "" for ok and overflow.
std::string_view economics_status_field(EconomicsStatus s);
std::string_view economics_status_name(EconomicsStatus s);  // "price_invalid"

}  // namespace kopilka::simulator
