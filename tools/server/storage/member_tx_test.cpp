// A member's transaction through the Store interface, on SQLite and (with KOPILKA_TEST_PG_URL,
// tools/test.sh) on PostgreSQL, where its statements go in pipelines: what a write names ahead
// (MemberReads) answers as a read would, a write in the transaction makes a later read see it,
// and a write whose key another transaction holds fails at the commit, leaves nothing behind,
// and leaves the connection usable; member_write then decides again.
#include <doctest/doctest.h>

#include <string>

#include "api/member_write.hpp"
#include "storage/store.hpp"
#include "storage/test_store.hpp"

namespace kopilka::server {
namespace {

using test::databases;
using test::kNow;
using test::spend_of;
using test::TempStore;

ReceiptRecord receipt(const std::string& id, const std::string& member, std::int64_t paid) {
    return {id, member, "op-" + id, kNow, paid, paid / 100, "{}", "{}", "[]"};
}

// A receipt of 5.00 the member holds, committed.
void store_receipt(Store& s, const std::string& member, const std::string& id) {
    REQUIRE(s.with_member("m", member, [&](MemberTx& tx) {
        tx.add_receipt(receipt(id, member, 500));
        return true;
    }));
}

TEST_CASE("member transaction: what a write names ahead reads as it would when asked") {
    for (const bool postgres : databases()) {
        CAPTURE(postgres);
        TempStore t(postgres);
        REQUIRE(t.store->with_member("m", "anna", [&](MemberTx& tx) {
            tx.add_receipt(receipt("B-1", "anna", 25000));
            MemberCounters c;
            c.spend_total = 25000;
            tx.save_counters(c);
            tx.save_operation({"op-B-1", "receipt", "anna", "{\"a\":1}", 201, "{\"b\":2}", kNow});
            return true;
        }));
        MemberReads reads;
        reads.operation = "op-B-1";
        reads.checkpoint = true;
        reads.tier_since = kNow - 1000;
        reads.receipt = "B-1";
        reads.referral = true;
        bool ran = false;
        t.store->with_member("m", "anna", reads, [&](MemberTx& tx) {
            ran = true;
            const auto op = tx.operation("op-B-1");
            REQUIRE(op);
            CHECK(op->response == "{\"b\":2}");
            CHECK(!tx.checkpoint());  // none saved yet
            CHECK(tx.counters().spend_total == 25000);
            CHECK(tx.tier_qualifying_since(kNow - 1000) == 250);
            const auto r = tx.receipt("B-1");
            REQUIRE(r);
            CHECK(r->member_id == "anna");
            CHECK(r->paid == 25000);
            CHECK(!tx.referral());
            CHECK(!tx.receipt("B-2"));  // not named ahead: read when asked
            return false;
        });
        CHECK(ran);
    }
}

TEST_CASE("member transaction: a read named ahead sees the transaction's own writes before it") {
    for (const bool postgres : databases()) {
        CAPTURE(postgres);
        TempStore t(postgres);
        REQUIRE(t.store->with_member("m", "ben", [&](MemberTx& tx) {
            tx.save_counters({});  // her row exists: the reads go with the lock
            return true;
        }));
        MemberReads reads;
        reads.receipt = "B-7";
        reads.checkpoint = true;
        t.store->with_member("m", "ben", reads, [&](MemberTx& tx) {
            tx.add_receipt(receipt("B-7", "ben", 1000));
            MemberCounters c;
            c.spend_total = 1000;
            tx.save_counters(c);
            const auto r = tx.receipt("B-7");  // named ahead as missing; written since
            REQUIRE(r);
            CHECK(r->paid == 1000);
            CHECK(tx.counters().spend_total == 1000);
            return true;
        });
        CHECK(spend_of(*t.store, "ben") == 1000);
    }
}

TEST_CASE(
    "member transaction: a receipt id another write holds fails at the commit, leaving "
    "nothing of the write, and the next writes go through") {
    for (const bool postgres : databases()) {
        CAPTURE(postgres);
        TempStore t(postgres);
        store_receipt(*t.store, "anna", "B-1");
        std::string field;
        try {
            t.store->with_member("m", "carl", [&](MemberTx& tx) {
                MemberCounters c;
                c.spend_total = 500;
                tx.save_counters(c);
                tx.add_receipt(receipt("B-1", "carl", 500));
                tx.save_operation({"op-2", "receipt", "carl", "{}", 201, "{}", kNow});
                return true;
            });
        } catch (const UniqueViolation& e) {
            field = e.field;
        }
        CHECK(field == "receipt.id");
        CHECK(spend_of(*t.store, "carl") == 0);
        CHECK(!t.store->operation("m", "op-2"));
        // Every connection the pool holds still works (more writes than connections).
        for (int i = 0; i < 40; ++i) {
            const std::string id = "C-" + std::to_string(i);
            REQUIRE(t.store->with_member("m", "carl", [&](MemberTx& tx) {
                MemberCounters c = tx.counters();
                c.spend_total += 10;
                tx.save_counters(c);
                tx.add_receipt(receipt(id, "carl", 10));
                return true;
            }));
        }
        CHECK(spend_of(*t.store, "carl") == 400);
    }
}

TEST_CASE("member_write: a receipt id another write took since it was read is decided again") {
    for (const bool postgres : databases()) {
        CAPTURE(postgres);
        TempStore t(postgres);
        store_receipt(*t.store, "anna", "B-1");
        MemberWrite w{"m", "dora", "0123456789abcdef0123456789abcdef", "receipt", {}, kNow};
        w.receipt_id = "B-1";
        int decided = 0;
        // The first decision takes the id as free (as one read before anna's commit would);
        // the second reads it and refuses.
        const ApiResult out =
            member_write(*t.store, w, [&](MemberTx& tx, ledger::Ledger&, ApiResult* answer) {
                ++decided;
                if (decided > 1 && tx.receipt("B-1")) {
                    *answer = {409, {{"error", "receipt_exists"}}, ""};
                    return false;
                }
                tx.add_receipt(receipt("B-1", "dora", 500));
                *answer = {201, {}, ""};
                return true;
            });
        CHECK(decided == 2);
        CHECK(out.status == 409);
        CHECK(!t.store->operation("m", w.op_hex));
        // A decision that keeps taking it gives up after three.
        decided = 0;
        CHECK_THROWS_AS(member_write(*t.store, w,
                                     [&](MemberTx& tx, ledger::Ledger&, ApiResult* answer) {
                                         ++decided;
                                         tx.add_receipt(receipt("B-1", "dora", 500));
                                         *answer = {201, {}, ""};
                                         return true;
                                     }),
                        UniqueViolation);
        CHECK(decided == 3);
    }
}

}  // namespace
}  // namespace kopilka::server
