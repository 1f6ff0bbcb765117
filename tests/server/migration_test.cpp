// Migration 5 (a member's phone is unique per merchant) on a database that already holds
// members sharing a phone, as enrolment races left them before: the server still starts, the
// member phone lookups found keeps the phone, the others' are blanked, listed and logged;
// afterwards the database refuses a second member with that phone. On SQLite and PostgreSQL.
#include <doctest/doctest.h>
#include <sqlite3.h>

#include "pg_database.hpp"
#include "receipt_helpers.hpp"
#include "server_process.hpp"

using namespace kopilka::test;

namespace {

// Takes a database at schema 5 back to 4 and gives Dace Anna's phone, which schema 4 allowed.
const char* const kBackToSchema4 = R"sql(
    DROP INDEX members_phone_unique;
    DROP TABLE member_phones_blanked;
    CREATE INDEX members_phone ON members (merchant_id, phone);
    DELETE FROM schema_migrations WHERE version = 5;
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

TEST_CASE(
    "migration 5 (SQLite): members sharing a phone keep one, the others are blanked and listed") {
    DemoServer s;
    REQUIRE_MESSAGE(s.ok, s.why);
    REQUIRE(s.server->stop() == 0);
    {
        sqlite3* db = nullptr;
        REQUIRE(sqlite3_open(s.db.c_str(), &db) == SQLITE_OK);
        char* err = nullptr;
        const int rc = sqlite3_exec(db, kBackToSchema4, nullptr, nullptr, &err);
        const std::string why = err ? err : "";
        sqlite3_free(err);
        sqlite3_close(db);
        REQUIRE_MESSAGE(rc == SQLITE_OK, why);
    }
    ServerProcess again({"--db", s.db});
    std::string why;
    REQUIRE_MESSAGE(again.start(&why), why);
    Db db(s.db);
    CHECK(db.scalar("SELECT MAX(version) FROM schema_migrations") == 5);
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
        w.exec(kBackToSchema4);
        w.commit();
    }
    auto again = start_server(db.url, {});
    CHECK(db.scalar("SELECT MAX(version) FROM schema_migrations") == 5);
    CHECK(db.scalar(kAnnaPhone) == 1);
    CHECK(db.scalar(kDacePhone) == 1);
    CHECK(db.scalar(kBlanked) == 1);
    check_migrated(*again, db.url);
}
