#include "client/product_points.hpp"

#include "core/quote/quote.hpp"

namespace kopilka::client {

namespace {

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

ParsedPrice refuse(PriceStatus s, std::string_view name, std::string_view text,
                   const std::string& why) {
    return {s, 0, std::string(name) + " \"" + std::string(text) + "\" " + why};
}

}  // namespace

ProductPoints product_points(const program::Program& program, const ProductQuery& query,
                             const i18n::Catalogues& c, i18n::Locale l) {
    quote::Receipt receipt;
    receipt.id = "product";
    receipt.lines.push_back({query.sku, query.category, query.price, 1, false});
    quote::MemberContext member;  // nothing spent or held before: a guest, or the tier given
    member.tier_held = query.tier_id;
    member.vip_plan = query.vip_plan;
    const quote::Quote q = quote::quote_receipt(program, member, receipt);
    ProductPoints out;
    if (q.status != quote::QuoteStatus::ok) {
        out.status = ProductPointsStatus::invalid_price;
        return out;
    }
    out.points = q.points_earned;
    out.paid = q.paid;
    out.text = i18n::translate(c, l, "rules.earn_product", {q.points_earned, {}});
    return out;
}

ParsedPrice parse_fixed_point(std::string_view text, int decimals, std::int64_t max,
                              std::string_view name) {
    std::size_t begin = 0, end = text.size();
    while (begin < end && is_space(text[begin])) ++begin;
    while (end > begin && is_space(text[end - 1])) --end;
    const std::string_view s = text.substr(begin, end - begin);
    if (s.empty()) return refuse(PriceStatus::empty, name, text, "is empty");
    const std::string too_large =
        "is more than " + std::to_string(max) + " (in units of its last decimal)";
    std::int64_t whole = 0, fraction = 0;
    int whole_digits = 0, fraction_digits = 0;
    bool dot = false;
    for (char ch : s) {
        if (ch == '.' && !dot) {
            dot = true;
        } else if (!is_digit(ch)) {
            return refuse(PriceStatus::malformed, name, text,
                          "must be digits with an optional '.' and decimals, like 1990.00");
        } else if (!dot) {
            whole = whole * 10 + (ch - '0');
            ++whole_digits;
            if (whole > max) return refuse(PriceStatus::too_large, name, text, too_large);
        } else {
            if (++fraction_digits > decimals)
                return refuse(PriceStatus::too_many_decimals, name, text,
                              "has more than " + std::to_string(decimals) + " decimals");
            fraction = fraction * 10 + (ch - '0');
        }
    }
    if (whole_digits == 0 || (dot && fraction_digits == 0))
        return refuse(PriceStatus::malformed, name, text,
                      "must have digits on both sides of its '.', like 1990.00");
    std::int64_t scaled = whole;
    for (int i = 0; i < decimals; ++i) {
        if (scaled > max) return refuse(PriceStatus::too_large, name, text, too_large);
        scaled *= 10;  // scaled ≤ max ≤ int64 max / 10 before each step
    }
    for (int i = fraction_digits; i < decimals; ++i) fraction *= 10;
    scaled += fraction;
    if (scaled > max) return refuse(PriceStatus::too_large, name, text, too_large);
    return {PriceStatus::ok, scaled, {}};
}

ParsedPrice parse_price(std::string_view text, money::Currency currency) {
    ParsedPrice p = parse_fixed_point(text, money::currency_info(currency).minor_digits,
                                      quote::receipt_gross_max, "price");
    if (p.status == PriceStatus::too_many_decimals)
        p.message += " for " + std::string(money::currency_info(currency).code);
    return p;
}

}  // namespace kopilka::client
