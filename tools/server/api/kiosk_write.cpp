#include "api/kiosk_write.hpp"

#include <stdexcept>

#include "codec/program_json.hpp"

namespace kopilka::server {

using codec::Json;

std::optional<WriteTarget> write_target(Store& store, const std::string& merchant_id,
                                        const std::string& member_id, const char* member_field,
                                        std::int64_t now_ms, ApiResult* err) {
    auto merchant = store.merchant_by_id(merchant_id);
    if (!merchant) {
        *err = api_error(404, "not_found", "no such merchant", "Authorization");
        return std::nullopt;
    }
    auto member = store.member_by_id(merchant_id, member_id);
    auto erased = member ? refuse_erased(*member, member_field) : std::nullopt;
    if (!member || erased) {
        *err =
            erased ? *erased : api_error(404, "not_found", "no member has this id", member_field);
        err->merchant_id = merchant_id;
        return std::nullopt;
    }
    auto program = usable_program(store, merchant_id, now_ms, err);
    if (!program) return std::nullopt;
    return WriteTarget{std::move(*merchant), std::move(*member), std::move(*program)};
}

ApiResult member_write(Store& store, const WriteTarget& t, const std::string& op_hex,
                       const char* kind, const Json& request, std::int64_t now_ms,
                       const Decide& decide) {
    return member_write(
        store, {t.merchant.merchant_id, t.member.member_id, op_hex, kind, request, now_ms}, decide);
}

Json kiosk_snapshot(MemberTx& tx, const WriteTarget& t, const ledger::Ledger& l,
                    const MemberCounters& counters, const std::optional<StoredWheel>& active,
                    std::int64_t now_ms) {
    return snapshot_after(
        tx, t.program, t.merchant, t.member, l.snapshot(), counters.tier_held, now_ms,
        spin_offer(t.merchant, t.member.member_id, active, counters.spins, now_ms));
}

const program::Reward* find_reward(const program::Program& p, const std::string& reward_id) {
    for (const auto& r : p.rewards)
        if (r.id == reward_id) return &r;
    return nullptr;
}

Json reward_json(const program::Program& p, const std::string& reward_id) {
    const program::Reward* r = find_reward(p, reward_id);
    if (!r) return Json{{"id", reward_id}};
    // Without its picture: the kiosk has it from its config, a till shows none, and it may be
    // 48 KiB.
    return codec::encode_reward(*r, codec::Pictures::left_out);
}

}  // namespace kopilka::server
