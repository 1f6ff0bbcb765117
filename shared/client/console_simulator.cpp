#include "client/console_simulator.hpp"

#include <algorithm>
#include <string_view>

#include "client/product_points.hpp"

namespace kopilka::client {

namespace {

std::string_view price_status_code(PriceStatus s) {
    switch (s) {
        case PriceStatus::ok:
            return "";
        case PriceStatus::empty:
            return "empty";
        case PriceStatus::malformed:
            return "malformed";
        case PriceStatus::too_many_decimals:
            return "too_many_decimals";
        case PriceStatus::too_large:
            return "too_large";
    }
    return "malformed";
}

// The form's name of the core's input field ("margin_bp" → "margin").
std::string form_field(std::string_view core_field) {
    std::string f(core_field);
    if (f.size() > 3 && f.compare(f.size() - 3, 3, "_bp") == 0) f.resize(f.size() - 3);
    return f;
}

std::int64_t per_sale(std::int64_t profit, std::int64_t purchases) {
    std::int64_t out = 0;
    if (purchases > 0) money::mul_div(profit, 1, purchases, money::Rounding::half_even, &out);
    return out;
}

SimulatorPoint point_of(const simulator::Economics& e, std::int64_t visits) {
    return {visits,
            per_sale(e.none.profit, e.purchases),
            per_sale(e.discount.profit, e.purchases),
            per_sale(e.bonus.profit, e.purchases),
            e.discount.cost_share_of_margin_bp,
            e.bonus.cost_share_of_margin_bp};
}

// "9000,00" as ru, de and lv write it: one comma and no point is the decimal separator.
std::string decimal_point(std::string text) {
    const auto comma = text.find(',');
    if (comma != std::string::npos && text.find(',', comma + 1) == std::string::npos &&
        text.find('.') == std::string::npos)
        text[comma] = '.';
    return text;
}
}  // namespace

SimulatorView simulate_form(const SimulatorForm& form, money::Currency currency) {
    SimulatorView v;
    simulator::EconomicsInput& in = v.input;
    in.currency = currency;
    const auto read = [&v](const char* field, const ParsedPrice& p, std::int64_t* out) {
        if (p.status == PriceStatus::ok)
            *out = p.minor;
        else
            v.errors.push_back({field, std::string(price_status_code(p.status))});
    };
    using simulator::basis_points_max;
    // Percent with up to two decimals is basis points: "12.5" → 1250.
    const auto percent = [](const std::string& text, const char* name) {
        return parse_fixed_point(decimal_point(text), 2, basis_points_max, name);
    };
    read("price", parse_price(decimal_point(form.price), currency), &in.price);
    read("margin", percent(form.margin, "margin"), &in.margin_bp);
    read("rate", percent(form.rate, "rate"), &in.rate_bp);
    read("visits", parse_fixed_point(form.visits, 0, simulator::visits_max, "visits"), &in.visits);
    read("breakage", percent(form.breakage, "breakage"), &in.breakage_bp);
    read("comeback", percent(form.comeback, "comeback"), &in.comeback_bp);
    read("customers", parse_fixed_point(form.customers, 0, simulator::customers_max, "customers"),
         &in.customers);
    if (!v.errors.empty()) return v;

    const simulator::Economics e = simulator::simulate_economics(in);
    if (e.status != simulator::EconomicsStatus::ok) {
        v.errors.push_back({form_field(simulator::economics_status_field(e.status)),
                            std::string(simulator::economics_status_name(e.status))});
        return v;
    }
    v.economics = e;
    v.typed = point_of(e, in.visits);
    const std::int64_t last =
        std::min(std::max<std::int64_t>(in.visits, 6), simulator_series_visits_max);
    simulator::EconomicsInput step = in;
    for (std::int64_t visits = 1; visits <= last; ++visits) {
        step.visits = visits;
        const simulator::Economics s = simulator::simulate_economics(step);
        if (s.status != simulator::EconomicsStatus::ok) break;  // overflow with more visits
        v.series.push_back(point_of(s, visits));
    }
    return v;
}

}  // namespace kopilka::client
