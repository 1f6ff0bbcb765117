#include "client/fair_spin.hpp"

#include "core/spins/fair.hpp"

namespace kopilka::client {

SpinFairness check_spin_answer(const std::string& commitment_shown, const std::string& op_id,
                               const codec::OperationAnswer& answer) {
    SpinFairness f;
    f.commitment = commitment_shown;
    f.operation_id = op_id;
    if (!answer.spin || !answer.prize || commitment_shown.empty()) return f;
    f.seed = answer.spin->seed;
    const spins::SpinCheck c =
        spins::check_spin(answer.spin->seed, commitment_shown, op_id, answer.spin->weights);
    const bool same_draw =
        c.draw.prize == answer.prize->index && c.draw.ticket == answer.spin->ticket;
    f.verdict = c.commitment_matches && same_draw ? SpinFairness::Verdict::verified
                                                  : SpinFairness::Verdict::mismatch;
    return f;
}

std::string grouped_code(const std::string& hex, std::size_t digits) {
    std::string out;
    for (std::size_t i = 0; i < hex.size() && i < digits; ++i) {
        if (i > 0 && i % 4 == 0) out += ' ';
        out += hex[i];
    }
    return out;
}

}  // namespace kopilka::client
