// What the kiosk's writes (spin, redeem) and the till's coupon redemption share: the request
// body and the merchant, member and program they act on; their transaction is member_write's
// (api/member_write.hpp).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "api/member_write.hpp"
#include "api/wheel_state.hpp"
#include "core/ledger/ledger.hpp"
#include "core/program/program.hpp"

namespace kopilka::server {

struct WriteTarget {
    MerchantRecord merchant;
    MemberRecord member;
    program::Program program;
};

// The merchant of the caller, the member (404 naming member_field when unknown) and the
// merchant's program in force at now_ms; nullopt with the answer in *err.
std::optional<WriteTarget> write_target(Store& store, const std::string& merchant_id,
                                        const std::string& member_id, const char* member_field,
                                        std::int64_t now_ms, ApiResult* err);

// member_write for the target's member.
ApiResult member_write(Store& store, const WriteTarget& t, const std::string& op_hex,
                       const char* kind, const codec::Json& request, std::int64_t now_ms,
                       const Decide& decide);

// The member's snapshot after a kiosk write, with spins_available on the kiosk's active wheel
// from counters (as the write leaves them).
codec::Json kiosk_snapshot(MemberTx& tx, const WriteTarget& t, const ledger::Ledger& l,
                           const MemberCounters& counters, const std::optional<StoredWheel>& active,
                           std::int64_t now_ms);

// The program's reward with this id, nullptr when there is none.
const program::Reward* find_reward(const program::Program& p, const std::string& reward_id);
// A reward as the program document spells it (codec::encode_reward) but for its picture, {"id"}
// when the program no longer has it.
codec::Json reward_json(const program::Program& p, const std::string& reward_id);

}  // namespace kopilka::server
