// What a client asks of one member's ledger, and what it gets back.
//
// Every operation carries the client's EntryId, generated and stored before sending. The
// ledger keeps the entry each successful operation wrote under that id: the same id with the
// same content answers `exists` with the original entry and changes nothing; with different
// content it answers `conflict` and names the first field that differs. An operation that
// failed wrote nothing, so its id stays free and a retry is decided afresh.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/ledger/entry.hpp"
#include "core/ledger/entry_id.hpp"

namespace kopilka::ledger {

// [SECTION] Limits

constexpr std::int64_t points_max = 1'000'000'000;  // per operation (and |delta| of adjust)
constexpr std::size_t text_bytes_max = 256;         // rule, receipt_id, note
constexpr std::size_t operations_max = 100'000;     // entries written by operations, per member
constexpr std::size_t batches_open_max = 4'096;     // batches still holding points
constexpr std::size_t reservations_open_max = 64;   // reservations neither committed nor voided

// The limits keep every sum far from overflow (operations_max × points_max < 2^63); the
// arithmetic is checked all the same.

// [SECTION] Operations (fields after `id` are compared in this order on a replay)

struct Earn {
    EntryId id;
    std::int64_t points = 0;
    std::int64_t available_at_ms = 0;  // pending until then; 0 or the past: available at once
    std::int64_t expires_at_ms = 0;    // 0: never; else after available_at_ms and after now
    Reason reason = Reason::earn;      // earn, or bonus (welcome, birthday, action, referral)
    std::string rule;                  // "base_5pct", "welcome", …
    std::string receipt_id;            // optional; a clawback for it takes these points first
};

struct Redeem {
    EntryId id;
    std::int64_t points = 0;  // spends available points, soonest-expiring batch first
    std::string rule;
    std::string receipt_id;  // optional
};

struct Reserve {
    EntryId id;                      // also the reservation's id, for commit and release
    std::int64_t points = 0;         // held from available points as redeem would spend them
    std::int64_t hold_until_ms = 0;  // after now; the hold is voided when it runs out
    std::string rule;                // "reward:coffee"
};

struct Commit {
    EntryId id;
    EntryId reservation;  // posts the held points as a redemption (reason redeem)
};

struct Release {
    EntryId id;
    EntryId reservation;  // voids the hold: the points go back to their batches
};

struct Clawback {
    EntryId id;
    std::int64_t points = 0;  // may take the balance below zero, the only operation that may
    std::string rule;
    std::string receipt_id;  // required: the receipt whose return this is
};

struct Refund {
    EntryId id;
    std::int64_t points = 0;         // a new batch, available at once
    std::int64_t expires_at_ms = 0;  // 0: never; else after now
    std::string rule;
    std::string receipt_id;  // required
};

struct Adjust {
    EntryId id;
    std::int64_t delta = 0;          // > 0: a new batch, available at once; < 0: takes points
    std::int64_t expires_at_ms = 0;  // delta > 0 only: 0 never, else after now
    std::string rule;                // e.g. who made it
    std::string note;                // required: why
};

using Operation = std::variant<Earn, Redeem, Reserve, Commit, Release, Clawback, Refund, Adjust>;

const EntryId& operation_id(const Operation& op);
std::string_view operation_kind_name(const Operation& op);  // "earn", "redeem", …

// [SECTION] Results

// Ordered by precedence: the ladder of checks runs in this order and answers the first that
// fails. Checks of the operation alone come first, then the id, then this member's state.
enum class Status : std::uint8_t {
    ok,
    id_zero,
    reservation_zero,  // commit, release: the reservation id is zero
    points_not_positive,
    points_too_large,  // above points_max
    delta_zero,
    delta_too_large,              // |delta| above points_max
    reason_invalid,               // earn: only earn or bonus
    time_negative,                // available_at_ms, expires_at_ms or hold_until_ms below 0
    expires_not_after_available,  // earn: expires_at_ms ≤ available_at_ms
    expiry_without_batch,         // adjust with delta < 0 and an expires_at_ms
    text_too_long,                // rule, receipt_id or note above text_bytes_max
    receipt_missing,              // clawback, refund
    note_missing,                 // adjust
    conflict,                     // the id was used with other content; see Result::field
    exists,                       // the id was used with this content: the original entries
    expires_not_after_now,        // expires_at_ms ≤ now
    hold_not_after_now,           // hold_until_ms ≤ now
    reservation_not_found,
    reservation_committed,
    reservation_released,  // voided by a release
    reservation_expired,   // voided because its hold ran out
    operations_full,       // operations_max reached
    batches_full,          // batches_open_max reached
    reservations_full,     // reservations_open_max reached
    insufficient,          // not enough available points (adjust: not enough points)
    overflow,              // a balance would overflow (the limits rule it out)
};

std::string_view status_name(Status s);  // "insufficient", …
bool status_succeeded(Status s);         // ok or exists
// True when the same operation may succeed later without changing it (TigerBeetle's
// "transient" errors): points can become available, batches and holds run out, and a
// reservation sent just before may not have arrived yet.
bool status_retry_may_help(Status s);

struct Result {
    Status status = Status::ok;
    std::string field;            // the operation's field at fault, or the first that differs
    std::vector<Entry> entries;   // ok: what the operation wrote; exists: the original entries
    std::vector<Entry> advanced;  // what the advance to now_ms wrote first, whatever the status
};

// [SECTION] Checks of an operation on its own and against a stored entry

// The checks that need no state, in precedence order: ok, or the status and *field.
Status validate(const Operation& op, std::string* field);
// The first field in which op differs from the entry its id wrote ("kind" when the entry is
// of another kind, or was written by the ledger itself); "" when they agree.
std::string_view first_difference(const Operation& op, const Entry& stored);

}  // namespace kopilka::ledger
