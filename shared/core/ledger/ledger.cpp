// [SECTION] Index
// - Helpers: spend order keys, expiry
// - apply(): advance, validate, replay, plan, post
// - Plans: one per operation; each is a ladder of checks, then the entry to write
// - advance(): expiries and holds that ran out, in time order
// - check() and post(): every entry, written or restored, goes through both
// - snapshot(), checkpoint(), restore(), resume()
#include "core/ledger/ledger.hpp"

#include <algorithm>
#include <limits>
#include <utility>

#include "core/assert.hpp"
#include "core/money/money.hpp"

namespace kopilka::ledger {

// An entry about to be written, or the status that stops it.
struct Ledger::Plan {
    Status status = Status::ok;
    std::string field;
    Entry entry;
};

namespace {

// [SECTION] Helpers

constexpr std::int64_t never = std::numeric_limits<std::int64_t>::max();

std::int64_t expiry_key(const Batch& b) {
    return b.expires_at_ms == 0 ? never : b.expires_at_ms;
}

bool expired_at(const Batch& b, std::int64_t t) {
    return b.expires_at_ms != 0 && b.expires_at_ms <= t;
}

Entry entry_for(const EntryId& id, Reason reason, std::int64_t at_ms, std::int64_t amount,
                std::string rule) {
    Entry e;
    e.id = id;
    e.reason = reason;
    e.at_ms = at_ms;
    e.amount = amount;
    e.rule = std::move(rule);
    return e;
}

void add_posting(Entry* e, Account a, std::int64_t amount) {
    if (amount != 0) e->postings.push_back(Posting{a, amount});
}

}  // namespace

// [SECTION] apply()

Result Ledger::apply(const Operation& op, std::int64_t now_ms) {
    Result r;
    r.advanced = advance(now_ms);
    r.status = validate(op, &r.field);
    if (r.status != Status::ok) return r;
    if (const Entry* stored = find_entry(operation_id(op))) {
        const std::string_view differs = first_difference(op, *stored);
        r.status = differs.empty() ? Status::exists : Status::conflict;
        r.field = std::string(differs);
        if (differs.empty()) r.entries.push_back(*stored);
        return r;
    }
    Plan p = plan(op);
    if (p.status != Status::ok) {
        r.status = p.status;
        r.field = std::move(p.field);
        return r;
    }
    const EntryStatus checked = check(p.entry);
    if (checked == EntryStatus::overflow) {
        r.status = Status::overflow;
        return r;
    }
    // After this point the operation must succeed.
    KOPILKA_ASSERT(checked == EntryStatus::ok);
    post(p.entry);
    r.entries.push_back(std::move(p.entry));
    return r;
}

const Entry* Ledger::find_entry(const EntryId& id) const {
    const auto it = entry_index_.find(id);
    return it == entry_index_.end() ? nullptr : &entries_[it->second];
}

// [SECTION] Plans

Ledger::Plan Ledger::plan(const Operation& op) {
    if (const auto* o = std::get_if<Earn>(&op)) return plan_earn(*o);
    if (const auto* o = std::get_if<Redeem>(&op)) return plan_redeem(*o);
    if (const auto* o = std::get_if<Reserve>(&op)) return plan_reserve(*o);
    if (const auto* o = std::get_if<Commit>(&op)) return plan_settle(o->id, o->reservation, true);
    if (const auto* o = std::get_if<Release>(&op)) {
        return plan_settle(o->id, o->reservation, false);
    }
    if (const auto* o = std::get_if<Clawback>(&op)) return plan_clawback(*o);
    if (const auto* o = std::get_if<Refund>(&op)) return plan_refund(*o);
    return plan_adjust(std::get<Adjust>(op));
}

Status Ledger::room_for_operation() const {
    return operations_ >= operations_max ? Status::operations_full : Status::ok;
}

Ledger::Plan Ledger::plan_earn(const Earn& op) {
    if (op.expires_at_ms != 0 && op.expires_at_ms <= clock_ms_) {
        return Plan{Status::expires_not_after_now, "expires_at_ms", {}};
    }
    if (const Status s = room_for_operation(); s != Status::ok) return Plan{s, "", {}};
    if (open_batches_.size() >= batches_open_max) return Plan{Status::batches_full, "", {}};
    Entry e = entry_for(op.id, op.reason, clock_ms_, op.points, op.rule);
    e.receipt_id = op.receipt_id;
    e.available_at_ms = op.available_at_ms;
    e.expires_at_ms = op.expires_at_ms;
    return plan_new_batch(std::move(e), Account::issued);
}

Ledger::Plan Ledger::plan_refund(const Refund& op) {
    if (op.expires_at_ms != 0 && op.expires_at_ms <= clock_ms_) {
        return Plan{Status::expires_not_after_now, "expires_at_ms", {}};
    }
    if (const Status s = room_for_operation(); s != Status::ok) return Plan{s, "", {}};
    if (open_batches_.size() >= batches_open_max) return Plan{Status::batches_full, "", {}};
    Entry e = entry_for(op.id, Reason::refund, clock_ms_, op.points, op.rule);
    e.receipt_id = op.receipt_id;
    e.expires_at_ms = op.expires_at_ms;
    return plan_new_batch(std::move(e), Account::refunded);
}

Ledger::Plan Ledger::plan_adjust(const Adjust& op) {
    if (op.delta > 0) {
        if (op.expires_at_ms != 0 && op.expires_at_ms <= clock_ms_) {
            return Plan{Status::expires_not_after_now, "expires_at_ms", {}};
        }
    }
    if (const Status s = room_for_operation(); s != Status::ok) return Plan{s, "", {}};
    Entry e = entry_for(op.id, Reason::adjust, clock_ms_, op.delta, op.rule);
    e.note = op.note;
    e.expires_at_ms = op.expires_at_ms;
    if (op.delta > 0) {
        if (open_batches_.size() >= batches_open_max) return Plan{Status::batches_full, "", {}};
        return plan_new_batch(std::move(e), Account::adjustments);
    }
    const std::int64_t points = -op.delta;  // |delta| ≤ points_max: validated
    if (points > free_points(true, true)) return Plan{Status::insufficient, "delta", {}};
    std::vector<std::size_t> order = spend_order(false, true);
    const std::vector<std::size_t> pending = spend_order(true, false);
    order.insert(order.end(), pending.begin(), pending.end());
    return plan_take(std::move(e), Account::adjustments, order, points);
}

// The entry's points form a new batch, after paying off any debt.
Ledger::Plan Ledger::plan_new_batch(Entry e, Account source) {
    const std::int64_t paid = std::min(debt_, e.amount);
    e.lots.push_back(LotMove{e.id, e.amount - paid, 0});
    add_posting(&e, Account::member, e.amount);
    add_posting(&e, source, -e.amount);
    return Plan{Status::ok, "", std::move(e)};
}

// The entry's points leave the member's free points for `sink`, batch by batch in `order`;
// what the batches cannot cover becomes debt (only a clawback asks for more than they hold).
Ledger::Plan Ledger::plan_take(Entry e, Account sink, const std::vector<std::size_t>& order,
                               std::int64_t points) {
    std::int64_t left = points;
    for (const std::size_t i : order) {
        if (left == 0) break;
        const Batch& b = batches_[i];
        const std::int64_t take = std::min(left, b.free);
        e.lots.push_back(LotMove{b.id, -take, 0});
        left -= take;
    }
    KOPILKA_ASSERT(left == 0 || e.reason == Reason::clawback);
    add_posting(&e, Account::member, -points);
    add_posting(&e, sink, points);
    return Plan{Status::ok, "", std::move(e)};
}

Ledger::Plan Ledger::plan_redeem(const Redeem& op) {
    if (const Status s = room_for_operation(); s != Status::ok) return Plan{s, "", {}};
    if (op.points > free_points(false, true)) return Plan{Status::insufficient, "points", {}};
    Entry e = entry_for(op.id, Reason::redeem, clock_ms_, op.points, op.rule);
    e.receipt_id = op.receipt_id;
    return plan_take(std::move(e), Account::redeemed, spend_order(false, true), op.points);
}

Ledger::Plan Ledger::plan_reserve(const Reserve& op) {
    if (op.hold_until_ms <= clock_ms_) return Plan{Status::hold_not_after_now, "hold_until_ms", {}};
    if (const Status s = room_for_operation(); s != Status::ok) return Plan{s, "", {}};
    if (open_reservations_ >= reservations_open_max) {
        return Plan{Status::reservations_full, "", {}};
    }
    if (op.points > free_points(false, true)) return Plan{Status::insufficient, "points", {}};
    Entry e = entry_for(op.id, Reason::reserve, clock_ms_, op.points, op.rule);
    e.hold_until_ms = op.hold_until_ms;
    Plan p = plan_take(std::move(e), Account::reserved, spend_order(false, true), op.points);
    for (LotMove& lot : p.entry.lots) lot.held = -lot.free;  // taken into holding, not spent
    return p;
}

Ledger::Plan Ledger::plan_settle(const EntryId& id, const EntryId& reservation, bool commit) {
    const auto it = reservation_index_.find(reservation);
    if (it == reservation_index_.end()) {
        return Plan{Status::reservation_not_found, "reservation", {}};
    }
    const Reservation& r = reservations_[it->second];
    switch (r.state) {
        case ReservationState::open:
            break;
        case ReservationState::committed:
            return Plan{Status::reservation_committed, "reservation", {}};
        case ReservationState::released:
            return Plan{Status::reservation_released, "reservation", {}};
        case ReservationState::expired:
            return Plan{Status::reservation_expired, "reservation", {}};
    }
    if (const Status s = room_for_operation(); s != Status::ok) return Plan{s, "", {}};
    if (!commit) return Plan{Status::ok, "", release_entry(r, id, clock_ms_, false)};
    Entry e = entry_for(id, Reason::redeem, clock_ms_, r.points, r.rule);
    e.reservation = r.id;
    for (const LotMove& part : r.parts) e.lots.push_back(LotMove{part.batch, 0, -part.held});
    add_posting(&e, Account::reserved, -r.points);
    add_posting(&e, Account::redeemed, r.points);
    return Plan{Status::ok, "", std::move(e)};
}

Ledger::Plan Ledger::plan_clawback(const Clawback& op) {
    if (const Status s = room_for_operation(); s != Status::ok) return Plan{s, "", {}};
    Entry e = entry_for(op.id, Reason::clawback, clock_ms_, op.points, op.rule);
    e.receipt_id = op.receipt_id;
    // The receipt's own earnings first, then the rest as spending would take it, then pending.
    const auto own = [&](std::size_t i) {
        const Batch& b = batches_[i];
        return b.receipt_id == op.receipt_id &&
               (b.reason == Reason::earn || b.reason == Reason::bonus);
    };
    std::vector<std::size_t> order;
    for (const std::size_t i : spend_order(true, true)) {
        if (own(i)) order.push_back(i);
    }
    for (const bool pending : {false, true}) {
        for (const std::size_t i : spend_order(pending, !pending)) {
            if (!own(i)) order.push_back(i);
        }
    }
    return plan_take(std::move(e), Account::clawed_back, order, op.points);
}

// Voids a reservation at `at_ms`: each part goes back to its batch, paying off debt first, or
// expires when the batch has expired by then.
Entry Ledger::release_entry(const Reservation& r, const EntryId& id, std::int64_t at_ms,
                            bool automatic) const {
    Entry e = entry_for(id, Reason::release, at_ms, r.points, r.rule);
    e.automatic = automatic;
    e.reservation = r.id;
    std::int64_t debt_left = debt_;
    std::int64_t returned = 0;
    std::int64_t expired = 0;
    for (const LotMove& part : r.parts) {  // in spend order
        const Batch& b = batches_[batch_position(part.batch)];
        if (expired_at(b, at_ms)) {
            e.lots.push_back(LotMove{b.id, 0, -part.held});
            expired += part.held;
            continue;
        }
        const std::int64_t paid = std::min(debt_left, part.held);
        debt_left -= paid;
        e.lots.push_back(LotMove{b.id, part.held - paid, -part.held});
        returned += part.held;
    }
    add_posting(&e, Account::reserved, -r.points);
    add_posting(&e, Account::member, returned);
    add_posting(&e, Account::expired, expired);
    return e;
}

std::size_t Ledger::batch_position(const EntryId& id) const {
    const std::size_t* at = batch_index_.find(id);
    KOPILKA_ASSERT(at != nullptr);  // check() made sure of it
    return *at;
}

namespace {
bool id_before(const std::pair<EntryId, std::size_t>& item, const EntryId& id) {
    return item.first < id;
}
}  // namespace

const std::size_t* Ledger::BatchIndex::find(const EntryId& id) const {
    if (const auto added = added_.find(id); added != added_.end()) return &added->second;
    const auto it = std::lower_bound(sorted_.begin(), sorted_.end(), id, id_before);
    return it != sorted_.end() && it->first == id ? &it->second : nullptr;
}

bool Ledger::BatchIndex::insert(const EntryId& id, std::size_t position) {
    if (find(id)) return false;
    added_.emplace(id, position);
    return true;
}

bool Ledger::BatchIndex::assign(std::vector<std::pair<EntryId, std::size_t>> items) {
    std::sort(items.begin(), items.end());
    const auto same = [](const auto& a, const auto& b) { return a.first == b.first; };
    if (std::adjacent_find(items.begin(), items.end(), same) != items.end()) return false;
    sorted_ = std::move(items);
    added_.clear();
    return true;
}

bool Ledger::batch_available(const Batch& b) const {
    return b.available_at_ms <= clock_ms_;
}

// Open batches with free points, not expired, filtered by availability, in spend order.
std::vector<std::size_t> Ledger::spend_order(bool want_pending, bool want_available) const {
    std::vector<std::size_t> out;
    for (const std::size_t i : open_batches_) {
        const Batch& b = batches_[i];
        if (b.free == 0 || b.expired || expired_at(b, clock_ms_)) continue;
        if (batch_available(b) ? want_available : want_pending) out.push_back(i);
    }
    std::sort(out.begin(), out.end(), [&](std::size_t x, std::size_t y) {
        const std::int64_t kx = expiry_key(batches_[x]);
        const std::int64_t ky = expiry_key(batches_[y]);
        return kx != ky ? kx < ky : x < y;
    });
    return out;
}

std::int64_t Ledger::free_points(bool want_pending, bool want_available) const {
    std::int64_t sum = 0;  // a part of free_total_, which fits
    for (const std::size_t i : spend_order(want_pending, want_available)) sum += batches_[i].free;
    return sum;
}

// [SECTION] advance()

std::vector<Entry> Ledger::advance(std::int64_t now_ms) {
    std::vector<Entry> written;
    if (now_ms <= clock_ms_) return written;
    struct Due {
        std::int64_t at_ms;
        int kind;  // 0: a hold runs out, 1: a batch expires; holds first at the same instant
        std::size_t index;
    };
    std::vector<Due> due;
    for (std::size_t i = 0; i < reservations_.size(); ++i) {
        const Reservation& r = reservations_[i];
        if (r.state == ReservationState::open && r.hold_until_ms <= now_ms) {
            due.push_back(Due{r.hold_until_ms, 0, i});
        }
    }
    for (const std::size_t i : open_batches_) {
        const Batch& b = batches_[i];
        if (!b.expired && expired_at(b, now_ms)) due.push_back(Due{b.expires_at_ms, 1, i});
    }
    std::sort(due.begin(), due.end(), [](const Due& x, const Due& y) {
        if (x.at_ms != y.at_ms) return x.at_ms < y.at_ms;
        return x.kind != y.kind ? x.kind < y.kind : x.index < y.index;
    });
    for (const Due& d : due) {
        clock_ms_ = std::max(clock_ms_, d.at_ms);
        Entry e;
        if (d.kind == 0) {
            const Reservation& r = reservations_[d.index];
            e = release_entry(r, derive_entry_id(r.id, "hold_expired"), clock_ms_, true);
        } else {
            Batch& b = batches_[d.index];
            b.expired = true;
            if (b.free == 0) continue;  // nothing leaves: no entry
            e = entry_for(derive_entry_id(b.id, "expire"), Reason::expire, clock_ms_, b.free, "");
            e.automatic = true;
            e.lots.push_back(LotMove{b.id, -b.free, 0});
            add_posting(&e, Account::member, -b.free);
            add_posting(&e, Account::expired, b.free);
        }
        KOPILKA_ASSERT(check(e) == EntryStatus::ok);
        post(e);
        written.push_back(std::move(e));
    }
    clock_ms_ = now_ms;
    return written;
}

// [SECTION] check() and post()

namespace {

// The postings an entry of this reason must have, as a change per account; release is
// checked apart (its points go back to the member or expire).
bool expected_changes(const Entry& e, std::array<std::int64_t, accounts_count>* out) {
    const auto set = [&](Account a, std::int64_t v) { (*out)[static_cast<std::size_t>(a)] = v; };
    const std::int64_t a = e.amount;
    switch (e.reason) {
        case Reason::earn:
        case Reason::bonus:
            set(Account::member, a), set(Account::issued, -a);
            return true;
        case Reason::refund:
            set(Account::member, a), set(Account::refunded, -a);
            return true;
        case Reason::adjust:
            set(Account::member, a), set(Account::adjustments, -a);
            return true;
        case Reason::reserve:
            set(Account::member, -a), set(Account::reserved, a);
            return true;
        case Reason::expire:
            set(Account::member, -a), set(Account::expired, a);
            return true;
        case Reason::clawback:
            set(Account::member, -a), set(Account::clawed_back, a);
            return true;
        case Reason::redeem:
            set(e.reservation.is_zero() ? Account::member : Account::reserved, -a);
            set(Account::redeemed, a);
            return true;
        case Reason::release:
            return false;
    }
    return false;
}

bool postings_fit_reason(const Entry& e, const std::array<std::int64_t, accounts_count>& change) {
    std::array<std::int64_t, accounts_count> want{};
    if (expected_changes(e, &want)) return change == want;
    // Release: reserved −amount, the rest to the member or expired (balance is checked apart).
    for (std::size_t i = 0; i < accounts_count; ++i) {
        const auto a = static_cast<Account>(i);
        if (a == Account::reserved && change[i] != -e.amount) return false;
        if (a != Account::reserved && a != Account::member && a != Account::expired &&
            change[i] != 0) {
            return false;
        }
        if ((a == Account::member || a == Account::expired) && change[i] < 0) return false;
    }
    return true;
}

}  // namespace

// The entry on its own, then its postings, its batch moves with the debt, and what it
// settles; the first problem found is the answer.
EntryStatus Ledger::check(const Entry& e) const {
    if (e.id.is_zero()) return EntryStatus::id_zero;
    if (entry_index_.count(e.id) != 0) return EntryStatus::id_duplicate;
    if (entries_count() != 0 && e.at_ms < last_at_ms_) return EntryStatus::time_backwards;
    const bool amount_ok = e.reason == Reason::adjust
                               ? e.amount != 0 && e.amount <= points_max && e.amount >= -points_max
                               : e.amount > 0 && e.amount <= points_max;
    if (!amount_ok) return EntryStatus::amount_invalid;
    const bool may_be_automatic = e.reason == Reason::expire || e.reason == Reason::release;
    if (e.automatic ? !may_be_automatic : e.reason == Reason::expire) {
        return EntryStatus::automatic_invalid;
    }
    AccountChanges change{};
    if (const EntryStatus s = check_postings(e, &change); s != EntryStatus::ok) return s;
    if (const EntryStatus s = check_batches(e, change); s != EntryStatus::ok) return s;
    if (const EntryStatus s = check_reservation(e); s != EntryStatus::ok) return s;
    return check_expiry(e);
}

// Balanced, each account once, shaped as the reason says, and no balance overflows.
EntryStatus Ledger::check_postings(const Entry& e, AccountChanges* change) const {
    if (e.postings.size() < 2) return EntryStatus::postings_invalid;
    std::array<bool, accounts_count> seen{};
    std::int64_t sum = 0;
    for (const Posting& p : e.postings) {
        const std::size_t i = index(p.account);
        if (i >= accounts_count || p.amount == 0 || seen[i]) return EntryStatus::postings_invalid;
        seen[i] = true;
        (*change)[i] = p.amount;
        if (!money::checked_add(sum, p.amount, &sum)) return EntryStatus::overflow;
    }
    if (sum != 0) return EntryStatus::postings_unbalanced;
    if (!postings_fit_reason(e, *change)) return EntryStatus::postings_invalid;
    for (std::size_t i = 0; i < accounts_count; ++i) {
        std::int64_t balance = 0;
        if (!money::checked_add(balances_[i], (*change)[i], &balance)) {
            return EntryStatus::overflow;
        }
    }
    return EntryStatus::ok;
}

// Known batches, each once, never below zero; held points move with the reserved account;
// the debt (free points − member balance) grows through a clawback only and never coexists
// with free points.
EntryStatus Ledger::check_batches(const Entry& e, const AccountChanges& change) const {
    const bool creates = creates_batch(e);
    if (creates && (e.lots.empty() || e.lots[0].batch != e.id || e.lots[0].held != 0 ||
                    e.lots[0].free < 0 || e.lots[0].free > e.amount)) {
        return EntryStatus::batch_invalid;
    }
    std::int64_t free_total = free_total_;
    std::int64_t held_change = 0;
    for (std::size_t k = 0; k < e.lots.size(); ++k) {
        const LotMove& lot = e.lots[k];
        for (std::size_t j = 0; j < k; ++j) {
            if (e.lots[j].batch == lot.batch) return EntryStatus::batch_invalid;
        }
        std::int64_t free = 0;
        std::int64_t held = 0;
        if (!(creates && k == 0)) {
            const std::size_t* at = batch_index_.find(lot.batch);
            if (!at) return EntryStatus::batch_unknown;
            free = batches_[*at].free;
            held = batches_[*at].held;
        }
        if (!money::checked_add(free, lot.free, &free)) return EntryStatus::overflow;
        if (!money::checked_add(held, lot.held, &held)) return EntryStatus::overflow;
        if (free < 0 || held < 0) return EntryStatus::batch_negative;
        if (!money::checked_add(free_total, lot.free, &free_total)) return EntryStatus::overflow;
        if (!money::checked_add(held_change, lot.held, &held_change)) return EntryStatus::overflow;
    }
    if (held_change != change[index(Account::reserved)]) return EntryStatus::reservation_mismatch;

    const std::size_t member = index(Account::member);
    std::int64_t debt = 0;
    if (!money::checked_sub(free_total, balances_[member] + change[member], &debt)) {
        return EntryStatus::overflow;  // the sum fits: check_postings tried it
    }
    if (debt < 0 || (debt > 0 && free_total > 0)) return EntryStatus::debt_invalid;
    if (debt > debt_ && e.reason != Reason::clawback) return EntryStatus::debt_invalid;
    return EntryStatus::ok;
}

// A reserve holds exactly what it takes; a commit or release settles an open reservation
// part by part (a release may give back less than a part: the debt took the rest).
EntryStatus Ledger::check_reservation(const Entry& e) const {
    if (e.reason == Reason::reserve) {
        if (e.hold_until_ms <= e.at_ms) return EntryStatus::reservation_mismatch;
        for (const LotMove& lot : e.lots) {
            if (lot.held <= 0 || lot.free != -lot.held) return EntryStatus::reservation_mismatch;
        }
        return EntryStatus::ok;
    }
    const bool settles =
        e.reason == Reason::release || (e.reason == Reason::redeem && !e.reservation.is_zero());
    if (!settles) return EntryStatus::ok;
    const auto it = reservation_index_.find(e.reservation);
    if (it == reservation_index_.end()) return EntryStatus::reservation_unknown;
    const Reservation& r = reservations_[it->second];
    if (r.state != ReservationState::open) return EntryStatus::reservation_settled;
    if (e.amount != r.points || e.lots.size() != r.parts.size()) {
        return EntryStatus::reservation_mismatch;
    }
    if (e.automatic && e.at_ms < r.hold_until_ms) return EntryStatus::reservation_mismatch;
    const bool release = e.reason == Reason::release;
    for (std::size_t k = 0; k < e.lots.size(); ++k) {
        const LotMove& lot = e.lots[k];
        const LotMove& part = r.parts[k];
        if (lot.batch != part.batch || lot.held != -part.held || lot.free < 0 ||
            lot.free > (release ? part.held : 0)) {
            return EntryStatus::reservation_mismatch;
        }
    }
    return EntryStatus::ok;
}

// An expire entry empties the free points of one batch whose expiry has come.
EntryStatus Ledger::check_expiry(const Entry& e) const {
    if (e.reason != Reason::expire) return EntryStatus::ok;
    if (e.lots.size() != 1) return EntryStatus::expiry_invalid;
    const std::size_t* at = batch_index_.find(e.lots[0].batch);
    if (!at) return EntryStatus::batch_unknown;
    const Batch& b = batches_[*at];
    if (!expired_at(b, e.at_ms) || e.amount != b.free || e.lots[0].free != -b.free ||
        e.lots[0].held != 0) {
        return EntryStatus::expiry_invalid;
    }
    return EntryStatus::ok;
}

// Applies an entry that check() accepted.
void Ledger::post(const Entry& e) {
    entries_.push_back(e);
    entry_index_.emplace(e.id, entries_.size() - 1);
    clock_ms_ = std::max(clock_ms_, e.at_ms);
    last_at_ms_ = e.at_ms;
    if (!e.automatic) ++operations_;
    for (const Posting& p : e.postings) balances_[index(p.account)] += p.amount;

    if (creates_batch(e)) {
        Batch b;
        b.id = e.id;
        b.reason = e.reason;
        b.receipt_id = e.receipt_id;
        b.points = e.lots[0].free;
        b.available_at_ms = std::max(e.available_at_ms, e.at_ms);
        b.expires_at_ms = e.expires_at_ms;
        batches_.push_back(std::move(b));
        batch_index_.insert(e.id, batches_.size() - 1);
        open_batches_.push_back(batches_.size() - 1);
    }
    for (const LotMove& lot : e.lots) {
        Batch& b = batches_[batch_position(lot.batch)];
        b.free += lot.free;
        b.held += lot.held;
        free_total_ += lot.free;
    }
    debt_ = free_total_ - balances_[index(Account::member)];

    if (e.reason == Reason::reserve) {
        Reservation r;
        r.id = e.id;
        r.rule = e.rule;
        r.points = e.amount;
        r.hold_until_ms = e.hold_until_ms;
        for (const LotMove& lot : e.lots) r.parts.push_back(LotMove{lot.batch, 0, lot.held});
        reservations_.push_back(std::move(r));
        reservation_index_.emplace(e.id, reservations_.size() - 1);
        ++open_reservations_;
    } else if (e.reason == Reason::release ||
               (e.reason == Reason::redeem && !e.reservation.is_zero())) {
        const auto it = reservation_index_.find(e.reservation);
        KOPILKA_ASSERT(it != reservation_index_.end());
        Reservation& r = reservations_[it->second];
        r.state = e.reason == Reason::redeem ? ReservationState::committed
                  : e.automatic              ? ReservationState::expired
                                             : ReservationState::released;
        --open_reservations_;
    } else if (e.reason == Reason::expire) {
        batches_[batch_position(e.lots[0].batch)].expired = true;
    }
    open_batches_.erase(std::remove_if(open_batches_.begin(), open_batches_.end(),
                                       [&](std::size_t i) {
                                           return batches_[i].free == 0 && batches_[i].held == 0;
                                       }),
                        open_batches_.end());
}

// [SECTION] snapshot(), checkpoint(), restore(), resume()

// The newest lines, newest first: the entries since the base, then the base's own lines.
std::vector<HistoryLine> Ledger::history(std::size_t lines_max) const {
    std::vector<HistoryLine> out;
    for (std::size_t k = 0; k < entries_.size() && out.size() < lines_max; ++k) {
        const Entry& e = entries_[entries_.size() - 1 - k];
        out.push_back(
            HistoryLine{e.id, e.reason, e.automatic, e.rule, e.at_ms, e.amount, member_delta(e)});
    }
    for (std::size_t k = 0; k < base_.history.size() && out.size() < lines_max; ++k) {
        out.push_back(base_.history[k]);
    }
    return out;
}

Snapshot Ledger::snapshot(const SnapshotOptions& options) const {
    Snapshot s;
    s.as_of_ms = clock_ms_;
    std::vector<std::size_t> expiring;
    for (const std::size_t i : open_batches_) {
        const Batch& b = batches_[i];
        if (b.free == 0) continue;
        (batch_available(b) ? s.available : s.pending) += b.free;  // parts of free_total_
        if (b.expires_at_ms != 0) expiring.push_back(i);
    }
    // The soonest expiring_max only (a total order: the same ones a full sort would keep).
    const std::size_t kept = std::min(expiring.size(), options.expiring_max);
    std::partial_sort(expiring.begin(), expiring.begin() + static_cast<std::ptrdiff_t>(kept),
                      expiring.end(), [&](std::size_t x, std::size_t y) {
                          const std::int64_t kx = batches_[x].expires_at_ms;
                          const std::int64_t ky = batches_[y].expires_at_ms;
                          return kx != ky ? kx < ky : x < y;
                      });
    expiring.resize(kept);
    for (const std::size_t i : expiring) {
        const Batch& b = batches_[i];
        s.expiring.push_back(ExpiringPoints{b.free, b.expires_at_ms, !batch_available(b)});
    }
    s.history = history(options.history_max);
    s.reserved = balances_[index(Account::reserved)];
    s.balance = balances_[index(Account::member)];
    s.debt = debt_;
    s.earned_lifetime = -balances_[index(Account::issued)];
    s.redeemed_lifetime = balances_[index(Account::redeemed)];
    s.expired_lifetime = balances_[index(Account::expired)];
    return s;
}

std::int64_t Ledger::next_change_ms() const {
    constexpr std::int64_t never = std::numeric_limits<std::int64_t>::max();
    const std::int64_t soonest = clock_ms_ == never ? never : clock_ms_ + 1;
    std::int64_t next = never;
    const auto due = [&](std::int64_t at_ms) { next = std::min(next, std::max(at_ms, soonest)); };
    for (const std::size_t i : open_batches_) {
        const Batch& b = batches_[i];
        if (!batch_available(b)) due(b.available_at_ms);
        if (b.expires_at_ms != 0 && !b.expired) due(b.expires_at_ms);
    }
    for (const Reservation& r : reservations_)
        if (r.state == ReservationState::open) due(r.hold_until_ms);
    return next;
}

// Only what a future operation can touch, in a form that depends on the entries alone: the
// `expired` mark of an emptied batch and a settled reservation's parts are left to the clock.
Checkpoint Ledger::checkpoint() const {
    Checkpoint c;
    c.entries = entries_count();
    c.last_at_ms = last_at_ms_;
    c.operations = operations_;
    c.balances = balances_;
    c.batches.reserve(open_batches_.size());
    for (const std::size_t i : open_batches_) {
        Batch b = batches_[i];
        b.expired = b.free == 0 && expired_at(b, last_at_ms_);
        c.batches.push_back(std::move(b));
    }
    for (const Reservation& r : reservations_) {
        if (r.state != ReservationState::open && r.hold_until_ms <= last_at_ms_) continue;
        c.reservations.push_back(r);
        if (r.state != ReservationState::open) c.reservations.back().parts.clear();
    }
    c.history = history(checkpoint_history_max);
    return c;
}

// Takes over a checkpoint's state; false when it does not hold together.
bool Ledger::start_from(Checkpoint c) {
    clock_ms_ = last_at_ms_ = c.last_at_ms;
    operations_ = c.operations;
    balances_ = c.balances;
    std::int64_t held = 0;
    open_batches_.reserve(c.batches.size());
    base_batches_.reserve(c.batches.size());
    std::vector<std::pair<EntryId, std::size_t>> positions;
    positions.reserve(c.batches.size());
    for (std::size_t i = 0; i < c.batches.size(); ++i) {
        const Batch& b = c.batches[i];
        if (b.free < 0 || b.held < 0 || (b.free == 0 && b.held == 0)) return false;
        positions.emplace_back(b.id, i);
        open_batches_.push_back(i);
        base_batches_.push_back({b.id, b.free, b.held, b.expires_at_ms});
        if (!money::checked_add(free_total_, b.free, &free_total_)) return false;
        if (!money::checked_add(held, b.held, &held)) return false;
    }
    if (!batch_index_.assign(std::move(positions))) return false;  // a batch twice
    batches_ = std::move(c.batches);
    c.batches.clear();
    std::int64_t reserved = 0;
    for (const Reservation& r : c.reservations) {
        if (!reservation_index_.emplace(r.id, reservations_.size()).second) return false;
        reservations_.push_back(r);
        if (r.state != ReservationState::open) continue;
        ++open_reservations_;
        for (const LotMove& part : r.parts) {
            if (!batch_index_.find(part.batch) || part.held <= 0) return false;
        }
        if (!money::checked_add(reserved, r.points, &reserved)) return false;
    }
    const std::int64_t member = balances_[index(Account::member)];
    if (held != reserved || reserved != balances_[index(Account::reserved)]) return false;
    if (!money::checked_sub(free_total_, member, &debt_)) return false;
    base_ = std::move(c);
    return debt_ >= 0 && (debt_ == 0 || free_total_ == 0);
}

Restored restore(const std::vector<Entry>& entries) {
    return resume(Checkpoint{}, entries);
}

Restored resume(Checkpoint checkpoint, const std::vector<Entry>& entries) {
    Restored r;
    if (!r.ledger.start_from(std::move(checkpoint))) {
        r.status = EntryStatus::batch_invalid;
        r.ledger = Ledger();
        return r;
    }
    for (std::size_t i = 0; i < entries.size(); ++i) {
        r.status = r.ledger.check(entries[i]);
        if (r.status != EntryStatus::ok) {
            r.bad_entry = i;
            return r;
        }
        r.ledger.post(entries[i]);
    }
    return r;
}

std::string_view entry_status_name(EntryStatus s) {
    switch (s) {
        case EntryStatus::ok:
            return "ok";
        case EntryStatus::id_zero:
            return "id_zero";
        case EntryStatus::id_duplicate:
            return "id_duplicate";
        case EntryStatus::time_backwards:
            return "time_backwards";
        case EntryStatus::amount_invalid:
            return "amount_invalid";
        case EntryStatus::automatic_invalid:
            return "automatic_invalid";
        case EntryStatus::postings_invalid:
            return "postings_invalid";
        case EntryStatus::postings_unbalanced:
            return "postings_unbalanced";
        case EntryStatus::batch_unknown:
            return "batch_unknown";
        case EntryStatus::batch_invalid:
            return "batch_invalid";
        case EntryStatus::batch_negative:
            return "batch_negative";
        case EntryStatus::debt_invalid:
            return "debt_invalid";
        case EntryStatus::reservation_unknown:
            return "reservation_unknown";
        case EntryStatus::reservation_settled:
            return "reservation_settled";
        case EntryStatus::reservation_mismatch:
            return "reservation_mismatch";
        case EntryStatus::expiry_invalid:
            return "expiry_invalid";
        case EntryStatus::overflow:
            return "overflow";
    }
    return "?";
}

}  // namespace kopilka::ledger
