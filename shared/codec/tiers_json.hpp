// Tier ladders inside a program document: "tiers": [{"id","name","threshold"}, …].
#pragma once

#include <vector>

#include "codec/decode.hpp"
#include "core/tiers/tier_ladder.hpp"

namespace kopilka::codec {

Decoded<std::vector<tiers::Tier>> decode_tier_ladder(const Json& j,
                                                     std::string_view path = "tiers");
Json encode_tier_ladder(const std::vector<tiers::Tier>& ladder);

}  // namespace kopilka::codec
