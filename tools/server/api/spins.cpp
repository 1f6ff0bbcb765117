#include "api/spins.hpp"

#include "api/coupons.hpp"
#include "api/kiosk_write.hpp"
#include "api/wheel_state.hpp"
#include "codec/kiosk_json.hpp"
#include "codec/object_reader.hpp"
#include "codec/wheel_json.hpp"
#include "core/spins/fair.hpp"

namespace kopilka::server {

namespace {
using codec::Json;

struct SpinRequest {
    ledger::EntryId op;
    std::string member_id;
    std::string wheel_id;  // "" for the kiosk's active wheel
};

// The wheel's field whose limit the member reached.
const char* limit_field(spins::MemberLimit l) {
    switch (l) {
        case spins::MemberLimit::spins_per_day: return "member_spins_per_day_max";
        case spins::MemberLimit::wins_per_day: return "member_wins_per_day_max";
        case spins::MemberLimit::wins_per_campaign: return "member_wins_per_campaign_max";
        case spins::MemberLimit::none: break;
    }
    return "member.id";
}

Json prize_json(const spins::SpinOutcome& o, const spins::Prize& p) {
    return codec::encode_prize({static_cast<int>(o.prize), p.id, p.label,
                                std::string(spins::prize_kind_name(p.kind)), p.points,
                                p.reward_id});
}

// Credits a points prize or issues a coupon prize into the answer; false with *out on a
// ledger refusal.
bool award(MemberTx& tx, ledger::Ledger& l, const WriteTarget& t, const SpinRequest& rq,
           const spins::Prize& prize, const std::string& wheel_id, std::int64_t now_ms,
           Json* answer, ApiResult* out) {
    const std::string op_hex = ledger::to_hex(rq.op);
    if (prize.kind == spins::PrizeKind::points) {
        const std::int64_t expiry_days = t.program.bonus ? t.program.bonus->expiry_days : 0;
        const auto r = l.apply(ledger::Earn{ledger::derive_entry_id(rq.op, "earn"), prize.points, 0,
                                            expiry_days > 0 ? now_ms + expiry_days * day_ms : 0,
                                            ledger::Reason::bonus, "wheel:" + wheel_id, ""},
                               now_ms);
        if (!ledger::status_succeeded(r.status)) {
            *out = api_error(409, std::string(ledger::status_name(r.status)),
                             "the ledger refused the prize's points: " +
                                 std::string(ledger::status_name(r.status)),
                             "wheel_id");
            return false;
        }
    }
    if (prize.kind == spins::PrizeKind::coupon) {
        const CouponRecord c =
            issue_coupon(t.merchant, t.program, t.member.member_id, prize.reward_id, "spin",
                         ledger::derive_entry_id(rq.op, "coupon"), false, 0, op_hex, now_ms);
        tx.save_coupon(c);
        (*answer)["coupon"] = coupon_json(c, t.program);
    }
    return true;
}

// Outside the wheel's campaign window: the 409 that names the window's edge, else false.
bool outside_window(const spins::WheelConfig& config, std::int64_t now_ms, ApiResult* out) {
    switch (spins::wheel_phase(config, now_ms)) {
        case spins::WheelPhase::running:
            return false;
        case spins::WheelPhase::scheduled:
            *out = api_error(409, "wheel_not_started", "the wheel's campaign has not started yet",
                             "starts_at_ms");
            return true;
        case spins::WheelPhase::ended:
            *out = api_error(409, "wheel_ended", "the wheel's campaign has ended", "ends_at_ms");
            return true;
    }
    return false;
}

// The spin's decision inside the member's transaction (after a replay is answered, so a spin
// made inside the window replays the same afterwards).
bool spin(MemberTx& tx, ledger::Ledger& l, const WriteTarget& t, const SpinRequest& rq,
          const StoredWheel& wheel, std::int64_t now_ms, ApiResult* out) {
    const spins::WheelConfig& config = wheel.config;
    if (outside_window(config, now_ms, out)) return false;  // nothing written
    const std::string op_hex = ledger::to_hex(rq.op);
    MemberCounters counters = tx.counters();
    const spins::MemberSpinState member = member_spin_state(counters.spins, wheel.id, now_ms);
    // The seed whose commitment the member's last snapshot showed, drawn with the client's id.
    const std::string server_seed =
        spin_seed(t.merchant, t.member.member_id, wheel.id, counters.spins);
    const std::uint64_t seed = spins::draw_seed(server_seed, op_hex);
    // Locked from here to the commit: every spin on this wheel decides on the state the last one
    // left.
    const WheelLedger shared = decode_wheel_ledger(tx.shared_state("wheel", wheel.id));
    const spins::WheelState before = wheel_state(config, shared, now_ms);
    const spins::SpinOutcome o = spins::decide_spin(config, before, member, seed);
    if (o.status == spins::SpinStatus::member_limit_reached) {
        *out = api_error(409, "member_limit_reached",
                         "the member reached the wheel's limit " +
                             std::string(spins::member_limit_name(o.limit)),
                         limit_field(o.limit));
        return false;
    }
    SpinRecord record{op_hex, t.member.member_id, wheel.id, "", std::to_string(seed), 0, now_ms};
    if (o.status == spins::SpinStatus::nothing_left) {
        tx.save_spin(record);
        *out = api_error(409, "nothing_left",
                         "every prize on this wheel is out of stock or over budget", "wheel_id");
        return true;  // decided with its seed: logged, and a replay answers the same
    }
    const spins::Prize& prize = config.prizes[static_cast<std::size_t>(o.prize)];
    Json answer = {{"operation_id", op_hex},
                   {"wheel_id", wheel.id},
                   {"prize", prize_json(o, prize)},
                   {"spin", codec::encode_spin_proof(
                                {server_seed, spins::seed_commitment(server_seed),
                                 codec::seed_hex(seed), o.ticket, o.total_weight, o.weights})}};
    if (!award(tx, l, t, rq, prize, wheel.id, now_ms, &answer, out)) return false;

    const spins::WheelState after = spins::apply_outcome(config, before, o);
    tx.save_shared_state("wheel", wheel.id,
                         encode_wheel_ledger(record_state(config, shared, before, after, now_ms)));
    counters.spins = record_member_spin_state(
        counters.spins, wheel.id, spins::apply_member_outcome(config, member, o), now_ms);
    tx.save_counters(counters);
    record.prize_id = prize.id;
    record.cost = prize.cost;
    tx.save_spin(record);
    // The spins left are counted on the wheel just spun (the kiosk's active one, or the
    // widget's online wheel).
    answer["member"] = kiosk_snapshot(tx, t, l, counters, wheel, now_ms);
    *out = {201, std::move(answer), {}};
    return true;
}
}  // namespace

ApiResult post_spin(Store& store, const Caller& caller, const Json& body, std::int64_t now_ms) {
    const auto decoded = codec::decode_spin_request(body);
    if (!decoded.ok()) return bad_request(decoded.error);
    const SpinRequest rq{*ledger::parse_entry_id(decoded.value->operation_id),
                         decoded.value->member_id, decoded.value->wheel_id};

    ApiResult refused;
    const auto t =
        write_target(store, caller.merchant_id, rq.member_id, "member.id", now_ms, &refused);
    if (!t) return refused;
    const auto active = active_wheel(store, caller.merchant_id);
    const auto wheel =
        rq.wheel_id.empty() ? active : load_wheel(store, caller.merchant_id, rq.wheel_id);
    if (!wheel) {
        refused = api_error(
            404, "not_found",
            rq.wheel_id.empty() ? "the kiosk settings name no wheel" : "no wheel has this id",
            "wheel_id");
        refused.merchant_id = caller.merchant_id;
        return refused;
    }
    return member_write(store, *t, ledger::to_hex(rq.op), "spin", body, now_ms,
                        [&](MemberTx& tx, ledger::Ledger& l, ApiResult* out) {
                            return spin(tx, l, *t, rq, *wheel, now_ms, out);
                        });
}

}  // namespace kopilka::server
