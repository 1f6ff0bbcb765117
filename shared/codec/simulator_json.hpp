// The simulator's input and result ⇄ JSON (console, CLI). Input, all integers, amounts in
// minor units:
//   {"price": 900000, "margin_bp": 3000, "rate_bp": 500, "visits": 2,
//    "breakage_bp": 0, "comeback_bp": 10000, "customers": 1,          (optional, defaults)
//    "currency": "RUB", "rounding": "half_even", "earn_rounding": "floor"}   (optional)
// Unknown fields are errors; every error names its field ("margin_bp").
#pragma once

#include "codec/decode.hpp"
#include "core/simulator/economics.hpp"

namespace kopilka::codec {

// Checks types and ranges field by field, then simulator::validate_economics.
Decoded<simulator::EconomicsInput> decode_economics_input(const Json& j,
                                                          std::string_view path = {});
Json encode_economics_input(const simulator::EconomicsInput& in);

// {"input", "purchases", "last_customers", "schemes": {"none", "discount", "bonus"},
//  "bonus_flow", "bonus_vs_discount"}; a failed result becomes error_json naming the field.
Json encode_economics(const simulator::EconomicsInput& in, const simulator::Economics& r);

// A status as a decoding error: code "out_of_range" (or "invalid_value"), field, sentence.
DecodeError economics_error(simulator::EconomicsStatus s, std::string_view path = {});

}  // namespace kopilka::codec
