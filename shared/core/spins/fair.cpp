#include "core/spins/fair.hpp"

#include <algorithm>
#include <limits>

#include "core/crypto/sha256.hpp"
#include "core/spins/rng.hpp"

namespace kopilka::spins {

namespace {
std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

bool hex_of_length(std::string_view s, std::size_t n) {
    return s.size() == n &&
           std::all_of(s.begin(), s.end(), [](char c) { return crypto::hex_digit_value(c) >= 0; });
}
}  // namespace

std::string seed_commitment(std::string_view server_seed_hex) {
    const crypto::Digest d = crypto::sha256(lower(server_seed_hex));
    return crypto::to_hex(d.data(), d.size());
}

std::uint64_t draw_seed(std::string_view server_seed_hex, std::string_view operation_id_hex) {
    const crypto::Digest d = crypto::sha256(lower(server_seed_hex) + ":" + lower(operation_id_hex));
    std::uint64_t seed = 0;
    for (int i = 0; i < 8; ++i) seed = (seed << 8) | d[static_cast<std::size_t>(i)];
    return seed;
}

Ticket draw_ticket(const std::vector<std::int64_t>& weights, std::uint64_t seed) {
    Ticket t;
    for (const std::int64_t w : weights) {
        if (w < 0 || w > std::numeric_limits<std::int64_t>::max() - t.total_weight) return {};
        t.total_weight += w;
    }
    if (t.total_weight == 0) return {};
    Rng rng(seed);
    t.ticket =
        static_cast<std::int64_t>(rng.uniform_below(static_cast<std::uint64_t>(t.total_weight)));
    std::int64_t below = t.ticket;
    std::size_t i = 0;
    while (below >= weights[i]) below -= weights[i++];
    t.prize = static_cast<int>(i);
    return t;
}

SpinCheck check_spin(std::string_view server_seed_hex, std::string_view commitment_hex,
                     std::string_view operation_id_hex, const std::vector<std::int64_t>& weights) {
    SpinCheck c;
    c.seed_well_formed = hex_of_length(server_seed_hex, server_seed_hex_digits);
    c.commitment_matches = c.seed_well_formed && hex_of_length(commitment_hex, 64) &&
                           seed_commitment(server_seed_hex) == lower(commitment_hex);
    c.draw_seed = draw_seed(server_seed_hex, operation_id_hex);
    c.draw = draw_ticket(weights, c.draw_seed);
    return c;
}

}  // namespace kopilka::spins
