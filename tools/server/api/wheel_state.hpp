// The server's side of the prize wheel (shared/core/spins decides): wheels stored as documents
// of kind "wheel", the state every member shares (stock used, budgets spent) stored with
// MemberTx::shared_state("wheel", id), and each member's counters stored in
// MemberCounters::spins. Daily counters start again each civil day, UTC.
//
// Stored forms (JSON):
//   shared state     {"day": 20415, "spent_today": 9000, "spent_campaign": 54000, "used":
//   {"coffee": 6}} member counters  {"<wheel id>": {"day": 20415, "spins_today": 2, "wins_today":
//   1, "wins_campaign": 4, "draws": 17}, …}
// "draws" counts the member's spins on the wheel whose seed was revealed, all time: the next
// spin's seed is derived from it (spin_seed), so each seed is used once.
// Stock is kept as units used per prize id, so a merchant who edits a wheel (more stock, a new
// prize) keeps what was already given: stock left = configured stock − used.
//
// Implemented: loading a wheel and the kiosk's active one, both stored forms ⇄ core state,
// the outcome written back, spins available for the member snapshot.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "codec/decode.hpp"
#include "codec/kiosk_json.hpp"
#include "core/spins/odds.hpp"
#include "core/spins/wheel.hpp"
#include "core/time.hpp"
#include "storage/store.hpp"

namespace kopilka::server {

using codec::wheel_id_bytes_max;

struct StoredWheel {
    std::string id;
    std::int64_t version = 0;
    std::int64_t updated_at_ms = 0;
    spins::WheelConfig config;
};

// A wheel document decoded, nullopt when it no longer decodes.
std::optional<StoredWheel> stored_wheel(const DocumentRecord& d);
// The wheel stored under id, nullopt when there is none (or it no longer decodes).
std::optional<StoredWheel> load_wheel(Store& store, const std::string& merchant_id,
                                      const std::string& wheel_id);
// The wheel the merchant's kiosk settings name, nullopt when they name none.
std::optional<StoredWheel> active_wheel(Store& store, const std::string& merchant_id);

// Letters, digits, '-' and '_', 1..wheel_id_bytes_max bytes: ids go into URLs and rule names.
bool valid_document_id(const std::string& id);

// [SECTION] Shared state

struct WheelLedger {
    std::int64_t day = 0;  // civil day (UTC, days since 1970-01-01) spent_today belongs to
    std::int64_t spent_today = 0;
    std::int64_t spent_campaign = 0;
    std::map<std::string, std::int64_t> used;  // units given per prize id
};

WheelLedger decode_wheel_ledger(const std::string& stored);  // "" or unreadable: nothing used
std::string encode_wheel_ledger(const WheelLedger& w);
// The core's state today: stock left per configured prize, today's spending (0 on a new day).
spins::WheelState wheel_state(const spins::WheelConfig& config, const WheelLedger& w,
                              std::int64_t now_ms);
// w after `before` became `after` (apply_outcome) today.
WheelLedger record_state(const spins::WheelConfig& config, WheelLedger w,
                         const spins::WheelState& before, const spins::WheelState& after,
                         std::int64_t now_ms);

// [SECTION] A member's counters

// counters.spins for this wheel today (daily counts 0 on a new day).
spins::MemberSpinState member_spin_state(const std::string& spins_json, const std::string& wheel_id,
                                         std::int64_t now_ms);
// Also counts the draw whose seed the spin revealed.
std::string record_member_spin_state(const std::string& spins_json, const std::string& wheel_id,
                                     const spins::MemberSpinState& s, std::int64_t now_ms);

// The server's seed for the member's next spin on the wheel (core/spins/fair.hpp), 64 hex
// digits: HMAC-SHA256 under a key derived from the merchant's card secret of the member, the
// wheel and the member's draws so far on it. Nobody without the secret can tell it from its
// commitment, and it changes with every spin the member makes; it needs no writing, so a
// lookup can show the commitment of the next spin.
std::string spin_seed(const MerchantRecord& merchant, const std::string& member_id,
                      const std::string& wheel_id, const std::string& spins_json);

// What a member snapshot says about the wheel: the spins available (below) and the
// commitment of the next spin's seed ("" without a wheel).
struct SpinOffer {
    std::int64_t available = 0;
    std::string commitment;
};
SpinOffer spin_offer(const MerchantRecord& merchant, const std::string& member_id,
                     const std::optional<StoredWheel>& wheel, const std::string& spins_json,
                     std::int64_t now_ms);

// What the member snapshot shows as spins_available on this wheel: the spins left of
// member_spins_per_day_max today; 0 when a member limit is reached; 1 while the member may spin
// on a wheel without a daily spin limit (the kiosk shows the button, not a count). Stock and
// budgets are not consulted: a spin that finds nothing left is answered nothing_left.
std::int64_t spins_available(const spins::WheelConfig& config, const spins::MemberSpinState& s);
// The same for the merchant's active wheel, from a member's counters.spins: 0 without one and
// outside its campaign window (before starts_at_ms, from ends_at_ms on).
std::int64_t spins_available(const std::optional<StoredWheel>& wheel, const std::string& spins_json,
                             std::int64_t now_ms);

// [SECTION] JSON for answers

// {"stock_left": {id: n | "unlimited"}, "used": {id: n}, "spent_today", "spent_campaign", "day"}.
codec::Json wheel_state_json(const spins::WheelConfig& config, const WheelLedger& w,
                             std::int64_t now_ms);
// What a kiosk draws (codec::encode_kiosk_wheel): the wheel with its odds as they are now
// (prizes out of stock or over budget drop out).
codec::WheelView kiosk_wheel_view(const StoredWheel& wheel, const spins::WheelState& state);

}  // namespace kopilka::server
