// Spins a shopper can check (commit, then reveal). For every spin the server has a seed of its
// own, 32 bytes written as 64 hex digits, that nobody can know beforehand; before the spin it
// shows only the seed's commitment, SHA-256 of those 64 characters. The client then sends the
// spin with an operation id of its own choosing, so neither side alone decides the draw: the
// draw's 64-bit seed is the first 8 bytes (big-endian) of SHA-256 of "<seed>:<operation id>",
// and the ticket is drawn from it over the weights the server published for that spin
// (decide_spin). After the spin the server reveals the seed, and anyone can recompute:
//
//   printf %s "$SEED" | sha256sum                 → the commitment shown before the spin
//   printf %s "$SEED:$OPERATION_ID" | sha256sum   → its first 16 hex digits: the draw's seed
//
// and the ticket and the prize with check_spin (`kopilka verify-spin`, the widget's wheel).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kopilka::spins {

constexpr std::size_t server_seed_hex_digits = 64;

// SHA-256 of the seed's text, as 64 lowercase hex digits.
std::string seed_commitment(std::string_view server_seed_hex);
// The 64-bit seed decide_spin draws with: a function of the server's seed and the client's
// operation id (both as the lowercase hex the server sends).
std::uint64_t draw_seed(std::string_view server_seed_hex, std::string_view operation_id_hex);

// The draw itself: a ticket uniform in [0, sum of weights) from the seed, and the prize whose
// slice [sum of the earlier weights, + its weight) holds it. prize is -1 (ticket 0) when the
// weights are empty, all zero or one is negative.
struct Ticket {
    std::int64_t total_weight = 0;
    std::int64_t ticket = 0;
    int prize = -1;
};
Ticket draw_ticket(const std::vector<std::int64_t>& weights, std::uint64_t seed);

// Everything a shopper can check about a spin from what the kiosk or widget showed.
struct SpinCheck {
    bool seed_well_formed = false;  // 64 hex digits
    bool commitment_matches = false;
    std::uint64_t draw_seed = 0;
    Ticket draw;
};
// Lowercase and uppercase hex are both accepted; the texts are hashed as lowercase.
SpinCheck check_spin(std::string_view server_seed_hex, std::string_view commitment_hex,
                     std::string_view operation_id_hex, const std::vector<std::int64_t>& weights);

}  // namespace kopilka::spins
