// A reference model of one member's ledger for the seeded simulation: the documented rules
// (shared/core/ledger/ledger.hpp) written again as plainly as possible, with none of the
// ledger's code. No entries, no accounts: a list of lots (free, held, available_at,
// expires_at), a list of holds, a debt and three lifetime counters. Spending picks the next lot
// by a linear scan, time moves by finding the next due event by a linear scan. It shares only
// the operation types, the status names and the limits with the ledger, which are its input
// and output.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/ledger/ledger.hpp"

namespace kopilka::sim {

namespace L = kopilka::ledger;

class ReferenceLedger {
public:
    struct Outcome {
        L::Status status = L::Status::ok;
        std::string field;
    };

    Outcome apply(const L::Operation& op, std::int64_t now_ms) {
        advance(now_ms);
        Outcome o = check_alone(op);
        if (o.status != L::Status::ok) return o;
        const auto key = std::make_pair(L::operation_id(op).hi, L::operation_id(op).lo);
        const auto seen = done_.find(key);
        if (seen != done_.end()) {
            const std::string field = first_change(seen->second, op);
            return field.empty() ? Outcome{L::Status::exists, ""}
                                 : Outcome{L::Status::conflict, field};
        }
        o = decide(op);
        if (o.status == L::Status::ok) {
            done_.emplace(key, op);
            ++operations_;
        }
        return o;
    }

    void advance(std::int64_t now_ms) {
        if (now_ms <= clock_) return;
        for (;;) {
            // The next thing due: (time, 0 = hold, 1 = lot, index), smallest first.
            bool found = false;
            std::int64_t best_at = 0;
            int best_kind = 0;
            std::size_t best = 0;
            const auto consider = [&](std::int64_t at, int kind, std::size_t i) {
                if (!found || at < best_at || (at == best_at && kind < best_kind)) {
                    found = true;
                    best_at = at;
                    best_kind = kind;
                    best = i;
                }
            };
            for (std::size_t i = 0; i < holds_.size(); ++i) {
                if (holds_[i].state == open && holds_[i].until <= now_ms) {
                    consider(holds_[i].until, 0, i);
                }
            }
            for (std::size_t i = 0; i < lots_.size(); ++i) {
                if (!lots_[i].closed && dead(lots_[i], now_ms)) consider(lots_[i].expires_at, 1, i);
            }
            if (!found) break;
            if (best_at > clock_) clock_ = best_at;
            if (best_kind == 0) {
                void_hold(holds_[best], expired_state);
            } else {
                expired_ += lots_[best].free;
                lots_[best].free = 0;
                lots_[best].closed = true;
            }
        }
        clock_ = now_ms;
    }

    // [SECTION] What the snapshot should say

    std::int64_t available() const { return sum_free(true); }
    std::int64_t pending() const { return sum_free(false); }
    std::int64_t reserved() const {
        std::int64_t sum = 0;
        for (const Hold& h : holds_) sum += h.state == open ? h.points : 0;
        return sum;
    }
    std::int64_t debt() const { return debt_; }
    std::int64_t balance() const { return available() + pending() - debt_; }
    std::int64_t earned() const { return earned_; }
    std::int64_t redeemed() const { return redeemed_; }
    std::int64_t expired() const { return expired_; }
    std::int64_t clock() const { return clock_; }

    std::vector<L::ExpiringPoints> expiring(std::size_t n) const {
        std::vector<bool> listed(lots_.size(), false);
        std::vector<L::ExpiringPoints> out;
        while (out.size() < n) {
            std::size_t pick = lots_.size();
            for (std::size_t i = 0; i < lots_.size(); ++i) {
                const Lot& lot = lots_[i];
                if (listed[i] || lot.free == 0 || lot.expires_at == 0) continue;
                if (pick == lots_.size() || lot.expires_at < lots_[pick].expires_at) pick = i;
            }
            if (pick == lots_.size()) break;
            listed[pick] = true;
            const Lot& lot = lots_[pick];
            out.push_back(L::ExpiringPoints{lot.free, lot.expires_at, lot.available_at > clock_});
        }
        return out;
    }

private:
    static constexpr int open = 0, committed = 1, released = 2, expired_state = 3;

    struct Lot {
        std::int64_t free = 0;
        std::int64_t held = 0;
        std::int64_t available_at = 0;
        std::int64_t expires_at = 0;
        std::string receipt;
        bool earning = false;  // earn or bonus: a clawback of its receipt takes it first
        bool closed = false;   // its expiry has been dealt with
    };

    struct Hold {
        L::EntryId id;
        std::int64_t points = 0;
        std::int64_t until = 0;
        int state = open;
        std::vector<std::pair<std::size_t, std::int64_t>> parts;  // lot, points
    };

    static bool dead(const Lot& lot, std::int64_t t) {
        return lot.expires_at != 0 && lot.expires_at <= t;
    }
    bool usable(const Lot& lot) const { return lot.free > 0 && !dead(lot, clock_); }
    bool ready(const Lot& lot) const { return lot.available_at <= clock_; }

    std::int64_t sum_free(bool want_ready) const {
        std::int64_t sum = 0;
        for (const Lot& lot : lots_) {
            if (usable(lot) && ready(lot) == want_ready) sum += lot.free;
        }
        return sum;
    }

    // The lot spending would take next among those `ok` accepts, or lots_.size().
    template <typename Accept>
    std::size_t next_lot(Accept ok) const {
        std::size_t pick = lots_.size();
        const auto later = [](std::int64_t e) {
            return e == 0 ? std::numeric_limits<std::int64_t>::max() : e;
        };
        for (std::size_t i = 0; i < lots_.size(); ++i) {
            if (!usable(lots_[i]) || !ok(lots_[i])) continue;
            if (pick == lots_.size() ||
                later(lots_[i].expires_at) < later(lots_[pick].expires_at)) {
                pick = i;
            }
        }
        return pick;
    }

    // Takes up to *need points from lots `ok` accepts; records (lot, points) when parts given.
    template <typename Accept>
    void take(std::int64_t* need, Accept ok,
              std::vector<std::pair<std::size_t, std::int64_t>>* parts = nullptr) {
        while (*need > 0) {
            const std::size_t i = next_lot(ok);
            if (i == lots_.size()) return;
            const std::int64_t x = lots_[i].free < *need ? lots_[i].free : *need;
            lots_[i].free -= x;
            *need -= x;
            if (parts) {
                lots_[i].held += x;
                parts->emplace_back(i, x);
            }
        }
    }

    void add_lot(std::int64_t points, std::int64_t available_at, std::int64_t expires_at,
                 const std::string& receipt, bool earning) {
        const std::int64_t pay = debt_ < points ? debt_ : points;
        debt_ -= pay;
        Lot lot;
        lot.free = points - pay;
        lot.available_at = available_at > clock_ ? available_at : clock_;
        lot.expires_at = expires_at;
        lot.receipt = receipt;
        lot.earning = earning;
        lots_.push_back(lot);
    }

    void void_hold(Hold& h, int state) {
        for (const auto& [i, x] : h.parts) {
            Lot& lot = lots_[i];
            lot.held -= x;
            if (dead(lot, clock_)) {
                expired_ += x;
                continue;
            }
            const std::int64_t pay = debt_ < x ? debt_ : x;
            debt_ -= pay;
            lot.free += x - pay;
        }
        h.state = state;
    }

    std::size_t open_lots() const {
        std::size_t n = 0;
        for (const Lot& lot : lots_) n += (lot.free + lot.held > 0) ? 1 : 0;
        return n;
    }
    std::size_t open_holds() const {
        std::size_t n = 0;
        for (const Hold& h : holds_) n += h.state == open ? 1 : 0;
        return n;
    }

    // [SECTION] Checks of the operation alone, in the documented order

    static bool too_long(const std::string& s) { return s.size() > L::text_bytes_max; }

    static Outcome check_alone(const L::Operation& op) {
        using S = L::Status;
        if (L::operation_id(op).is_zero()) return {S::id_zero, "id"};
        const auto points = [](std::int64_t p) -> Outcome {
            if (p <= 0) return {S::points_not_positive, "points"};
            if (p > L::points_max) return {S::points_too_large, "points"};
            return {};
        };
        Outcome o;
        if (const auto* e = std::get_if<L::Earn>(&op)) {
            if ((o = points(e->points)).status != S::ok) return o;
            if (e->reason != L::Reason::earn && e->reason != L::Reason::bonus) {
                return {S::reason_invalid, "reason"};
            }
            if (e->available_at_ms < 0) return {S::time_negative, "available_at_ms"};
            if (e->expires_at_ms < 0) return {S::time_negative, "expires_at_ms"};
            if (e->expires_at_ms != 0 && e->expires_at_ms <= e->available_at_ms) {
                return {S::expires_not_after_available, "expires_at_ms"};
            }
            if (too_long(e->rule)) return {S::text_too_long, "rule"};
            if (too_long(e->receipt_id)) return {S::text_too_long, "receipt_id"};
        } else if (const auto* r = std::get_if<L::Redeem>(&op)) {
            if ((o = points(r->points)).status != S::ok) return o;
            if (too_long(r->rule)) return {S::text_too_long, "rule"};
            if (too_long(r->receipt_id)) return {S::text_too_long, "receipt_id"};
        } else if (const auto* h = std::get_if<L::Reserve>(&op)) {
            if ((o = points(h->points)).status != S::ok) return o;
            if (h->hold_until_ms < 0) return {S::time_negative, "hold_until_ms"};
            if (too_long(h->rule)) return {S::text_too_long, "rule"};
        } else if (const auto* c = std::get_if<L::Commit>(&op)) {
            if (c->reservation.is_zero()) return {S::reservation_zero, "reservation"};
        } else if (const auto* v = std::get_if<L::Release>(&op)) {
            if (v->reservation.is_zero()) return {S::reservation_zero, "reservation"};
        } else if (const auto* b = std::get_if<L::Clawback>(&op)) {
            if ((o = points(b->points)).status != S::ok) return o;
            if (too_long(b->rule)) return {S::text_too_long, "rule"};
            if (too_long(b->receipt_id)) return {S::text_too_long, "receipt_id"};
            if (b->receipt_id.empty()) return {S::receipt_missing, "receipt_id"};
        } else if (const auto* f = std::get_if<L::Refund>(&op)) {
            if ((o = points(f->points)).status != S::ok) return o;
            if (f->expires_at_ms < 0) return {S::time_negative, "expires_at_ms"};
            if (too_long(f->rule)) return {S::text_too_long, "rule"};
            if (too_long(f->receipt_id)) return {S::text_too_long, "receipt_id"};
            if (f->receipt_id.empty()) return {S::receipt_missing, "receipt_id"};
        } else {
            const auto& a = std::get<L::Adjust>(op);
            if (a.delta == 0) return {S::delta_zero, "delta"};
            if (a.delta > L::points_max || a.delta < -L::points_max) {
                return {S::delta_too_large, "delta"};
            }
            if (a.expires_at_ms < 0) return {S::time_negative, "expires_at_ms"};
            if (a.delta < 0 && a.expires_at_ms != 0)
                return {S::expiry_without_batch, "expires_at_ms"};
            if (too_long(a.rule)) return {S::text_too_long, "rule"};
            if (too_long(a.note)) return {S::text_too_long, "note"};
            if (a.note.empty()) return {S::note_missing, "note"};
        }
        return {};
    }

    // The first field (in declaration order) in which b differs from a.
    static std::string first_change(const L::Operation& a, const L::Operation& b) {
        if (a.index() != b.index()) return "kind";
        std::vector<std::pair<const char*, bool>> same;
        if (const auto* x = std::get_if<L::Earn>(&a)) {
            const auto& y = std::get<L::Earn>(b);
            same = {{"points", x->points == y.points},
                    {"available_at_ms", x->available_at_ms == y.available_at_ms},
                    {"expires_at_ms", x->expires_at_ms == y.expires_at_ms},
                    {"reason", x->reason == y.reason},
                    {"rule", x->rule == y.rule},
                    {"receipt_id", x->receipt_id == y.receipt_id}};
        } else if (const auto* x = std::get_if<L::Redeem>(&a)) {
            const auto& y = std::get<L::Redeem>(b);
            same = {{"points", x->points == y.points},
                    {"rule", x->rule == y.rule},
                    {"receipt_id", x->receipt_id == y.receipt_id}};
        } else if (const auto* x = std::get_if<L::Reserve>(&a)) {
            const auto& y = std::get<L::Reserve>(b);
            same = {{"points", x->points == y.points},
                    {"hold_until_ms", x->hold_until_ms == y.hold_until_ms},
                    {"rule", x->rule == y.rule}};
        } else if (const auto* x = std::get_if<L::Commit>(&a)) {
            same = {{"reservation", x->reservation == std::get<L::Commit>(b).reservation}};
        } else if (const auto* x = std::get_if<L::Release>(&a)) {
            same = {{"reservation", x->reservation == std::get<L::Release>(b).reservation}};
        } else if (const auto* x = std::get_if<L::Clawback>(&a)) {
            const auto& y = std::get<L::Clawback>(b);
            same = {{"points", x->points == y.points},
                    {"rule", x->rule == y.rule},
                    {"receipt_id", x->receipt_id == y.receipt_id}};
        } else if (const auto* x = std::get_if<L::Refund>(&a)) {
            const auto& y = std::get<L::Refund>(b);
            same = {{"points", x->points == y.points},
                    {"expires_at_ms", x->expires_at_ms == y.expires_at_ms},
                    {"rule", x->rule == y.rule},
                    {"receipt_id", x->receipt_id == y.receipt_id}};
        } else {
            const auto& p = std::get<L::Adjust>(a);
            const auto& q = std::get<L::Adjust>(b);
            same = {{"delta", p.delta == q.delta},
                    {"expires_at_ms", p.expires_at_ms == q.expires_at_ms},
                    {"rule", p.rule == q.rule},
                    {"note", p.note == q.note}};
        }
        for (const auto& [name, equal] : same) {
            if (!equal) return name;
        }
        return "";
    }

    // [SECTION] Decisions against the state

    Outcome decide(const L::Operation& op) {
        using S = L::Status;
        const bool room = operations_ < L::operations_max;
        const bool lot_room = open_lots() < L::batches_open_max;
        if (const auto* e = std::get_if<L::Earn>(&op)) {
            if (e->expires_at_ms != 0 && e->expires_at_ms <= clock_) {
                return {S::expires_not_after_now, "expires_at_ms"};
            }
            if (!room) return {S::operations_full, ""};
            if (!lot_room) return {S::batches_full, ""};
            add_lot(e->points, e->available_at_ms, e->expires_at_ms, e->receipt_id, true);
            earned_ += e->points;
        } else if (const auto* r = std::get_if<L::Redeem>(&op)) {
            if (!room) return {S::operations_full, ""};
            if (r->points > available()) return {S::insufficient, "points"};
            std::int64_t need = r->points;
            take(&need, [&](const Lot& lot) { return ready(lot); });
            redeemed_ += r->points;
        } else if (const auto* h = std::get_if<L::Reserve>(&op)) {
            if (h->hold_until_ms <= clock_) return {S::hold_not_after_now, "hold_until_ms"};
            if (!room) return {S::operations_full, ""};
            if (open_holds() >= L::reservations_open_max) return {S::reservations_full, ""};
            if (h->points > available()) return {S::insufficient, "points"};
            Hold hold;
            hold.id = h->id;
            hold.points = h->points;
            hold.until = h->hold_until_ms;
            std::int64_t need = h->points;
            take(
                &need, [&](const Lot& lot) { return ready(lot); }, &hold.parts);
            holds_.push_back(std::move(hold));
        } else if (const auto* c = std::get_if<L::Commit>(&op)) {
            return settle(c->reservation, true);
        } else if (const auto* v = std::get_if<L::Release>(&op)) {
            return settle(v->reservation, false);
        } else if (const auto* b = std::get_if<L::Clawback>(&op)) {
            if (!room) return {S::operations_full, ""};
            std::int64_t need = b->points;
            take(&need,
                 [&](const Lot& lot) { return lot.earning && lot.receipt == b->receipt_id; });
            take(&need, [&](const Lot& lot) { return ready(lot); });
            take(&need, [&](const Lot&) { return true; });
            debt_ += need;
        } else if (const auto* f = std::get_if<L::Refund>(&op)) {
            if (f->expires_at_ms != 0 && f->expires_at_ms <= clock_) {
                return {S::expires_not_after_now, "expires_at_ms"};
            }
            if (!room) return {S::operations_full, ""};
            if (!lot_room) return {S::batches_full, ""};
            add_lot(f->points, clock_, f->expires_at_ms, f->receipt_id, false);
        } else {
            const auto& a = std::get<L::Adjust>(op);
            if (a.delta > 0) {
                if (a.expires_at_ms != 0 && a.expires_at_ms <= clock_) {
                    return {S::expires_not_after_now, "expires_at_ms"};
                }
                if (!room) return {S::operations_full, ""};
                if (!lot_room) return {S::batches_full, ""};
                add_lot(a.delta, clock_, a.expires_at_ms, "", false);
            } else {
                if (!room) return {S::operations_full, ""};
                if (-a.delta > available() + pending()) return {S::insufficient, "delta"};
                std::int64_t need = -a.delta;
                take(&need, [&](const Lot& lot) { return ready(lot); });
                take(&need, [&](const Lot&) { return true; });
            }
        }
        return {};
    }

    Outcome settle(const L::EntryId& reservation, bool commit) {
        using S = L::Status;
        Hold* h = nullptr;
        for (Hold& x : holds_) {
            if (x.id == reservation) h = &x;
        }
        if (!h) return {S::reservation_not_found, "reservation"};
        if (h->state == committed) return {S::reservation_committed, "reservation"};
        if (h->state == released) return {S::reservation_released, "reservation"};
        if (h->state == expired_state) return {S::reservation_expired, "reservation"};
        if (operations_ >= L::operations_max) return {S::operations_full, ""};
        if (!commit) {
            void_hold(*h, released);
            return {};
        }
        for (const auto& [i, x] : h->parts) lots_[i].held -= x;
        redeemed_ += h->points;
        h->state = committed;
        return {};
    }

    std::int64_t clock_ = 0;
    std::vector<Lot> lots_;
    std::vector<Hold> holds_;
    std::int64_t debt_ = 0;
    std::int64_t earned_ = 0;
    std::int64_t redeemed_ = 0;
    std::int64_t expired_ = 0;
    std::size_t operations_ = 0;
    std::map<std::pair<std::uint64_t, std::uint64_t>, L::Operation> done_;
};

}  // namespace kopilka::sim
