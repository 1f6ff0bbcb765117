// Coalition settlement input and statement ⇄ JSON (console, API, CLI). Input:
//   {"clearing_price_num": 50, "clearing_price_den": 1,     (minor units per points; den optional)
//    "currency": "RUB", "rounding": "half_even",           (optional)
//    "partners": [{"id": "bakery", "issued": 12000, "burned": 3000}, …]}
// Unknown fields are errors; every error names its field ("partners[2].burned").
#pragma once

#include "codec/decode.hpp"
#include "core/coalition/settlement.hpp"

namespace kopilka::codec {

// Checks types and ranges field by field, then coalition::validate_settlement.
Decoded<coalition::SettlementInput> decode_settlement_input(const Json& j,
                                                            std::string_view path = {});
Json encode_settlement_input(const coalition::SettlementInput& in);

// {"currency", "clearing_price_num", "clearing_price_den", "total_issued", "total_burned",
//  "total_value", "partners": [{"id", "issued", "burned", "receivable", "payable",
//  "self_settled", "net"}], "transfers": [{"payer", "payee", "amount"}]} with partner ids;
// a failed settlement becomes error_json naming the field.
Json encode_settlement(const coalition::SettlementInput& in, const coalition::Settlement& s);

DecodeError settlement_error(coalition::SettlementStatus s, std::size_t bad_partner,
                             std::string_view path = {});

}  // namespace kopilka::codec
