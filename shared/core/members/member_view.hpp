// Builds the member snapshot the kiosk and the widget show: balance and what is pending,
// the next points to expire, tier with progress and gap, rewards affordable now and the
// nearest one that is not, spins available, recent history — from the program and the
// member's ledger snapshot.
#pragma once

#include "core/ledger/ledger.hpp"
#include "core/members/member_snapshot.hpp"
#include "core/program/program.hpp"

namespace kopilka::members {

struct MemberIdentity {
    std::string id;
    std::string name;       // first name only
    std::string merchant;   // merchant code
};

struct TierState {
    std::int64_t qualifying = 0;  // points or spend in the current window
    std::string held;             // tier id held (promotion is immediate, demotion by review)
};

MemberSnapshot build_member_snapshot(const program::Program& p, const MemberIdentity& who,
                                     const ledger::Snapshot& points, const TierState& tier,
                                     std::int64_t spins_available, std::int64_t now_ms);

}  // namespace kopilka::members
