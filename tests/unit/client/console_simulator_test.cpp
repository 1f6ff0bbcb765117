// The console's simulator form: PRODUCT.md's worked example as a merchant types it, every
// field's refusal named, and the series the panel draws.
#include "client/console_simulator.hpp"

#include <doctest/doctest.h>

using kopilka::client::simulate_form;
using kopilka::client::SimulatorForm;
using kopilka::client::SimulatorView;
using kopilka::money::Currency;

namespace {
std::string error_of(const SimulatorView& v, const std::string& field) {
    for (const auto& e : v.errors)
        if (e.field == field) return e.code;
    return "";
}
}  // namespace

TEST_CASE("simulator form: 9 000 ₽, 30 %, 5 % gives 16.67 % vs 8.33 % and 4 950 vs 4 500") {
    SimulatorForm f;
    f.customers = "1";
    const SimulatorView v = simulate_form(f, Currency::RUB);
    REQUIRE(v.errors.empty());
    REQUIRE(v.economics);
    CHECK(v.input.price == 900000);
    CHECK(v.input.margin_bp == 3000);
    CHECK(v.input.rate_bp == 500);
    CHECK(v.economics->discount.cost_share_of_margin_bp == 1667);
    CHECK(v.economics->bonus.cost_share_of_margin_bp == 833);
    // Two sales: 2 × 225 000 with the discount, 495 000 with the bonus (minor units).
    CHECK(v.economics->discount.profit == 450000);
    CHECK(v.economics->bonus.profit == 495000);

    // The series: 1 … 6 visits (visits 2 is less than the chart's least horizon).
    REQUIRE(v.series.size() == 6);
    CHECK(v.series[0].visits == 1);
    CHECK(v.series[0].profit_per_sale_none == 270000);
    CHECK(v.series[0].profit_per_sale_discount == 225000);
    // One visit: the bonus is earned and never redeemed within the horizon: it costs nothing.
    CHECK(v.series[0].profit_per_sale_bonus == 270000);
    CHECK(v.series[1].profit_per_sale_bonus == 247500);
    CHECK(v.series[1].margin_given_discount_bp == 1667);
    CHECK(v.series[1].margin_given_bonus_bp == 833);
    CHECK(v.typed.profit_per_sale_bonus == 247500);  // at the 2 visits typed
    for (const auto& p : v.series) CHECK(p.margin_given_discount_bp == 1667);
}

TEST_CASE("simulator form: decimals with a point or a comma, percent with two decimals") {
    SimulatorForm f;
    f.price = " 199.5 ";
    f.rate = "12,25";  // as ru, de and lv write it
    f.visits = "40";
    const SimulatorView v = simulate_form(f, Currency::EUR);
    REQUIRE(v.errors.empty());
    CHECK(v.input.price == 19950);
    CHECK(v.input.rate_bp == 1225);
    CHECK(v.input.visits == 40);
    CHECK(v.series.size() == 24);  // capped
    CHECK(v.typed.visits == 40);
    f.price = "199,50";
    CHECK(simulate_form(f, Currency::EUR).input.price == 19950);
}

TEST_CASE("simulator form: every unreadable field is named, with what is wrong") {
    SimulatorForm f;
    f.price = "9 000.00";
    f.margin = "";
    f.rate = "5.555";
    f.breakage = "101";
    f.visits = "2.5";
    const SimulatorView v = simulate_form(f, Currency::RUB);
    CHECK_FALSE(v.economics);
    CHECK(v.series.empty());
    CHECK(error_of(v, "price") == "malformed");
    CHECK(error_of(v, "margin") == "empty");
    CHECK(error_of(v, "rate") == "too_many_decimals");
    CHECK(error_of(v, "breakage") == "too_large");
    CHECK(error_of(v, "visits") == "too_many_decimals");
    CHECK(error_of(v, "comeback") == "");
    CHECK(v.errors.size() == 5);
    CHECK(error_of(simulate_form({"9000.001"}, Currency::RUB), "price") == "too_many_decimals");
    CHECK(error_of(simulate_form({"9,000.00"}, Currency::RUB), "price") == "malformed");
    CHECK(error_of(simulate_form({"9,000,00"}, Currency::RUB), "price") == "malformed");

    // Readable, but not what the economics accept: the core's reason, at its field.
    SimulatorForm zero;
    zero.margin = "0";
    const SimulatorView z = simulate_form(zero, Currency::RUB);
    REQUIRE(z.errors.size() == 1);
    CHECK(z.errors[0].field == "margin");
    CHECK(z.errors[0].code == "margin_invalid");
    SimulatorForm none;
    none.customers = "0";
    CHECK(error_of(simulate_form(none, Currency::RUB), "customers") == "customers_invalid");
    SimulatorForm tiny;
    tiny.price = "0.01";
    tiny.margin = "1";
    CHECK(error_of(simulate_form(tiny, Currency::RUB), "margin") == "margin_rounds_to_zero");
}
