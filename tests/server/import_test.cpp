// CSV import and export against the real server: a dry run that lists bad rows by line (BOM,
// ';' separators, quoted fields across lines), jobs whose progress is stored and that a
// restarted server resumes, idempotency (the same file twice changes nothing), 100 000 rows,
// the exports read back by the import, roles; on SQLite and on PostgreSQL.
#include <signal.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <thread>

#include "console_helpers.hpp"
#include "pg_database.hpp"
#include "raw_http.hpp"

using namespace kopilka::test;

namespace {

Reply post_csv(httplib::Client& c, const std::string& credential, const std::string& csv,
               const std::string& query = "") {
    return reply(
        c.Post(("/v1/admin/imports" + query).c_str(), bearer(credential), csv, "text/csv"));
}

// Polls the job until it leaves "running" (or the time runs out: the last answer).
Json wait_for_job(httplib::Client& c, const std::string& credential, const std::string& job_id,
                  std::chrono::seconds timeout = std::chrono::seconds(60)) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    Reply r;
    do {
        r = call(c, "GET", "/v1/admin/imports/" + job_id, credential);
        REQUIRE_MESSAGE(r.status == 200, r.body.dump());
        if (r.body["status"] != "running") break;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    } while (std::chrono::steady_clock::now() < until);
    return r.body;
}

// Three good rows and two bad ones, as Excel in ru/de/lv saves them: BOM, ';', CRLF, a name
// with a quote and a ';' in quotes, an address field spanning two lines.
const std::string kExcelFile =
    "\xEF\xBB\xBF"
    "external_id;Name;Phone;Email;Birth_Date;Consent;Opening_Points;Note\r\n"  // line 1
    "ext-1;\"Ivanova; Anna \"\"Anya\"\"\";+7 (916) 555-00-01;anna@example.com;1990-04-01;да;"
    "150;\r\n"                                     // line 2
    "ext-2;Bērziņš;;;;yes;0;\"two\r\nlines\"\r\n"  // lines 3-4
    "ext-3;Wrong Date;;;1990-13-01;yes;10;\r\n"    // line 5: bad
    "ext-4;No consent;;;;;10;\r\n"                 // line 6: bad
    "ext-5;Fine;;x@y.lv;;2024-01-31;25;\r\n";      // line 7

void check_excel_dry_run(const Json& j) {
    CHECK(j["dry_run"] == true);
    CHECK(j["separator"] == ";");
    CHECK(j["rows_total"] == 5);
    CHECK(j["rows_bad"] == 2);
    REQUIRE(j["errors"].size() == 2);
    CHECK(j["errors"][0] ==
          Json{{"line", 5}, {"column", "birth_date"}, {"message", "must be a date YYYY-MM-DD"}});
    CHECK(j["errors"][1]["line"] == 6);
    CHECK(j["errors"][1]["column"] == "consent");
    CHECK(j["ignored_columns"] == Json::array({"Note"}));
}

// n members with cards and opening balances, ',' separated.
std::string generated_file(int n) {
    std::string csv = "card,name,phone,consent,opening_points\n";
    csv.reserve(static_cast<std::size_t>(n) * 48);
    for (int i = 0; i < n; ++i) {
        char line[96];
        std::snprintf(line, sizeof line, "C-%07d,\"Member %d, test\",+371 6%07d,yes,%d\n", i, i, i,
                      i % 1000);
        csv += line;
    }
    return csv;
}

}  // namespace

TEST_CASE("import: a dry run lists the bad rows by line and writes nothing") {
    SignedIn in("manager");
    Db db(in.s.db);
    const std::string before = db.dump();
    const Reply r = post_csv(*in.c, in.t, kExcelFile, "?dry_run=true");
    REQUIRE_MESSAGE(r.status == 200, r.body.dump());
    check_excel_dry_run(r.body);
    CHECK(db.dump() == before);

    // A file that can't be read at all is a 400 naming the body.
    const Reply open_quote = post_csv(*in.c, in.t, "card,consent\n1234,\"yes\n", "?dry_run=true");
    CHECK(open_quote.status == 400);
    CHECK(open_quote.body["error"]["field"] == "body");
    CHECK(open_quote.body["error"]["message"].get<std::string>().rfind("line 2:", 0) == 0);
    const Reply no_key = post_csv(*in.c, in.t, "name,consent\nA,yes\n", "?dry_run=true");
    CHECK(no_key.status == 400);
    const Reply latin1 = post_csv(*in.c, in.t, "name,card,consent\n\xE9,1234,yes\n");
    CHECK(latin1.status == 400);
    const Reply json =
        reply(in.c->Post("/v1/admin/imports", bearer(in.t), "{}", "application/json"));
    CHECK(json.status == 415);
    CHECK(db.dump() == before);
}

TEST_CASE(
    "import: a job imports the good rows, lists the bad ones, and a second run changes "
    "nothing") {
    WithDemoServer w;
    auto c = w.s.server->client();
    const std::string key = api_key(w.s.db, "admin");
    const Reply started = post_csv(*c, key, kExcelFile);
    REQUIRE_MESSAGE(started.status == 202, started.body.dump());
    CHECK(started.body["rows_total"] == 5);
    const Json done = wait_for_job(*c, key, started.body["job_id"]);
    CHECK(done["status"] == "done");
    CHECK(done["rows_done"] == 5);
    CHECK(done["rows_bad"] == 2);
    CHECK(done["created"] == 3);
    CHECK(done["errors"].size() == 2);

    Db db(w.s.db);
    CHECK(db.text("SELECT display_name FROM members WHERE member_id = 'ext-1'") ==
          "Ivanova; Anna \"Anya\"");
    CHECK(db.text("SELECT phone FROM members WHERE member_id = 'ext-1'") == "79165550001");
    CHECK(db.text("SELECT display_name FROM members WHERE member_id = 'ext-2'") == "Bērziņš");
    CHECK(db.derived_balance("demo", "ext-1") == 150);
    CHECK(db.derived_balance("demo", "ext-2") == 0);
    CHECK(db.derived_balance("demo", "ext-5") == 25);
    CHECK(db.scalar("SELECT COUNT(*) FROM members WHERE member_id IN ('ext-3', 'ext-4')") == 0);
    // Every new member has a card to show at a kiosk.
    CHECK(db.scalar("SELECT COUNT(*) FROM cards WHERE member_id LIKE 'ext-%'") == 3);
    CHECK(db.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'import.start'") == 1);

    // The member's page shows the balance the import gave.
    const Reply member = call(*c, "GET", "/v1/admin/members/ext-1", key);
    REQUIRE(member.status == 200);
    CHECK(member.body.dump().find("\"balance\":150") != std::string::npos);

    const std::string members_before = db.dump("demo");
    const Reply again = post_csv(*c, key, kExcelFile);
    REQUIRE(again.status == 202);
    const Json second = wait_for_job(*c, key, again.body["job_id"]);
    CHECK(second["status"] == "done");
    CHECK(second["created"] == 0);
    CHECK(second["matched"] == 3);
    CHECK(db.derived_balance("demo", "ext-1") == 150);
    CHECK(db.scalar("SELECT COUNT(*) FROM member_entries WHERE member_id LIKE 'ext-%'") == 2);
    CHECK(db.count("members") == 3 + 3);

    // Another page (a reload) sees the first job as it ended.
    const Reply first =
        call(*c, "GET", "/v1/admin/imports/" + started.body["job_id"].get<std::string>(), key);
    CHECK(first.body["created"] == 3);
    CHECK(call(*c, "GET", "/v1/admin/imports/imp-none", key).status == 404);
}

TEST_CASE("import: rows keyed by card or phone; a card another member holds is a bad row") {
    WithDemoServer w;
    auto c = w.s.server->client();
    const std::string key = api_key(w.s.db, "admin");
    const auto cards = demo_cards(w.s.db);
    const std::string csv =
        "card\tphone\tname\tconsent\tpoints\n"
        "4600000000019\t\tby card\tyes\t5\n"                          // 2: a bad check digit
        "\t+371 20000001\tby phone\tyes\t7\n"                         // 3
        "CARD-77\t\tcode 128\tyes\t8\n"                               // 4
        + cards.at("demo-anna").card + "\t\tAnna again\tyes\t999\n";  // 5
    const Reply started = post_csv(*c, key, csv);
    REQUIRE_MESSAGE(started.status == 202, started.body.dump());
    const Json done = wait_for_job(*c, key, started.body["job_id"]);
    CHECK(done["status"] == "done");
    CHECK(done["created"] == 2);
    CHECK(done["matched"] == 1);  // Anna, by her card: left as she was
    REQUIRE(done["errors"].size() == 1);
    CHECK(done["errors"][0]["line"] == 2);
    CHECK(done["errors"][0]["column"] == "card");
    Db db(w.s.db);
    CHECK(db.derived_balance("demo", "demo-anna") == 1250);
    CHECK(db.scalar("SELECT COUNT(*) FROM members WHERE phone = '37120000001'") == 1);
    CHECK(db.scalar("SELECT COUNT(*) FROM cards WHERE number = 'CARD-77'") == 1);

    // A new member whose phone another member has: that row is bad, the rest of the batch
    // goes in.
    const std::string clash =
        "external_id,phone,consent,points\n"
        "new-1,+371 20000001,yes,1\n"
        "new-2,+371 20000002,yes,2\n";
    const Json second = wait_for_job(*c, key, post_csv(*c, key, clash).body["job_id"]);
    CHECK(second["status"] == "done");
    CHECK(second["created"] == 1);
    CHECK(second["rows_bad"] == 1);
    REQUIRE(second["errors"].size() == 1);
    CHECK(second["errors"][0]["line"] == 2);
    CHECK(second["errors"][0]["column"] == "phone");
    CHECK(db.derived_balance("demo", "new-2") == 2);
}

TEST_CASE("import: support and viewer may not import or export") {
    for (const char* role : {"support", "viewer"}) {
        INFO(role);
        SignedIn in(role);
        CHECK(post_csv(*in.c, in.t, kExcelFile, "?dry_run=true").status == 403);
        CHECK(post_csv(*in.c, in.t, kExcelFile).status == 403);
        CHECK(call(*in.c, "GET", "/v1/admin/exports/members.csv", in.t).status == 403);
        CHECK(call(*in.c, "GET", "/v1/admin/exports/receipts.csv", in.t).status == 403);
        CHECK(call(*in.c, "GET", "/v1/admin/imports/imp-x", in.t).status == 403);
    }
}

TEST_CASE("import: only a request naming a credential may send a file above 64 KiB") {
    SignedIn in("owner");
    const std::string big = generated_file(20000);  // about 1 MB
    REQUIRE(big.size() > 64 * 1024);
    const auto anonymous = in.c->Post("/v1/admin/imports?dry_run=true", big, "text/csv");
    REQUIRE(anonymous);
    CHECK(anonymous->status == 413);
    CHECK(post_csv(*in.c, in.t, big, "?dry_run=true").status == 200);
    // A head announcing 50 MB without a credential is refused before any of the body is sent.
    const auto r = raw_http::exchange(in.s.server->port(),
                                      "POST /v1/admin/imports HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                      "Content-Type: text/csv\r\nContent-Length: 50000000\r\n"
                                      "\r\n",
                                      std::chrono::seconds(5));
    CHECK(r.status == 413);
}

TEST_CASE("export: members and receipts as CSV downloads; the import reads the members back") {
    WithDemoServer w;
    auto c = w.s.server->client();
    const std::string key = api_key(w.s.db, "admin");
    const std::string till = api_key(w.s.db, "till");
    const auto cards = demo_cards(w.s.db);
    REQUIRE(c->Post("/v1/receipts", bearer(till),
                    receipt_body(1, cards.at("demo-anna").card, 12345, 0).dump(),
                    "application/json")
                ->status == 201);

    const auto members = c->Get("/v1/admin/exports/members.csv", bearer(key));
    REQUIRE(members);
    REQUIRE(members->status == 200);
    CHECK(members->get_header_value("Content-Type").rfind("text/csv", 0) == 0);
    CHECK(members->get_header_value("Content-Disposition") ==
          "attachment; filename=\"members.csv\"");
    CHECK(members->body.rfind("external_id,card,name,phone,email,birth_date,consent,created\r\n",
                              0) == 0);
    CHECK(members->body.find("demo-anna," + cards.at("demo-anna").card + ",") != std::string::npos);

    // Read back: the same members, all matched, nothing new.
    const Reply dry = post_csv(*c, key, members->body, "?dry_run=true");
    REQUIRE_MESSAGE(dry.status == 200, dry.body.dump());
    CHECK(dry.body["rows_total"] == 3);
    CHECK(dry.body["rows_bad"] == 0);
    Db db(w.s.db);
    const std::string before = db.dump("demo");
    const Json done = wait_for_job(*c, key, post_csv(*c, key, members->body).body["job_id"]);
    CHECK(done["matched"] == 3);
    CHECK(done["created"] == 0);
    CHECK(db.count("members") == 3);

    const auto receipts = c->Get("/v1/admin/exports/receipts.csv", bearer(key));
    REQUIRE(receipts);
    REQUIRE(receipts->status == 200);
    CHECK(receipts->get_header_value("Content-Disposition") ==
          "attachment; filename=\"receipts.csv\"");
    CHECK(receipts->body.find("R-1,") != std::string::npos);
    CHECK(receipts->body.find(",demo-anna,") != std::string::npos);
    const auto empty =
        c->Get("/v1/admin/exports/receipts.csv?from=2000-01-01&to=2000-01-02", bearer(key));
    REQUIRE(empty);
    CHECK(empty->body == "receipt_id,at,member_id,paid,currency\r\n");
    CHECK(call(*c, "GET", "/v1/admin/exports/receipts.csv?from=yesterday", key).status == 400);
}

TEST_CASE("export: a file of many pages arrives chunked, every row once, in time order") {
    WithDemoServer w;
    auto c = w.s.server->client();
    const std::string key = api_key(w.s.db, "admin");
    // 2 500 receipts (pages of 1 000), several at the same millisecond so the order must break
    // ties by id; amounts from 0.00 to 24.99, and one negative (a refund kept as a receipt).
    sqlite3* h = nullptr;
    REQUIRE(sqlite3_open_v2(w.s.db.c_str(), &h, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
    sqlite3_busy_timeout(h, 10000);
    const char* seed =
        "WITH RECURSIVE g(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM g WHERE i + 1 < 2500) "
        "INSERT INTO receipts (merchant_id, receipt_id, member_id, op_id, at_ms, paid, "
        "tier_qualifying, receipt, quote, returned) SELECT 'demo', printf('X-%04d', 2499 - i), "
        "'', printf('X-%04d', i), 1700000000000 + (i / 3) * 1000, i, 0, '{}', '{}', '[]' FROM g;"
        "UPDATE receipts SET paid = -1205 WHERE receipt_id = 'X-0007';";
    char* err = nullptr;
    const int rc = sqlite3_exec(h, seed, nullptr, nullptr, &err);
    const std::string why = err ? err : "";
    sqlite3_free(err);
    sqlite3_close(h);
    REQUIRE_MESSAGE(rc == SQLITE_OK, why);

    const auto r =
        c->Get("/v1/admin/exports/receipts.csv?from=2023-11-14&to=2023-11-16", bearer(key));
    REQUIRE(r);
    REQUIRE(r->status == 200);
    CHECK(r->get_header_value("Transfer-Encoding") == "chunked");
    std::vector<std::string> lines;
    for (std::size_t at = 0; at < r->body.size();) {
        const std::size_t end = r->body.find("\r\n", at);
        REQUIRE(end != std::string::npos);
        lines.push_back(r->body.substr(at, end - at));
        at = end + 2;
    }
    REQUIRE(lines.size() == 2501);
    CHECK(lines[0] == "receipt_id,at,member_id,paid,currency");
    std::set<std::string> ids;
    std::string previous;
    for (std::size_t i = 1; i < lines.size(); ++i) {
        const std::string id = lines[i].substr(0, lines[i].find(','));
        const std::string at = lines[i].substr(id.size() + 1, 20);
        CHECK(ids.insert(id).second);
        CHECK(previous <= at + id);  // by time, then by id
        previous = at + id;
    }
    // i = 0, 1, 2 share the first second; of them X-2497 (i = 2) comes first by id.
    CHECK(lines[1] == "X-2497,2023-11-14T22:13:20Z,,0.02,RUB");
    CHECK(std::find(lines.begin(), lines.end(), "X-0000,2023-11-14T22:27:13Z,,24.99,RUB") !=
          lines.end());
    CHECK(std::find(lines.begin(), lines.end(), "X-0007,2023-11-14T22:27:10Z,,-12.05,RUB") !=
          lines.end());
    // The members' export is the same kind of answer.
    const auto members = c->Get("/v1/admin/exports/members.csv", bearer(key));
    REQUIRE(members);
    CHECK(members->get_header_value("Transfer-Encoding") == "chunked");
}

TEST_CASE("import: 100 000 rows in batches, the progress stored until done (rows/second)") {
    DemoServer server({"--no-rate-limits"});  // the progress is polled often
    REQUIRE_MESSAGE(server.ok, server.why);
    auto c = server.server->client();
    c->set_read_timeout(60, 0);
    c->set_write_timeout(60, 0);
    const std::string key = api_key(server.db, "admin");
    const std::string csv = generated_file(100000);
    const auto t0 = std::chrono::steady_clock::now();
    const Reply started = post_csv(*c, key, csv);
    REQUIRE_MESSAGE(started.status == 202, started.body.dump());
    CHECK(started.body["rows_total"] == 100000);
    // The progress moves while the job runs (batches commit one by one).
    std::int64_t seen_between = 0;
    Json last;
    for (int i = 0; i < 6000; ++i) {
        last =
            call(*c, "GET", "/v1/admin/imports/" + started.body["job_id"].get<std::string>(), key)
                .body;
        const std::int64_t done = last["rows_done"];
        if (done > 0 && done < 100000) seen_between = done;
        if (last["status"] != "running") break;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    CHECK(last["status"] == "done");
    CHECK(last["rows_done"] == 100000);
    CHECK(last["created"] == 100000);
    CHECK(seen_between > 0);
    MESSAGE("SQLite: 100000 rows imported in " << s << " s: " << static_cast<int>(100000 / s)
                                               << " rows/s");
    Db db(server.db);
    CHECK(db.count("members") == 3 + 100000);
    CHECK(db.scalar("SELECT COALESCE(SUM(member_delta), 0) FROM member_entries WHERE member_id "
                    "LIKE 'm-%'") == 100 * 499500);
}

TEST_CASE("import: a server killed in the middle of a job resumes it after a restart") {
    TempDir dir;
    const std::string db_file = dir.file("kopilka.sqlite");
    auto server = std::make_unique<ServerProcess>(
        std::vector<std::string>{"--db", db_file, "--seed-demo", "--quiet", "--no-rate-limits"});
    std::string why;
    REQUIRE_MESSAGE(server->start(&why), why);
    const std::string key = api_key(db_file, "admin");
    auto c = server->client();
    c->set_write_timeout(60, 0);
    c->set_read_timeout(60, 0);
    const Reply started = post_csv(*c, key, generated_file(60000));
    REQUIRE(started.status == 202);
    const std::string job = started.body["job_id"];
    for (int i = 0; i < 2000; ++i) {  // until some batches are in
        if (call(*c, "GET", "/v1/admin/imports/" + job, key).body["rows_done"] > 0) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ::kill(server->pid(), SIGKILL);
    server->stop();
    const std::int64_t at_kill =
        Db(db_file).scalar("SELECT rows_done FROM import_jobs WHERE job_id = ?", {job});
    server = std::make_unique<ServerProcess>(
        std::vector<std::string>{"--db", db_file, "--quiet", "--no-rate-limits"});
    REQUIRE_MESSAGE(server->start(&why), why);
    c = server->client();
    const Json done = wait_for_job(*c, key, job);
    CHECK(done["status"] == "done");
    CHECK(done["rows_done"] == 60000);
    MESSAGE("killed at " << at_kill << " rows; resumed to " << done["rows_done"]);
    Db db(db_file);
    CHECK(db.count("members") == 3 + 60000);
    // Rows of the batch cut short were written once: the opening balances add up.
    CHECK(db.scalar("SELECT COALESCE(SUM(member_delta), 0) FROM member_entries WHERE member_id "
                    "LIKE 'm-%'") == 60 * 499500);
}

TEST_CASE("PostgreSQL import: bad rows by line, idempotent, exports") {
    PgDatabase pg;
    REQUIRE_MESSAGE(pg.why.empty(), pg.why);
    auto server = start_server(pg.url, {"--seed-demo"});
    auto c = server->client();
    c->set_read_timeout(60, 0);
    const std::string key = api_key(pg.url, "admin");
    const Reply dry = post_csv(*c, key, kExcelFile, "?dry_run=true");
    REQUIRE_MESSAGE(dry.status == 200, dry.body.dump());
    check_excel_dry_run(dry.body);
    const std::string csv = generated_file(3000);
    for (int run = 0; run < 2; ++run) {
        INFO("run " << run);
        const Json done = wait_for_job(*c, key, post_csv(*c, key, csv).body["job_id"]);
        CHECK(done["status"] == "done");
        CHECK(done["created"] == (run == 0 ? 3000 : 0));
        CHECK(done["matched"] == (run == 0 ? 0 : 3000));
        CHECK(pg.scalar("SELECT COUNT(*) FROM members") == 3 + 3000);
        CHECK(pg.scalar("SELECT SUM(member_delta) FROM member_entries WHERE member_id LIKE "
                        "'m-%'") == 3 * 499500);
    }
    const auto members = c->Get("/v1/admin/exports/members.csv", bearer(key));
    REQUIRE(members);
    CHECK(members->status == 200);
    CHECK(std::count(members->body.begin(), members->body.end(), '\n') >= 3001);
}

TEST_CASE(
    "CLI import: kopilka import members, a dry run, plain progress lines off a terminal, "
    "twice the same") {
    TempDir dir;
    const std::string db = dir.file("kopilka.sqlite");
    REQUIRE(run_program({cli_binary(), "seed-demo", "--db", db}).exit_code == 0);
    dir.write("members.csv", kExcelFile);
    const std::string file = dir.file("members.csv");

    const RunResult dry = run_program(
        {cli_binary(), "import", "members", file, "--db", db, "--merchant", "demo", "--dry-run"});
    REQUIRE_MESSAGE(dry.exit_code == 0, dry.err);
    check_excel_dry_run(json_lines(dry.out).at(0));
    CHECK(Db(db).count("members") == 3);

    for (int run = 0; run < 2; ++run) {
        INFO("run " << run);
        const RunResult r = run_program(
            {cli_binary(), "import", "members", file, "--db", db, "--merchant", "demo"});
        REQUIRE_MESSAGE(r.exit_code == 0, r.err);
        // stdout is a pipe here: plain lines, no carriage returns of a progress bar.
        CHECK(r.out.find('\r') == std::string::npos);
        CHECK(r.out.find("imported 5/5 rows (100%), 2 bad\n") != std::string::npos);
        const Json job = json_lines(r.out).back();
        CHECK(job["status"] == "done");
        CHECK(job["created"] == (run == 0 ? 3 : 0));
        CHECK(job["matched"] == (run == 0 ? 0 : 3));
        CHECK(Db(db).derived_balance("demo", "ext-1") == 150);
    }
    CHECK(run_program({cli_binary(), "import", "members", dir.file("none.csv"), "--db", db,
                       "--merchant", "demo"})
              .exit_code == 1);
    CHECK(run_program({cli_binary(), "import", "coupons", file, "--db", db}).exit_code == 2);
}
