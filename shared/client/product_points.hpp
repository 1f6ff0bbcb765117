// Points for a product page: what a one-line receipt of the product would earn, computed by
// the core's quote (quote_receipt), so "Earn 99 points" on the page is what the till gives;
// and the product's price text (the element's price="1990.00") read exactly into minor units.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/i18n/catalogue.hpp"
#include "core/program/program.hpp"

namespace kopilka::client {

struct ProductQuery {
    std::int64_t price = 0;  // minor units of the program's currency, one unit of the product
    std::string sku;         // optional; picks a product multiplier
    std::string category;    // optional; picks a category multiplier or exclusion
    std::string tier_id;     // the signed-in member's tier, or empty for a guest
    std::string vip_plan;    // the member's active VIP plan, or empty
};

enum class ProductPointsStatus : std::uint8_t { ok, invalid_price };

struct ProductPoints {
    ProductPointsStatus status = ProductPointsStatus::ok;
    std::int64_t points = 0;  // what the receipt would earn (0 without a bonus section)
    std::int64_t paid = 0;    // what the member would pay after the program's discounts
    std::string text;         // "Earn 99 points" in the locale (rules.earn_product)
};

// The receipt is quoted for a member with nothing spent before and no segment attributes:
// exact for guests and with tier and VIP multipliers and discounts; a segment's discount (it
// needs the member's attributes) and a cumulative ladder's (their past spend) are not applied.
// program must be valid (validate_program). A price the quote refuses (negative or above
// quote::receipt_gross_max) gives invalid_price and no text. c holds the rules catalogues
// (program_text.hpp).
ProductPoints product_points(const program::Program& program, const ProductQuery& query,
                             const i18n::Catalogues& c, i18n::Locale l);

enum class PriceStatus : std::uint8_t { ok, empty, malformed, too_many_decimals, too_large };

struct ParsedPrice {
    PriceStatus status = PriceStatus::ok;
    std::int64_t minor = 0;
    std::string message;  // why it was refused, naming the text: "price \"1,99\" …"
};

// Decimal text scaled by 10^decimals into an integer ≤ max, without floating point: "12.5"
// with 2 decimals → 1250. Digits, at most one '.' and at most `decimals` after it; surrounding
// spaces ignored; signs, commas and exponents refused. The message names the field (`name`).
// max must be below INT64_MAX / 10.
ParsedPrice parse_fixed_point(std::string_view text, int decimals, std::int64_t max,
                              std::string_view name);

// "1990.00", "1990.5", "1990" → minor units of currency (199000, 199050, 199000 for RUB),
// without floating point. Digits, at most one '.', and no more decimals than the currency
// has; surrounding spaces are ignored; signs, commas, exponents and amounts above
// quote::receipt_gross_max are refused.
ParsedPrice parse_price(std::string_view text, money::Currency currency);

}  // namespace kopilka::client
