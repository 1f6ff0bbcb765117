// Migrations. Migration 5 (a member's phone is unique per merchant) on a database that already
// holds members sharing a phone, as enrolment races left them before: the server still starts, the
// member phone lookups found keeps the phone, the others' are blanked, listed and logged;
// afterwards the database refuses a second member with that phone. On SQLite and PostgreSQL.
#include <doctest/doctest.h>
#include <sqlite3.h>

#include "pg_database.hpp"
#include "receipt_helpers.hpp"
#include "server_process.hpp"

using namespace kopilka::test;

namespace {

// Takes a database at the latest schema back to 4 and gives Dace Anna's phone, which schema 4
// allowed (after kDropSchema7Sqlite or kDropSchema7Pg: the audit log's triggers differ). Migration
// 10's, 12's and 14's triggers (and PostgreSQL's trigger functions) go with them, and the index of
// members' entries by time (SQLite's of migration 12, PostgreSQL's of 13).
const char* const kDropSchema7Sqlite =
    "DROP TABLE audit_log; DROP TRIGGER report_receipts; DROP TRIGGER report_member_entries; "
    "DROP TRIGGER report_members; DROP TRIGGER report_spins; DROP TRIGGER report_member_months; "
    "DROP INDEX member_entries_member_at;";
const char* const kDropSchema7Pg =
    "DROP TABLE audit_log; DROP FUNCTION audit_log_refuse(); DROP FUNCTION report_receipts_roll() "
    "CASCADE; DROP FUNCTION report_member_entries_roll() CASCADE; DROP FUNCTION "
    "report_members_roll() CASCADE; DROP FUNCTION report_spins_roll() CASCADE; DROP FUNCTION "
    "report_member_months_roll() CASCADE; DROP INDEX member_entries_member_at; DROP FUNCTION "
    "config_changed() CASCADE;";
const char* const kBackToSchema4 = R"sql(
    ALTER TABLE member_counters DROP COLUMN tier_sum;
    ALTER TABLE member_counters DROP COLUMN tier_sum_from_ms;
    ALTER TABLE member_entries DROP COLUMN history_no;
    DROP TABLE member_state;
    DROP TABLE report_member_months;
    DROP INDEX cards_member;
    DROP TABLE report_days;
    DROP INDEX receipts_at_member;
    DROP INDEX member_entries_at;
    DROP INDEX members_created;
    DROP TABLE import_jobs;
    DROP TABLE import_files;
    DROP INDEX programs_effective;
    DROP INDEX receipts_at;
    ALTER TABLE programs DROP COLUMN effective_from_ms;
    DROP TABLE staff_users;
    DROP TABLE staff_sessions;
    DROP TABLE sign_in_failures;
    DROP TABLE document_authors;
    DROP TABLE device_state;
    DROP TABLE row_versions;
    DROP TABLE widget_nonces;
    DROP TABLE widget_sessions;
    DROP TABLE referral_codes;
    DROP TABLE referrals;
    DROP INDEX members_phone_unique;
    DROP TABLE member_phones_blanked;
    CREATE INDEX members_phone ON members (merchant_id, phone);
    DELETE FROM schema_migrations WHERE version >= 5;
    UPDATE members SET phone = (SELECT phone FROM members WHERE member_id = 'demo-anna')
        WHERE member_id = 'demo-dace';
)sql";

const char* const kDacePhone =
    "SELECT COUNT(*) FROM members WHERE member_id = 'demo-dace' AND phone = ''";
const char* const kAnnaPhone =
    "SELECT COUNT(*) FROM members WHERE member_id = 'demo-anna' AND phone = '79160000001'";
const char* const kBlanked =
    "SELECT COUNT(*) FROM member_phones_blanked WHERE member_id = 'demo-dace' AND kept_by = "
    "'demo-anna'";

// The migration's log line, and a second member with Anna's phone refused naming "phone".
void check_migrated(const ServerProcess& server, const std::string& db) {
    CHECK_MESSAGE(server.wait_for_stderr([](const std::string& err) {
        return err.find("migration 5: 1 members shared a phone") != std::string::npos;
    }),
                  server.stderr_text());
    auto c = server.client();
    const auto res = c->Put("/v1/admin/members/demo-dace", bearer(api_key(db, "admin")),
                            Json{{"phone", "+7 916 000-00-01"}}.dump(), "application/json");
    REQUIRE(res);
    CHECK(res->status == 409);
    CHECK(Json::parse(res->body)["error"]["field"] == "phone");
}

}  // namespace

TEST_CASE_FIXTURE(
    WithDemoServer,
    "migration 5 (SQLite): members sharing a phone keep one, the others are blanked and listed") {
    REQUIRE(s.server->stop() == 0);
    {
        sqlite3* db = nullptr;
        REQUIRE(sqlite3_open(s.db.c_str(), &db) == SQLITE_OK);
        char* err = nullptr;
        const int rc = sqlite3_exec(
            db, (std::string(kDropSchema7Sqlite) + kBackToSchema4).c_str(), nullptr, nullptr, &err);
        const std::string why = err ? err : "";
        sqlite3_free(err);
        sqlite3_close(db);
        REQUIRE_MESSAGE(rc == SQLITE_OK, why);
    }
    ServerProcess again({"--db", s.db});
    std::string why;
    REQUIRE_MESSAGE(again.start(&why), why);
    Db db(s.db);
    CHECK(db.scalar("SELECT MAX(version) FROM schema_migrations") == 19);
    CHECK(db.scalar(kAnnaPhone) == 1);
    CHECK(db.scalar(kDacePhone) == 1);
    CHECK(db.scalar(kBlanked) == 1);
    check_migrated(again, s.db);
}

TEST_CASE(
    "migration 5 (PostgreSQL): members sharing a phone keep one, the others are blanked and "
    "listed") {
    PgDatabase db;
    REQUIRE_MESSAGE(db.why.empty(), db.why);
    start_server(db.url, {"--seed-demo"})->stop();
    {
        pqxx::connection c(db.url);
        pqxx::work w(c);
        w.exec(std::string(kDropSchema7Pg) + kBackToSchema4);
        w.commit();
    }
    auto again = start_server(db.url, {});
    CHECK(db.scalar("SELECT MAX(version) FROM schema_migrations") == 19);
    CHECK(db.scalar(kAnnaPhone) == 1);
    CHECK(db.scalar(kDacePhone) == 1);
    CHECK(db.scalar(kBlanked) == 1);
    check_migrated(*again, db.url);
}

// [SECTION] Databases made by main at f89ccf1, and the baseline of a fresh database
//
// fixtures/main_f89ccf1.*.dump are dumps of databases that main's kopilka-server made (demo
// data, a receipt with a card and one without, a return, an adjustment, an enrolment). The
// server opens them with their data, and their schema is exactly what a fresh database gets
// from the baseline in one step: tables, columns in order, types, defaults, keys, indexes.

namespace {

std::string fixture(const std::string& name) {
    return read_file(std::string(KOPILKA_TEST_FIXTURES) + "/" + name);
}

// Every user table's columns (PRAGMA table_info) and indexes (PRAGMA index_list and
// index_info; the CREATE INDEX text of explicit ones, which holds a partial index's WHERE).
std::string sqlite_schema(const std::string& path) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
    std::string out;
    const auto rows = [&](const std::string& sql) {
        std::vector<std::vector<std::string>> result;
        sqlite3_stmt* st = nullptr;
        REQUIRE_MESSAGE(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK,
                        std::string(sqlite3_errmsg(db)));
        while (sqlite3_step(st) == SQLITE_ROW) {
            std::vector<std::string> row;
            for (int c = 0; c < sqlite3_column_count(st); ++c) {
                const auto* t = sqlite3_column_text(st, c);
                row.push_back(t ? reinterpret_cast<const char*>(t) : "NULL");
            }
            result.push_back(row);
        }
        sqlite3_finalize(st);
        return result;
    };
    const auto line = [](const std::vector<std::string>& row) {
        std::string l;
        for (const auto& cell : row) l += cell + " | ";
        return l + "\n";
    };
    for (const auto& t :
         rows("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
              "ORDER BY name")) {
        out += "table " + t[0] + "\n";
        for (const auto& c : rows("PRAGMA table_info(" + t[0] + ")")) out += "  column " + line(c);
        for (const auto& i :
             rows("SELECT name, \"unique\", origin, partial FROM pragma_index_list('" + t[0] +
                  "') ORDER BY name")) {
            out += "  index " + line(i);
            for (const auto& c : rows("PRAGMA index_info(" + i[0] + ")"))
                out += "    on " + line(c);
            for (const auto& s :
                 rows("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = '" + i[0] +
                      "'"))
                out += "    sql " + line(s);
        }
    }
    sqlite3_close(db);
    return out;
}

std::string pg_schema(const std::string& url) {
    pqxx::connection c(url);
    pqxx::work w(c);
    std::string out;
    for (const auto& r :
         w.exec("SELECT table_name, ordinal_position, column_name, data_type, is_nullable, "
                "COALESCE(column_default, 'NULL') FROM information_schema.columns "
                "WHERE table_schema = 'public' ORDER BY table_name, ordinal_position")) {
        for (const auto& f : r) out += f.as<std::string>() + " | ";
        out += "\n";
    }
    for (const auto& r :
         w.exec("SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
                "ORDER BY tablename, indexname")) {
        for (const auto& f : r) out += f.as<std::string>() + " | ";
        out += "\n";
    }
    for (const auto& r : w.exec(
             "SELECT table_name, constraint_name, constraint_type FROM "
             "information_schema.table_constraints WHERE table_schema = 'public' AND "
             "constraint_type IN ('PRIMARY KEY', 'UNIQUE') ORDER BY table_name, constraint_name")) {
        for (const auto& f : r) out += f.as<std::string>() + " | ";
        out += "\n";
    }
    return out;
}

// The fixture's data through the new server: the first receipt's operation replays its
// answer, the member it earned for takes another receipt, the anonymous receipt is still
// refused a return, and the adjusted and enrolled members are there.
// The member's whole history walked by the console's pages: migration 15 numbered the entries
// stored before it, so the total and each page's first position agree with the entries seen.
void check_history_numbers(httplib::Client& c, const std::string& admin, const std::string& id) {
    std::int64_t seen = 0, total = -1;
    std::string query = "?limit=1";
    for (int page = 0; page < 100; ++page) {
        const auto res =
            c.Get(("/v1/admin/members/" + id + "/history" + query).c_str(), bearer(admin));
        REQUIRE(res);
        REQUIRE_MESSAGE(res->status == 200, res->body);
        const Json j = Json::parse(res->body);
        if (total < 0) total = j["total"];
        CHECK(j["total"] == total);
        CHECK(j["first"] == seen + 1);
        seen += static_cast<std::int64_t>(j["entries"].size());
        if (j["next_before"].is_null()) break;
        query = "?limit=1&before=" + std::to_string(j["next_before"].get<std::int64_t>());
    }
    CHECK_MESSAGE(seen == total, id);
    CHECK(total > 1);
}

void check_old_data(const ServerProcess& server, const std::string& db) {
    auto c = server.client();
    const std::string till = api_key(db, "till");
    const Json first = {
        {"operation_id", "00000000000000000000000000000001"},
        {"member", {{"id", "demo-anna"}}},
        {"receipt",
         {{"id", "R-1"},
          {"lines",
           {{{"sku", "coat"}, {"category", "clothes"}, {"unit_price", 10000}, {"quantity", 2}}}}}}};
    auto res = c->Post("/v1/receipts", bearer(till), first.dump(), "application/json");
    REQUIRE(res);
    CHECK_MESSAGE(res->status == 201, res->body);
    CHECK(Json::parse(res->body).value("replayed", false));
    Json next = receipt_body(40, "", 5000, 0);
    next["member"] = {{"id", "demo-anna"}};
    res = c->Post("/v1/receipts", bearer(till), next.dump(), "application/json");
    REQUIRE(res);
    CHECK_MESSAGE(res->status == 201, res->body);
    const Json ret = {{"operation_id", op_id(41)}, {"receipt_id", "R-2"}, {"quantities", {1}}};
    res = c->Post("/v1/returns", bearer(till), ret.dump(), "application/json");
    REQUIRE(res);
    CHECK(res->status == 409);
    const std::string admin = api_key(db, "admin");
    for (const char* id : {"demo-dace", "m-fixture"}) {
        res = c->Get((std::string("/v1/admin/members/") + id).c_str(), bearer(admin));
        REQUIRE(res);
        CHECK_MESSAGE(res->status == 200, res->body);
    }
    for (const char* id : {"demo-dace", "demo-anna"}) check_history_numbers(*c, admin, id);
}

}  // namespace

TEST_CASE(
    "a database made by main (SQLite) opens with its data; its schema is a fresh database's") {
    TempDir dir;
    const std::string old_db = dir.file("main.db"), fresh_db = dir.file("fresh.db");
    {
        sqlite3* db = nullptr;
        REQUIRE(sqlite3_open(old_db.c_str(), &db) == SQLITE_OK);
        char* err = nullptr;
        const int rc =
            sqlite3_exec(db, fixture("main_f89ccf1.sqlite.dump").c_str(), nullptr, nullptr, &err);
        const std::string why = err ? err : "";
        sqlite3_free(err);
        sqlite3_close(db);
        REQUIRE_MESSAGE(rc == SQLITE_OK, why);
    }
    const std::string before = sqlite_schema(old_db);
    {
        Db db(old_db);
        CHECK(db.derived_balance("demo", "demo-anna") == 1256);
        CHECK(db.derived_balance("demo", "demo-dace") == 4275);
    }
    ServerProcess old_server({"--db", old_db, "--quiet"});
    std::string why;
    REQUIRE_MESSAGE(old_server.start(&why), why);
    check_old_data(old_server, old_db);
    REQUIRE(old_server.stop() == 0);
    {
        Db db(old_db);
        CHECK(db.scalar("SELECT COUNT(*) FROM members") == 4);
        CHECK(db.scalar("SELECT MAX(version) FROM schema_migrations") == 19);
        CHECK(db.derived_balance("demo", "demo-dace") == 4275);
        CHECK(db.derived_balance("demo", "m-fixture") == 100);
        CHECK(db.derived_balance("demo", "demo-anna") > 1256);
    }

    ServerProcess fresh({"--db", fresh_db, "--quiet"});
    REQUIRE_MESSAGE(fresh.start(&why), why);
    REQUIRE(fresh.stop() == 0);
    CHECK(Db(fresh_db).scalar("SELECT COUNT(*) FROM schema_migrations") == 19);
    const std::string after = sqlite_schema(old_db);
    CHECK(before != after);  // migration 6 added the widget's tables
    CHECK(after.find("widget_nonces") != std::string::npos);
    CHECK(sqlite_schema(fresh_db) == after);
    CHECK(after.find("member_phones_blanked") != std::string::npos);
}

TEST_CASE(
    "a database made by main (PostgreSQL) opens with its data; its schema is a fresh database's") {
    PgDatabase old_db, fresh_db;
    REQUIRE_MESSAGE(old_db.why.empty(), old_db.why);
    REQUIRE_MESSAGE(fresh_db.why.empty(), fresh_db.why);
    {
        pqxx::connection c(old_db.url);
        pqxx::work w(c);
        w.exec(fixture("main_f89ccf1.pg.dump"));
        w.commit();
    }
    const std::string before = pg_schema(old_db.url);
    CHECK(old_db.derived_balance("demo", "demo-anna") == 1256);
    auto server = start_server(old_db.url, {});
    check_old_data(*server, old_db.url);
    REQUIRE(server->stop() == 0);
    CHECK(old_db.scalar("SELECT COUNT(*) FROM members") == 4);
    CHECK(old_db.scalar("SELECT MAX(version) FROM schema_migrations") == 19);
    CHECK(old_db.derived_balance("demo", "demo-dace") == 4275);
    CHECK(old_db.derived_balance("demo", "m-fixture") == 100);
    CHECK(old_db.derived_balance("demo", "demo-anna") > 1256);

    start_server(fresh_db.url, {})->stop();
    CHECK(fresh_db.scalar("SELECT COUNT(*) FROM schema_migrations") == 19);
    const std::string after = pg_schema(old_db.url);
    CHECK(before != after);  // migration 6 added the widget's tables
    CHECK(after.find("widget_nonces") != std::string::npos);
    CHECK(pg_schema(fresh_db.url) == after);
    CHECK(after.find("member_phones_blanked") != std::string::npos);
}
