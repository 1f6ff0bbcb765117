// The website widget's server side on a real server: the console's widget settings, the
// public config (ETag, 304), the member-token exchange (forged, expired, nonce-less, replayed
// and other-merchant tokens refused, each with its code; one token gives one session even
// from 10 parallel exchanges on two PostgreSQL servers), history pages, a redemption the till
// accepts once, a spin, the referral view, CORS for the merchant's origins only, and the
// per-member rate limit. Answers are read back with the panel's codec (codec/widget_json).
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <atomic>
#include <cctype>
#include <ctime>
#include <optional>
#include <thread>

#include "auth/member_token.hpp"
#include "codec/widget_json.hpp"
#include "kiosk_helpers.hpp"
#include "pg_database.hpp"
#include "server_process.hpp"

using namespace kopilka;
using namespace kopilka::test;

namespace {

const char* const kShop = "http://localhost:8081";  // on the demo's allow-list

std::string token_secret(const std::string& db, const std::string& merchant) {
    const RunResult r =
        run_program({cli_binary(), "member-token-secret", "--db", db, "--merchant", merchant});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    return json_lines(r.out).at(0).at("member_token_secret").get<std::string>();
}

// A member token as the merchant's site mints it; iat now + shift_s.
std::string member_token(const std::string& secret, const std::string& merchant,
                         const std::string& member, const std::string& nonce,
                         std::int64_t shift_s = 0) {
    server::auth::MemberClaims claims{member, merchant, 0, 0, nonce};
    claims.issued_at_s = static_cast<std::int64_t>(std::time(nullptr)) + shift_s;
    claims.expires_at_s = claims.issued_at_s + 600;
    const auto minted = server::auth::mint_member_token(claims, secret);
    REQUIRE(minted.status == server::auth::MemberTokenStatus::ok);
    return minted.token;
}

Answer open_session(httplib::Client& c, const std::string& token,
                    const std::string& query = "?merchant=demo") {
    return post(c, "/v1/widget/session" + query, token, Json::object());
}

// A session for the demo member, REQUIREd to open.
std::string session_for(httplib::Client& c, const std::string& db, const std::string& member,
                        const std::string& nonce) {
    const Answer a = open_session(c, member_token(token_secret(db, "demo"), "demo", member, nonce));
    REQUIRE_MESSAGE(a.status == 201, a.body.dump());
    return a.body["token"].get<std::string>();
}

std::string error_code(const Answer& a) {
    return a.body.is_object() && a.body.contains("error") ? a.body["error"].value("code", "")
                                                           : "";
}
std::string error_field(const Answer& a) {
    return a.body.is_object() && a.body.contains("error") ? a.body["error"].value("field", "")
                                                           : "";
}

}  // namespace

TEST_CASE_FIXTURE(WithDemoServer, "widget: settings round-trip; bad ones are refused naming the "
                                  "field") {
    auto c = s.server->client();
    const std::string admin = api_key(s.db, "admin");
    Answer a = get(*c, "/v1/admin/widget-settings", admin);
    REQUIRE(a.status == 200);
    const auto seeded = codec::decode_widget_settings(a.body["settings"]);
    REQUIRE_MESSAGE(seeded.ok(), seeded.error.message);
    CHECK(seeded.value->origins.size() == 2);
    CHECK(seeded.value->views.spin);
    CHECK(seeded.value->spin_wheel_id == "demo-wheel");
    CHECK(seeded.value->version == 1);

    Json next = a.body["settings"];
    next["origins"] = {"https://shop.example"};
    next["theme_id"] = "night";
    a = put(*c, "/v1/admin/widget-settings", admin, next);
    REQUIRE_MESSAGE(a.status == 200, a.body.dump());
    CHECK(a.body["settings"]["version"] == 2);
    CHECK(get(*c, "/v1/admin/widget-settings", admin).body["settings"]["theme_id"] == "night");

    const auto refused = [&](Json body, const char* field) {
        const Answer x = put(*c, "/v1/admin/widget-settings", admin, body);
        CHECK_MESSAGE(x.status == 400, x.body.dump());
        CHECK(error_field(x) == field);
        CHECK(error_shape_problem(x.body) == "");
    };
    Json bad = next;
    bad["origins"] = {"https://shop.example/"};
    refused(bad, "origins[0]");
    bad = next;
    bad["spin_wheel_id"] = "no-such-wheel";
    refused(bad, "spin_wheel_id");
    bad = next;
    bad["theme_id"] = "no-such-theme";
    refused(bad, "theme_id");
    bad = next;
    bad["signin_url"] = "ftp://shop.example";
    refused(bad, "signin_url");
    bad = next;
    bad["launcher"] = "left";
    refused(bad, "launcher");
    CHECK(put(*c, "/v1/admin/widget-settings", api_key(s.db, "till"), next).status == 403);
    CHECK(get(*c, "/v1/admin/widget-settings", "").status == 401);
}

TEST_CASE_FIXTURE(WithDemoServer,
                  "widget: the public config has a strong ETag; If-None-Match answers 304") {
    auto c = s.server->client();
    Answer a = get(*c, "/v1/widget/config?merchant=demo", "");
    REQUIRE_MESSAGE(a.status == 200, a.body.dump());
    const auto config = codec::decode_widget_config(a.body);
    REQUIRE_MESSAGE(config.ok(), config.error.message);
    CHECK(config.value->merchant_code == "DEMO");
    CHECK(config.value->program.rewards.size() == 3);
    // The demo's coffee and cake have pictures: the config leaves them out of the program and
    // gives the addresses the panel loads them from.
    for (const auto& r : config.value->program.rewards) CHECK(r.image.empty());
    const auto& pictures = config.value->pictures;
    CHECK(pictures.size() == 2);
    CHECK(pictures.count("discount-500") == 0);
    REQUIRE(pictures.count("coffee") == 1);
    const std::string coffee = pictures.at("coffee");
    CHECK(coffee.rfind("/v1/widget/picture?merchant=DEMO&reward=coffee&v=", 0) == 0);
    auto picture = c->Get(coffee.c_str());
    REQUIRE(picture);
    CHECK(picture->status == 200);
    CHECK(picture->get_header_value("Content-Type") == "image/png");
    CHECK(picture->body.size() > 100);
    CHECK(picture->body.rfind("\x89PNG\r\n\x1a\n", 0) == 0);
    CHECK(picture->get_header_value("Cache-Control") == "public, max-age=31536000, immutable");
    const std::string tag = picture->get_header_value("ETag");
    CHECK(tag == "\"" + coffee.substr(coffee.size() - 16) + "\"");
    CHECK(get(*c, coffee, "", {{"If-None-Match", tag}}).status == 304);
    // An address with an older hash still answers, but is not kept: the picture has changed.
    picture = c->Get("/v1/widget/picture?merchant=demo&reward=coffee&v=0123456789abcdef");
    REQUIRE(picture);
    CHECK(picture->status == 200);
    CHECK(picture->get_header_value("Cache-Control") == "public, max-age=60");
    Answer refused = get(*c, "/v1/widget/picture?merchant=demo&reward=discount-500", "");
    CHECK(refused.status == 404);
    CHECK(error_field(refused) == "reward");
    refused = get(*c, "/v1/widget/picture?merchant=demo&reward=nothing", "");
    CHECK(refused.status == 404);
    CHECK(error_field(refused) == "reward");
    refused = get(*c, "/v1/widget/picture?merchant=demo", "");
    CHECK(refused.status == 400);
    CHECK(error_field(refused) == "reward");
    refused = get(*c, "/v1/widget/picture?reward=coffee", "");
    CHECK(refused.status == 400);
    CHECK(error_field(refused) == "merchant");
    CHECK(config.value->program.referral);
    CHECK(!config.value->program.coalition);
    CHECK(config.value->has_theme);  // the kiosk's theme: the settings name none
    REQUIRE(config.value->wheel);
    CHECK(config.value->wheel->id == "demo-wheel");
    CHECK(config.value->signup_url == "http://127.0.0.1:8081/signup.html");
    CHECK(a.etag == "\"" + config.value->version + "\"");
    const auto res = c->Get("/v1/widget/config?merchant=DEMO");
    REQUIRE(res);
    CHECK(res->get_header_value("Cache-Control") == "public, max-age=60");

    const Answer same = get(*c, "/v1/widget/config?merchant=DEMO", "", {{"If-None-Match", a.etag}});
    CHECK(same.status == 304);
    CHECK(same.etag == a.etag);

    const std::string admin = api_key(s.db, "admin");
    Json settings = get(*c, "/v1/admin/widget-settings", admin).body["settings"];
    settings["views"]["history"] = false;
    REQUIRE(put(*c, "/v1/admin/widget-settings", admin, settings).status == 200);
    const Answer changed =
        get(*c, "/v1/widget/config?merchant=demo", "", {{"If-None-Match", a.etag}});
    CHECK(changed.status == 200);
    CHECK(changed.etag != a.etag);
    CHECK(changed.body["views"]["history"] == false);

    a = get(*c, "/v1/widget/config?merchant=nobody", "");
    CHECK(a.status == 404);
    CHECK(error_field(a) == "merchant");
    a = get(*c, "/v1/widget/config", "");
    CHECK(a.status == 400);
    CHECK(error_field(a) == "merchant");
}

TEST_CASE_FIXTURE(WithDemoServer,
                  "widget: a member token opens one session; forged, expired, nonce-less, "
                  "replayed and other-merchant tokens are refused with their codes") {
    auto c = s.server->client();
    const std::string secret = token_secret(s.db, "demo");
    const std::string token = member_token(secret, "demo", "demo-anna", "n-1");
    Answer a = open_session(*c, token);
    REQUIRE_MESSAGE(a.status == 201, a.body.dump());
    const auto session = codec::decode_widget_session(a.body);
    REQUIRE_MESSAGE(session.ok(), session.error.message);
    CHECK(session.value->token.rfind("kws_", 0) == 0);
    CHECK(session.value->member.id == "demo-anna");
    CHECK(session.value->expires_at_ms > static_cast<std::int64_t>(std::time(nullptr)) * 1000);
    // Only the session token's hash is stored.
    CHECK(Db(s.db).scalar("SELECT COUNT(*) FROM widget_sessions WHERE token_hash = ?",
                          {session.value->token}) == 0);
    CHECK(Db(s.db).scalar("SELECT COUNT(*) FROM widget_nonces WHERE nonce = 'n-1'") == 1);
    const Answer me = get(*c, "/v1/widget/me", session.value->token);
    REQUIRE_MESSAGE(me.status == 200, me.body.dump());
    CHECK(me.body["member"]["id"] == "demo-anna");

    a = open_session(*c, token);
    CHECK(a.status == 401);
    CHECK(error_code(a) == "token_replayed");

    std::string forged = member_token(secret, "demo", "demo-anna", "n-2");
    char& flipped = forged[forged.size() - 10];  // inside the MAC
    flipped = flipped == 'A' ? 'B' : 'A';
    a = open_session(*c, forged);
    CHECK(a.status == 401);
    CHECK(error_code(a) == "token_bad_signature");

    a = open_session(*c, member_token(secret, "demo", "demo-anna", "n-3", -1200));
    CHECK(a.status == 401);
    CHECK(error_code(a) == "token_expired");

    a = open_session(*c, member_token(secret, "demo", "demo-anna", ""));
    CHECK(a.status == 401);
    CHECK(error_code(a) == "token_without_nonce");

    REQUIRE(run_program({cli_binary(), "merchant", "--db", s.db, "--id", "rival", "--code",
                         "RIVAL", "--name", "Rival shop"})
                .exit_code == 0);
    const std::string rival =
        member_token(token_secret(s.db, "rival"), "rival", "demo-anna", "n-4");
    a = open_session(*c, rival);
    CHECK(a.status == 401);
    CHECK(error_code(a) == "token_wrong_merchant");
    a = open_session(*c, rival, "");  // for whichever merchant: rival has no such member
    CHECK(a.status == 404);
    CHECK(a.body.dump().find("Анна") == std::string::npos);

    // The CLI mints as a site's backend does (a nonce each time), with the same secret.
    const RunResult minted = run_program({cli_binary(), "member-token", "--db", s.db, "--merchant",
                                          "demo", "--member", "demo-dace"});
    REQUIRE_MESSAGE(minted.exit_code == 0, minted.err);
    const Json cli = json_lines(minted.out).at(0);
    CHECK(cli["member_token_secret"] == secret);
    a = open_session(*c, cli["token"].get<std::string>());
    CHECK_MESSAGE(a.status == 201, a.body.dump());

    a = open_session(*c, member_token(secret, "demo", "nobody", "n-5"));
    CHECK(a.status == 404);
    CHECK(post(*c, "/v1/widget/session?merchant=demo", "", Json::object()).status == 401);
    for (const Answer& x :
         {get(*c, "/v1/widget/me", "kws_unknown"), get(*c, "/v1/widget/me", "")}) {
        CHECK(x.status == 401);
        CHECK(error_shape_problem(x.body) == "");
    }
    CHECK(error_code(get(*c, "/v1/widget/me", "kws_unknown")) == "session_unknown");
}

TEST_CASE_FIXTURE(WithDemoServer,
                  "widget: expired nonces and sessions are deleted by the merchant's next "
                  "exchange, other merchants' are left to theirs") {
    {
        sqlite3* db = nullptr;
        REQUIRE(sqlite3_open(s.db.c_str(), &db) == SQLITE_OK);
        sqlite3_busy_timeout(db, 2000);
        const int rc = sqlite3_exec(
            db,
            "INSERT INTO widget_nonces VALUES ('demo', 'old', 1000), ('rival', 'old', 1000);"
            "INSERT INTO widget_sessions VALUES ('aa', 'demo', 'demo-anna', 1000);",
            nullptr, nullptr, nullptr);
        sqlite3_close(db);
        REQUIRE(rc == SQLITE_OK);
    }
    auto c = s.server->client();
    session_for(*c, s.db, "demo-anna", "fresh");
    Db db(s.db);
    CHECK(db.scalar("SELECT COUNT(*) FROM widget_nonces WHERE merchant_id = 'demo'") == 1);
    CHECK(db.scalar("SELECT COUNT(*) FROM widget_nonces WHERE nonce = 'fresh'") == 1);
    CHECK(db.scalar("SELECT COUNT(*) FROM widget_nonces WHERE merchant_id = 'rival'") == 1);
    CHECK(db.scalar("SELECT COUNT(*) FROM widget_sessions") == 1);
    CHECK(db.scalar("SELECT COUNT(*) FROM widget_sessions WHERE expires_at_ms = 1000") == 0);
}

TEST_CASE_FIXTURE(WithDemoServer, "widget: an expired session is refused: session_expired") {
    auto c = s.server->client();
    const std::string session = session_for(*c, s.db, "demo-anna", "exp-1");
    {
        sqlite3* db = nullptr;
        REQUIRE(sqlite3_open(s.db.c_str(), &db) == SQLITE_OK);
        sqlite3_busy_timeout(db, 2000);
        const int rc = sqlite3_exec(db, "UPDATE widget_sessions SET expires_at_ms = 1000",
                                    nullptr, nullptr, nullptr);
        sqlite3_close(db);
        REQUIRE(rc == SQLITE_OK);
    }
    const Answer a = get(*c, "/v1/widget/me", session);
    CHECK(a.status == 401);
    CHECK(error_code(a) == "session_expired");
}

namespace {

// The ids of the widget's history walked by next_before in pages of `limit` (at most 20 pages).
std::vector<std::string> paged_ids(httplib::Client& c, const std::string& session, int limit) {
    std::vector<std::string> ids;
    std::string before;
    for (int page = 0; page < 20; ++page) {
        const Answer a = get(c,
                             "/v1/widget/history?limit=" + std::to_string(limit) +
                                 (before.empty() ? "" : "&before=" + before),
                             session);
        REQUIRE_MESSAGE(a.status == 200, a.body.dump());
        const auto p = codec::decode_history_page(a.body);
        REQUIRE(p.ok());
        for (const auto& e : p.value->entries) ids.push_back(e.id);
        before = p.value->next_before;
        if (before.empty()) break;
    }
    return ids;
}

// Pages of one line walked by next_before: the widget's whole history in order, and the same
// as one page of 50.
std::vector<std::string> history_ids(httplib::Client& c, const std::string& session) {
    const std::vector<std::string> ids = paged_ids(c, session, 1);
    const auto whole =
        codec::decode_history_page(get(c, "/v1/widget/history?limit=50", session).body);
    REQUIRE(whole.ok());
    REQUIRE(whole.value->entries.size() == ids.size());
    for (std::size_t i = 0; i < ids.size(); ++i) CHECK(whole.value->entries[i].id == ids[i]);
    return ids;
}

}  // namespace

TEST_CASE_FIXTURE(WithDemoServer, "widget: history pages newest first, the cursor goes on") {
    auto c = s.server->client();
    const std::string session = session_for(*c, s.db, "demo-anna", "h-1");
    const Answer all = get(*c, "/v1/widget/history?limit=50", session);
    REQUIRE_MESSAGE(all.status == 200, all.body.dump());
    const auto whole = codec::decode_history_page(all.body);
    REQUIRE_MESSAGE(whole.ok(), whole.error.message);
    REQUIRE(whole.value->entries.size() == 4);  // three receipts and a redemption
    CHECK(whole.value->next_before.empty());
    CHECK(whole.value->entries.front().entry.reason == "redeem");
    CHECK(whole.value->entries.front().entry.points == -500);

    const std::vector<std::string> paged = paged_ids(*c, session, 3);
    REQUIRE(paged.size() == 4);
    for (std::size_t i = 0; i < paged.size(); ++i) CHECK(paged[i] == whole.value->entries[i].id);
    CHECK(get(*c, "/v1/widget/history", session).body["entries"].size() == 4);  // default 20

    Answer bad = get(*c, "/v1/widget/history?limit=0", session);
    CHECK(bad.status == 400);
    CHECK(error_field(bad) == "limit");
    bad = get(*c, "/v1/widget/history?limit=51", session);
    CHECK(error_field(bad) == "limit");
    bad = get(*c, "/v1/widget/history?before=00ff", session);
    CHECK(bad.status == 400);
    CHECK(error_field(bad) == "before");
}

TEST_CASE_FIXTURE(WithDemoServer,
                  "widget: history shows points that expired since the last write first, and "
                  "its cursor goes on past them before and after a write stores them") {
    auto c = s.server->client();
    const std::string till = api_key(s.db, "till");
    // A receipt dated almost a year ago: its points (the demo's expiry is 365 days) expire in
    // 3 s, with no write of Anna's to store the expiry.
    const std::int64_t now_ms = static_cast<std::int64_t>(std::time(nullptr)) * 1000;
    Json old = receipt_body(81, "", 5000, 0);
    old["member"] = {{"id", "demo-anna"}};
    old["receipt"]["at_ms"] = now_ms - 365 * 86400000LL + 3000;
    REQUIRE(post(*c, "/v1/receipts", till, old).status == 201);
    std::this_thread::sleep_for(std::chrono::milliseconds(4500));
    const std::string session = session_for(*c, s.db, "demo-anna", "h-due");
    const auto first =
        codec::decode_history_page(get(*c, "/v1/widget/history?limit=2", session).body);
    REQUIRE(first.ok());
    REQUIRE(first.value->entries.size() == 2);
    CHECK(first.value->entries[0].entry.reason == "expire");
    CHECK(first.value->entries[1].entry.reason == "earn");
    CHECK(first.value->entries[0].entry.points == -first.value->entries[1].entry.points);
    Db db(s.db);
    CHECK(db.scalar("SELECT COUNT(*) FROM member_entries WHERE reason = 'expire'") == 0);
    const std::vector<std::string> due = history_ids(*c, session);
    CHECK(due.size() == 6);  // the expiry, the old receipt's points, and the demo's four
    CHECK(due.front() == first.value->entries[0].id);

    // A write stores the expiry (same id): the same pages, the newest line first.
    Json next = receipt_body(82, "", 5000, 0);
    next["member"] = {{"id", "demo-anna"}};
    REQUIRE(post(*c, "/v1/receipts", till, next).status == 201);
    CHECK(db.scalar("SELECT COUNT(*) FROM member_entries WHERE reason = 'expire'") == 1);
    const std::vector<std::string> stored = history_ids(*c, session);
    REQUIRE(stored.size() == due.size() + 1);
    CHECK(std::vector<std::string>(stored.begin() + 1, stored.end()) == due);
}

TEST_CASE_FIXTURE(WithDemoServer,
                  "widget: a redemption gives a coupon the till redeems once; a spin changes the "
                  "balance by what the answer says") {
    auto c = s.server->client();
    const std::string session = session_for(*c, s.db, "demo-dace", "r-1");
    const std::int64_t before = get(*c, "/v1/widget/me", session).body["member"]["available"];
    const Json redeem = {{"operation_id", op_id(70)}, {"reward_id", "coffee"}};
    Answer a = post(*c, "/v1/widget/redeem", session, redeem);
    REQUIRE_MESSAGE(a.status == 201, a.body.dump());
    const auto answer = codec::decode_operation_answer(a.body);
    REQUIRE_MESSAGE(answer.ok(), answer.error.message);
    REQUIRE(answer.value->coupon);
    CHECK(answer.value->member->available == before - 300);
    CHECK(post(*c, "/v1/widget/redeem", session, redeem).replayed);  // idempotent

    const std::string till = api_key(s.db, "till");
    const Json at_till = {{"operation_id", op_id(71)}, {"code", answer.value->coupon->code}};
    CHECK(post(*c, "/v1/coupons/redeem", till, at_till).status == 200);
    Json again = at_till;
    again["operation_id"] = op_id(72);
    a = post(*c, "/v1/coupons/redeem", till, again);
    CHECK(a.status == 409);
    CHECK(error_code(a) == "coupon_used");

    a = post(*c, "/v1/widget/redeem", session, {{"operation_id", op_id(73)}, {"reward_id", "x"}});
    CHECK(a.status == 404);
    CHECK(error_field(a) == "reward_id");
    a = post(
        *c, "/v1/widget/redeem", session,
        {{"operation_id", op_id(74)}, {"reward_id", "coffee"}, {"member", {{"id", "demo-anna"}}}});
    CHECK(a.status == 400);
    CHECK(error_field(a) == "member");

    const std::int64_t balance = get(*c, "/v1/widget/me", session).body["member"]["balance"];
    a = post(*c, "/v1/widget/spin", session, {{"operation_id", op_id(75)}});
    REQUIRE_MESSAGE(a.status == 201, a.body.dump());
    const auto spin = codec::decode_operation_answer(a.body);
    REQUIRE_MESSAGE(spin.ok(), spin.error.message);
    REQUIRE(spin.value->prize);
    const std::int64_t won = spin.value->prize->kind == "points" ? spin.value->prize->points : 0;
    CHECK(spin.value->member->balance == balance + won);
    CHECK(get(*c, "/v1/widget/me", session).body["member"]["balance"] == balance + won);
    CHECK(Db(s.db).scalar("SELECT COUNT(*) FROM spins WHERE wheel_id = 'demo-wheel'") == 1);

    // Views the merchant turned off answer 404 not_enabled.
    const std::string admin = api_key(s.db, "admin");
    Json settings = get(*c, "/v1/admin/widget-settings", admin).body["settings"];
    settings["views"]["spin"] = false;
    settings["views"]["redeem"] = false;
    REQUIRE(put(*c, "/v1/admin/widget-settings", admin, settings).status == 200);
    a = post(*c, "/v1/widget/spin", session, {{"operation_id", op_id(76)}});
    CHECK(a.status == 404);
    CHECK(error_code(a) == "not_enabled");
    CHECK(error_code(post(*c, "/v1/widget/redeem", session, redeem)) == "not_enabled");
}

TEST_CASE_FIXTURE(WithDemoServer,
                  "widget: spins go to the settings' online wheel, and the member's spins left "
                  "are counted on it") {
    auto c = s.server->client();
    const std::string admin = api_key(s.db, "admin");
    Json online = contest_wheel(5, 100000);
    online["member_spins_per_day_max"] = 5;
    REQUIRE(put(*c, "/v1/admin/wheels/online", admin, online).status == 200);
    Json settings = get(*c, "/v1/admin/widget-settings", admin).body["settings"];
    settings["spin_wheel_id"] = "online";
    REQUIRE(put(*c, "/v1/admin/widget-settings", admin, settings).status == 200);

    const std::string session = session_for(*c, s.db, "demo-boris", "w-1");
    CHECK(get(*c, "/v1/widget/me", session).body["member"]["spins_available"] == 5);
    CHECK(get(*c, "/v1/widget/config?merchant=demo", "").body["wheel"]["id"] == "online");
    const Answer a = post(*c, "/v1/widget/spin", session, {{"operation_id", op_id(80)}});
    REQUIRE_MESSAGE(a.status == 201, a.body.dump());
    CHECK(a.body["wheel_id"] == "online");
    CHECK(a.body["member"]["spins_available"] == 4);  // the answer counts the wheel spun
    CHECK(get(*c, "/v1/widget/me", session).body["member"]["spins_available"] == 4);
    // The kiosk still counts its own wheel's (the demo wheel: 3 a day).
    const std::string kiosk = pair_kiosk(*c, admin, "K");
    CHECK(post(*c, "/v1/members/lookup", kiosk, {{"code", demo_cards(s.db).at("demo-boris").card}})
              .body["member"]["spins_available"] == 3);
}

TEST_CASE_FIXTURE(WithDemoServer, "widget: the referral view has a stable code and the link") {
    auto c = s.server->client();
    const std::string session = session_for(*c, s.db, "demo-boris", "ref-1");
    // Racing first requests end with one code.
    std::vector<std::string> codes(6);
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < codes.size(); ++i)
        threads.emplace_back([&, i] {
            auto own = s.server->client();
            const Answer a = get(*own, "/v1/widget/referral", session);
            if (a.status == 200) codes[i] = a.body["code"].get<std::string>();
        });
    for (auto& t : threads) t.join();
    for (const auto& code : codes) CHECK(code == codes[0]);
    const Answer a = get(*c, "/v1/widget/referral", session);
    REQUIRE_MESSAGE(a.status == 200, a.body.dump());
    const auto view = codec::decode_referral(a.body);
    REQUIRE(view.ok());
    const std::string& code = view.value->code;
    CHECK(code == codes[0]);
    REQUIRE(code.size() == 9);
    CHECK(code[4] == '-');
    CHECK(view.value->link == "http://127.0.0.1:8081/signup.html?ref=" + code);
    CHECK(view.value->inviter_points == 200);
    CHECK(view.value->invitee_points == 100);
    CHECK(view.value->first_receipt_min == 100000);
    CHECK(view.value->per_month_max == 10);
    CHECK(Db(s.db).scalar("SELECT COUNT(*) FROM referral_codes") == 1);
    // Another member gets another code.
    const std::string other = session_for(*c, s.db, "demo-anna", "ref-2");
    CHECK(get(*c, "/v1/widget/referral", other).body["code"] != code);

    const std::string admin = api_key(s.db, "admin");
    Json settings = get(*c, "/v1/admin/widget-settings", admin).body["settings"];
    settings["views"]["referral"] = false;
    REQUIRE(put(*c, "/v1/admin/widget-settings", admin, settings).status == 200);
    const Answer off = get(*c, "/v1/widget/referral", session);
    CHECK(off.status == 404);
    CHECK(error_code(off) == "not_enabled");
    CHECK(error_field(off) == "views.referral");
}

TEST_CASE_FIXTURE(WithDemoServer,
                  "widget: CORS headers only for the merchant's origins; preflights answer 204") {
    auto c = s.server->client();
    const std::string session = session_for(*c, s.db, "demo-anna", "cors-1");
    for (const std::string path : {"/v1/widget/config?merchant=demo", "/v1/widget/me"}) {
        INFO(path);
        auto res =
            c->Get(path.c_str(), {{"Origin", kShop}, {"Authorization", "Bearer " + session}});
        REQUIRE(res);
        CHECK(res->status == 200);
        CHECK(res->get_header_value("Access-Control-Allow-Origin") == kShop);
        CHECK(res->get_header_value("Vary") == "Origin");
        CHECK(res->get_header_value("Access-Control-Expose-Headers").find("ETag") !=
              std::string::npos);
        CHECK(!res->has_header("Access-Control-Allow-Credentials"));
        res = c->Get(path.c_str(),
                     {{"Origin", "https://evil.example"}, {"Authorization", "Bearer " + session}});
        REQUIRE(res);
        CHECK(res->status == 200);
        CHECK(!res->has_header("Access-Control-Allow-Origin"));
        CHECK(!res->has_header("Access-Control-Expose-Headers"));
    }
    // Another merchant's allow-list does not open this merchant's member data.
    REQUIRE(run_program({cli_binary(), "merchant", "--db", s.db, "--id", "rival", "--code",
                         "RIVAL", "--name", "Rival shop"})
                .exit_code == 0);
    const std::string rival_admin = api_key(s.db, "admin", "rival");
    REQUIRE(put(*c, "/v1/admin/widget-settings", rival_admin,
                {{"origins", {"https://rival.example"}}})
                .status == 200);
    auto res = c->Get("/v1/widget/me", {{"Origin", "https://rival.example"},
                                        {"Authorization", "Bearer " + session}});
    REQUIRE(res);
    CHECK(!res->has_header("Access-Control-Allow-Origin"));

    const auto preflight = [&](const char* path, const std::string& origin) {
        return c->Options(path, {{"Origin", origin},
                                 {"Access-Control-Request-Method", "POST"},
                                 {"Access-Control-Request-Headers", "authorization"}});
    };
    res = preflight("/v1/widget/redeem", kShop);
    REQUIRE(res);
    CHECK(res->status == 204);
    CHECK(res->get_header_value("Access-Control-Allow-Origin") == kShop);
    CHECK(res->get_header_value("Access-Control-Allow-Methods") == "GET, POST");
    CHECK(res->get_header_value("Access-Control-Allow-Headers") ==
          "Authorization, Content-Type, If-None-Match");
    CHECK(res->get_header_value("Access-Control-Max-Age") == "600");
    res = preflight("/v1/widget/config?merchant=demo", "https://rival.example");
    REQUIRE(res);
    CHECK(res->status == 204);
    CHECK(!res->has_header("Access-Control-Allow-Origin"));
    res = preflight("/v1/widget/me", "https://evil.example");
    REQUIRE(res);
    CHECK(res->status == 204);
    CHECK(!res->has_header("Access-Control-Allow-Origin"));
}

TEST_CASE_FIXTURE(WithDemoServer, "widget: a member's requests are rate-limited: 429 JSON") {
    auto c = s.server->client();
    const std::string session = session_for(*c, s.db, "demo-anna", "rl-1");
    int ok = 0;
    std::optional<httplib::Response> limited;
    for (int i = 0; i < 300 && !limited; ++i) {
        auto res = c->Get("/v1/widget/me", {{"Authorization", "Bearer " + session},
                                           {"Origin", kShop}});
        REQUIRE(res);
        if (res->status == 200) ++ok;
        else limited = *res;
    }
    REQUIRE(limited);
    CHECK(limited->status == 429);
    CHECK(ok >= 120);
    CHECK(!limited->get_header_value("Retry-After").empty());
    CHECK(limited->get_header_value("Access-Control-Allow-Origin") == kShop);
    CHECK(error_shape_problem(Json::parse(limited->body)) == "");
    // Another member's bucket is their own.
    const std::string other = session_for(*c, s.db, "demo-boris", "rl-2");
    CHECK(get(*c, "/v1/widget/me", other).status == 200);
}

TEST_CASE("widget (PostgreSQL): one token, 10 parallel exchanges on two servers: one session") {
    PgDatabase db;
    REQUIRE_MESSAGE(db.why.empty(), db.why);
    auto a = start_server(db.url, {"--seed-demo"});
    auto b = start_server(db.url, {});
    const std::string token =
        member_token(token_secret(db.url, "demo"), "demo", "demo-anna", "pg-race-1");
    std::atomic<int> opened{0}, replayed{0}, other{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 10; ++i)
        threads.emplace_back([&, i] {
            auto c = (i % 2 ? b : a)->client();
            const Answer x = open_session(*c, token);
            if (x.status == 201) ++opened;
            else if (x.status == 401 && error_code(x) == "token_replayed") ++replayed;
            else ++other;
        });
    for (auto& t : threads) t.join();
    CHECK(opened == 1);
    CHECK(replayed == 9);
    CHECK(other == 0);
    CHECK(db.scalar("SELECT COUNT(*) FROM widget_sessions") == 1);
    CHECK(db.scalar("SELECT COUNT(*) FROM widget_nonces") == 1);

    // A session opened on one server works on the other; a replay on either is refused.
    const std::string fresh =
        member_token(token_secret(db.url, "demo"), "demo", "demo-dace", "pg-2");
    auto ca = a->client();
    auto cb = b->client();
    const Answer s1 = open_session(*ca, fresh);
    REQUIRE_MESSAGE(s1.status == 201, s1.body.dump());
    CHECK(error_code(open_session(*cb, fresh)) == "token_replayed");
    CHECK(get(*cb, "/v1/widget/me", s1.body["token"].get<std::string>()).status == 200);
    const Answer ref = get(*cb, "/v1/widget/referral", s1.body["token"].get<std::string>());
    CHECK(ref.status == 200);
    CHECK(get(*ca, "/v1/widget/referral", s1.body["token"].get<std::string>()).body["code"] ==
          ref.body["code"]);
}

TEST_CASE_FIXTURE(WithDemoServer,
                  "referral: enrolment by a member's code; the first receipt over the minimum "
                  "credits the invitee and, once, the inviter, within the month's maximum") {
    auto c = s.server->client();
    const std::string admin = api_key(s.db, "admin");
    const std::string till = api_key(s.db, "till");
    const std::string anna = session_for(*c, s.db, "demo-anna", "ref-anna");
    const std::string code = get(*c, "/v1/widget/referral", anna).body["code"].get<std::string>();
    const auto anna_balance = [&] {
        return get(*c, "/v1/widget/me", anna).body["member"]["balance"].get<std::int64_t>();
    };
    const std::int64_t anna_before = anna_balance();

    Answer a = post(*c, "/v1/admin/members", admin,
                    {{"name", "Ivan"}, {"consent", true}, {"referred_by", "ZZZZ-ZZZZ"}});
    CHECK(a.status == 400);
    CHECK(error_field(a) == "referred_by");
    a = post(*c, "/v1/admin/members", admin,
             {{"id", "demo-anna"}, {"name", "Anna"}, {"consent", true}, {"referred_by", code}});
    CHECK(a.status == 400);
    CHECK(error_field(a) == "referred_by");
    // As a person types it: lower case, no dash.
    std::string typed = code.substr(0, 4) + code.substr(5);
    for (char& ch : typed) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    a = post(*c, "/v1/admin/members", admin,
             {{"id", "ivan"}, {"name", "Ivan"}, {"consent", true}, {"referred_by", typed}});
    REQUIRE_MESSAGE(a.status == 201, a.body.dump());
    const std::string card = a.body["profile"]["card"].get<std::string>();
    CHECK(Db(s.db).scalar("SELECT COUNT(*) FROM referrals WHERE member_id = 'ivan' AND "
                          "inviter_id = 'demo-anna'") == 1);

    // Below first_receipt_min (1 000 ₽): no bonus yet.
    a = post(*c, "/v1/receipts", till, receipt_body(1, card, 50000, 0));
    REQUIRE_MESSAGE(a.status == 201, a.body.dump());
    CHECK(a.body["quote"]["referral"]["invitee_bonus"] == 0);
    const std::int64_t ivan_before = a.body["member"]["balance"];
    CHECK(anna_balance() == anna_before);

    const Json qualifying = receipt_body(2, card, 100000, 0);
    a = post(*c, "/v1/receipts", till, qualifying);
    REQUIRE_MESSAGE(a.status == 201, a.body.dump());
    CHECK(a.body["quote"]["referral"]["invitee_bonus"] == 100);
    CHECK(a.body["quote"]["referral"]["inviter_bonus"] == 200);
    const std::int64_t earned = a.body["quote"]["points_earned"];
    CHECK(a.body["member"]["balance"] == ivan_before + earned + 100);
    CHECK(anna_balance() == anna_before + 200);
    CHECK(post(*c, "/v1/receipts", till, qualifying).replayed);
    CHECK(anna_balance() == anna_before + 200);  // a replay credits nothing twice
    a = post(*c, "/v1/receipts", till, receipt_body(3, card, 100000, 0));
    REQUIRE(a.status == 201);
    CHECK(a.body["quote"]["referral"]["invitee_bonus"] == 0);  // only the first
    CHECK(anna_balance() == anna_before + 200);
    CHECK(get(*c, "/v1/widget/referral", anna).body["invited_this_month"] == 1);
    CHECK(Db(s.db).derived_balance("demo", "demo-anna") == anna_before + 200);

    // A month's maximum of 1: the next friend gets the bonus, Anna nothing more.
    Json program = get(*c, "/v1/admin/program", admin).body["program"];
    program["referral"]["per_inviter_month_max"] = 1;
    REQUIRE(put(*c, "/v1/admin/program", admin, program).status == 200);
    a = post(*c, "/v1/admin/members", admin,
             {{"id", "olga"}, {"name", "Olga"}, {"consent", true}, {"referred_by", code}});
    REQUIRE_MESSAGE(a.status == 201, a.body.dump());
    a = post(*c, "/v1/receipts", till,
             receipt_body(4, a.body["profile"]["card"].get<std::string>(), 100000, 0));
    REQUIRE_MESSAGE(a.status == 201, a.body.dump());
    CHECK(a.body["quote"]["referral"]["invitee_bonus"] == 100);
    CHECK(a.body["quote"]["referral"]["inviter_bonus"] == 0);
    CHECK(anna_balance() == anna_before + 200);
}

TEST_CASE("referral (PostgreSQL): two friends' first receipts at once on two servers, a month's "
          "maximum of 1: the inviter is credited once") {
    PgDatabase db;
    REQUIRE_MESSAGE(db.why.empty(), db.why);
    auto a = start_server(db.url, {"--seed-demo"});
    auto b = start_server(db.url, {});
    auto c = a->client();
    const std::string admin = api_key(db.url, "admin");
    const std::string till = api_key(db.url, "till");
    Json program = get(*c, "/v1/admin/program", admin).body["program"];
    program["referral"]["per_inviter_month_max"] = 1;
    REQUIRE(put(*c, "/v1/admin/program", admin, program).status == 200);
    const std::string anna = session_for(*c, db.url, "demo-anna", "pg-ref");
    const std::string code = get(*c, "/v1/widget/referral", anna).body["code"].get<std::string>();
    const std::int64_t before = db.derived_balance("demo", "demo-anna");
    std::vector<std::string> cards;
    for (const char* id : {"f1", "f2"}) {
        const Answer e = post(*c, "/v1/admin/members", admin,
                              {{"id", id}, {"name", id}, {"consent", true}, {"referred_by", code}});
        REQUIRE_MESSAGE(e.status == 201, e.body.dump());
        cards.push_back(e.body["profile"]["card"].get<std::string>());
    }
    std::vector<std::thread> threads;
    std::atomic<int> posted{0};
    for (int i = 0; i < 2; ++i)
        threads.emplace_back([&, i] {
            auto own = (i ? b : a)->client();
            if (post(*own, "/v1/receipts", till, receipt_body(10 + i, cards[i], 100000, 0))
                    .status == 201)
                ++posted;
        });
    for (auto& t : threads) t.join();
    CHECK(posted == 2);
    CHECK(db.derived_balance("demo", "demo-anna") == before + 200);
    CHECK(db.scalar("SELECT COUNT(*) FROM referrals WHERE qualified_at_ms > 0") == 2);
}
