#include "codec/simulator_json.hpp"

#include "codec/object_reader.hpp"

namespace kopilka::codec {

namespace {

using simulator::EconomicsInput;
using simulator::EconomicsStatus;

Json scheme_json(const simulator::SchemeResult& s) {
    return {{"sales", s.sales},
            {"revenue", s.revenue},
            {"goods_cost", s.goods_cost},
            {"margin", s.margin},
            {"program_cost", s.program_cost},
            {"profit", s.profit},
            {"cost_share_of_margin_bp", s.cost_share_of_margin_bp},
            {"cost_share_of_margin_ppm", s.cost_share_of_margin_ppm},
            {"cost_share_of_sales_bp", s.cost_share_of_sales_bp}};
}

std::string why(EconomicsStatus s) {
    using simulator::basis_points_max;
    switch (s) {
        case EconomicsStatus::price_invalid:
            return "must be between 1 and " + std::to_string(simulator::price_minor_max) +
                   " (minor units)";
        case EconomicsStatus::margin_invalid:
            return "must be between 1 and " + std::to_string(basis_points_max) + " (basis points)";
        case EconomicsStatus::rate_invalid:
        case EconomicsStatus::breakage_invalid:
        case EconomicsStatus::comeback_invalid:
            return "must be between 0 and " + std::to_string(basis_points_max) + " (basis points)";
        case EconomicsStatus::visits_invalid:
            return "must be between 1 and " + std::to_string(simulator::visits_max);
        case EconomicsStatus::customers_invalid:
            return "must be between 1 and " + std::to_string(simulator::customers_max);
        case EconomicsStatus::margin_rounds_to_zero:
            return "of the price is less than one minor unit: nothing to compare against";
        case EconomicsStatus::overflow:
            return "the totals do not fit in 64 bits: use fewer customers or visits";
        case EconomicsStatus::ok:
            break;
    }
    return "";
}

}  // namespace

DecodeError economics_error(EconomicsStatus s, std::string_view path) {
    if (s == EconomicsStatus::ok) return {};
    const std::string_view key = simulator::economics_status_field(s);
    const std::string field = key.empty() ? std::string(path) : join_path(path, key);
    const char* code =
        s == EconomicsStatus::margin_rounds_to_zero ? "invalid_value" : "out_of_range";
    return {code, field, field.empty() ? why(s) : field + " " + why(s)};
}

Decoded<EconomicsInput> decode_economics_input(const Json& j, std::string_view path) {
    using simulator::basis_points_max;
    Decoded<EconomicsInput> out;
    EconomicsInput in;
    ObjectReader r(j, std::string(path), &out.error);
    r.integer("price", &in.price, 1, simulator::price_minor_max);
    r.integer("margin_bp", &in.margin_bp, 1, basis_points_max);
    r.integer("rate_bp", &in.rate_bp, 0, basis_points_max);
    r.integer("visits", &in.visits, 1, simulator::visits_max);
    r.optional_integer("breakage_bp", &in.breakage_bp, 0, basis_points_max);
    r.optional_integer("comeback_bp", &in.comeback_bp, 0, basis_points_max);
    r.optional_integer("customers", &in.customers, 1, simulator::customers_max);
    r.optional_currency("currency", &in.currency);
    r.optional_rounding("rounding", &in.rounding);
    r.optional_rounding("earn_rounding", &in.earn_rounding);
    r.reject_unknown({"price", "margin_bp", "rate_bp", "visits", "breakage_bp", "comeback_bp",
                      "customers", "currency", "rounding", "earn_rounding"});
    if (!r.ok()) return out;
    if (const auto s = simulator::validate_economics(in); s != EconomicsStatus::ok) {
        out.error = economics_error(s, path);
        return out;
    }
    out.value = in;
    return out;
}

Json encode_economics_input(const EconomicsInput& in) {
    return {{"price", in.price},
            {"margin_bp", in.margin_bp},
            {"rate_bp", in.rate_bp},
            {"visits", in.visits},
            {"breakage_bp", in.breakage_bp},
            {"comeback_bp", in.comeback_bp},
            {"customers", in.customers},
            {"currency", money::currency_info(in.currency).code},
            {"rounding", money::rounding_name(in.rounding)},
            {"earn_rounding", money::rounding_name(in.earn_rounding)}};
}

Json encode_economics(const EconomicsInput& in, const simulator::Economics& r) {
    if (r.status != EconomicsStatus::ok) return error_json(economics_error(r.status));
    const auto& f = r.bonus_flow;
    return {{"input", encode_economics_input(in)},
            {"purchases", r.purchases},
            {"last_customers", r.last_customers},
            {"schemes",
             {{"none", scheme_json(r.none)},
              {"discount", scheme_json(r.discount)},
              {"bonus", scheme_json(r.bonus)}}},
            {"bonus_flow",
             {{"issued", f.issued},
              {"redeemed", f.redeemed},
              {"broken", f.broken},
              {"liability", f.liability}}},
            {"bonus_vs_discount", r.bonus_vs_discount}};
}

}  // namespace kopilka::codec
