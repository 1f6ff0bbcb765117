// Comparing two checkpoints (and two snapshots) field by field: the server's audit recomputes
// each member's checkpoint from the entries and names every field in which the stored one
// differs.
#pragma once

#include <string>
#include <vector>

#include "core/ledger/ledger.hpp"

namespace kopilka::ledger {

// One sentence per difference, naming the field ("balances.member", "batches[<id>].free",
// "history[0]"…) with both values; empty when they agree.
std::vector<std::string> checkpoint_differences(const Checkpoint& stored,
                                                const Checkpoint& recomputed);

// The same for a snapshot stored beside a checkpoint ("points.available", "points.expiring[0]
// .points", …), as_of_ms aside.
std::vector<std::string> snapshot_differences(const Snapshot& stored, const Snapshot& recomputed);

}  // namespace kopilka::ledger
