#include "core/ledger/audit.hpp"

#include <array>
#include <limits>
#include <map>
#include <set>
#include <sstream>

#include "core/money/money.hpp"

namespace kopilka::ledger {

namespace {

struct BatchSums {
    std::int64_t free = 0;
    std::int64_t held = 0;
    std::int64_t expires_at_ms = 0;
};

struct ReservationSums {
    std::int64_t points = 0;
    ReservationState state = ReservationState::open;
};

std::string about(std::size_t i, const Entry& e, const std::string& what) {
    std::ostringstream out;
    out << "entry " << i << " (" << reason_name(e.reason) << ' ' << to_hex(e.id) << "): " << what;
    return out.str();
}

std::string mismatch(const std::string& what, std::int64_t recomputed, std::int64_t kept) {
    std::ostringstream out;
    out << what << ": recomputed " << recomputed << ", the ledger has " << kept;
    return out.str();
}

// The postings of one entry per account; false when two postings name the same account.
bool per_account(const Entry& e, std::array<std::int64_t, accounts_count>* out) {
    std::array<bool, accounts_count> seen{};
    for (const Posting& p : e.postings) {
        const auto i = static_cast<std::size_t>(p.account);
        if (i >= accounts_count || seen[i]) return false;
        seen[i] = true;
        (*out)[i] = p.amount;
    }
    return true;
}

// What the postings of an entry must be: the member account against one counter account,
// with the amount's sign fixed by the reason; a release splits between member and expired.
std::string shape_problem(const Entry& e, const std::array<std::int64_t, accounts_count>& by) {
    const auto get = [&](Account a) { return by[static_cast<std::size_t>(a)]; };
    const std::int64_t a = e.amount;
    std::size_t accounts = 2;  // the member and one counter account
    bool ok = false;
    switch (e.reason) {
        case Reason::earn:
        case Reason::bonus:
            ok = get(Account::member) == a && get(Account::issued) == -a;
            break;
        case Reason::refund:
            ok = get(Account::member) == a && get(Account::refunded) == -a;
            break;
        case Reason::adjust:
            ok = get(Account::member) == a && get(Account::adjustments) == -a;
            break;
        case Reason::reserve:
            ok = get(Account::member) == -a && get(Account::reserved) == a;
            break;
        case Reason::expire:
            ok = get(Account::member) == -a && get(Account::expired) == a;
            break;
        case Reason::clawback:
            ok = get(Account::member) == -a && get(Account::clawed_back) == a;
            break;
        case Reason::redeem: {
            const Account from = e.reservation.is_zero() ? Account::member : Account::reserved;
            ok = get(from) == -a && get(Account::redeemed) == a;
            break;
        }
        case Reason::release: {
            const std::int64_t back = get(Account::member);
            const std::int64_t gone = get(Account::expired);
            ok = get(Account::reserved) == -a && back >= 0 && gone >= 0 && back + gone == a;
            accounts = 1 + (back != 0 ? 1 : 0) + (gone != 0 ? 1 : 0);
            break;
        }
    }
    if (!ok) return "postings do not fit the reason";
    std::size_t nonzero = 0;
    for (const std::int64_t v : by) nonzero += v != 0 ? 1 : 0;
    if (nonzero != accounts || e.postings.size() != accounts) {
        return "postings touch other accounts or are zero";
    }
    return "";
}

class Auditor {
public:
  // A resumed ledger is audited from its checkpoint on: the entries before it are not here.
  explicit Auditor(const Ledger& ledger) : ledger_(ledger) {
      const Checkpoint& base = ledger.base();
      if (base.entries != 0) previous_at_ms_ = base.last_at_ms;
      accounts_ = base.balances;
      for (const Ledger::BaseBatch& b : ledger.base_batches()) {
          batches_[b.id] = BatchSums{b.free, b.held, b.expires_at_ms};
      }
      for (const Reservation& r : base.reservations) {
          reservations_[r.id] = ReservationSums{r.points, r.state};
      }
  }

    std::string run() {
        const auto& entries = ledger_.entries();
        for (std::size_t i = 0; i < entries.size(); ++i) {
            const std::string problem = replay(entries[i]);
            if (!problem.empty()) return about(i, entries[i], problem);
            previous_at_ms_ = entries[i].at_ms;
        }
        return compare();
    }

private:
    // [SECTION] One entry at a time, from the entries alone

    std::string replay(const Entry& e) {
        if (e.id.is_zero()) return "the id is zero";
        if (!ids_.insert(e.id).second) return "the id was used before";
        if (e.at_ms < previous_at_ms_) return "dated before the previous entry";
        std::array<std::int64_t, accounts_count> by{};
        if (!per_account(e, &by)) return "two postings to one account";
        std::int64_t sum = 0;
        for (const Posting& p : e.postings) {
            if (!money::checked_add(sum, p.amount, &sum)) return "postings overflow";
            auto& account = accounts_[static_cast<std::size_t>(p.account)];
            if (!money::checked_add(account, p.amount, &account)) return "an account overflows";
        }
        if (sum != 0) return "postings sum to " + std::to_string(sum);
        if (std::string s = shape_problem(e, by); !s.empty()) return s;
        if (std::string s = replay_lots(e); !s.empty()) return s;
        return replay_reservation(e);
    }

    std::string replay_lots(const Entry& e) {
        const bool creates = e.reason == Reason::earn || e.reason == Reason::bonus ||
                             e.reason == Reason::refund ||
                             (e.reason == Reason::adjust && e.amount > 0);
        if (creates) {
            if (e.lots.empty() || e.lots[0].batch != e.id) return "creates no batch of its own";
            if (e.lots[0].free > e.amount) return "its batch holds more than it earned";
            batches_[e.id] = BatchSums{0, 0, e.expires_at_ms};
        }
        std::int64_t held = 0;
        for (const LotMove& lot : e.lots) {
            const auto it = batches_.find(lot.batch);
            if (it == batches_.end()) return "moves points of an unknown batch";
            it->second.free += lot.free;
            it->second.held += lot.held;
            held += lot.held;
            if (it->second.free < 0 || it->second.held < 0) return "takes a batch below zero";
            if (e.reason == Reason::expire) {
                if (it->second.expires_at_ms == 0 || it->second.expires_at_ms > e.at_ms) {
                    return "expires a batch before its time";
                }
                if (it->second.free != 0) return "leaves points in the batch it expires";
            }
        }
        if (held != by_account(e, Account::reserved)) return "held points and reserved differ";
        return "";
    }

    std::string replay_reservation(const Entry& e) {
        if (e.reason == Reason::reserve) {
            reservations_[e.id] = ReservationSums{e.amount, ReservationState::open};
            return "";
        }
        const bool commit = e.reason == Reason::redeem && !e.reservation.is_zero();
        if (!commit && e.reason != Reason::release) return "";
        const auto it = reservations_.find(e.reservation);
        if (it == reservations_.end()) return "settles an unknown reservation";
        if (it->second.state != ReservationState::open) return "settles a settled reservation";
        if (it->second.points != e.amount) return "settles another amount than was reserved";
        it->second.state = commit        ? ReservationState::committed
                           : e.automatic ? ReservationState::expired
                                         : ReservationState::released;
        return "";
    }

    static std::int64_t by_account(const Entry& e, Account a) {
        for (const Posting& p : e.postings) {
            if (p.account == a) return p.amount;
        }
        return 0;
    }

    // [SECTION] The recomputed state against the ledger's

    std::string compare() const {
        std::int64_t trial = 0;
        for (std::size_t i = 0; i < accounts_count; ++i) {
            const auto a = static_cast<Account>(i);
            if (accounts_[i] != ledger_.account_balance(a)) {
                return mismatch("account " + std::string(account_name(a)), accounts_[i],
                                ledger_.account_balance(a));
            }
            if (!money::checked_add(trial, accounts_[i], &trial)) return "trial balance overflows";
        }
        if (trial != 0) return "trial balance is " + std::to_string(trial);
        if (std::string s = compare_batches(); !s.empty()) return s;
        if (std::string s = compare_reservations(); !s.empty()) return s;
        return compare_snapshot();
    }

    std::string compare_batches() const {
        if (ledger_.batches().size() != batches_.size()) {
            return mismatch("batches", static_cast<std::int64_t>(batches_.size()),
                            static_cast<std::int64_t>(ledger_.batches().size()));
        }
        for (const Batch& b : ledger_.batches()) {
            const auto it = batches_.find(b.id);
            if (it == batches_.end()) return "the ledger has a batch no entry created";
            if (it->second.free != b.free) {
                return mismatch("free of batch " + to_hex(b.id), it->second.free, b.free);
            }
            if (it->second.held != b.held) {
                return mismatch("held of batch " + to_hex(b.id), it->second.held, b.held);
            }
            if (b.free > 0 && b.expires_at_ms != 0 && b.expires_at_ms <= ledger_.clock_ms()) {
                return "batch " + to_hex(b.id) + " is past its expiry with free points";
            }
        }
        return "";
    }

    std::string compare_reservations() const {
        std::int64_t open = 0;
        for (const Reservation& r : ledger_.reservations()) {
            const auto it = reservations_.find(r.id);
            if (it == reservations_.end()) return "the ledger has a reservation no entry made";
            if (it->second.state != r.state) return "reservation " + to_hex(r.id) + " state";
            if (r.state == ReservationState::open) {
                open += r.points;
                if (r.hold_until_ms <= ledger_.clock_ms()) {
                    return "reservation " + to_hex(r.id) + " is open past its hold";
                }
            }
        }
        if (ledger_.reservations().size() != reservations_.size()) return "reservation count";
        std::int64_t held = 0;
        for (const auto& b : batches_) held += b.second.held;
        const std::int64_t reserved = accounts_[static_cast<std::size_t>(Account::reserved)];
        if (held != reserved) return mismatch("held points against reserved", held, reserved);
        if (open != reserved) return mismatch("open reservations against reserved", open, reserved);
        return "";
    }

    std::string compare_snapshot() const {
        std::int64_t free = 0;
        for (const auto& b : batches_) free += b.second.free;
        const std::int64_t member = accounts_[static_cast<std::size_t>(Account::member)];
        const std::int64_t debt = free - member;
        if (debt < 0) return "the member holds more than the batches: " + std::to_string(-debt);
        if (debt > 0 && free > 0) return "debt alongside free points";
        if (debt != ledger_.debt()) return mismatch("debt", debt, ledger_.debt());
        const Snapshot s = ledger_.snapshot();
        const auto account = [&](Account a) { return accounts_[static_cast<std::size_t>(a)]; };
        if (s.available + s.pending != free) {
            return mismatch("available + pending", free, s.available + s.pending);
        }
        if (s.balance != member) return mismatch("balance", member, s.balance);
        if (s.debt != debt) return mismatch("snapshot debt", debt, s.debt);
        if (s.reserved != account(Account::reserved)) {
            return mismatch("reserved", account(Account::reserved), s.reserved);
        }
        if (s.earned_lifetime != -account(Account::issued)) {
            return mismatch("earned_lifetime", -account(Account::issued), s.earned_lifetime);
        }
        if (s.redeemed_lifetime != account(Account::redeemed)) {
            return mismatch("redeemed_lifetime", account(Account::redeemed), s.redeemed_lifetime);
        }
        if (s.expired_lifetime != account(Account::expired)) {
            return mismatch("expired_lifetime", account(Account::expired), s.expired_lifetime);
        }
        return "";
    }

    const Ledger& ledger_;
    std::int64_t previous_at_ms_ = std::numeric_limits<std::int64_t>::min();
    std::set<EntryId> ids_;
    std::array<std::int64_t, accounts_count> accounts_{};
    std::map<EntryId, BatchSums> batches_;
    std::map<EntryId, ReservationSums> reservations_;
};

}  // namespace

std::string audit(const Ledger& ledger) {
    return Auditor(ledger).run();
}

}  // namespace kopilka::ledger
