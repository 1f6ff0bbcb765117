// What the kiosk and the widget tell a shopper about a spin's fairness (core/spins/fair.hpp):
// the commitment the member's snapshot showed before the spin, the seed the answer revealed,
// and whether the two and the operation id this client chose give the prize the server sent.
#pragma once

#include <string>

#include "codec/kiosk_json.hpp"

namespace kopilka::client {

struct SpinFairness {
    enum class Verdict : std::uint8_t {
        unchecked,  // an older server, or no commitment was shown: nothing to check
        verified,   // the seed has the commitment, and draws this prize
        mismatch,   // the seed is not the one committed to, or draws another prize
    };
    Verdict verdict = Verdict::unchecked;
    std::string commitment;  // shown before the spin
    std::string seed;        // revealed by the answer
    std::string operation_id;
};

// commitment_shown: the snapshot's spin_commitment when the shopper pressed Spin; op_id: the
// id this client sent (not the server's echo of it).
SpinFairness check_spin_answer(const std::string& commitment_shown, const std::string& op_id,
                               const codec::OperationAnswer& answer);

// A code's first `digits` hex digits in groups of four, "c386 d8e8 d073 42f2" (16: enough for a
// person to compare at a glance; the whole code wraps between groups).
std::string grouped_code(const std::string& hex, std::size_t digits = 16);

}  // namespace kopilka::client
