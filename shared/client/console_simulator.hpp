// The console's simulator panel: PRODUCT.md's economics of a flat discount against a bonus of
// the same rate (core/simulator), typed as a merchant types it — the price in the shop's
// currency with its decimals, shares in percent with up to two decimals — and the series the
// panel draws: profit per sale and the share of the margin given away, by the number of visits
// a customer makes. Pure: the same form gives the same view.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/money/money.hpp"
#include "core/simulator/economics.hpp"

namespace kopilka::client {

// What the merchant typed; the defaults are PRODUCT.md's worked example.
struct SimulatorForm {
    std::string price = "9000.00";  // one sale, in the shop's currency
    std::string margin = "30";      // % of the price
    std::string rate = "5";         // %: the discount, or the bonus earned on the money paid
    std::string visits = "2";       // purchases per customer
    std::string breakage = "0";     // % of every bonus never redeemed
    std::string comeback = "100";   // % of customers who come back for the next visit
    std::string customers = "1000";
};

// A field the economics cannot use. field: "price", "margin", "rate", "visits", "breakage",
// "comeback", "customers"; code: "empty", "malformed", "too_many_decimals", "too_large" (the
// text), or the core's status name ("margin_invalid", "margin_rounds_to_zero", …).
struct SimulatorFieldError {
    std::string field;
    std::string code;
};

// One number of visits: per sale (minor units, profit ÷ purchases, half to even) and the share
// of the margin the program gave away (basis points).
struct SimulatorPoint {
    std::int64_t visits = 0;
    std::int64_t profit_per_sale_none = 0;
    std::int64_t profit_per_sale_discount = 0;
    std::int64_t profit_per_sale_bonus = 0;
    std::int64_t margin_given_discount_bp = 0;
    std::int64_t margin_given_bonus_bp = 0;
};

constexpr std::int64_t simulator_series_visits_max = 24;  // the chart's last number of visits

struct SimulatorView {
    std::vector<SimulatorFieldError> errors;        // every unreadable field, in the form's order
    simulator::EconomicsInput input;                // as read (valid when errors is empty)
    std::optional<simulator::Economics> economics;  // nullopt while a field has an error
    SimulatorPoint typed;  // per sale and shares at the visits typed (with economics)
    // 1 … max(visits, 6) capped at simulator_series_visits_max, the other fields as typed.
    std::vector<SimulatorPoint> series;
};

SimulatorView simulate_form(const SimulatorForm& form, money::Currency currency);

}  // namespace kopilka::client
