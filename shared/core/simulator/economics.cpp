#include "core/simulator/economics.hpp"

namespace kopilka::simulator {

namespace {

using money::Rounding;

bool in_range(std::int64_t v, std::int64_t lo, std::int64_t hi) {
    return v >= lo && v <= hi;
}

// *total += count × amount, overflow-checked.
bool add_product(std::int64_t* total, std::int64_t count, std::int64_t amount) {
    std::int64_t product = 0;
    return money::checked_mul(count, amount, &product) &&
           money::checked_add(*total, product, total);
}

// Totals of one scheme from the number of purchases and what the program cost.
bool fill_scheme(SchemeResult* s, std::int64_t purchases, const EconomicsInput& in,
                 std::int64_t margin_per_sale, std::int64_t program_cost) {
    if (!money::checked_mul(purchases, in.price, &s->sales) ||
        !money::checked_mul(purchases, margin_per_sale, &s->margin))
        return false;
    s->goods_cost = s->sales - s->margin;  // 0 ≤ margin ≤ sales
    s->program_cost = program_cost;
    // Both costs are at most the sales, so neither subtraction can overflow.
    s->revenue = s->sales - program_cost;
    s->profit = s->margin - program_cost;
    return money::mul_div(program_cost, 10000, s->margin, in.rounding,
                          &s->cost_share_of_margin_bp) &&
           money::mul_div(program_cost, 1'000'000, s->margin, in.rounding,
                          &s->cost_share_of_margin_ppm) &&
           money::mul_div(program_cost, 10000, s->sales, in.rounding, &s->cost_share_of_sales_bp);
}

// Walks the cohort visit by visit for the bonus scheme; fills purchases, last_customers and
// bonus_flow. Every customer at visit k has made visits 1..k-1, so all of them hold the same
// carried bonus: the state is one amount per visit, not one per customer.
bool run_visits(const EconomicsInput& in, Economics* r) {
    std::int64_t customers = in.customers;
    std::int64_t carried = 0;  // bonus each arriving customer redeems on this visit
    BonusFlow& f = r->bonus_flow;
    for (std::int64_t visit = 0; visit < in.visits; ++visit) {
        if (visit > 0 && !money::mul_div(customers, in.comeback_bp, 10000, in.rounding, &customers))
            return false;
        if (customers == 0) break;  // nobody left; what they hold stays a liability
        const std::int64_t paid = in.price - carried;  // carried ≤ earlier paid ≤ price
        std::int64_t earned = 0;
        std::int64_t lost = 0;
        if (!money::apply_basis_points(paid, in.rate_bp, in.earn_rounding, &earned) ||
            !money::apply_basis_points(earned, in.breakage_bp, in.rounding, &lost) ||
            !money::checked_add(r->purchases, customers, &r->purchases) ||
            !add_product(&f.redeemed, customers, carried) ||
            !add_product(&f.issued, customers, earned) || !add_product(&f.broken, customers, lost))
            return false;
        carried = earned - lost;
        r->last_customers = customers;
    }
    f.liability = f.issued - f.redeemed - f.broken;
    return true;
}

Economics failed(EconomicsStatus s) {
    Economics r;
    r.status = s;
    return r;
}

}  // namespace

EconomicsStatus validate_economics(const EconomicsInput& in) {
    if (!in_range(in.price, 1, price_minor_max)) return EconomicsStatus::price_invalid;
    if (!in_range(in.margin_bp, 1, basis_points_max)) return EconomicsStatus::margin_invalid;
    if (!in_range(in.rate_bp, 0, basis_points_max)) return EconomicsStatus::rate_invalid;
    if (!in_range(in.visits, 1, visits_max)) return EconomicsStatus::visits_invalid;
    if (!in_range(in.breakage_bp, 0, basis_points_max)) return EconomicsStatus::breakage_invalid;
    if (!in_range(in.comeback_bp, 0, basis_points_max)) return EconomicsStatus::comeback_invalid;
    if (!in_range(in.customers, 1, customers_max)) return EconomicsStatus::customers_invalid;
    return EconomicsStatus::ok;
}

Economics simulate_economics(const EconomicsInput& in) {
    if (const auto s = validate_economics(in); s != EconomicsStatus::ok) return failed(s);
    std::int64_t margin_per_sale = 0;
    std::int64_t discount_per_sale = 0;
    // price ≤ price_minor_max and bp ≤ 10 000: these cannot overflow.
    money::apply_basis_points(in.price, in.margin_bp, in.rounding, &margin_per_sale);
    money::apply_basis_points(in.price, in.rate_bp, in.rounding, &discount_per_sale);
    if (margin_per_sale == 0) return failed(EconomicsStatus::margin_rounds_to_zero);

    Economics r;
    std::int64_t discount_cost = 0;
    if (!run_visits(in, &r) ||
        !money::checked_mul(r.purchases, discount_per_sale, &discount_cost) ||
        !fill_scheme(&r.none, r.purchases, in, margin_per_sale, 0) ||
        !fill_scheme(&r.discount, r.purchases, in, margin_per_sale, discount_cost) ||
        !fill_scheme(&r.bonus, r.purchases, in, margin_per_sale, r.bonus_flow.redeemed))
        return failed(EconomicsStatus::overflow);
    // Both profits lie between −sales and +sales, so the difference fits.
    r.bonus_vs_discount = r.bonus.profit - r.discount.profit;
    return r;
}

std::string_view economics_status_field(EconomicsStatus s) {
    switch (s) {
        case EconomicsStatus::ok:
            return "";
        case EconomicsStatus::price_invalid:
            return "price";
        case EconomicsStatus::margin_invalid:
            return "margin_bp";
        case EconomicsStatus::rate_invalid:
            return "rate_bp";
        case EconomicsStatus::visits_invalid:
            return "visits";
        case EconomicsStatus::breakage_invalid:
            return "breakage_bp";
        case EconomicsStatus::comeback_invalid:
            return "comeback_bp";
        case EconomicsStatus::customers_invalid:
            return "customers";
        case EconomicsStatus::margin_rounds_to_zero:
            return "margin_bp";
        case EconomicsStatus::overflow:
            return "";
    }
    return "";
}

std::string_view economics_status_name(EconomicsStatus s) {
    switch (s) {
        case EconomicsStatus::ok:
            return "ok";
        case EconomicsStatus::price_invalid:
            return "price_invalid";
        case EconomicsStatus::margin_invalid:
            return "margin_invalid";
        case EconomicsStatus::rate_invalid:
            return "rate_invalid";
        case EconomicsStatus::visits_invalid:
            return "visits_invalid";
        case EconomicsStatus::breakage_invalid:
            return "breakage_invalid";
        case EconomicsStatus::comeback_invalid:
            return "comeback_invalid";
        case EconomicsStatus::customers_invalid:
            return "customers_invalid";
        case EconomicsStatus::margin_rounds_to_zero:
            return "margin_rounds_to_zero";
        case EconomicsStatus::overflow:
            return "overflow";
    }
    return "";
}

}  // namespace kopilka::simulator
