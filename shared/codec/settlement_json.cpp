#include "codec/settlement_json.hpp"

#include "codec/object_reader.hpp"

namespace kopilka::codec {

namespace {

using coalition::SettlementInput;
using coalition::SettlementStatus;

void read_partners(ObjectReader& r, std::vector<coalition::PartnerTotals>* out) {
    if (r.ok() && !r.has("partners"))
        return r.fail("missing_field", r.field("partners"), "is required");
    r.optional_array("partners", coalition::partners_max, [&](ObjectReader& p, std::size_t) {
        coalition::PartnerTotals t;
        p.text("id", &t.id, coalition::partner_id_bytes_max);
        p.integer("issued", &t.issued, 0, INT64_MAX);
        p.integer("burned", &t.burned, 0, INT64_MAX);
        p.reject_unknown({"id", "issued", "burned"});
        out->push_back(std::move(t));
    });
}

std::string why(SettlementStatus s) {
    switch (s) {
        case SettlementStatus::no_partners:
            return "needs at least one partner";
        case SettlementStatus::too_many_partners:
            return "has more than " + std::to_string(coalition::partners_max) + " entries";
        case SettlementStatus::id_invalid:
            return "must be 1 to " + std::to_string(coalition::partner_id_bytes_max) + " bytes";
        case SettlementStatus::id_duplicate:
            return "repeats an earlier partner's id";
        case SettlementStatus::issued_negative:
        case SettlementStatus::burned_negative:
        case SettlementStatus::price_invalid:
            return "must not be negative";
        case SettlementStatus::price_den_invalid:
            return "must be at least 1 (points)";
        case SettlementStatus::issued_overflow:
            return "makes the total issued overflow 64 bits";
        case SettlementStatus::burned_overflow:
            return "makes the total burned overflow 64 bits";
        case SettlementStatus::value_overflow:
            return "times the points burned does not fit in 64 bits";
        case SettlementStatus::no_issuance:
            return "has points burned in a period when no partner issued any: they cannot be "
                   "attributed to issuers (widen the period)";
        case SettlementStatus::ok:
            break;
    }
    return "";
}

}  // namespace

DecodeError settlement_error(SettlementStatus s, std::size_t bad_partner, std::string_view path) {
    if (s == SettlementStatus::ok) return {};
    const std::string field = join_path(path, coalition::settlement_status_field(s, bad_partner));
    const bool range =
        s == SettlementStatus::issued_negative || s == SettlementStatus::burned_negative ||
        s == SettlementStatus::price_invalid || s == SettlementStatus::price_den_invalid ||
        s == SettlementStatus::too_many_partners || s == SettlementStatus::issued_overflow ||
        s == SettlementStatus::burned_overflow || s == SettlementStatus::value_overflow;
    return {range ? "out_of_range" : "invalid_value", field, field + " " + why(s)};
}

Decoded<SettlementInput> decode_settlement_input(const Json& j, std::string_view path) {
    Decoded<SettlementInput> out;
    SettlementInput in;
    ObjectReader r(j, std::string(path), &out.error);
    r.integer("clearing_price_num", &in.clearing_price_num, 0, INT64_MAX);
    r.optional_integer("clearing_price_den", &in.clearing_price_den, 1, INT64_MAX);
    r.optional_currency("currency", &in.currency);
    r.optional_rounding("rounding", &in.rounding);
    read_partners(r, &in.partners);
    r.reject_unknown(
        {"clearing_price_num", "clearing_price_den", "currency", "rounding", "partners"});
    if (!r.ok()) return out;
    std::size_t bad = 0;
    if (const auto s = coalition::validate_settlement(in, &bad); s != SettlementStatus::ok) {
        out.error = settlement_error(s, bad, path);
        return out;
    }
    out.value = std::move(in);
    return out;
}

Json encode_settlement_input(const SettlementInput& in) {
    Json partners = Json::array();
    for (const auto& p : in.partners)
        partners.push_back({{"id", p.id}, {"issued", p.issued}, {"burned", p.burned}});
    return {{"clearing_price_num", in.clearing_price_num},
            {"clearing_price_den", in.clearing_price_den},
            {"currency", money::currency_info(in.currency).code},
            {"rounding", money::rounding_name(in.rounding)},
            {"partners", partners}};
}

Json encode_settlement(const SettlementInput& in, const coalition::Settlement& s) {
    if (s.status != SettlementStatus::ok)
        return error_json(settlement_error(s.status, s.bad_partner));
    Json partners = Json::array();
    for (std::size_t i = 0; i < s.partners.size(); ++i) {
        const auto& p = s.partners[i];
        partners.push_back({{"id", in.partners[i].id},
                            {"issued", p.issued},
                            {"burned", p.burned},
                            {"receivable", p.receivable},
                            {"payable", p.payable},
                            {"self_settled", p.self_settled},
                            {"net", p.net}});
    }
    Json transfers = Json::array();
    for (const auto& t : s.transfers)
        transfers.push_back({{"payer", in.partners[t.payer].id},
                             {"payee", in.partners[t.payee].id},
                             {"amount", t.amount}});
    return {{"currency", money::currency_info(in.currency).code},
            {"clearing_price_num", in.clearing_price_num},
            {"clearing_price_den", in.clearing_price_den},
            {"total_issued", s.total_issued},
            {"total_burned", s.total_burned},
            {"total_value", s.total_value},
            {"partners", partners},
            {"transfers", transfers}};
}

}  // namespace kopilka::codec
