#include "core/ledger/ledger.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/ledger/audit.hpp"
#include "core/time.hpp"

using namespace kopilka::ledger;

namespace {

using kopilka::day_ms;
constexpr std::int64_t t0 = 1'700'000'000'000;  // some instant in November 2023

EntryId id(std::uint64_t n) {
    return EntryId{0xC0FFEE, n};
}

Earn earn(std::uint64_t n, std::int64_t points, std::int64_t expires_at_ms = 0,
          std::int64_t available_at_ms = 0, std::string receipt = "") {
    Earn op;
    op.id = id(n);
    op.points = points;
    op.expires_at_ms = expires_at_ms;
    op.available_at_ms = available_at_ms;
    op.rule = "base_5pct";
    op.receipt_id = std::move(receipt);
    return op;
}

Redeem redeem(std::uint64_t n, std::int64_t points) {
    Redeem op;
    op.id = id(n);
    op.points = points;
    op.rule = "pay_with_points";
    return op;
}

Reserve reserve(std::uint64_t n, std::int64_t points, std::int64_t hold_until_ms) {
    Reserve op;
    op.id = id(n);
    op.points = points;
    op.hold_until_ms = hold_until_ms;
    op.rule = "reward:coffee";
    return op;
}

Commit commit(std::uint64_t n, std::uint64_t reservation) {
    return Commit{id(n), id(reservation)};
}
Release release(std::uint64_t n, std::uint64_t reservation) {
    return Release{id(n), id(reservation)};
}

Clawback clawback(std::uint64_t n, std::int64_t points, std::string receipt) {
    Clawback op;
    op.id = id(n);
    op.points = points;
    op.receipt_id = std::move(receipt);
    return op;
}

Adjust adjust(std::uint64_t n, std::int64_t delta, std::string note = "goodwill") {
    Adjust op;
    op.id = id(n);
    op.delta = delta;
    op.note = std::move(note);
    return op;
}

// Applies and requires the status; returns the result for further checks.
Result must(Ledger& l, const Operation& op, std::int64_t now_ms, Status want = Status::ok) {
    Result r = l.apply(op, now_ms);
    INFO(operation_kind_name(op) << " answered " << status_name(r.status) << " " << r.field);
    REQUIRE(r.status == want);
    CHECK(audit(l) == "");
    return r;
}

std::int64_t sum_postings(const Entry& e) {
    std::int64_t sum = 0;
    for (const Posting& p : e.postings) sum += p.amount;
    return sum;
}

}  // namespace

TEST_CASE("ledger: entry ids parse from and print as 32 hex digits") {
    const auto parsed = parse_entry_id("0123456789abcdefFEDCBA9876543210");
    REQUIRE(parsed.has_value());
    CHECK(parsed->hi == 0x0123456789abcdefULL);
    CHECK(parsed->lo == 0xfedcba9876543210ULL);
    CHECK(to_hex(*parsed) == "0123456789abcdeffedcba9876543210");
    CHECK_FALSE(parse_entry_id("0123456789abcdef0123456789abcde").has_value());    // 31
    CHECK_FALSE(parse_entry_id("0123456789abcdef0123456789abcdef0").has_value());  // 33
    CHECK_FALSE(parse_entry_id("0123456789abcdeg0123456789abcdef").has_value());
    CHECK_FALSE(parse_entry_id("01234567-89ab-cdef-0123-456789abcd").has_value());
    CHECK(to_hex(EntryId{}) == std::string(32, '0'));
    // Derived ids are stable and depend on both the source and the purpose.
    CHECK(derive_entry_id(id(1), "expire") == derive_entry_id(id(1), "expire"));
    CHECK(derive_entry_id(id(1), "expire") != derive_entry_id(id(2), "expire"));
    CHECK(derive_entry_id(id(1), "expire") != derive_entry_id(id(1), "hold_expired"));
}

TEST_CASE("ledger: earn posts double-entry and shows in the snapshot") {
    Ledger l;
    const Result r = must(l, earn(1, 120, t0 + 30 * day_ms), t0);
    REQUIRE(r.entries.size() == 1);
    const Entry& e = r.entries[0];
    CHECK(e.id == id(1));
    CHECK(e.reason == Reason::earn);
    CHECK(e.at_ms == t0);
    CHECK(sum_postings(e) == 0);
    CHECK(member_delta(e) == 120);
    CHECK(l.account_balance(Account::issued) == -120);

    const Snapshot s = l.snapshot();
    CHECK(s.available == 120);
    CHECK(s.pending == 0);
    CHECK(s.balance == 120);
    CHECK(s.earned_lifetime == 120);
    REQUIRE(s.expiring.size() == 1);
    CHECK(s.expiring[0].points == 120);
    CHECK(s.expiring[0].expires_at_ms == t0 + 30 * day_ms);
    REQUIRE(s.history.size() == 1);
    CHECK(s.history[0].reason == Reason::earn);
    CHECK(s.history[0].balance_delta == 120);
}

TEST_CASE("ledger: pending points are shown but cannot be spent until they post") {
    Ledger l;
    must(l, earn(1, 100, 0, t0 + 14 * day_ms), t0);
    Snapshot s = l.snapshot();
    CHECK(s.pending == 100);
    CHECK(s.available == 0);
    CHECK(s.balance == 100);
    const Result refused = must(l, redeem(2, 1), t0 + day_ms, Status::insufficient);
    CHECK(refused.field == "points");
    CHECK(refused.entries.empty());
    CHECK(l.entries().size() == 1);
    must(l, reserve(3, 1, t0 + 20 * day_ms), t0 + day_ms, Status::insufficient);

    // Posting writes no entry: the clock alone moves the points to available.
    CHECK(l.advance(t0 + 14 * day_ms).empty());
    s = l.snapshot();
    CHECK(s.pending == 0);
    CHECK(s.available == 100);
    must(l, redeem(2, 100), t0 + 14 * day_ms);  // the failed id is free to succeed now
    CHECK(l.snapshot().balance == 0);
}

TEST_CASE("ledger: spending takes the soonest-expiring batch first, never-expiring last") {
    Ledger l;
    must(l, earn(1, 10, t0 + 300), t0);
    must(l, earn(2, 10, 0), t0);  // never expires
    must(l, earn(3, 10, t0 + 200), t0);
    must(l, earn(4, 10, t0 + 200), t0);  // same expiry as 3, created later
    const Result r = must(l, redeem(5, 35), t0 + 1);
    const std::vector<LotMove>& lots = r.entries[0].lots;
    REQUIRE(lots.size() == 4);
    CHECK(lots[0].batch == id(3));
    CHECK(lots[1].batch == id(4));
    CHECK(lots[2].batch == id(1));
    CHECK(lots[3].batch == id(2));
    CHECK(lots[3].free == -5);
    const Snapshot s = l.snapshot();
    CHECK(s.available == 5);
    CHECK(s.expiring.empty());  // only the never-expiring batch is left
    CHECK(s.redeemed_lifetime == 35);
}

TEST_CASE("ledger: an expired batch's remainder leaves through an expire entry") {
    Ledger l;
    must(l, earn(1, 50, t0 + 100), t0);
    must(l, earn(2, 30, t0 + 200), t0);
    must(l, redeem(3, 20), t0 + 10);  // from batch 1: 30 left in it
    const std::vector<Entry> written = l.advance(t0 + 150);
    REQUIRE(written.size() == 1);
    const Entry& e = written[0];
    CHECK(e.reason == Reason::expire);
    CHECK(e.automatic);
    CHECK(e.id == derive_entry_id(id(1), "expire"));
    CHECK(e.at_ms == t0 + 100);  // dated when it happened, not when noticed
    CHECK(e.amount == 30);
    CHECK(member_delta(e) == -30);
    CHECK(audit(l) == "");
    Snapshot s = l.snapshot();
    CHECK(s.balance == 30);
    CHECK(s.expired_lifetime == 30);
    REQUIRE(s.expiring.size() == 1);
    CHECK(s.expiring[0].expires_at_ms == t0 + 200);

    // apply() advances first and reports what the advance wrote.
    const Result r = must(l, earn(4, 5), t0 + 500);
    REQUIRE(r.advanced.size() == 1);
    CHECK(r.advanced[0].id == derive_entry_id(id(2), "expire"));
    CHECK(l.snapshot().balance == 5);
    CHECK(l.snapshot().expired_lifetime == 60);
}

TEST_CASE("ledger: an expiry at the very instant of an operation comes first") {
    Ledger l;
    must(l, earn(1, 50, t0 + 100), t0);
    must(l, redeem(2, 1), t0 + 100, Status::insufficient);
    CHECK(l.snapshot().expired_lifetime == 50);
    must(l, earn(3, 10, t0 + 100), t0 + 100, Status::expires_not_after_now);
}

TEST_CASE("ledger: a reservation holds points until committed") {
    Ledger l;
    must(l, earn(1, 100, t0 + 30 * day_ms), t0);
    const Result held = must(l, reserve(2, 40, t0 + day_ms), t0);
    CHECK(held.entries[0].reason == Reason::reserve);
    Snapshot s = l.snapshot();
    CHECK(s.available == 60);
    CHECK(s.reserved == 40);
    CHECK(s.balance == 60);  // reserved points have left the balance
    must(l, redeem(3, 61), t0, Status::insufficient);

    const Result posted = must(l, commit(4, 2), t0 + 1000);
    const Entry& e = posted.entries[0];
    CHECK(e.reason == Reason::redeem);
    CHECK(e.reservation == id(2));
    CHECK(e.rule == "reward:coffee");
    CHECK(member_delta(e) == 0);
    s = l.snapshot();
    CHECK(s.reserved == 0);
    CHECK(s.redeemed_lifetime == 40);
    CHECK(s.balance == 60);

    CHECK(must(l, commit(5, 2), t0 + 2000, Status::reservation_committed).field == "reservation");
    must(l, release(6, 2), t0 + 2000, Status::reservation_committed);
    must(l, commit(7, 99), t0 + 2000, Status::reservation_not_found);
    must(l, commit(8, 1), t0 + 2000, Status::reservation_not_found);  // an earn, not a hold
    CHECK(status_retry_may_help(Status::reservation_not_found));
    CHECK_FALSE(status_retry_may_help(Status::reservation_committed));
}

TEST_CASE("ledger: a release gives the points back to the batches they came from") {
    Ledger l;
    must(l, earn(1, 30, t0 + 100 * day_ms), t0);
    must(l, earn(2, 30, t0 + 50 * day_ms), t0);
    const Snapshot before = l.snapshot();
    const Result held = must(l, reserve(3, 45, t0 + day_ms), t0);
    REQUIRE(held.entries[0].lots.size() == 2);
    CHECK(held.entries[0].lots[0].batch == id(2));  // soonest expiry first
    CHECK(l.snapshot().expiring.size() == 1);       // batch 2 is all held
    const Result back = must(l, release(4, 3), t0 + 1000);
    CHECK(member_delta(back.entries[0]) == 45);
    const Snapshot after = l.snapshot();
    CHECK(after.available == before.available);
    CHECK(after.reserved == 0);
    REQUIRE(after.expiring.size() == 2);
    CHECK(after.expiring[0].points == 30);
    CHECK(after.expiring[1].points == 30);
    must(l, commit(5, 3), t0 + 2000, Status::reservation_released);
}

TEST_CASE("ledger: a hold that runs out voids the reservation") {
    Ledger l;
    must(l, earn(1, 100), t0);
    must(l, reserve(2, 70, t0 + 600'000), t0);
    must(l, reserve(3, 10, t0), t0, Status::hold_not_after_now);
    const std::vector<Entry> written = l.advance(t0 + 600'000);
    REQUIRE(written.size() == 1);
    CHECK(written[0].reason == Reason::release);
    CHECK(written[0].automatic);
    CHECK(written[0].id == derive_entry_id(id(2), "hold_expired"));
    CHECK(written[0].at_ms == t0 + 600'000);
    CHECK(audit(l) == "");
    CHECK(l.snapshot().available == 100);
    CHECK(l.reservations()[0].state == ReservationState::expired);
    must(l, commit(4, 2), t0 + 700'000, Status::reservation_expired);
    must(l, release(5, 2), t0 + 700'000, Status::reservation_expired);
}

TEST_CASE("ledger: held points of a batch that expired meanwhile expire on release") {
    Ledger l;
    must(l, earn(1, 40, t0 + 1000), t0);  // expires first, so the hold takes it first
    must(l, earn(2, 40), t0);
    must(l, reserve(3, 60, t0 + 5000), t0);  // 40 from batch 1, 20 from batch 2
    const std::vector<Entry> expired = l.advance(t0 + 2000);
    CHECK(expired.empty());  // batch 1 had no free points left: nothing to expire
    CHECK(l.snapshot().reserved == 60);

    const Result r = must(l, release(4, 3), t0 + 3000);
    const Entry& e = r.entries[0];
    CHECK(member_delta(e) == 20);
    CHECK(l.account_balance(Account::expired) == 40);
    const Snapshot s = l.snapshot();
    CHECK(s.available == 40);
    CHECK(s.expired_lifetime == 40);
    CHECK(s.reserved == 0);
}

TEST_CASE("ledger: a commit honours held points even when their batch expired") {
    Ledger l;
    must(l, earn(1, 40, t0 + 1000), t0);
    must(l, reserve(2, 40, t0 + 5000), t0);
    l.advance(t0 + 2000);
    must(l, commit(3, 2), t0 + 3000);
    const Snapshot s = l.snapshot();
    CHECK(s.redeemed_lifetime == 40);
    CHECK(s.expired_lifetime == 0);
}

TEST_CASE("ledger: at the same instant a hold runs out before a batch expires") {
    Ledger l;
    must(l, earn(1, 50, t0 + 1000), t0);
    must(l, reserve(2, 20, t0 + 1000), t0);
    const std::vector<Entry> written = l.advance(t0 + 1000);
    REQUIRE(written.size() == 2);
    CHECK(written[0].reason == Reason::release);
    CHECK(member_delta(written[0]) == 0);  // its batch expires at this instant: gone
    CHECK(written[1].reason == Reason::expire);
    CHECK(written[1].amount == 30);
    CHECK(l.snapshot().expired_lifetime == 50);
    CHECK(audit(l) == "");
}

TEST_CASE("ledger: clawback takes the receipt's own points first, then others, then debt") {
    Ledger l;
    must(l, earn(1, 100, t0 + 10 * day_ms), t0);           // other, available
    must(l, earn(2, 30, 0, t0 + 14 * day_ms, "R-7"), t0);  // own, pending
    must(l, earn(3, 25, 0, t0 + 14 * day_ms), t0);         // other, pending
    const Result r = must(l, clawback(4, 50, "R-7"), t0 + day_ms);
    const std::vector<LotMove>& lots = r.entries[0].lots;
    REQUIRE(lots.size() == 2);
    CHECK(lots[0].batch == id(2));
    CHECK(lots[0].free == -30);
    CHECK(lots[1].batch == id(1));
    CHECK(lots[1].free == -20);

    // Nothing left to take beyond 80 + 25: the rest becomes debt.
    must(l, clawback(5, 120, "R-8"), t0 + day_ms);
    Snapshot s = l.snapshot();
    CHECK(s.available == 0);
    CHECK(s.pending == 0);
    CHECK(s.balance == -15);
    CHECK(s.debt == 15);
    must(l, redeem(6, 1), t0 + day_ms, Status::insufficient);
    must(l, adjust(7, -1), t0 + day_ms, Status::insufficient);

    // The next earning pays the debt off first.
    const Result paid = must(l, earn(8, 40, 0, t0 + 20 * day_ms), t0 + 2 * day_ms);
    CHECK(paid.entries[0].lots[0].free == 25);
    s = l.snapshot();
    CHECK(s.debt == 0);
    CHECK(s.pending == 25);
    CHECK(s.balance == 25);
}

TEST_CASE("ledger: points released while in debt pay the debt first") {
    Ledger l;
    must(l, earn(1, 50), t0);
    must(l, reserve(2, 50, t0 + day_ms), t0);
    must(l, clawback(3, 20, "R-1"), t0);
    CHECK(l.snapshot().debt == 20);
    must(l, release(4, 2), t0 + 1);
    const Snapshot s = l.snapshot();
    CHECK(s.debt == 0);
    CHECK(s.available == 30);
    CHECK(s.balance == 30);
}

TEST_CASE("ledger: refund and adjust") {
    Ledger l;
    Refund refund;
    refund.id = id(1);
    refund.points = 70;
    refund.expires_at_ms = t0 + 90 * day_ms;
    refund.receipt_id = "R-3";
    const Result r = must(l, refund, t0);
    CHECK(r.entries[0].reason == Reason::refund);
    CHECK(l.account_balance(Account::refunded) == -70);
    CHECK(l.snapshot().available == 70);
    CHECK(l.snapshot().earned_lifetime == 0);  // a refund is not new earning
    refund.id = id(2);
    refund.receipt_id.clear();
    CHECK(must(l, refund, t0, Status::receipt_missing).field == "receipt_id");

    Adjust plus = adjust(3, 25, "compensation for a broken coupon");
    plus.expires_at_ms = t0 + 10 * day_ms;
    must(l, plus, t0);
    CHECK(l.snapshot().available == 95);
    CHECK(l.snapshot().expiring[0].expires_at_ms == t0 + 10 * day_ms);
    must(l, adjust(4, -96), t0, Status::insufficient);
    must(l, adjust(5, -95), t0);
    CHECK(l.snapshot().balance == 0);
    CHECK(l.account_balance(Account::adjustments) == 70);

    Adjust wrong = adjust(6, -5);
    wrong.expires_at_ms = t0 + day_ms;
    must(l, wrong, t0, Status::expiry_without_batch);
    must(l, adjust(7, 5, ""), t0, Status::note_missing);
    must(l, adjust(8, 0), t0, Status::delta_zero);
    must(l, adjust(9, -points_max - 1), t0, Status::delta_too_large);
}

TEST_CASE("ledger: a negative adjust takes available points first, then pending") {
    Ledger l;
    must(l, earn(1, 10, 0, t0 + day_ms), t0);
    must(l, earn(2, 10), t0);
    const Result r = must(l, adjust(3, -15), t0);
    REQUIRE(r.entries[0].lots.size() == 2);
    CHECK(r.entries[0].lots[0].batch == id(2));
    CHECK(r.entries[0].lots[1].batch == id(1));
    CHECK(l.snapshot().pending == 5);
}

TEST_CASE("ledger: replays answer exists, changed content answers conflict naming the field") {
    Ledger l;
    const Result first = must(l, earn(1, 100, t0 + day_ms, 0, "R-1"), t0);
    const Result again =
        must(l, earn(1, 100, t0 + day_ms, 0, "R-1"), t0 + day_ms + 5, Status::exists);
    REQUIRE(again.entries.size() == 1);
    CHECK(again.entries[0].id == first.entries[0].id);
    CHECK(again.entries[0].at_ms == t0);
    CHECK(again.advanced.size() == 1);  // the batch expired meanwhile; the replay still exists
    CHECK(l.entries().size() == 2);

    CHECK(must(l, earn(1, 101, t0 + day_ms, 0, "R-1"), t0, Status::conflict).field == "points");
    CHECK(must(l, earn(1, 100, t0 + day_ms, 0, "R-2"), t0, Status::conflict).field == "receipt_id");
    Earn bonus = earn(1, 100, t0 + day_ms, 0, "R-1");
    bonus.reason = Reason::bonus;
    CHECK(must(l, bonus, t0, Status::conflict).field == "reason");
    bonus.rule = "welcome";
    CHECK(must(l, bonus, t0, Status::conflict).field == "reason");  // the first that differs
    CHECK(must(l, redeem(1, 100), t0, Status::conflict).field == "kind");
    CHECK(l.entries().size() == 2);

    // Validation comes before the id: an invalid operation is invalid whatever its id.
    must(l, earn(1, 0), t0, Status::points_not_positive);
    // A failed operation wrote nothing, so its id may succeed later.
    must(l, redeem(2, 10), t0 + 2 * day_ms, Status::insufficient);
    must(l, earn(3, 10), t0 + 2 * day_ms);
    must(l, redeem(2, 10), t0 + 2 * day_ms);
    CHECK(must(l, redeem(2, 10), t0 + 2 * day_ms, Status::exists).entries.size() == 1);

    // Reservations: a replayed commit exists, a commit under the reserve's id conflicts.
    must(l, earn(4, 10), t0 + 2 * day_ms);
    must(l, reserve(5, 10, t0 + 3 * day_ms), t0 + 2 * day_ms);
    must(l, commit(6, 5), t0 + 2 * day_ms);
    must(l, commit(6, 5), t0 + 2 * day_ms, Status::exists);
    CHECK(must(l, commit(6, 4), t0 + 2 * day_ms, Status::conflict).field == "reservation");
    CHECK(must(l, commit(5, 5), t0 + 2 * day_ms, Status::conflict).field == "kind");
}

TEST_CASE("ledger: checks of an operation run in the order of the status enum") {
    Ledger l;
    Earn bad = earn(0, 0);
    bad.id = EntryId{};
    bad.reason = Reason::redeem;
    bad.rule = std::string(text_bytes_max + 1, 'x');
    std::string field;
    CHECK(validate(bad, &field) == Status::id_zero);
    bad.id = id(1);
    CHECK(validate(bad, &field) == Status::points_not_positive);
    bad.points = points_max + 1;
    CHECK(validate(bad, &field) == Status::points_too_large);
    bad.points = points_max;
    CHECK(validate(bad, &field) == Status::reason_invalid);
    bad.reason = Reason::bonus;
    bad.available_at_ms = -1;
    CHECK(validate(bad, &field) == Status::time_negative);
    CHECK(field == "available_at_ms");
    bad.available_at_ms = t0 + 10;
    bad.expires_at_ms = t0 + 10;
    CHECK(validate(bad, &field) == Status::expires_not_after_available);
    bad.expires_at_ms = t0 + 11;
    CHECK(validate(bad, &field) == Status::text_too_long);
    CHECK(field == "rule");
    bad.rule = "birthday";
    CHECK(validate(bad, &field) == Status::ok);
    CHECK(field.empty());
    must(l, bad, t0);  // points_max in one operation is allowed

    CHECK(validate(Commit{id(2), EntryId{}}, &field) == Status::reservation_zero);
    CHECK(validate(clawback(3, 5, ""), &field) == Status::receipt_missing);
    CHECK(status_succeeded(Status::exists));
    CHECK_FALSE(status_succeeded(Status::conflict));
    CHECK(status_retry_may_help(Status::insufficient));
    CHECK_FALSE(status_retry_may_help(Status::conflict));
    CHECK(status_name(Status::expires_not_after_available) == "expires_not_after_available");
}

TEST_CASE("ledger: limits answer their own status") {
    SUBCASE("open reservations") {
        Ledger l;
        must(l, earn(1, 1000), t0);
        for (std::uint64_t i = 0; i < reservations_open_max; ++i) {
            REQUIRE(l.apply(reserve(100 + i, 1, t0 + day_ms), t0).status == Status::ok);
        }
        must(l, reserve(99, 1, t0 + day_ms), t0, Status::reservations_full);
        CHECK(status_retry_may_help(Status::reservations_full));
        must(l, release(98, 100), t0);
        must(l, reserve(99, 1, t0 + day_ms), t0);
    }
    SUBCASE("open batches") {
        Ledger l;
        for (std::uint64_t i = 0; i < batches_open_max; ++i) {
            REQUIRE(l.apply(earn(100 + i, 1), t0).status == Status::ok);
        }
        must(l, earn(1, 1), t0, Status::batches_full);
        must(l, redeem(2, 1), t0);  // empties a batch
        must(l, earn(1, 1), t0);
    }
    SUBCASE("operations") {
        Ledger l;
        for (std::uint64_t i = 0; i < operations_max; i += 2) {
            REQUIRE(l.apply(earn(100 + i, 1), t0).status == Status::ok);
            REQUIRE(l.apply(redeem(101 + i, 1), t0).status == Status::ok);
        }
        must(l, earn(1, 1), t0, Status::operations_full);
        CHECK_FALSE(status_retry_may_help(Status::operations_full));
    }
}

TEST_CASE("ledger: time never runs backwards in a ledger") {
    Ledger l;
    must(l, earn(1, 10), t0);
    const Result r = must(l, earn(2, 10), t0 - 5000);  // a server with a slower clock
    CHECK(r.entries[0].at_ms == t0);
    CHECK(l.clock_ms() == t0);
}

TEST_CASE("ledger: the snapshot lists the next expiries and recent history") {
    Ledger l;
    must(l, earn(1, 10, t0 + 5000), t0);
    must(l, earn(2, 20, t0 + 3000, t0 + 1000), t0);
    must(l, earn(3, 30, t0 + 4000), t0);
    must(l, earn(4, 40, t0 + 9000), t0);
    SnapshotOptions options;
    options.expiring_max = 2;
    options.history_max = 3;
    const Snapshot s = l.snapshot(options);
    REQUIRE(s.expiring.size() == 2);
    CHECK(s.expiring[0].points == 20);
    CHECK(s.expiring[0].pending);
    CHECK(s.expiring[1].points == 30);
    REQUIRE(s.history.size() == 3);
    CHECK(s.history[0].id == id(4));  // newest first
    CHECK(s.history[2].id == id(2));
}

TEST_CASE("ledger: restore rebuilds the same ledger from its entries and rejects bad ones") {
    Ledger l;
    must(l, earn(1, 100, t0 + 1000), t0);
    must(l, earn(2, 50, 0, t0 + 500, "R-1"), t0);
    must(l, reserve(3, 60, t0 + 2000), t0 + 600);
    must(l, clawback(4, 80, "R-1"), t0 + 700);
    l.advance(t0 + 3000);

    Restored r = restore(l.entries());
    REQUIRE(r.status == EntryStatus::ok);
    CHECK(audit(r.ledger) == "");
    r.ledger.advance(l.clock_ms());
    const Snapshot a = l.snapshot();
    const Snapshot b = r.ledger.snapshot();
    CHECK(a.balance == b.balance);
    CHECK(a.available == b.available);
    CHECK(a.debt == b.debt);
    CHECK(a.expired_lifetime == b.expired_lifetime);
    // It answers replays as the original did.
    CHECK(r.ledger.apply(clawback(4, 80, "R-1"), t0 + 4000).status == Status::exists);

    std::vector<Entry> tampered = l.entries();
    tampered[1].postings[0].amount += 1;
    Restored bad = restore(tampered);
    CHECK(bad.status == EntryStatus::postings_unbalanced);
    CHECK(bad.bad_entry == 1);

    tampered = l.entries();
    std::swap(tampered[2], tampered[3]);
    CHECK(restore(tampered).status != EntryStatus::ok);

    tampered = l.entries();
    tampered[2].lots[0].held -= 1;  // reserve: held moves apart from the reserved account
    CHECK(restore(tampered).status == EntryStatus::reservation_mismatch);
}
