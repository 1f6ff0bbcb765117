// What every member write (receipts, returns, and those to come) does the same way: the
// client's operation id, answering a replay or refusing a conflicting reuse of an id, the
// merchant's program, appending the entries a ledger wrote, and the answer's snapshot.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "api/member_lookup.hpp"
#include "codec/object_reader.hpp"
#include "core/ledger/ledger.hpp"
#include "core/program/program.hpp"
#include "core/quote/quote.hpp"
#include "storage/store.hpp"

namespace kopilka::server {

ApiResult api_error(int status, const std::string& code, const std::string& message, const std::string& field);
// A decode error as the 400 answer.
ApiResult bad_request(const codec::DecodeError& e);
// A request body as JSON, or nullopt with the 400 answer in *err.
std::optional<codec::Json> parse_body(const std::string& body, ApiResult* err);

// The one rule for erased members, for every route that names a member (by id, card, token,
// receipt or coupon): 410 member_erased naming `field`, or nullopt for a member in the
// program. Erasure keeps the anonymous ledger for the books, but nobody may earn, spend,
// return, look up or change anything of that member any more.
std::optional<ApiResult> refuse_erased(const MemberRecord& member, const std::string& field);

// Reads "operation_id" (32 hex digits, not all zero) from a request object.
void read_operation_id(codec::ObjectReader& r, ledger::EntryId* out);

// The merchant's current program, or nullopt with *why.
std::optional<program::Program> current_program(Store& store, const std::string& merchant_id, std::string* why);

// If op_hex was used before: the original answer for the same request of the same kind
// (marked "replayed"), or a 409 naming the first field that differs.
std::optional<ApiResult> replay_or_conflict(MemberTx& tx, const std::string& op_hex, const std::string& kind,
                                            const codec::Json& request, const std::string& merchant_id);

// What a quote needs to know about a stored member (receipts, and the console's preview,
// which must quote exactly as the till would).
quote::MemberContext member_context(const program::Program& p, MemberTx& tx, const ledger::Ledger& l,
                                    const MemberCounters& c, std::int64_t now_ms);

// The member's ledger as stored, advanced to now_ms (expiries and holds due by now, not yet
// written); *stored counts the entries that came from the database, which append_new_entries
// needs. A stored ledger that does not restore means a damaged database: it throws.
ledger::Ledger load_ledger(MemberTx& tx, std::int64_t now_ms, std::size_t* stored = nullptr);

// Appends what the ledger wrote after the `stored` entries it was restored from.
void append_new_entries(MemberTx& tx, const ledger::Ledger& l, std::size_t stored);

// The member's snapshot after a write, as JSON; spins_available as api/wheel_state.hpp counts it.
codec::Json snapshot_after(MemberTx& tx, const program::Program& p, const MerchantRecord& merchant,
                           const MemberRecord& member, const ledger::Ledger& l, const std::string& tier_held,
                           std::int64_t now_ms, std::int64_t spins_available = 0);

}  // namespace kopilka::server
