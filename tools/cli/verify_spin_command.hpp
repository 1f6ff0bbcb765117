// `kopilka verify-spin`: recomputes a prize wheel spin from what the kiosk or the widget showed
// (core/spins/fair.hpp), so a shopper — or anyone they ask — need not trust the server.
//
//   kopilka verify-spin --seed HEX --commitment HEX --operation ID --weights W,W,…
//                       [--ticket N] [--prize N] [--format text|json]
//   kopilka verify-spin --answer SPIN.json [--commitment HEX] [--format text|json]
//
// --commitment is the code shown before the spin; --answer reads the server's answer to the
// spin (POST /v1/kiosk/spin or /v1/widget/spin: operation_id, prize.index and the revealed
// spin), whose own commitment is used when --commitment is not given. Prints whether the seed
// has the commitment, the draw's seed, the ticket over the weights and the prize it falls on,
// and whether the ticket and the prize are the ones claimed.
// Exit status: 0 everything matches; 1 something does not, or a file can't be read; 2 a bad
// flag.
#pragma once

#include <map>
#include <string>

namespace kopilka::cli {

int run_verify_spin(const std::map<std::string, std::string>& flags);

}  // namespace kopilka::cli
