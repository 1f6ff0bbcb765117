// One member's points ledger, in memory: append-only, double-entry, deterministic.
//
// The server loads a member's checkpoint and the entries written after it (resume), or all of
// its entries (restore), applies one operation with its own clock reading, writes back every
// entry past the ones it loaded and stores the new checkpoint; the kiosk shows the snapshot.
// Nothing here reads a clock: time comes in as now_ms and never runs backwards in a ledger (an
// older now_ms counts as the ledger's own time, so servers with slightly different clocks agree).
//
// Semantics (PRODUCT.md, "Semantics we chose"):
// - Every earning (earn, bonus, refund, positive adjust) creates a batch. A batch is pending
//   until available_at_ms and counts as available from then on; that change writes no entry,
//   since no account changes (it is derived from the clock).
// - Spending (redeem, reserve) takes available points batch by batch in spend order: soonest
//   expiry first, never-expiring last, ties by creation order.
// - At its expiry a batch's free remainder leaves through an `expire` entry; its held points
//   stay held. advance() writes these entries, and voids reservations whose hold ran out
//   (an automatic `release`), in time order; at the same instant holds run out first.
// - A reservation holds specific batch parts. Commit posts them as redeemed even if a batch
//   expired meanwhile (the coupon was issued while they were valid). A release, by the till
//   or by the hold running out, gives the points back to their batches; points of a batch
//   that has expired by then expire in the same release entry.
// - A clawback takes points from the receipt's own earn and bonus batches first (pending or
//   not), then from other available batches, then from other pending ones, all in spend
//   order; what is still missing becomes debt, a negative balance. So the balance goes below
//   zero only when the member has no free points left, and there is debt only then.
// - Debt is paid off first by any points that arrive: a new batch starts with what is left
//   after the debt; a release pays it from the returned points in spend order.
// - A negative adjust takes available points, then pending ones, in spend order; it never
//   takes the balance below zero (insufficient).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/ledger/entry.hpp"
#include "core/ledger/entry_id.hpp"
#include "core/ledger/operation.hpp"

namespace kopilka::ledger {

struct Batch {
    EntryId id;                    // the entry that created it
    Reason reason = Reason::earn;  // earn, bonus, refund or adjust
    std::string receipt_id;
    std::int64_t points = 0;           // what it started with, after paying off any debt
    std::int64_t free = 0;             // neither spent nor held
    std::int64_t held = 0;             // held by open reservations
    std::int64_t available_at_ms = 0;  // not before its creation
    std::int64_t expires_at_ms = 0;    // 0: never
    bool expired = false;              // its expiry has been processed
};

enum class ReservationState : std::uint8_t { open, committed, released, expired };

struct Reservation {
    EntryId id;  // the reserve entry
    std::string rule;
    std::int64_t points = 0;
    std::int64_t hold_until_ms = 0;
    ReservationState state = ReservationState::open;
    std::vector<LotMove> parts;  // held per batch (free 0), in spend order
};

// [SECTION] Snapshot

struct SnapshotOptions {
    std::size_t expiring_max = 3;  // batches in Snapshot::expiring
    std::size_t history_max = 10;  // entries in Snapshot::history
};

struct ExpiringPoints {
    std::int64_t points = 0;  // the batch's free points
    std::int64_t expires_at_ms = 0;
    bool pending = false;  // not available yet
};

struct HistoryLine {
    EntryId id;
    Reason reason = Reason::earn;
    bool automatic = false;
    std::string rule;
    std::int64_t at_ms = 0;
    std::int64_t points = 0;         // Entry::amount
    std::int64_t balance_delta = 0;  // the change of the balance (0 for a commit)
};

struct Snapshot {
    std::int64_t as_of_ms = 0;             // the ledger's clock
    std::int64_t available = 0;            // can be spent now
    std::int64_t pending = 0;              // shown, not spendable yet
    std::int64_t reserved = 0;             // held for coupons; not part of the balance
    std::int64_t balance = 0;              // available + pending − debt
    std::int64_t debt = 0;                 // > 0 only when available and pending are 0
    std::vector<ExpiringPoints> expiring;  // batches with an expiry, soonest first
    std::vector<HistoryLine> history;      // newest first
    std::int64_t earned_lifetime = 0;      // earn and bonus
    std::int64_t redeemed_lifetime = 0;    // redeem and commit
    std::int64_t expired_lifetime = 0;     // expire, and expired parts of releases
};

// [SECTION] Checkpoint

// Everything a ledger needs to go on without its old entries, as restore() would leave it
// after `entries` entries: a request's cost then does not grow with the member's history.
// Plain data, equal for equal entries (the server's audit compares a stored one with one
// recomputed from the entries). What it leaves out changes no future answer but these: an
// operation reusing the id of an entry before the checkpoint is not recognised here (the
// server's unique ids refuse it), and a reservation settled and past its hold is forgotten
// (settling it again answers reservation_not_found instead of how it was settled).
constexpr std::size_t checkpoint_history_max = 10;  // history lines kept for the snapshot

struct Checkpoint {
    std::size_t entries = 0;      // the entries it covers: the first `entries` in order
    std::int64_t last_at_ms = 0;  // the last of them's time, the resumed ledger's clock
    std::size_t operations = 0;   // of them, those written by operations (not automatic)
    std::array<std::int64_t, accounts_count> balances{};  // per Account
    std::vector<Batch> batches;  // those with free or held points, in creation order
    // Open ones, and settled ones whose hold has not ended by last_at_ms, in creation order.
    std::vector<Reservation> reservations;
    std::vector<HistoryLine> history;  // the newest entries, newest first
};

// [SECTION] Entries checked against the ledger (restore, and every entry the ledger writes)

enum class EntryStatus : std::uint8_t {
    ok,
    id_zero,
    id_duplicate,
    time_backwards,       // at_ms before the previous entry's
    amount_invalid,       // not > 0 (adjust: 0), or above points_max
    automatic_invalid,    // only expire (always) and release may be written by the ledger
    postings_invalid,     // fewer than two, an amount of 0, or an account twice
    postings_unbalanced,  // do not sum to zero
    batch_unknown,        // a lot for a batch that does not exist
    batch_invalid,        // a creating entry's own lot is missing or wrong, or a batch twice
    batch_negative,       // a batch's free or held points would go below zero
    debt_invalid,         // debt grows outside a clawback, or coexists with free points
    reservation_unknown,
    reservation_settled,   // a commit or release of a reservation no longer open
    reservation_mismatch,  // lots that do not match the reservation, or a bad hold
    expiry_invalid,        // an expire entry that does not empty a batch due to expire
    overflow,
};

std::string_view entry_status_name(EntryStatus s);

// [SECTION] The ledger

struct Restored;

class Ledger {
public:
    // Advances to now_ms, then runs the operation's ladder of checks; writes at most one
    // entry (dated at the ledger's clock) and only when the status is ok.
    Result apply(const Operation& op, std::int64_t now_ms);
    // Writes the expiries and voided holds due by now_ms, in time order, each dated when it
    // happened (the expiry, the end of the hold), and moves the clock to now_ms.
    std::vector<Entry> advance(std::int64_t now_ms);

    // At the ledger's clock. After a resume the history reaches back checkpoint_history_max
    // entries before the checkpoint at most.
    Snapshot snapshot(const SnapshotOptions& options = {}) const;
    // The first time after the clock at which the ledger can change without a new operation:
    // a batch becomes available or expires, or a hold runs out (INT64_MAX: never). Until then
    // advance() writes nothing and snapshot() differs only in as_of_ms, for this ledger and
    // for one resumed from its checkpoint: a server stores the snapshot with that window and
    // answers a read inside it without the batches.
    std::int64_t next_change_ms() const;

    // The state after the entries so far, as restore() of them would give it (the clock is
    // the last entry's time, whatever advance() did since).
    Checkpoint checkpoint() const;
    // What this ledger was resumed from, but for its batches (taken over, not copied: a member
    // may hold thousands); empty for a ledger restored or built from nothing.
    const Checkpoint& base() const { return base_; }
    // The checkpoint's batches as it held them, what audit() starts from.
    struct BaseBatch {
        EntryId id;
        std::int64_t free = 0;
        std::int64_t held = 0;
        std::int64_t expires_at_ms = 0;
    };
    const std::vector<BaseBatch>& base_batches() const { return base_batches_; }

    std::int64_t clock_ms() const { return clock_ms_; }
    // The entries written or restored since base(): all of them when base() is empty.
    const std::vector<Entry>& entries() const { return entries_; }
    std::size_t entries_count() const { return base_.entries + entries_.size(); }  // in all
    // In creation order; after a resume, those the checkpoint kept and the newer ones.
    const std::vector<Batch>& batches() const { return batches_; }
    const std::vector<Reservation>& reservations() const { return reservations_; }
    std::int64_t account_balance(Account a) const { return balances_[index(a)]; }
    std::int64_t debt() const { return debt_; }
    const Entry* find_entry(const EntryId& id) const;  // nullptr when unknown (or before base())

    // The checks restore() runs on each entry; ok means post() will succeed.
    EntryStatus check(const Entry& e) const;

private:
    friend Restored restore(const std::vector<Entry>& entries);
    friend Restored resume(Checkpoint checkpoint, const std::vector<Entry>& entries);
    static std::size_t index(Account a) { return static_cast<std::size_t>(a); }

    struct Plan;  // an entry about to be written, or the status that stops it
    Plan plan(const Operation& op);
    Plan plan_earn(const Earn& op);
    Plan plan_redeem(const Redeem& op);
    Plan plan_reserve(const Reserve& op);
    Plan plan_settle(const EntryId& id, const EntryId& reservation, bool commit);
    Plan plan_clawback(const Clawback& op);
    Plan plan_refund(const Refund& op);
    Plan plan_adjust(const Adjust& op);
    Plan plan_new_batch(Entry e, Account source);
    Plan plan_take(Entry e, Account sink, const std::vector<std::size_t>& order,
                   std::int64_t points);
    Status room_for_operation() const;
    std::vector<HistoryLine> history(std::size_t lines_max) const;
    bool start_from(Checkpoint c);

    Entry release_entry(const Reservation& r, const EntryId& id, std::int64_t at_ms,
                        bool automatic) const;
    bool batch_available(const Batch& b) const;
    std::vector<std::size_t> spend_order(bool want_pending, bool want_available) const;
    std::int64_t free_points(bool want_pending, bool want_available) const;

    using AccountChanges = std::array<std::int64_t, accounts_count>;
    EntryStatus check_postings(const Entry& e, AccountChanges* change) const;
    EntryStatus check_batches(const Entry& e, const AccountChanges& change) const;
    EntryStatus check_reservation(const Entry& e) const;
    EntryStatus check_expiry(const Entry& e) const;
    std::size_t batch_position(const EntryId& id) const;  // of a known batch
    void post(const Entry& e);

    Checkpoint base_;  // without its batches
    std::vector<BaseBatch> base_batches_;
    std::int64_t clock_ms_ = 0;
    std::int64_t last_at_ms_ = 0;  // the last entry's time, base_'s when entries_ is empty
    std::vector<Entry> entries_;
    std::map<EntryId, std::size_t> entry_index_;
    std::vector<Batch> batches_;
    // Batch ids → positions in batches_: a checkpoint's batches in a vector sorted once when
    // resumed (a tree node each had been an eighth of a receipt's CPU at 3 000 batches), the
    // batches created since in a map (all of them for a ledger restored from its entries).
    class BatchIndex {
      public:
        const std::size_t* find(const EntryId& id) const;      // nullptr when unknown
        bool insert(const EntryId& id, std::size_t position);  // false when id is there
        // The checkpoint's; false when an id is there twice.
        bool assign(std::vector<std::pair<EntryId, std::size_t>> items);

      private:
        std::vector<std::pair<EntryId, std::size_t>> sorted_;
        std::map<EntryId, std::size_t> added_;
    };
    BatchIndex batch_index_;
    std::vector<std::size_t> open_batches_;  // batches with free or held points, by creation
    std::vector<Reservation> reservations_;
    std::map<EntryId, std::size_t> reservation_index_;
    std::array<std::int64_t, accounts_count> balances_{};
    std::int64_t free_total_ = 0;  // Σ free over all batches
    std::int64_t debt_ = 0;        // free_total_ − balance of the member account
    std::size_t operations_ = 0;   // entries that are not automatic
    std::size_t open_reservations_ = 0;
};

// Rebuilds a ledger from its entries, in the order written, checking each (check()); the
// clock is the last entry's time. bad_entry is the index of the first entry that failed.
struct Restored {
    EntryStatus status = EntryStatus::ok;
    std::size_t bad_entry = 0;
    Ledger ledger;  // the entries before bad_entry when the status is not ok
};
Restored restore(const std::vector<Entry>& entries);
// The same from a checkpoint and the entries written after it; a checkpoint that does not hold
// together (a batch or reservation twice, a part of an unknown batch) is batch_invalid with
// bad_entry 0 and an empty ledger. A checkpoint moved in is taken over, not copied.
Restored resume(Checkpoint checkpoint, const std::vector<Entry>& entries);

}  // namespace kopilka::ledger
