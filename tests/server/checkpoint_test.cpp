// Members' ledger checkpoints (member_state) on a real server and database: every write
// stores one covering all the member's entries, `kopilka audit` recomputes them from the
// entries and names a corrupted one (member and field, exit 1), a lookup does not trust a
// checkpoint that does not hold together, and a member without one (a database from before
// checkpoints) reads from its entries and gets one on its next write. Beside them, the tier
// window's running sum: right wherever it starts, kept by every write, audited. SQLite and
// PostgreSQL.
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <chrono>
#include <functional>
#include <string>

#include "pg_database.hpp"
#include "receipt_helpers.hpp"
#include "server_process.hpp"

using namespace kopilka::test;

namespace {

const char* const kCheckpointSeq =
    "SELECT seq FROM member_state WHERE merchant_id = 'demo' AND member_id = 'demo-anna'";
const char* const kEntries =
    "SELECT COUNT(*) FROM member_entries WHERE merchant_id = 'demo' AND member_id = 'demo-anna'";
// Anna's snapshot stored beside it, its window closed (and opened again): a lookup then reads
// the batches.
const char* const kCloseWindow =
    "UPDATE member_state SET points_until_ms = -points_until_ms WHERE merchant_id = 'demo' AND "
    "member_id = 'demo-anna'";
const char* const kWindowOpen =
    "SELECT COUNT(*) FROM member_state WHERE merchant_id = 'demo' AND member_id = 'demo-anna' "
    "AND points <> '' AND points_from_ms <= {now} AND {now} < points_until_ms";
// Her stored snapshot's available points gain a leading 1.
const char* const kCorruptPoints =
    "UPDATE member_state SET points = REPLACE(points, '\"available\":', '\"available\":1') "
    "WHERE merchant_id = 'demo' AND member_id = 'demo-anna'";
// Anna's stored balance gains a leading 1 (1256 → 11256): still a checkpoint that decodes.
const char* const kCorrupt =
    "UPDATE member_state SET body = REPLACE(body, '\"member\":', '\"member\":1') "
    "WHERE merchant_id = 'demo' AND member_id = 'demo-anna'";

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

RunResult audit(const std::string& db) {
    return run_program({cli_binary(), "audit", "--db", db, "--merchant", "DEMO"});
}

// The scenario on one database: `sql` runs a statement on it (the server stopped or not),
// `scalar` reads a number, `restart` starts a server on it again.
struct Target {
    std::string db;
    std::function<void(const std::string&)> sql;
    std::function<std::int64_t(const std::string&)> scalar;
    std::function<std::unique_ptr<ServerProcess>()> restart;
};

void check_checkpoints(const Target& t, std::unique_ptr<ServerProcess> server) {
    const auto cards = demo_cards(t.db);
    const std::string qr = cards.at("demo-anna").qr;
    const std::string till = api_key(t.db, "till");
    {
        auto c = server->client();
        post_receipt(*c, till, receipt_body(1, cards.at("demo-anna").card, 5000, 0).dump());
    }
    CHECK(t.scalar(kCheckpointSeq) == t.scalar(kEntries));  // the write stored it with them
    RunResult r = audit(t.db);
    CHECK_MESSAGE(r.exit_code == 0, r.out << r.err);
    CHECK(r.out.find(", 0 differences in 0 members") != std::string::npos);
    CHECK(r.out.find(" 0 without a checkpoint") != std::string::npos);

    auto c = server->client();
    // A lookup inside the snapshot's window answers from it, one outside from the batches: the
    // same answer (as_of and the spin commitment aside).
    std::string open = kWindowOpen;
    for (auto at = open.find("{now}"); at != std::string::npos; at = open.find("{now}"))
        open.replace(at, 5, std::to_string(now_ms()));
    CHECK(t.scalar(open) == 1);
    const auto answer = [&] {
        Json j = lookup(*c, qr)["member"];
        j.erase("as_of_ms");
        j.erase("spin_commitment");
        return j;
    };
    const Json inside = answer();
    t.sql(kCloseWindow);
    CHECK(t.scalar(open) == 0);
    CHECK(answer() == inside);
    t.sql(kCloseWindow);
    CHECK(t.scalar(open) == 1);
    // A stored snapshot that differs from the entries' is named by the audit.
    const std::int64_t available = inside["available"].get<std::int64_t>();
    t.sql(kCorruptPoints);
    r = audit(t.db);
    CHECK(r.exit_code == 1);
    CHECK_MESSAGE(r.out.find("merchant DEMO member demo-anna: points.available: stored 1" +
                             std::to_string(available) + ", recomputed " +
                             std::to_string(available)) != std::string::npos,
                  r.out);
    post_receipt(*c, till, receipt_body(4, cards.at("demo-anna").card, 5000, 0).dump());
    r = audit(t.db);
    CHECK_MESSAGE(r.exit_code == 0, r.out);  // the write stored both afresh

    const std::int64_t balance = balance_of(*c, qr);
    t.sql(kCorrupt);
    r = audit(t.db);
    CHECK(r.exit_code == 1);
    CHECK_MESSAGE(r.out.find("merchant DEMO member demo-anna: balances.member: stored 1" +
                             std::to_string(balance) + ", recomputed " + std::to_string(balance)) !=
                      std::string::npos,
                  r.out);
    CHECK(r.out.find("member demo-dace") == std::string::npos);
    CHECK(r.out.find(", 1 differences in 1 members") != std::string::npos);
    // It does not hold together (more points in batches' hands than the balance), so the
    // server restores Anna from her entries instead (a lookup outside the stored snapshot's
    // window reads it); her next write stores a good one.
    CHECK(balance_of(*c, qr) == balance);
    t.sql(kCloseWindow);
    CHECK(balance_of(*c, qr) == balance);
    post_receipt(*c, till, receipt_body(2, cards.at("demo-anna").card, 5000, 0).dump());
    r = audit(t.db);
    CHECK_MESSAGE(r.exit_code == 0, r.out);

    // The entries' numbers for history pages are audited too.
    t.sql(
        "UPDATE member_entries SET history_no = history_no + 1 WHERE merchant_id = 'demo' AND "
        "member_id = 'demo-anna' AND seq = 1");
    r = audit(t.db);
    CHECK(r.exit_code == 1);
    CHECK_MESSAGE(r.out.find("merchant DEMO member demo-anna: history_no: entry 1 is numbered 3, "
                             "its place among the entries that changed the balance is 2") !=
                      std::string::npos,
                  r.out);
    t.sql(
        "UPDATE member_entries SET history_no = history_no - 1 WHERE merchant_id = 'demo' AND "
        "member_id = 'demo-anna' AND seq = 1");
    CHECK(audit(t.db).exit_code == 0);

    // A database from before checkpoints: lookups read the entries, a write stores one.
    t.sql("DELETE FROM member_state");
    const std::int64_t before = balance_of(*c, qr);
    r = audit(t.db);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find(" 0 checkpoints checked") != std::string::npos);
    post_receipt(*c, till, receipt_body(3, cards.at("demo-anna").card, 5000, 0).dump());
    CHECK(balance_of(*c, qr) > before);
    CHECK(t.scalar(kCheckpointSeq) == t.scalar(kEntries));
    CHECK(audit(t.db).exit_code == 0);
}

// A member's tier window's sum, as the member's answer shows it: the next tier's threshold less
// the gap (the demo's ladder: Silver from 1 000, Gold from 5 000).
std::int64_t shown_qualifying(httplib::Client& c, const std::string& qr) {
    const Json tier = lookup(c, qr)["member"]["tier_detail"];
    const std::string next = tier["next"].get<std::string>();
    REQUIRE_MESSAGE((next == "Silver" || next == "Gold"), tier.dump());
    return (next == "Silver" ? 1000 : 5000) - tier["gap"].get<std::int64_t>();
}

const std::int64_t kDay = 24 * 3600 * 1000LL;

// The tier window's running sum (member_counters.tier_sum from tier_sum_from_ms on): whatever
// time it starts at — long before the window (receipts have left since Anna's last write),
// inside it (a program's window grew), or none — a lookup and a write show what the window's
// receipts sum to, every write keeps it, and the audit names one that is off.
void check_tier_sum(const Target& t, std::unique_ptr<ServerProcess> server) {
    const auto cards = demo_cards(t.db);
    const std::string card = cards.at("demo-anna").card, qr = cards.at("demo-anna").qr;
    const std::string till = api_key(t.db, "till");
    auto c = server->client();
    const std::string anna = " WHERE merchant_id = 'demo' AND member_id = 'demo-anna'";
    const auto walked = [&] {
        return t.scalar("SELECT COALESCE(SUM(tier_qualifying), 0) FROM receipts" + anna +
                        " AND at_ms >= " + std::to_string(now_ms() - 365 * kDay));
    };
    const auto check_shown = [&](const char* when) {
        INFO(std::string(when));
        const std::int64_t expected = walked();
        CHECK(shown_qualifying(*c, qr) == expected);
        const RunResult r = audit(t.db);
        CHECK_MESSAGE(r.exit_code == 0, r.out << r.err);
    };
    check_shown("as seeded");
    for (int n = 1; n <= 4; ++n) {
        post_receipt(*c, till, receipt_body(n, card, 20000 * n, 0).dump());
        check_shown("after a receipt");
    }
    CHECK(t.scalar("SELECT COUNT(*) FROM member_counters" + anna +
                   " AND tier_sum_from_ms IS NOT NULL") == 1);
    const auto give_back = [&](int n, const char* receipt_id) {
        const Json r = {
            {"operation_id", op_id(1000 + n)}, {"receipt_id", receipt_id}, {"quantities", {1}}};
        const auto res = c->Post("/v1/returns", bearer(till), r.dump(), "application/json");
        REQUIRE(res);
        REQUIRE_MESSAGE(res->status == 201, res->body);
    };
    give_back(1, "R-3");
    check_shown("after a return");

    // Time passes for her receipts and the running sum alike (both move back together, so the
    // sum still holds from its start): the receipts now older than the window are taken away
    // by the reads, then a write moves the start up to the window.
    const auto shift = [&](std::int64_t by) {
        const std::string b = std::to_string(by);
        t.sql("UPDATE receipts SET at_ms = at_ms - " + b + anna);
        t.sql("UPDATE member_counters SET tier_sum_from_ms = tier_sum_from_ms - " + b + anna);
    };
    const std::int64_t odd = 7 * 3600 * 1000 + 13 * 60 * 1000;  // off whole days from the seed's
    shift(200 * kDay + odd);
    check_shown("receipts 200 days older");
    post_receipt(*c, till, receipt_body(5, card, 30000, 0).dump());
    check_shown("after a receipt that moved the start");
    shift(170 * kDay);
    CHECK(walked() > 0);
    CHECK(walked() < t.scalar("SELECT SUM(tier_qualifying) FROM receipts" + anna));
    check_shown("some receipts out of the window");
    post_receipt(*c, till, receipt_body(6, card, 30000, 0).dump());
    CHECK(t.scalar("SELECT tier_sum_from_ms FROM member_counters" + anna) > now_ms() - 366 * kDay);
    check_shown("after a receipt that moved the start up to the window");
    give_back(2, "R-4");  // a receipt that left the window: its return changes no tier sum
    check_shown("after returning a receipt from before the window");

    // The running sum starts inside the window (a program whose window was shorter): the reads
    // add the receipts between the window's start and it.
    t.sql("UPDATE member_counters SET tier_sum_from_ms = " + std::to_string(now_ms() - 100 * kDay) +
          ", tier_sum = (SELECT COALESCE(SUM(r.tier_qualifying), 0) FROM receipts r WHERE "
          "r.merchant_id = 'demo' AND r.member_id = 'demo-anna' AND r.at_ms >= " +
          std::to_string(now_ms() - 100 * kDay) + ")" + anna);
    check_shown("a running sum that starts inside the window");
    // None kept (a database from before it): the reads walk the window; a write keeps one.
    t.sql("UPDATE member_counters SET tier_sum = 0, tier_sum_from_ms = NULL" + anna);
    check_shown("no running sum");
    post_receipt(*c, till, receipt_body(7, card, 30000, 0).dump());
    CHECK(t.scalar("SELECT COUNT(*) FROM member_counters" + anna +
                   " AND tier_sum_from_ms IS NOT NULL") == 1);
    check_shown("a write kept it again");

    // One that is off is named.
    const std::int64_t kept = t.scalar("SELECT tier_sum FROM member_counters" + anna);
    const std::int64_t from = t.scalar("SELECT tier_sum_from_ms FROM member_counters" + anna);
    t.sql("UPDATE member_counters SET tier_sum = tier_sum + 7" + anna);
    const RunResult r = audit(t.db);
    CHECK(r.exit_code == 1);
    CHECK_MESSAGE(r.out.find("merchant DEMO member demo-anna: tier_sum: stored " +
                             std::to_string(kept + 7) + " from " + std::to_string(from) +
                             ", the member's receipts from then on sum to " +
                             std::to_string(kept)) != std::string::npos,
                  r.out);
}

Target sqlite_target(const std::string& db) {
    Target t;
    t.db = db;
    t.sql = [db](const std::string& statement) {
        sqlite3* h = nullptr;
        REQUIRE(sqlite3_open(db.c_str(), &h) == SQLITE_OK);
        sqlite3_busy_timeout(h, 5000);
        char* err = nullptr;
        const int rc = sqlite3_exec(h, statement.c_str(), nullptr, nullptr, &err);
        const std::string why = err ? err : "";
        sqlite3_free(err);
        sqlite3_close(h);
        REQUIRE_MESSAGE(rc == SQLITE_OK, why);
    };
    t.scalar = [db](const std::string& q) { return Db(db).scalar(q); };
    return t;
}

Target pg_target(const PgDatabase& pg) {
    Target t;
    t.db = pg.url;
    t.sql = [url = pg.url](const std::string& statement) {
        pqxx::connection c(url);
        pqxx::work w(c);
        w.exec(statement);
        w.commit();
    };
    t.scalar = [&pg](const std::string& q) { return pg.scalar(q); };
    return t;
}

// check on a fresh PostgreSQL database with a server seeded with the demo.
void on_postgres(void (*check)(const Target&, std::unique_ptr<ServerProcess>)) {
    PgDatabase pg;
    REQUIRE_MESSAGE(pg.why.empty(), pg.why);
    auto server = start_server(pg.url, {"--seed-demo"});
    check(pg_target(pg), std::move(server));
}

}  // namespace

TEST_CASE_FIXTURE(WithDemoServer,
                  "checkpoints (SQLite): stored with every write, audited, a corrupt one named") {
    check_checkpoints(sqlite_target(s.db), std::move(s.server));
}

TEST_CASE("checkpoints (PostgreSQL): stored with every write, audited, a corrupt one named") {
    on_postgres(check_checkpoints);
}

TEST_CASE_FIXTURE(WithDemoServer,
                  "tier window's running sum (SQLite): the window's receipts wherever it starts") {
    check_tier_sum(sqlite_target(s.db), std::move(s.server));
}

TEST_CASE("tier window's running sum (PostgreSQL): the window's receipts wherever it starts") {
    on_postgres(check_tier_sum);
}

// Two servers on one database write the same member in turn. Each keeps the checkpoints it
// decoded or wrote under the row's revision (storage/checkpoint_cache.hpp): its second receipt
// in a row for her copies its own (a hit: the row unchanged since), a receipt after the other
// server's decodes the row (a miss: another revision) — and every receipt counts once: both
// servers show the same balance, the seed's plus what the receipts earned, and the audit
// finds every stored checkpoint equal to the entries.
TEST_CASE(
    "PostgreSQL: two servers writing one member in turn use a decoded checkpoint only while "
    "its row is unchanged") {
    PgDatabase pg;
    REQUIRE_MESSAGE(pg.why.empty(), pg.why);
    auto a = start_server(pg.url, {"--seed-demo", "--no-rate-limits"});
    auto b = start_server(pg.url, {"--no-rate-limits"});
    const auto cards = demo_cards(pg.url);
    const std::string card = cards.at("demo-anna").card, qr = cards.at("demo-anna").qr;
    const std::string till = api_key(pg.url, "till");
    auto ca = a->client(), cb = b->client();
    const std::int64_t seeded = balance_of(*ca, qr);
    const char* const counter = "kopilka_member_checkpoints_total";
    std::int64_t earned = 0;
    int n = 0;
    // One receipt on c; the change in c's hits and misses.
    const auto receipt = [&](httplib::Client& c) {
        const std::int64_t hits = metric(c, counter, "hit"), misses = metric(c, counter, "miss");
        ++n;
        const Json r = post_receipt(c, till, receipt_body(n, card, 3000 + 100 * n, 0).dump());
        earned += r.at("quote").at("points_earned").get<std::int64_t>();
        return std::make_pair(metric(c, counter, "hit") - hits,
                              metric(c, counter, "miss") - misses);
    };
    using Counts = std::pair<std::int64_t, std::int64_t>;
    receipt(*ca);
    CHECK(receipt(*ca) == Counts{1, 0});  // a's own, unchanged
    CHECK(receipt(*cb) == Counts{0, 1});  // b has none
    CHECK(receipt(*cb) == Counts{1, 0});
    CHECK(receipt(*ca) == Counts{0, 1});  // b wrote since
    CHECK(receipt(*cb) == Counts{0, 1});
    CHECK(receipt(*ca) == Counts{0, 1});
    CHECK(receipt(*ca) == Counts{1, 0});
    CHECK(earned > 0);
    CHECK(balance_of(*ca, qr) == seeded + earned);
    CHECK(balance_of(*cb, qr) == seeded + earned);
    const RunResult r = audit(pg.url);
    CHECK_MESSAGE(r.exit_code == 0, r.out << r.err);
    CHECK(r.out.find(", 0 differences in 0 members") != std::string::npos);
}
