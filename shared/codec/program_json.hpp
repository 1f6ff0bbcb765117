// Programs ⇄ JSON. The format is documented with a worked example per mechanic in
// PROGRAM_FORMAT.md beside this file. Decoding checks types and ranges field by field
// (unknown fields are errors), then runs program::validate_program for contradictions.
#pragma once

#include "codec/decode.hpp"
#include "codec/object_reader.hpp"
#include "core/program/program.hpp"

namespace kopilka::codec {

// Types and ranges, then program::validate_program's rules unless check_rules is false (a
// console draft kept while it still breaks a rule).
Decoded<program::Program> decode_program(const Json& j, bool check_rules = true);

// Whether an encoding carries the rewards' pictures (up to 48 KiB each): the stored program
// and the console's copy do; what a kiosk quotes with and a coupon's answer leave them out.
enum class Pictures { included, left_out };
Json encode_program(const program::Program& p, Pictures pictures = Pictures::included);

// One reward of the catalogue, as "rewards" lists it; other documents that carry rewards (the
// kiosk's config) use the same pair. read_reward leaves unknown fields to the caller.
Json encode_reward(const program::Reward& w, Pictures pictures = Pictures::included);
void read_reward(ObjectReader& r, program::Reward* w);

}  // namespace kopilka::codec
