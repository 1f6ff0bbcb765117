// The one path every member-changing route takes (receipts, returns, enrolment, adjustments,
// the kiosk's spins and redemptions, coupons at the till): member_write runs one
// member-locked transaction that answers a replay of the client's operation id (or refuses a
// conflicting reuse), restores the member's ledger to now, runs the route's decision and,
// when that commits, appends what the ledger wrote and stores the answer under the
// operation id. A new route adds a Decide, not a transaction. Also here: what those routes
// share around it (the operation id, the merchant's program, the answer's snapshot).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "api/member_lookup.hpp"
#include "api/wheel_state.hpp"
#include "codec/ledger_json.hpp"
#include "codec/object_reader.hpp"
#include "core/ledger/ledger.hpp"
#include "core/program/program.hpp"
#include "core/quote/quote.hpp"
#include "storage/store.hpp"

namespace kopilka::server {

ApiResult api_error(int status, const std::string& code, const std::string& message,
                    const std::string& field);
// A decode error as the 400 answer.
ApiResult bad_request(const codec::DecodeError& e);
// A request body as JSON, or nullopt with the 400 answer in *err.
std::optional<codec::Json> parse_body(const std::string& body, ApiResult* err);
// A request body as JSON that decode accepts, or nullopt with the 400 answer in *err (decode
// fills *err when it refuses the body).
std::optional<codec::Json> read_body(const std::string& body, ApiResult* err,
                                     const std::function<bool(const codec::Json&)>& decode);

// The one rule for erased members, for every route that names a member (by id, card, token,
// receipt or coupon): 410 member_erased naming `field`, or nullopt for a member in the
// program. Erasure keeps the anonymous ledger for the books, but nobody may earn, spend,
// return, look up or change anything of that member any more.
std::optional<ApiResult> refuse_erased(const MemberRecord& member, const std::string& field);

using codec::read_operation_id;
// Reads "member": {"id": …} or {"card": …}, exactly one of them.
void read_member_ref(codec::ObjectReader& r, std::string* member_id, std::string* card);

// The decoded copy of a stored program version, kept once per version (api/
// decoded_documents.hpp); null with *error when it doesn't decode.
std::shared_ptr<const program::Program> decoded_program(const ProgramRecord& record,
                                                        codec::DecodeError* error = nullptr);
// The merchant's program in force at at_ms (a receipt's time, or the request's) and its
// version (when version is not null), or null with *why. The version comes from the store
// each time; the decoded program is the one api/decoded_documents.hpp keeps, shared.
std::shared_ptr<const program::Program> current_program(Store& store,
                                                        const std::string& merchant_id,
                                                        std::int64_t at_ms, std::string* why,
                                                        std::int64_t* version = nullptr);
// The same for a route that can't go on without it: null with *err a 500 program_invalid.
std::shared_ptr<const program::Program> usable_program(Store& store, const std::string& merchant_id,
                                                       std::int64_t at_ms, ApiResult* err,
                                                       std::int64_t* version = nullptr);

// If op_hex was used before: the original answer for the same request of the same kind
// (marked "replayed"), or a 409 naming the first field that differs.
std::optional<ApiResult> replay_or_conflict(MemberTx& tx, const std::string& op_hex,
                                            const std::string& kind, const codec::Json& request,
                                            const std::string& merchant_id);

// Decides a write inside member_write's transaction: fills *out and returns true to commit
// (the entries the ledger wrote, *out stored as the operation's answer), or false to roll
// everything back (nothing stored: a retry decides afresh). tx reads and writes the member's
// other rows (counters, receipts, coupons, shared state).
using Decide = std::function<bool(MemberTx& tx, ledger::Ledger& l, ApiResult* out)>;

struct MemberWrite {
    std::string merchant_id;
    std::string member_id;  // "" for a write for no member (a receipt without a card)
    std::string op_hex;     // the client's operation id
    std::string kind;       // "receipt", "return", "enrol", "adjust", "spin", "redeem", "coupon"
    codec::Json request;    // as stored for replays: the same request gets the same answer
    std::int64_t now_ms = 0;
    // The tier window's start the answer sums (tier_window_asked), read with the checkpoint.
    std::int64_t tier_since = -1;
    // What decide reads first besides the operation and the checkpoint (MemberReads): read
    // with them.
    std::string receipt_id;  // tx.receipt(receipt_id)
    bool referral = false;   // tx.referral()
};

// Runs decide for w in one transaction holding the member's write lock (a write for no
// member takes none: see Store::with_member). The answer carries w.merchant_id. The operation
// id is unique per merchant: when another member's write stores the same id at the same time,
// the answer is 409 operation_conflict.
ApiResult member_write(Store& store, const MemberWrite& w, const Decide& decide);

// What a quote needs to know about a stored member (receipts, and the console's preview,
// which must quote exactly as the till would).
quote::MemberContext member_context(const program::Program& p, MemberTx& tx,
                                    const ledger::Ledger& l, const MemberCounters& c,
                                    std::int64_t now_ms);

// The member's ledger as stored (its checkpoint and the entries after it), advanced to now_ms
// (expiries and holds due by now, not yet written); *stored counts the entries that came from
// the database after the checkpoint, which append_new_entries needs. A stored ledger that does
// not restore means a damaged database: it throws. l.entries() are not the whole history.
ledger::Ledger load_ledger(MemberTx& tx, std::int64_t now_ms, std::size_t* stored = nullptr);

// What the member's ledger shows at now_ms: the snapshot stored with the checkpoint when it
// still holds (MemberTx::points_at: a read without the batches), else load_ledger()'s. Asked
// before anything else the transaction reads.
ledger::Snapshot member_points(MemberTx& tx, std::int64_t now_ms);

// Appends what the ledger wrote after the `stored` entries it was restored from.
void append_new_entries(MemberTx& tx, const ledger::Ledger& l, std::size_t stored);

// Where the tier window of a program with tiers begins at now_ms: the receipts from then on
// qualify.
std::int64_t tier_window_start(const program::Program& p, std::int64_t now_ms);
// The start of the tier window a member's answer sums (MemberTx::expect_tier_window), -1 for
// none.
std::int64_t tier_window_asked(const program::Program& p, std::int64_t now_ms);

// The member's snapshot after a write (points: the ledger's); spins as api/wheel_state.hpp's
// spin_offer says. The tier window's qualifying spend is the transaction's
// (MemberTx::tier_qualifying_since), with the receipts it wrote.
members::MemberSnapshot member_view_after(MemberTx& tx, const program::Program& p,
                                          const MerchantRecord& merchant,
                                          const MemberRecord& member,
                                          const ledger::Snapshot& points,
                                          const std::string& tier_held, std::int64_t now_ms,
                                          const SpinOffer& spins = {});
// member_view_after() as JSON.
codec::Json snapshot_after(MemberTx& tx, const program::Program& p, const MerchantRecord& merchant,
                           const MemberRecord& member, const ledger::Snapshot& points,
                           const std::string& tier_held, std::int64_t now_ms,
                           const SpinOffer& spins = {});

}  // namespace kopilka::server
