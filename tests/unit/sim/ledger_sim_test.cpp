// Seeded simulation of many members' ledgers against the reference model
// (reference_ledger.hpp). Every step applies one random operation (or just lets time pass)
// to one member's ledger and to its model, then compares statuses and snapshots, checks
// conservation over the entries the results reported, that only a clawback takes a balance
// below zero, that replays are idempotent, that spending followed expiry order, and audits.
// A failure prints the seed and the step; rerun natively with KOPILKA_SIM_SEED=<seed>.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <map>
#include <string>
#include <type_traits>
#include <vector>

#include "core/ledger/audit.hpp"
#include "core/ledger/ledger.hpp"
#include "core/spins/rng.hpp"
#include "reference_ledger.hpp"

using namespace kopilka::ledger;
using kopilka::sim::ReferenceLedger;

namespace {

constexpr std::uint64_t default_seed = 0x6B6F70696C6B61ULL;  // "kopilka"
constexpr std::size_t members_count = 2'000;
constexpr std::size_t steps_count = 60'000;
constexpr std::size_t hot_members_count = 20;  // a share of the steps goes to a few members
constexpr std::size_t restore_every_steps = 97;
constexpr std::size_t expiring_shown = 5;
constexpr std::int64_t minute_ms = 60'000;
constexpr std::int64_t day_ms = 24 * 60 * minute_ms;
constexpr std::int64_t start_ms = 1'700'000'000'000;

std::uint64_t seed_from_env() {
    const char* text = std::getenv("KOPILKA_SIM_SEED");
    if (text == nullptr || *text == '\0') return default_seed;
    return std::strtoull(text, nullptr, 0);
}

// Our own generator (SplitMix64), so native and wasm runs are identical for a seed.
class Dice {
public:
    explicit Dice(std::uint64_t seed) : state_(seed) {}
    std::uint64_t next() { return kopilka::spins::splitmix64_next(&state_); }
    std::uint64_t below(std::uint64_t n) { return next() % n; }  // bias is harmless here
    std::int64_t upto(std::int64_t n) { return static_cast<std::int64_t>(below(n + 1)); }
    bool chance(std::uint64_t percent) { return below(100) < percent; }

private:
    std::uint64_t state_;
};

struct Member {
    Ledger ledger;
    ReferenceLedger model;
    std::vector<Operation> past;      // everything sent, whatever the answer
    std::map<EntryId, Entry> stored;  // what each successful operation wrote
    std::vector<std::string> receipts;
    std::vector<EntryId> holds;  // reservations that succeeded
    std::vector<Entry> written;  // every entry the results reported, as a server would store
    std::int64_t member_sum = 0;  // Σ of the written postings to the member's account
    std::int64_t trial_sum = 0;   // Σ of all written postings
    std::uint64_t next_id = 1;
};

// [SECTION] Edge-biased inputs

std::int64_t edgy_points(Dice& d, const Snapshot& s) {
    switch (d.below(14)) {
        case 0:
            return 0;
        case 1:
            return 1;
        case 2:
            return points_max;
        case 3:
            return points_max + 1;
        case 4:
            return s.available;
        case 5:
            return s.available + 1;
        case 6:
            return s.balance;
        case 7:
            return s.balance + 1;
        case 8:
            return s.available + s.pending;
        case 9:
            return s.reserved;
        case 10:
            return -1 - d.upto(5);
        case 11:
            return 1 + d.upto(100'000);
        default:
            return 1 + d.upto(300);
    }
}

std::int64_t edgy_expiry(Dice& d, std::int64_t now, std::int64_t available_at) {
    switch (d.below(12)) {
        case 0:
        case 1:
            return 0;  // never
        case 2:
            return now;
        case 3:
            return now - d.upto(day_ms);
        case 4:
            return now + 1;
        case 5:
            return available_at;
        case 6:
            return available_at + 1;
        case 7:
            return -1;
        case 8:
            return now + d.upto(10 * minute_ms);
        case 9:
            return now + d.upto(3 * day_ms);
        default:
            return now + d.upto(120 * day_ms);
    }
}

std::int64_t edgy_available_at(Dice& d, std::int64_t now) {
    switch (d.below(8)) {
        case 0:
            return now;
        case 1:
            return now + 1;
        case 2:
            return now - d.upto(day_ms);
        case 3:
            return now + d.upto(14 * day_ms);
        case 4:
            return -1 * static_cast<std::int64_t>(d.chance(10));
        default:
            return 0;
    }
}

std::string edgy_rule(Dice& d) {
    switch (d.below(20)) {
        case 0:
            return std::string(text_bytes_max, 'r');
        case 1:
            return std::string(text_bytes_max + 1, 'r');
        case 2:
            return "";
        case 3:
            return "welcome";
        default:
            return "base";
    }
}

std::string pick_receipt(Dice& d, Member& m, bool allow_empty) {
    if (allow_empty && d.chance(4)) return "";
    if (!m.receipts.empty() && d.chance(60)) return m.receipts[d.below(m.receipts.size())];
    m.receipts.push_back("R-" + std::to_string(d.next() % 1'000'000));
    return m.receipts.back();
}

// Mostly plausible amounts, a quarter of the time an edge.
std::int64_t spend_points(Dice& d, const Snapshot& s) {
    if (d.chance(25)) return edgy_points(d, s);
    return 1 + d.upto(std::max<std::int64_t>(s.available, 1) - 1);
}

std::int64_t earn_points(Dice& d, const Snapshot& s) {
    if (d.chance(15)) return edgy_points(d, s);
    return 1 + d.upto(500);
}

EntryId pick_reservation(Dice& d, Member& m) {
    if (!m.holds.empty() && d.chance(85)) {
        // Recent ones are more likely to be still open.
        const std::size_t n = m.holds.size();
        return m.holds[n - 1 - d.below(std::min<std::size_t>(n, 4))];
    }
    if (d.chance(30)) return EntryId{};
    if (!m.past.empty() && d.chance(50)) return operation_id(m.past[d.below(m.past.size())]);
    return EntryId{0xDEAD, d.next()};
}

// One field of a past operation changed (or the kind, keeping the id).
Operation changed(Dice& d, const Operation& op) {
    Operation out = op;
    if (d.chance(15)) {
        Redeem other;
        other.id = operation_id(op);
        other.points = 1;
        return std::holds_alternative<Redeem>(op) ? Operation(Commit{other.id, EntryId{1, 1}})
                                                  : Operation(other);
    }
    std::visit(
        [&](auto& o) {
            using T = std::decay_t<decltype(o)>;
            if constexpr (std::is_same_v<T, Commit> || std::is_same_v<T, Release>) {
                o.reservation.lo ^= 1;
            } else if constexpr (std::is_same_v<T, Adjust>) {
                if (d.chance(50))
                    o.delta += o.delta > 0 ? 1 : -1;
                else
                    o.note += "!";
            } else {
                if (d.chance(60))
                    o.points += 1;
                else
                    o.rule += "x";
            }
        },
        out);
    return out;
}

Operation random_operation(Dice& d, Member& m, std::int64_t now) {
    const Snapshot s = m.ledger.snapshot();
    EntryId id{0xA11CE, m.next_id++};
    if (d.chance(1)) id = EntryId{};
    // A coupon just issued is usually redeemed or voided soon after.
    const auto& reservations = m.ledger.reservations();
    const bool hold_open =
        !reservations.empty() && reservations.back().state == ReservationState::open;
    const std::uint64_t kind = hold_open && d.chance(40) ? 6 : d.below(100) / 10;
    switch (kind) {
        case 0:
        case 1:
        case 2: {
            Earn op;
            op.id = id;
            op.points = earn_points(d, s);
            op.available_at_ms = d.chance(60) ? 0 : edgy_available_at(d, now);
            op.expires_at_ms = edgy_expiry(d, now, op.available_at_ms);
            op.reason = d.chance(80) ? Reason::earn : d.chance(95) ? Reason::bonus : Reason::adjust;
            op.rule = edgy_rule(d);
            op.receipt_id = pick_receipt(d, m, true);
            return op;
        }
        case 3:
        case 4: {
            Redeem op;
            op.id = id;
            op.points = spend_points(d, s);
            op.rule = edgy_rule(d);
            op.receipt_id = d.chance(50) ? "" : pick_receipt(d, m, true);
            return op;
        }
        case 5: {
            Reserve op;
            op.id = id;
            op.points = spend_points(d, s);
            op.hold_until_ms = d.chance(10) ? edgy_expiry(d, now, now) : now + d.upto(5 * day_ms);
            op.rule = "reward:coffee";
            return op;
        }
        case 6: {
            const EntryId r = pick_reservation(d, m);
            if (d.chance(65)) return Commit{id, r};
            return Release{id, r};
        }
        case 7: {
            Clawback op;
            op.id = id;
            op.points = d.chance(75) ? 1 + d.upto(400) : edgy_points(d, s);
            op.rule = "return";
            op.receipt_id = pick_receipt(d, m, true);
            return op;
        }
        case 8: {
            Refund op;
            op.id = id;
            op.points = earn_points(d, s);
            op.expires_at_ms = edgy_expiry(d, now, now);
            op.receipt_id = pick_receipt(d, m, true);
            return op;
        }
        default: {
            Adjust op;
            op.id = id;
            op.delta = d.chance(50) ? -spend_points(d, s) : earn_points(d, s);
            op.expires_at_ms = d.chance(70) ? 0 : edgy_expiry(d, now, now);
            op.rule = "staff:7";
            op.note = d.chance(3) ? "" : "correction";
            return op;
        }
    }
}

// [SECTION] Checks after a step

void require_same_view(const Member& m) {
    const Snapshot s = m.ledger.snapshot(SnapshotOptions{expiring_shown, 3});
    const ReferenceLedger& r = m.model;
    REQUIRE(s.as_of_ms == r.clock());
    REQUIRE(s.available == r.available());
    REQUIRE(s.pending == r.pending());
    REQUIRE(s.reserved == r.reserved());
    REQUIRE(s.debt == r.debt());
    REQUIRE(s.balance == r.balance());
    REQUIRE(s.earned_lifetime == r.earned());
    REQUIRE(s.redeemed_lifetime == r.redeemed());
    REQUIRE(s.expired_lifetime == r.expired());
    const std::vector<ExpiringPoints> want = r.expiring(expiring_shown);
    REQUIRE(s.expiring.size() == want.size());
    for (std::size_t i = 0; i < want.size(); ++i) {
        INFO("expiring[" << i << "]");
        REQUIRE(s.expiring[i].points == want[i].points);
        REQUIRE(s.expiring[i].expires_at_ms == want[i].expires_at_ms);
        REQUIRE(s.expiring[i].pending == want[i].pending);
    }
}

// Stores what a result reported, as a server would, and sums its postings.
void store(Member& m, const std::vector<Entry>& entries) {
    for (const Entry& e : entries) {
        std::int64_t sum = 0;
        for (const Posting& p : e.postings) {
            sum += p.amount;
            if (p.account == Account::member) m.member_sum += p.amount;
        }
        REQUIRE(sum == 0);
        m.trial_sum += sum;
        m.written.push_back(e);
    }
}

// Conservation over what the results reported: credits − debits of the member's account are
// its balance, the trial balance is zero, and nothing was written unreported.
void require_conservation(const Member& m) {
    REQUIRE(m.written.size() == m.ledger.entries().size());
    REQUIRE(m.trial_sum == 0);
    const Snapshot s = m.ledger.snapshot(SnapshotOptions{0, 1});
    REQUIRE(m.member_sum == s.balance);
    if (!m.written.empty()) REQUIRE(s.history.at(0).id == m.written.back().id);
}

std::int64_t spend_key(const Batch& b) {
    return b.expires_at_ms == 0 ? std::numeric_limits<std::int64_t>::max() : b.expires_at_ms;
}

// After a redeem or reserve: lots in spend order, and no available batch that should have
// gone first still has free points.
void require_expiry_order(const Ledger& l, const Entry& e) {
    const std::vector<Batch>& batches = l.batches();
    const auto position = [&](const EntryId& id) {
        for (std::size_t i = 0; i < batches.size(); ++i) {
            if (batches[i].id == id) return i;
        }
        FAIL("a lot of an unknown batch");
        return batches.size();
    };
    std::size_t last = 0;
    for (std::size_t k = 0; k < e.lots.size(); ++k) {
        const std::size_t i = position(e.lots[k].batch);
        if (k > 0) {
            const bool after = spend_key(batches[i]) > spend_key(batches[last]) ||
                               (spend_key(batches[i]) == spend_key(batches[last]) && i > last);
            REQUIRE(after);
        }
        last = i;
    }
    for (std::size_t i = 0; i < batches.size(); ++i) {
        const Batch& b = batches[i];
        if (i == last || b.free == 0 || b.available_at_ms > l.clock_ms()) continue;
        const bool later = spend_key(b) > spend_key(batches[last]) ||
                           (spend_key(b) == spend_key(batches[last]) && i > last);
        INFO("batch " << i << " should have been spent before batch " << last);
        REQUIRE(later);
    }
}

void require_restores(const Member& m) {
    Restored r = restore(m.written);
    INFO("restore: " << entry_status_name(r.status) << " at entry " << r.bad_entry);
    REQUIRE(r.status == EntryStatus::ok);
    r.ledger.advance(m.ledger.clock_ms());
    const Snapshot a = m.ledger.snapshot(SnapshotOptions{expiring_shown, 5});
    const Snapshot b = r.ledger.snapshot(SnapshotOptions{expiring_shown, 5});
    REQUIRE(a.available == b.available);
    REQUIRE(a.pending == b.pending);
    REQUIRE(a.reserved == b.reserved);
    REQUIRE(a.balance == b.balance);
    REQUIRE(a.debt == b.debt);
    REQUIRE(a.expiring.size() == b.expiring.size());
    for (std::size_t i = 0; i < a.expiring.size(); ++i) {
        REQUIRE(a.expiring[i].points == b.expiring[i].points);
    }
    REQUIRE(audit(r.ledger) == "");
}

// [SECTION] One step

struct Totals {
    std::size_t by_status[64] = {};
    std::size_t ok_by_kind[std::variant_size_v<Operation>] = {};
    std::size_t replays = 0;
    std::size_t went_negative = 0;
};

void step(Dice& d, Member& m, std::int64_t now, Totals& totals) {
    const std::int64_t balance_before = m.ledger.snapshot().balance;
    if (d.chance(4)) {  // only time passes
        const std::vector<Entry> written = m.ledger.advance(now);
        m.model.advance(now);
        store(m, written);
        require_same_view(m);
        require_conservation(m);
        const std::int64_t balance_after = m.ledger.snapshot().balance;
        REQUIRE_FALSE((balance_after < 0 && balance_after < balance_before));
        return;
    }
    Operation op;
    const bool replay = !m.past.empty() && d.chance(15);
    if (replay) {
        const Operation& original = m.past[d.below(m.past.size())];
        op = d.chance(60) ? original : changed(d, original);
        ++totals.replays;
    } else {
        op = random_operation(d, m, now);
    }
    INFO("operation " << operation_kind_name(op) << " id " << to_hex(operation_id(op))
                      << (replay ? " (replay)" : ""));
    const Result got = m.ledger.apply(op, now);
    const ReferenceLedger::Outcome want = m.model.apply(op, now);
    INFO("ledger: " << status_name(got.status) << " " << got.field
                    << ", model: " << status_name(want.status) << " " << want.field);
    REQUIRE(got.status == want.status);
    REQUIRE(got.field == want.field);
    ++totals.by_status[static_cast<std::size_t>(got.status)];
    if (got.status == Status::ok) ++totals.ok_by_kind[op.index()];

    store(m, got.advanced);
    if (got.status == Status::ok) {
        REQUIRE(got.entries.size() == 1);
        REQUIRE(got.entries[0].id == operation_id(op));
        store(m, got.entries);
        m.stored.emplace(operation_id(op), got.entries[0]);
        if (std::holds_alternative<Reserve>(op)) m.holds.push_back(operation_id(op));
    } else if (got.status == Status::exists) {
        // The original answer, unchanged.
        REQUIRE(replay);
        const auto original = m.stored.find(operation_id(op));
        REQUIRE(original != m.stored.end());
        REQUIRE(got.entries.size() == 1);
        const Entry& a = got.entries[0];
        const Entry& b = original->second;
        REQUIRE(a.id == b.id);
        REQUIRE(a.at_ms == b.at_ms);
        REQUIRE(a.amount == b.amount);
        REQUIRE(a.postings.size() == b.postings.size());
        REQUIRE(a.lots.size() == b.lots.size());
    } else {
        REQUIRE(got.entries.empty());
    }
    if (!replay) m.past.push_back(op);

    require_same_view(m);
    require_conservation(m);
    const std::int64_t balance_after = m.ledger.snapshot().balance;
    if (balance_after < 0 && balance_after < balance_before) {
        // Only a clawback may take a balance below zero, or deeper below it.
        REQUIRE(std::holds_alternative<Clawback>(op));
        REQUIRE(got.status == Status::ok);
        ++totals.went_negative;
    }
    if (got.status == Status::ok &&
        (std::holds_alternative<Redeem>(op) || std::holds_alternative<Reserve>(op))) {
        require_expiry_order(m.ledger, got.entries[0]);
    }
    REQUIRE(audit(m.ledger) == "");
}

std::int64_t next_time(Dice& d, std::int64_t now) {
    switch (d.below(10)) {
        case 0:
            return now;
        case 1:
            return now + 1;
        case 2:
            return now + d.upto(d.chance(50) ? day_ms : 15 * minute_ms);
        default:
            return now + d.upto(15 * minute_ms);
    }
}

}  // namespace

TEST_CASE("ledger sim: random operations on 2 000 members agree with the reference model") {
    const std::uint64_t seed = seed_from_env();
    MESSAGE("ledger sim seed " << seed << " (set KOPILKA_SIM_SEED to rerun another)");
    Dice d(seed);
    std::vector<Member> members(members_count);
    Totals totals;
    std::int64_t now = start_ms;
    std::size_t who = 0;
    for (std::size_t i = 0; i < steps_count; ++i) {
        now = next_time(d, now);
        // A third of the steps go on with the same member, as a session at a till would.
        if (!d.chance(35)) who = d.chance(20) ? d.below(hot_members_count) : d.below(members_count);
        // Now and then the request carries an older clock reading (another server).
        const std::int64_t sent = d.chance(3) ? now - d.upto(5 * minute_ms) : now;
        INFO("seed " << seed << " step " << i << " member " << who << " now " << sent);
        Member& m = members[who];
        step(d, m, sent, totals);
        if (i % restore_every_steps == 0) require_restores(m);
    }

    // Far in the future every hold has run out and every expiring batch has expired.
    now += 400 * day_ms;
    std::int64_t trial = 0;
    for (std::size_t who = 0; who < members.size(); ++who) {
        INFO("seed " << seed << " final, member " << who);
        Member& m = members[who];
        const std::vector<Entry> written = m.ledger.advance(now);
        m.model.advance(now);
        store(m, written);
        require_same_view(m);
        require_conservation(m);
        REQUIRE(audit(m.ledger) == "");
        REQUIRE(m.ledger.snapshot().reserved == 0);
        for (std::size_t a = 0; a < accounts_count; ++a) {
            trial += m.ledger.account_balance(static_cast<Account>(a));
        }
    }
    CHECK(trial == 0);

    // The mix must have reached the interesting places.
    const auto count = [&](Status s) { return totals.by_status[static_cast<std::size_t>(s)]; };
    std::string mix;
    for (std::size_t k = 0; k <= static_cast<std::size_t>(Status::overflow); ++k) {
        if (totals.by_status[k] == 0) continue;
        mix += std::string(status_name(static_cast<Status>(k))) + " " +
               std::to_string(totals.by_status[k]) + ", ";
    }
    MESSAGE("statuses: " << mix << "went below zero " << totals.went_negative << ", commits "
                         << totals.ok_by_kind[3] << ", releases " << totals.ok_by_kind[4]);
    CHECK(count(Status::ok) > steps_count / 4);
    CHECK(count(Status::exists) > 100);
    CHECK(count(Status::conflict) > 100);
    CHECK(count(Status::insufficient) > 100);
    CHECK(count(Status::reservation_committed) + count(Status::reservation_released) > 10);
    CHECK(count(Status::reservation_expired) > 10);
    CHECK(totals.ok_by_kind[Operation(Commit{}).index()] > 20);
    CHECK(totals.ok_by_kind[Operation(Release{}).index()] > 10);
    CHECK(count(Status::expires_not_after_now) > 10);
    CHECK(totals.went_negative > 10);
}
