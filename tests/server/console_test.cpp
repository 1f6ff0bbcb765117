// The console's staff against a real kopilka-server: signing in and out, one answer for every
// wrong combination, throttling per account and per address (also across two servers on one
// PostgreSQL database), sessions that expire (absolute and idle) and are revoked by signing
// out, by the owner, by disabling the user or changing its password; the users routes (email
// unique, the last owner kept, If-Match versions) and `kopilka user`.
#include <doctest/doctest.h>
#include <sqlite3.h>

#include "console_helpers.hpp"
#include "pg_database.hpp"

using namespace kopilka::test;

namespace {
struct WithConsole {
    WithConsole() { REQUIRE_MESSAGE(s.ok, s.why); }
    DemoServer s{{password_hash_min()}};
};

// A statement on the server's SQLite file (what the server can't be asked to do: age a session).
void sqlite_exec(const std::string& path, const std::string& sql) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    char* err = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    const std::string why = err ? err : "";
    sqlite3_free(err);
    sqlite3_close(db);
    REQUIRE_MESSAGE(rc == SQLITE_OK, why);
}

std::string sqlite_error(const std::string& path, const std::string& sql) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    char* err = nullptr;
    sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    const std::string why = err ? err : "";
    sqlite3_free(err);
    sqlite3_close(db);
    return why;
}
}  // namespace

TEST_CASE_FIXTURE(WithConsole,
                  "console session: sign in, who am I, sign out; wrong answers alike") {
    const StaffUser owner = add_staff_user(s.db, "owner", "Owner@Demo.Example");
    CHECK(owner.email == "owner@demo.example");
    CHECK(owner.password.size() >= 10);
    auto c = s.server->client();
    const Reply in = sign_in(*c, "OWNER@demo.example", owner.password, "DEMO");
    REQUIRE(in.status == 200);
    const std::string token = in.body["token"];
    CHECK(token.rfind("kcs_", 0) == 0);
    CHECK(in.body["user"] == Json{{"id", owner.id}, {"email", owner.email}, {"name", "owner user"},
                                  {"role", "owner"}});
    CHECK(in.body["merchant"] ==
          Json{{"code", "DEMO"}, {"name", "Kopilka Demo Shop"}, {"currency", "RUB"}});
    const Reply me = call(*c, "GET", "/v1/console/session", token);
    REQUIRE(me.status == 200);
    CHECK(me.body["user"]["id"] == owner.id);
    CHECK(me.body["expires_at_ms"].get<std::int64_t>() <= in.body["expires_at_ms"]);
    CHECK(call(*c, "GET", "/v1/admin/users", token).status == 200);

    // Unknown merchant, unknown email, wrong password, disabled user: one answer.
    const StaffUser viewer = add_staff_user(s.db, "viewer", "viewer@demo.example");
    CHECK(call(*c, "PUT", "/v1/admin/users/" + viewer.id, token, {{"disabled", true}}).status ==
          200);
    for (const auto& [merchant, email, password] :
         {std::tuple<std::string, std::string, std::string>{"nope", owner.email, owner.password},
          {"demo", "nobody@demo.example", owner.password},
          {"demo", owner.email, owner.password + "x"},
          {"demo", viewer.email, viewer.password}}) {
        const Reply r = sign_in(*c, email, password, merchant);
        CHECK(r.status == 401);
        CHECK(r.body == Json{{"error", {{"code", "invalid_credentials"},
                                        {"message", "the merchant, email or password is not right"},
                                        {"field", "password"}}}});
    }
    CHECK(sign_in(*c, owner.email, owner.password, "demo").status == 200);  // 4 failures < 5

    // Signing out ends this session only.
    const std::string second = session_of(*c, owner);
    CHECK(call(*c, "DELETE", "/v1/console/session", token).body == Json{{"revoked", true}});
    CHECK(code_of(call(*c, "GET", "/v1/console/session", token)) == "session_expired");
    CHECK(code_of(call(*c, "GET", "/v1/admin/merchant", token)) == "session_expired");
    CHECK(call(*c, "GET", "/v1/admin/merchant", second).status == 200);
    // A forged token of a real session is not valid; an admin key still works as owner.
    std::string forged = second;
    forged.back() = forged.back() == '0' ? '1' : '0';
    CHECK(code_of(call(*c, "GET", "/v1/admin/merchant", forged)) == "unauthorized");
    const Reply key_me = call(*c, "GET", "/v1/console/session", api_key(s.db, "admin"));
    CHECK(key_me.body["user"]["role"] == "owner");
    CHECK(key_me.body["expires_at_ms"].is_null());
}

TEST_CASE_FIXTURE(WithConsole, "console session: absolute and idle expiry") {
    const StaffUser owner = add_staff_user(s.db, "owner", "owner@demo.example");
    auto c = s.server->client();
    const std::string a = session_of(*c, owner);
    const std::string b = session_of(*c, owner);
    const std::string id_a = a.substr(4, 8), id_b = b.substr(4, 8);
    // Two hours without a request end a session; a request within them keeps it.
    sqlite_exec(s.db, "UPDATE staff_sessions SET last_seen_ms = last_seen_ms - 7200000 "
                      "WHERE session_id = '" + id_a + "'");
    sqlite_exec(s.db, "UPDATE staff_sessions SET last_seen_ms = last_seen_ms - 7100000 "
                      "WHERE session_id = '" + id_b + "'");
    CHECK(code_of(call(*c, "GET", "/v1/admin/merchant", a)) == "session_expired");
    CHECK(call(*c, "GET", "/v1/admin/merchant", b).status == 200);
    Db db(s.db);
    CHECK(db.scalar("SELECT COUNT(*) FROM staff_sessions WHERE session_id = '" + id_b +
                    "' AND last_seen_ms > created_at_ms - 1000") == 1);  // touched
    // Twelve hours after sign-in it ends, however busy.
    sqlite_exec(s.db, "UPDATE staff_sessions SET expires_at_ms = created_at_ms - 1 "
                      "WHERE session_id = '" + id_b + "'");
    CHECK(code_of(call(*c, "GET", "/v1/admin/merchant", b)) == "session_expired");
}

TEST_CASE_FIXTURE(WithConsole, "console sign-in throttling: per account and per address") {
    const StaffUser owner = add_staff_user(s.db, "owner", "owner@demo.example");
    const StaffUser manager = add_staff_user(s.db, "manager", "manager@demo.example");
    const StaffUser viewer = add_staff_user(s.db, "viewer", "viewer@demo.example");
    auto c = s.server->client();
    // The merchant named by its id or its code is one account.
    for (int i = 0; i < 5; ++i)
        CHECK(sign_in(*c, owner.email, "wrong password", i % 2 ? "demo" : "DEMO").status == 401);
    // The sixth try is refused before the password is checked, even the right one.
    const Reply r = sign_in(*c, owner.email, owner.password);
    CHECK(r.status == 429);
    CHECK(code_of(r) == "throttled");
    const auto wait = r.body["error"]["retry_after_s"].get<std::int64_t>();
    CHECK(wait > 890);
    CHECK(wait <= 900);
    CHECK(r.retry_after == std::to_string(wait));
    // Another account from the same address still signs in (5 address failures of 20).
    CHECK(sign_in(*c, manager.email, manager.password).status == 200);
    for (int i = 0; i < 15; ++i)
        CHECK(sign_in(*c, "guess" + std::to_string(i) + "@demo.example", "wrong password").status ==
              401);
    CHECK(code_of(sign_in(*c, viewer.email, viewer.password)) == "throttled");
    Db db(s.db);
    CHECK(db.scalar("SELECT COUNT(*) FROM sign_in_failures WHERE failure_key = "
                    "'address:127.0.0.1'") == 20);
}

TEST_CASE_FIXTURE(WithConsole,
                  "console users: create, update with versions, last owner, passwords") {
    const StaffUser owner = add_staff_user(s.db, "owner", "owner@demo.example");
    auto c = s.server->client();
    const std::string t = session_of(*c, owner);
    const Json alice = {{"email", "Alice@demo.example"}, {"name", "Alice"}, {"role", "support"},
                        {"password", "alice-password-1"}};
    const Reply made = call(*c, "POST", "/v1/admin/users", t, alice);
    REQUIRE(made.status == 201);
    CHECK(made.body["email"] == "alice@demo.example");
    CHECK(made.body["version"] == 1);
    CHECK(made.body["last_login_ms"] == 0);
    CHECK(made.body["disabled"] == false);
    const std::string id = made.body["id"];
    Json taken = alice;
    taken["email"] = "ALICE@demo.example";
    const Reply dup = call(*c, "POST", "/v1/admin/users", t, taken);
    CHECK(dup.status == 409);
    CHECK(code_of(dup) == "email_taken");
    CHECK(dup.body["error"]["field"] == "email");
    Json bad = alice;
    bad["email"] = "bob@demo.example";
    bad["password"] = "short";
    CHECK(call(*c, "POST", "/v1/admin/users", t, bad).body["error"]["field"] == "password");
    bad["password"] = std::string(129, 'x');
    CHECK(call(*c, "POST", "/v1/admin/users", t, bad).body["error"]["field"] == "password");
    bad["password"] = "long enough password";
    bad["role"] = "admin";
    CHECK(call(*c, "POST", "/v1/admin/users", t, bad).body["error"]["field"] == "role");

    const StaffUser a{id, "alice@demo.example", "alice-password-1", "support"};
    const std::string alice_session = session_of(*c, a);
    CHECK(call(*c, "GET", "/v1/admin/users", t).body["users"].size() == 2);
    // If-Match: the version read; a stale one is 412 with the current version.
    const Reply renamed = call(*c, "PUT", "/v1/admin/users/" + id, t, {{"name", "Alice B"}},
                               {{"If-Match", "\"1\""}});
    REQUIRE(renamed.status == 200);
    CHECK(renamed.body["version"] == 2);
    const Reply stale = call(*c, "PUT", "/v1/admin/users/" + id, t, {{"role", "manager"}},
                             {{"If-Match", "\"1\""}});
    CHECK(stale.status == 412);
    CHECK(code_of(stale) == "version_conflict");
    CHECK(stale.body["error"]["field"] == "If-Match");
    CHECK(stale.body["error"]["current_version"] == 2);
    CHECK(call(*c, "GET", "/v1/admin/users", t).body["users"][0]["role"] != "manager");
    CHECK(call(*c, "PUT", "/v1/admin/users/" + id, t, {}, {{"If-Match", "two"}}).status == 400);
    // The last enabled owner can't be demoted or disabled.
    for (const Json& change : {Json{{"role", "manager"}}, Json{{"disabled", true}}}) {
        const Reply r = call(*c, "PUT", "/v1/admin/users/" + owner.id, t, change);
        CHECK(r.status == 409);
        CHECK(code_of(r) == "last_owner");
    }
    // A new password ends the user's sessions; the new one signs in, the old one doesn't.
    CHECK(call(*c, "POST", "/v1/admin/users/" + id + "/password", t, {{"password", "short"}})
              .status == 400);
    CHECK(call(*c, "GET", "/v1/admin/members", alice_session).status == 200);
    CHECK(call(*c, "POST", "/v1/admin/users/" + id + "/password", t,
               {{"password", "alice-password-2"}})
              .status == 200);
    CHECK(code_of(call(*c, "GET", "/v1/admin/members", alice_session)) == "session_expired");
    CHECK(sign_in(*c, a.email, a.password).status == 401);
    const std::string again = session_of(*c, {id, a.email, "alice-password-2", "support"});
    const std::string twice = session_of(*c, {id, a.email, "alice-password-2", "support"});
    CHECK(call(*c, "POST", "/v1/admin/users/" + id + "/revoke-sessions", t).body ==
          Json{{"revoked", 2}});
    CHECK(code_of(call(*c, "GET", "/v1/admin/members", again)) == "session_expired");
    CHECK(code_of(call(*c, "GET", "/v1/admin/members", twice)) == "session_expired");
    // A new role applies to the user's next request; disabling ends its sessions.
    const std::string third = session_of(*c, {id, a.email, "alice-password-2", "support"});
    CHECK(call(*c, "PUT", "/v1/admin/users/" + id, t, {{"role", "viewer"}}).status == 200);
    CHECK(call(*c, "GET", "/v1/admin/members", third).status == 403);
    CHECK(call(*c, "GET", "/v1/admin/reports", third).status == 200);
    CHECK(call(*c, "PUT", "/v1/admin/users/" + id, t, {{"disabled", true}}).status == 200);
    CHECK(code_of(call(*c, "GET", "/v1/admin/reports", third)) == "session_expired");
    CHECK(call(*c, "PUT", "/v1/admin/users/nobody", t, {{"name", "x"}}).status == 404);
    // Two owners: one may be demoted.
    const StaffUser second = add_staff_user(s.db, "owner", "second@demo.example");
    CHECK(call(*c, "PUT", "/v1/admin/users/" + second.id, t, {{"role", "manager"}}).status == 200);
    const Json listed = call(*c, "GET", "/v1/admin/users", t).body["users"];
    for (const Json& u : listed) CHECK_FALSE(u.contains("password_hash"));
}

TEST_CASE_FIXTURE(WithConsole, "kopilka user: add prints a password once, password resets it") {
    const RunResult typed = run_program(
        {"/bin/sh", "-c",
         std::string("printf 'typed-password-1\\n' | '") + cli_binary() + "' user add --db '" +
             s.db + "' --merchant demo --email m@demo.example --name M --role manager " +
             "--password-stdin --password-hash min"});
    REQUIRE_MESSAGE(typed.exit_code == 0, typed.err);
    CHECK_FALSE(json_lines(typed.out).at(0).contains("password"));
    auto c = s.server->client();
    const std::string session = session_of(*c, {"", "m@demo.example", "typed-password-1", ""});
    const RunResult reset =
        run_program({cli_binary(), "user", "password", "--db", s.db, "--merchant", "demo",
                     "--email", "M@demo.example", "--password-hash", "min"});
    REQUIRE_MESSAGE(reset.exit_code == 0, reset.err);
    const std::string fresh = json_lines(reset.out).at(0).at("password");
    CHECK(code_of(call(*c, "GET", "/v1/admin/program", session)) == "session_expired");
    CHECK(sign_in(*c, "m@demo.example", "typed-password-1").status == 401);
    CHECK(sign_in(*c, "m@demo.example", fresh).status == 200);
    // Refusals: a taken email, a bad role, a short typed password, an unknown user.
    CHECK(run_program({cli_binary(), "user", "add", "--db", s.db, "--merchant", "demo", "--email",
                       "m@demo.example", "--name", "M", "--role", "viewer"})
              .exit_code == 1);
    CHECK(run_program({cli_binary(), "user", "add", "--db", s.db, "--merchant", "demo", "--email",
                       "n@demo.example", "--name", "N", "--role", "admin"})
              .exit_code == 1);
    CHECK(run_program({cli_binary(), "user", "password", "--db", s.db, "--merchant", "demo",
                       "--email", "nobody@demo.example"})
              .exit_code == 2);
    CHECK(run_program({cli_binary(), "user", "remove", "--db", s.db}).exit_code == 2);
}

TEST_CASE_FIXTURE(WithConsole, "audit log: the database refuses to change or delete a line") {
    auto c = s.server->client();
    CHECK(call(*c, "POST", "/v1/admin/devices/pairing-codes", api_key(s.db, "admin"),
               {{"name", "Till 2"}})
              .status == 201);
    Db db(s.db);
    REQUIRE(db.count("audit_log") == 1);
    CHECK(sqlite_error(s.db, "UPDATE audit_log SET action = 'x'").find("append-only") !=
          std::string::npos);
    CHECK(sqlite_error(s.db, "DELETE FROM audit_log").find("append-only") != std::string::npos);
    CHECK(db.count("audit_log") == 1);
}

TEST_CASE("console on PostgreSQL: throttling and sessions shared by two servers; audit kept") {
    PgDatabase db;
    REQUIRE_MESSAGE(db.why.empty(), db.why);
    auto a = start_server(db.url, {"--seed-demo", password_hash_min()});
    auto b = start_server(db.url, {password_hash_min()});
    const StaffUser owner = add_staff_user(db.url, "owner", "owner@demo.example");
    auto ca = a->client();
    auto cb = b->client();
    // A session from one server works on the other; signing out on one ends it on both.
    const std::string t = session_of(*ca, owner);
    CHECK(call(*cb, "GET", "/v1/admin/users", t).status == 200);
    const Reply made = call(*cb, "POST", "/v1/admin/users", t,
                            {{"email", "x@demo.example"}, {"name", "X"}, {"role", "viewer"},
                             {"password", "x-password-12"}});
    CHECK(made.status == 201);
    CHECK(call(*ca, "POST", "/v1/admin/users", t,
               {{"email", "x@demo.example"}, {"name", "X"}, {"role", "viewer"},
                {"password", "x-password-12"}})
              .status == 409);
    CHECK(call(*ca, "DELETE", "/v1/console/session", t).status == 200);
    CHECK(code_of(call(*cb, "GET", "/v1/admin/users", t)) == "session_expired");
    // Failures on both servers count together.
    for (int i = 0; i < 5; ++i)
        CHECK(sign_in(i % 2 ? *ca : *cb, owner.email, "wrong password").status == 401);
    CHECK(code_of(sign_in(*ca, owner.email, owner.password)) == "throttled");
    CHECK(code_of(sign_in(*cb, owner.email, owner.password)) == "throttled");
    // The audit log holds the sign-in, the user's creation and the sign-out (the throttled and
    // failed sign-ins none); the database refuses to edit or delete it.
    CHECK(db.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'user.create'") == 1);
    CHECK(db.scalar("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'session.%'") == 2);
    for (const char* sql : {"UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log",
                            "TRUNCATE audit_log"}) {
        INFO(sql);
        pqxx::connection conn(db.url);
        pqxx::work w(conn);
        CHECK_THROWS_WITH_AS(w.exec(sql), doctest::Contains("append-only"), pqxx::sql_error);
    }
    CHECK(db.scalar("SELECT COUNT(*) FROM audit_log") == 3);
}
