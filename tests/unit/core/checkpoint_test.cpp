// Checkpoints: a ledger resumed from its checkpoint and the entries after it answers every
// operation as the ledger that never stopped, writes the same entries and shows the same
// snapshot, including expiries and holds that fall due between the checkpoint and the next
// request, reservations held across it, and debt. The checkpoint also survives its codec.
#include "core/ledger/checkpoint.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "codec/ledger_json.hpp"
#include "core/ledger/audit.hpp"
#include "core/ledger/ledger.hpp"
#include "core/spins/rng.hpp"

using namespace kopilka::ledger;

namespace {

constexpr std::int64_t minute_ms = 60'000;
constexpr std::int64_t day_ms = 24 * 60 * minute_ms;
constexpr std::int64_t start_ms = 1'700'000'000'000;

class Dice {
  public:
    explicit Dice(std::uint64_t seed) : state_(seed) {}
    std::uint64_t below(std::uint64_t n) { return kopilka::spins::splitmix64_next(&state_) % n; }
    std::int64_t upto(std::int64_t n) { return static_cast<std::int64_t>(below(n + 1)); }
    bool chance(std::uint64_t percent) { return below(100) < percent; }

  private:
    std::uint64_t state_;
};

// An operation biased to the edges: expiries and holds a few minutes away, clawbacks larger
// than the balance (debt), settles of reservations old and new.
Operation random_operation(Dice& d, std::uint64_t n, std::int64_t now_ms,
                           const std::vector<EntryId>& reserved) {
    const EntryId id{0xC4EC, n};
    const std::string receipt = "r" + std::to_string(d.below(6));
    const std::int64_t soon = now_ms + 1 + d.upto(3 * day_ms);
    switch (d.below(9)) {
        case 0:
        case 1: {
            Earn op{id,     1 + d.upto(500), 0, 0, d.chance(20) ? Reason::bonus : Reason::earn,
                    "base", receipt};
            if (d.chance(30)) op.available_at_ms = now_ms + d.upto(day_ms);
            if (d.chance(60))
                op.expires_at_ms = std::max(op.available_at_ms, now_ms) + 1 + d.upto(2 * day_ms);
            return op;
        }
        case 2:
            return Redeem{id, 1 + d.upto(300), "pay", receipt};
        case 3:
            return Reserve{id, 1 + d.upto(200), soon, "reward:coffee"};
        case 4:
        case 5: {
            if (reserved.empty()) return Redeem{id, 1 + d.upto(50), "pay", ""};
            const EntryId r =
                reserved[reserved.size() - 1 - d.below(std::min<std::size_t>(reserved.size(), 4))];
            if (d.chance(50)) return Commit{id, r};
            return Release{id, r};
        }
        case 6:
            return Clawback{id, 1 + d.upto(800), "return", receipt};
        case 7:
            return Refund{id, 1 + d.upto(100), d.chance(50) ? soon : 0, "refund", receipt};
        default: {
            Adjust op{id, d.chance(50) ? 1 + d.upto(100) : -(1 + d.upto(100)), 0, "staff", "fix"};
            if (op.delta > 0 && d.chance(50)) op.expires_at_ms = soon;
            return op;
        }
    }
}

std::string dump(const std::vector<Entry>& entries) {
    std::string out;
    for (const Entry& e : entries) out += kopilka::codec::encode_entry(e).dump() + "\n";
    return out;
}

std::string dump(const Snapshot& s) {
    std::string out = std::to_string(s.as_of_ms) + " " + std::to_string(s.available) + " " +
                      std::to_string(s.pending) + " " + std::to_string(s.reserved) + " " +
                      std::to_string(s.balance) + " " + std::to_string(s.debt) + " " +
                      std::to_string(s.earned_lifetime) + " " +
                      std::to_string(s.redeemed_lifetime) + " " +
                      std::to_string(s.expired_lifetime) + "\n";
    for (const ExpiringPoints& x : s.expiring) {
        out += std::to_string(x.points) + "@" + std::to_string(x.expires_at_ms) +
               (x.pending ? "p " : " ");
    }
    for (const HistoryLine& h : s.history) {
        out += "\n" + to_hex(h.id) + " " + std::string(reason_name(h.reason)) + " " +
               std::to_string(h.automatic) + " " + h.rule + " " + std::to_string(h.at_ms) + " " +
               std::to_string(h.points) + " " + std::to_string(h.balance_delta);
    }
    return out;
}

// The checkpoint as the server stores it (checkpoint_text, which must write what the DOM would)
// and reads it back.
Checkpoint through_codec(const Checkpoint& c) {
    const std::string text = kopilka::codec::checkpoint_text(c);
    REQUIRE(text == kopilka::codec::encode_checkpoint(c).dump());
    const auto decoded = kopilka::codec::checkpoint_from_text(text);
    const auto through_dom = kopilka::codec::decode_checkpoint(kopilka::codec::Json::parse(text));
    REQUIRE(through_dom.ok());
    REQUIRE(kopilka::codec::checkpoint_text(*through_dom.value) == text);
    REQUIRE_MESSAGE(decoded.ok(), decoded.error.message);
    REQUIRE(kopilka::codec::checkpoint_text(*decoded.value) == text);
    return *decoded.value;
}

Ledger resumed(const Checkpoint& c, const std::vector<Entry>& after) {
    Restored r = resume(through_codec(c), after);
    REQUIRE_MESSAGE(r.status == EntryStatus::ok, entry_status_name(r.status));
    return std::move(r.ledger);
}

// Settling a reservation forgotten by the checkpoint (settled, its hold over) is the one
// answer allowed to differ.
bool forgotten_settle(const Result& straight, const Result& resumed) {
    return resumed.status == Status::reservation_not_found &&
           (straight.status == Status::reservation_committed ||
            straight.status == Status::reservation_released ||
            straight.status == Status::reservation_expired);
}

void run_sequence(std::uint64_t seed, std::size_t steps) {
    Dice d(seed);
    Ledger straight;         // never stops
    Ledger chain;            // resumed from its own checkpoint before every step, as the server
    std::vector<Entry> all;  // what straight wrote, for resumes from older checkpoints
    std::vector<Checkpoint> taken;
    std::vector<EntryId> reserved;
    std::int64_t now_ms = start_ms;
    for (std::size_t step = 0; step < steps; ++step) {
        INFO("seed " << seed << " step " << step);
        now_ms += d.chance(30) ? d.upto(2 * day_ms) : d.upto(10 * minute_ms);
        const Checkpoint before = chain.checkpoint();
        chain = resumed(before, {});
        const std::size_t stored = chain.entries().size();
        const Operation op = random_operation(d, step + 1, now_ms, reserved);
        const Result a = straight.apply(op, now_ms);
        const Result b = chain.apply(op, now_ms);
        if (std::holds_alternative<Reserve>(op) && a.status == Status::ok) {
            reserved.push_back(operation_id(op));
        }
        CHECK(dump(a.advanced) == dump(b.advanced));
        if (!forgotten_settle(a, b)) {
            CHECK(status_name(a.status) == status_name(b.status));
            CHECK(a.field == b.field);
            CHECK(dump(a.entries) == dump(b.entries));
        }
        CHECK(stored == 0);
        CHECK(chain.entries_count() == straight.entries_count());
        CHECK(dump(chain.snapshot()) == dump(straight.snapshot()));
        CHECK(audit(chain) == "");
        CHECK(audit(straight) == "");
        const auto differences = checkpoint_differences(chain.checkpoint(), straight.checkpoint());
        CHECK_MESSAGE(differences.empty(), differences.front());
        all.insert(all.end(), a.advanced.begin(), a.advanced.end());
        all.insert(all.end(), a.entries.begin(), a.entries.end());
        if (a.status != Status::ok) all.resize(all.size() - a.entries.size());
        taken.push_back(straight.checkpoint());
    }
    // Any old checkpoint with the entries written after it gives today's ledger.
    for (std::size_t k = 0; k < taken.size(); k += 7) {
        const Checkpoint& c = taken[k];
        Ledger l = resumed(c, std::vector<Entry>(all.begin() + c.entries, all.end()));
        CHECK(l.advance(straight.clock_ms()).empty());  // straight wrote what fell due
        CHECK(dump(l.snapshot()) == dump(straight.snapshot()));
        CHECK(audit(l) == "");
        CHECK(checkpoint_differences(l.checkpoint(), straight.checkpoint()).empty());
    }
}

// The snapshot a server stores beside the checkpoint, through its codec, with its window from
// the ledger's clock to next_change_ms(): a ledger resumed from the checkpoint shows the same
// (as_of aside) at the window's first and last instant and at random ones inside it, and
// writes nothing when advanced there. Returns how many windows ended (not INT64_MAX).
std::size_t check_windows(std::uint64_t seed, std::size_t steps) {
    Dice d(seed);
    Ledger l;
    std::vector<EntryId> reserved;
    std::int64_t now_ms = start_ms;
    std::size_t bounded = 0;
    for (std::size_t step = 0; step < steps; ++step) {
        INFO("seed " << seed << " step " << step);
        now_ms += d.chance(30) ? d.upto(2 * day_ms) : d.upto(10 * minute_ms);
        const Operation op = random_operation(d, step + 1, now_ms, reserved);
        if (l.apply(op, now_ms).status == Status::ok && std::holds_alternative<Reserve>(op))
            reserved.push_back(operation_id(op));
        const std::int64_t from = l.clock_ms(), until = l.next_change_ms();
        REQUIRE(until > from);
        // As the server stores it and reads it back, straight from the text: the same as
        // through the DOM.
        const std::string text = kopilka::codec::encode_points(l.snapshot()).dump();
        const auto stored = kopilka::codec::points_from_text(text);
        REQUIRE_MESSAGE(stored.ok(), stored.error.message);
        const auto through_dom = kopilka::codec::decode_points(kopilka::codec::Json::parse(text));
        REQUIRE(through_dom.ok());
        REQUIRE(dump(*stored.value) == dump(*through_dom.value));
        bounded += until != INT64_MAX;
        const std::int64_t last = until == INT64_MAX ? from + 5 * day_ms : until - 1;
        for (const std::int64_t at : {from, last, from + d.upto(last - from)}) {
            Ledger r = resumed(l.checkpoint(), {});
            CHECK(r.advance(at).empty());
            Snapshot shown = *stored.value;
            shown.as_of_ms = at;
            CHECK(dump(r.snapshot()) == dump(shown));
        }
    }
    return bounded;
}

}  // namespace

TEST_CASE("checkpoint: resuming before every operation changes no answer, entry or snapshot") {
    for (std::uint64_t seed = 1; seed <= 40; ++seed) run_sequence(seed, 150);
}

TEST_CASE("checkpoint: the snapshot holds, as_of aside, until the ledger's next change") {
    std::size_t bounded = 0;
    for (std::uint64_t seed = 1; seed <= 40; ++seed) bounded += check_windows(seed, 150);
    CHECK(bounded > 40 * 150 / 4);  // many windows end: the check covers their ends
}

TEST_CASE("checkpoint: expiry and a hold that fall due after the checkpoint apply on read") {
    Ledger l;
    const std::int64_t t = start_ms;
    REQUIRE(l.apply(Earn{EntryId{1, 1}, 100, 0, t + day_ms, Reason::earn, "base", ""}, t).status ==
            Status::ok);
    REQUIRE(l.apply(Earn{EntryId{1, 2}, 50, 0, 0, Reason::earn, "base", ""}, t).status ==
            Status::ok);
    REQUIRE(l.apply(Reserve{EntryId{1, 3}, 120, t + 2 * day_ms, "reward"}, t).status == Status::ok);
    const Checkpoint c = l.checkpoint();
    CHECK(c.reservations.size() == 1);
    CHECK(c.batches.size() == 2);
    Ledger r = resumed(c, {});
    const auto written = r.advance(t + 3 * day_ms);
    const auto straight = l.advance(t + 3 * day_ms);
    // The first batch expired while fully held (no entry); when the hold ran out its part
    // expired in the release and the other batch's 20 came back.
    REQUIRE(written.size() == 1);
    CHECK(written[0].reason == Reason::release);
    CHECK(dump(written) == dump(straight));
    CHECK(r.snapshot().available == 50);
    CHECK(r.snapshot().expired_lifetime == 100);
    CHECK(audit(r) == "");
}

TEST_CASE("checkpoint: debt carries over and the next earning pays it off") {
    Ledger l;
    const std::int64_t t = start_ms;
    REQUIRE(l.apply(Earn{EntryId{2, 1}, 40, 0, 0, Reason::earn, "base", "a"}, t).status ==
            Status::ok);
    REQUIRE(l.apply(Clawback{EntryId{2, 2}, 100, "return", "a"}, t).status == Status::ok);
    Ledger r = resumed(l.checkpoint(), {});
    CHECK(r.debt() == 60);
    const Result earned = r.apply(Earn{EntryId{2, 3}, 70, 0, 0, Reason::earn, "base", ""}, t);
    REQUIRE(earned.status == Status::ok);
    CHECK(earned.entries[0].lots[0].free == 10);
    CHECK(r.snapshot().balance == 10);
}

TEST_CASE("checkpoint: one that does not hold together is refused, and differences are named") {
    Ledger l;
    REQUIRE(l.apply(Earn{EntryId{3, 1}, 40, 0, 0, Reason::earn, "base", ""}, start_ms).status ==
            Status::ok);
    Checkpoint c = l.checkpoint();
    Checkpoint bad = c;
    bad.batches[0].free = 41;  // more free points than the member's balance: debt below zero
    CHECK(resume(bad, {}).status == EntryStatus::batch_invalid);
    const auto named = checkpoint_differences(bad, c);
    REQUIRE(named.size() == 1);
    CHECK(named[0].find("batches[") == 0);
    CHECK(named[0].find("].free: stored 41, recomputed 40") != std::string::npos);
    bad = c;
    bad.batches.push_back(c.batches[0]);
    CHECK(resume(bad, {}).status == EntryStatus::batch_invalid);
    bad = c;
    bad.balances[0] = 39;
    CHECK(checkpoint_differences(bad, c).at(0) == "balances.member: stored 39, recomputed 40");
}
