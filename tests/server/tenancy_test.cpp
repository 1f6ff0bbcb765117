// One merchant's credentials against another merchant's data, over every route the API
// document lists: each request carries merchant B's credential (admin key, till key, paired
// kiosk, member token) and merchant A's ids (members, cards, receipts, coupons, devices,
// themes, wheels). Each answer is a 403/404 — or, for routes about the caller's own merchant,
// B's own data — and no answer contains anything of A's; A's rows are byte for byte the same
// afterwards. A route added to the document without a case here fails the test.
#include <doctest/doctest.h>

#include <functional>
#include <set>
#include <thread>

#include "auth/member_token.hpp"
#include "core/crypto/sha256.hpp"
#include "console_helpers.hpp"
#include "kiosk_helpers.hpp"
#include "receipt_helpers.hpp"
#include "server_process.hpp"

using namespace kopilka;
using namespace kopilka::test;

namespace {

// What A has that B must never see or touch.
struct Victim {
    std::string member = "demo-anna";
    std::string name = "Анна";
    std::string card, qr, phone = "79160000001";
    std::string receipt_id = "A-R1";
    std::string coupon;
    std::string device_id;
    std::string device_token;
};

// B's credentials.
struct Intruder {
    std::string admin, till, device, member, member_token, widget_session;
};

std::string member_token(const std::string& card_secret, const std::string& merchant_id,
                         const std::string& member_id, const std::string& nonce = "") {
    const crypto::Digest d = crypto::hmac_sha256(card_secret, "kopilka member token secret v1");
    server::auth::MemberClaims claims;
    claims.member_id = member_id;
    claims.merchant_id = merchant_id;
    claims.issued_at_s = static_cast<std::int64_t>(std::time(nullptr));
    claims.expires_at_s = claims.issued_at_s + 600;
    claims.nonce = nonce;
    const auto minted = server::auth::mint_member_token(claims, crypto::to_hex(d.data(), d.size()));
    REQUIRE(minted.status == server::auth::MemberTokenStatus::ok);
    return minted.token;
}

// One documented operation tried by B. `own`: the route is about the caller's own merchant
// (a list, its config, a new object of its own): 2xx is right as long as nothing of A shows.
struct Case {
    std::function<Answer(httplib::Client&)> send;
    std::set<int> allowed;
};

}  // namespace

TEST_CASE_FIXTURE(WithDemoServer,
                  "tenancy: every route, another merchant's credentials and ids — 403/404, nothing "
                  "leaked, nothing changed") {
    auto c = s.server->client();
    const auto cards = demo_cards(s.db);
    Victim a;
    a.card = cards.at("demo-anna").card;
    a.qr = cards.at("demo-anna").qr;

    // A's objects: a receipt, a paired kiosk, a coupon.
    const std::string a_admin = api_key(s.db, "admin");
    const std::string a_till = api_key(s.db, "till");
    Answer r = post(*c, "/v1/receipts", a_till, receipt_body(1, a.card, 100000, 0));
    REQUIRE_MESSAGE(r.status == 201, r.body.dump());
    a.receipt_id = r.body["receipt_id"].get<std::string>();
    a.device_token = pair_kiosk(*c, a_admin, "A's kiosk");
    a.device_id = get(*c, "/v1/admin/devices", a_admin).body["devices"][0]["id"].get<std::string>();
    r = post(
        *c, "/v1/kiosk/redeem", a.device_token,
        {{"operation_id", op_id(500)}, {"member", {{"id", a.member}}}, {"reward_id", "coffee"}});
    REQUIRE_MESSAGE(r.status == 201, r.body.dump());
    a.coupon = r.body["coupon"]["code"].get<std::string>();

    // Merchant B with its own program, keys, kiosk and member.
    REQUIRE(run_program({cli_binary(), "merchant", "--db", s.db, "--id", "rival", "--code", "RIVAL",
                         "--name", "Rival shop"})
                .exit_code == 0);
    Intruder b;
    b.admin = api_key(s.db, "admin", "rival");
    b.till = api_key(s.db, "till", "rival");
    Json program = get(*c, "/v1/admin/program", a_admin).body["program"];
    program["id"] = "rival-points";
    REQUIRE(put(*c, "/v1/admin/program", b.admin, program).status == 200);
    b.device = pair_kiosk(*c, b.admin, "B's kiosk");
    r = post(*c, "/v1/admin/members", b.admin, {{"name", "Boris B"}, {"consent", true}});
    REQUIRE_MESSAGE(r.status == 201, r.body.dump());
    b.member = r.body["profile"]["id"].get<std::string>();
    const std::string b_secret =
        Db(s.db).text("SELECT card_secret FROM merchants WHERE merchant_id = 'rival'");
    b.member_token =
        member_token(b_secret, "rival", a.member);  // B signs a token naming A's member
    // B's own widget session, for B's own member.
    r = post(*c, "/v1/widget/session", member_token(b_secret, "rival", b.member, "b-own"),
             Json::object());
    REQUIRE_MESSAGE(r.status == 201, r.body.dump());
    b.widget_session = r.body["token"].get<std::string>();

    // A's import job, run to its end.
    const auto a_import = c->Post("/v1/admin/imports", bearer(a_admin),
                                  "external_id,name,consent,points\na-imported,A Imported,yes,5\n",
                                  "text/csv");
    REQUIRE(a_import);
    REQUIRE_MESSAGE(a_import->status == 202, a_import->body);
    const std::string a_job = Json::parse(a_import->body)["job_id"].get<std::string>();
    for (int i = 0; i < 200 && get(*c, "/v1/admin/imports/" + a_job, a_admin).body["status"] ==
                                   "running";
         ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    // B's CSV downloads as text, so that the leak check reads the file itself.
    const auto csv_get = [&](httplib::Client& cl, const std::string& path) {
        const auto res = cl.Get(path.c_str(), bearer(b.admin));
        Answer x = answer_of(res);
        if (res && res->status == 200) x.body = res->body;
        return x;
    };

    // A's console user; B makes its own.
    const std::string a_user = add_staff_user(s.db, "owner", "a-owner@demo.example").id;

    std::string a_before;
    {
        Db db(s.db);
        a_before = db.dump("demo");
    }

    const std::string op = op_id(900);
    const Json a_member = {{"id", a.member}};
    const Json a_receipt = {{"id", "B-1"}, {"lines", {{{"sku", "x"}, {"unit_price", 1000}}}}};
    const std::set<int> denied = {403, 404};
    const std::set<int> own = {200, 201};
    std::map<std::string, Case> cases = {
        {"GET /healthz", {[](httplib::Client& cl) { return get(cl, "/healthz", ""); }, {200}}},
        {"GET /metrics",
         {[](httplib::Client& cl) { return answer_of(cl.Get("/metrics")); }, {200}}},
        {"GET /v1/openapi.json",
         {[](httplib::Client& cl) { return get(cl, "/v1/openapi.json", ""); }, {200}}},
        // B's kiosk presents A's card in every form.
        {"POST /v1/members/lookup",
         {[&](httplib::Client& cl) {
              for (const std::string& code : {a.card, a.phone})
                  if (const Answer x = post(cl, "/v1/members/lookup", b.device, {{"code", code}});
                      x.status != 404)
                      return x;
              return post(cl, "/v1/members/lookup", b.device, {{"code", a.qr}});
          },
          denied}},
        {"GET /v1/members/lookup",
         {[&](httplib::Client& cl) {
              return get(cl, "/v1/members/lookup?code=" + url_encode(a.card), b.device);
          },
          denied}},
        {"POST /v1/receipts",
         {[&](httplib::Client& cl) {
              return post(cl, "/v1/receipts", b.till,
                          {{"operation_id", op}, {"member", a_member}, {"receipt", a_receipt}});
          },
          denied}},
        {"POST /v1/returns",
         {[&](httplib::Client& cl) {
              return post(
                  cl, "/v1/returns", b.till,
                  {{"operation_id", op}, {"receipt_id", a.receipt_id}, {"quantities", {1}}});
          },
          denied}},
        {"GET /v1/me",
         {[&](httplib::Client& cl) { return get(cl, "/v1/me", b.member_token); }, denied}},
        // The widget: B's session is B's member's; B's token naming A's member names nobody.
        {"GET /v1/widget/config",
         {[&](httplib::Client& cl) { return get(cl, "/v1/widget/config?merchant=RIVAL", ""); },
          own}},
        // B's program is a copy of A's, pictures and all: B's own copy of the coffee's.
        {"GET /v1/widget/picture",
         {[&](httplib::Client& cl) {
              return get(cl, "/v1/widget/picture?merchant=RIVAL&reward=coffee", "");
          },
          own}},
        {"POST /v1/widget/session",
         {[&](httplib::Client& cl) {
              return post(cl, "/v1/widget/session",
                          member_token(b_secret, "rival", a.member, "b-names-a"), Json::object());
          },
          denied}},
        {"GET /v1/widget/me",
         {[&](httplib::Client& cl) { return get(cl, "/v1/widget/me", b.widget_session); }, own}},
        {"GET /v1/widget/history",
         {[&](httplib::Client& cl) { return get(cl, "/v1/widget/history", b.widget_session); },
          own}},
        {"GET /v1/widget/referral",
         {[&](httplib::Client& cl) { return get(cl, "/v1/widget/referral", b.widget_session); },
          own}},
        {"POST /v1/widget/redeem",
         {[&](httplib::Client& cl) {
              return post(cl, "/v1/widget/redeem", b.widget_session,
                          {{"operation_id", op_id(901)}, {"reward_id", "coffee"}});
          },
          {201, 409}}},  // B's member's own points
        {"POST /v1/widget/spin",
         {[&](httplib::Client& cl) {
              return post(cl, "/v1/widget/spin", b.widget_session, {{"operation_id", op_id(902)}});
          },
          denied}},  // B has no online wheel
        {"GET /v1/admin/widget-settings",
         {[&](httplib::Client& cl) { return get(cl, "/v1/admin/widget-settings", b.admin); }, own}},
        {"PUT /v1/admin/widget-settings",
         {[&](httplib::Client& cl) {
              const Answer x =
                  put(cl, "/v1/admin/widget-settings", b.admin, {{"theme_id", "night"}});
              return x.status == 400 && x.body["error"]["field"] == "theme_id"
                         ? Answer{404, x.body, "", false, ""}
                         : x;
          },
          denied}},
        {"POST /v1/devices/pair",
         {[&](httplib::Client& cl) {
              return post(cl, "/v1/devices/pair", "", {{"code", "ZZZZ-ZZZZ"}});
          },
          {404}}},
        {"GET /v1/kiosk/config",
         {[&](httplib::Client& cl) { return get(cl, "/v1/kiosk/config", b.device); }, own}},
        {"POST /v1/kiosk/spin",
         {[&](httplib::Client& cl) {
              return post(cl, "/v1/kiosk/spin", b.device,
                          {{"operation_id", op}, {"member", a_member}, {"wheel_id", "demo-wheel"}});
          },
          denied}},
        {"POST /v1/kiosk/redeem",
         {[&](httplib::Client& cl) {
              return post(cl, "/v1/kiosk/redeem", b.device,
                          {{"operation_id", op}, {"member", a_member}, {"reward_id", "coffee"}});
          },
          denied}},
        {"POST /v1/kiosk/operations",
         {[&](httplib::Client& cl) {
              const Answer x = post(cl, "/v1/kiosk/operations", b.device,
                                    {{"operations",
                                      {{{"type", "redeem"},
                                        {"operation_id", op},
                                        {"member", a_member},
                                        {"reward_id", "coffee"}}}}});
              if (x.status != 200) return x;
              return Answer{x.body["results"][0]["status"].get<int>(), x.body["results"][0]["body"],
                            "", false, ""};
          },
          denied}},
        {"POST /v1/coupons/redeem",
         {[&](httplib::Client& cl) {
              return post(cl, "/v1/coupons/redeem", b.till,
                          {{"operation_id", op}, {"code", a.coupon}});
          },
          denied}},
        {"GET /v1/admin/merchant",
         {[&](httplib::Client& cl) { return get(cl, "/v1/admin/merchant", b.admin); }, own}},
        {"GET /v1/admin/program",
         {[&](httplib::Client& cl) { return get(cl, "/v1/admin/program", b.admin); }, own}},
        {"PUT /v1/admin/program",
         {[&](httplib::Client& cl) { return put(cl, "/v1/admin/program", b.admin, program); },
          own}},
        {"POST /v1/admin/program/preview",
         {[&](httplib::Client& cl) {
              return post(cl, "/v1/admin/program/preview", b.admin,
                          {{"member", a_member}, {"receipt", a_receipt}});
          },
          denied}},
        {"POST /v1/admin/program/what-if",
         {[&](httplib::Client& cl) {
              Json body = {{"member", a_member}, {"receipt", a_receipt}};
              body["program"] = program;  // B's draft, quoted for A's member: refused
              return post(cl, "/v1/admin/program/what-if", b.admin, body);
          },
          denied}},
        {"POST /v1/admin/program/simulate",  // over B's receipts only
         {[&](httplib::Client& cl) {
              return post(cl, "/v1/admin/program/simulate", b.admin,
                          {{"program", program}, {"days", 30}});
          },
          own}},
        // Program versions are numbered per merchant: B's 1, 2, … are B's own, never A's.
        {"GET /v1/admin/program/versions",
         {[&](httplib::Client& cl) { return get(cl, "/v1/admin/program/versions", b.admin); },
          own}},
        {"POST /v1/admin/program/versions",
         {[&](httplib::Client& cl) {
              return post(cl, "/v1/admin/program/versions", b.admin, {{"program", program}});
          },
          own}},
        {"GET /v1/admin/program/versions/{version}",
         {[&](httplib::Client& cl) { return get(cl, "/v1/admin/program/versions/1", b.admin); },
          own}},
        {"POST /v1/admin/program/versions/{version}/revert",
         {[&](httplib::Client& cl) {
              return post(cl, "/v1/admin/program/versions/1/revert", b.admin, Json::object());
          },
          own}},
        {"GET /v1/admin/themes",
         {[&](httplib::Client& cl) { return get(cl, "/v1/admin/themes", b.admin); }, own}},
        {"GET /v1/admin/themes/{id}",
         {[&](httplib::Client& cl) { return get(cl, "/v1/admin/themes/daylight", b.admin); },
          denied}},
        {"DELETE /v1/admin/themes/{id}",
         {[&](httplib::Client& cl) {
              return answer_of(cl.Delete("/v1/admin/themes/daylight", bearer(b.admin)));
          },
          denied}},
        // Writing "daylight" creates B's own theme of that name; A's stays as it was (checked
        // below).
        {"PUT /v1/admin/themes/{id}",
         {[&](httplib::Client& cl) {
              return put(cl, "/v1/admin/themes/daylight", b.admin, {{"name", "Rival"}});
          },
          own}},
        {"GET /v1/admin/members",
         {[&](httplib::Client& cl) {
              return get(cl, "/v1/admin/members?q=" + url_encode(a.name), b.admin);
          },
          own}},
        {"POST /v1/admin/members",
         {[&](httplib::Client& cl) {
              return post(cl, "/v1/admin/members", b.admin,
                          {{"id", a.member + "-b"}, {"name", "Vera"}, {"consent", true}});
          },
          own}},
        {"GET /v1/admin/members/{id}",
         {[&](httplib::Client& cl) { return get(cl, "/v1/admin/members/" + a.member, b.admin); },
          denied}},
        {"GET /v1/admin/members/{id}/history",
         {[&](httplib::Client& cl) {
              return get(cl, "/v1/admin/members/" + a.member + "/history", b.admin);
          },
          denied}},
        {"PUT /v1/admin/members/{id}",
         {[&](httplib::Client& cl) {
              return put(cl, "/v1/admin/members/" + a.member, b.admin, {{"name", "Hacked"}});
          },
          denied}},
        {"POST /v1/admin/members/{id}/adjust",
         {[&](httplib::Client& cl) {
              return post(cl, "/v1/admin/members/" + a.member + "/adjust", b.admin,
                          {{"operation_id", op}, {"points", -1000}, {"reason", "x"}});
          },
          denied}},
        {"GET /v1/admin/members/{id}/export",
         {[&](httplib::Client& cl) {
              return get(cl, "/v1/admin/members/" + a.member + "/export", b.admin);
          },
          denied}},
        {"POST /v1/admin/members/{id}/erase",
         {[&](httplib::Client& cl) {
              return post(cl, "/v1/admin/members/" + a.member + "/erase", b.admin, Json::object());
          },
          denied}},
        {"GET /v1/admin/reports",
         {[&](httplib::Client& cl) { return get(cl, "/v1/admin/reports", b.admin); }, own}},
        {"GET /v1/admin/reports/series",
         {[&](httplib::Client& cl) { return get(cl, "/v1/admin/reports/series", b.admin); }, own}},
        // B imports a file naming A's members: B's own members, A's untouched.
        {"POST /v1/admin/imports",
         {[&](httplib::Client& cl) {
              return answer_of(cl.Post("/v1/admin/imports?dry_run=true", bearer(b.admin),
                                       "external_id,consent\ndemo-anna,yes\n", "text/csv"));
          },
          own}},
        {"GET /v1/admin/imports/{id}",
         {[&](httplib::Client& cl) { return get(cl, "/v1/admin/imports/" + a_job, b.admin); },
          denied}},
        {"GET /v1/admin/exports/members.csv",
         {[&](httplib::Client& cl) { return csv_get(cl, "/v1/admin/exports/members.csv"); }, own}},
        {"GET /v1/admin/exports/receipts.csv",
         {[&](httplib::Client& cl) { return csv_get(cl, "/v1/admin/exports/receipts.csv"); }, own}},
        {"GET /v1/admin/wheels",
         {[&](httplib::Client& cl) { return get(cl, "/v1/admin/wheels", b.admin); }, own}},
        {"GET /v1/admin/wheels/{id}",
         {[&](httplib::Client& cl) { return get(cl, "/v1/admin/wheels/demo-wheel", b.admin); },
          denied}},
        {"PUT /v1/admin/wheels/{id}",
         {[&](httplib::Client& cl) {
              return put(
                  cl, "/v1/admin/wheels/demo-wheel", b.admin,
                  Json::parse(
                      R"({"currency": "RUB", "day_budget": "unlimited",
                          "campaign_budget": "unlimited",
                          "member_spins_per_day_max": 1, "member_wins_per_day_max": "unlimited",
                          "member_wins_per_campaign_max": "unlimited",
                          "prizes": [{"id": "n", "label": "N", "kind": "nothing", "weight": 1,
                                      "stock": "unlimited", "cost": 0}]})"));
          },
          own}},
        {"GET /v1/admin/kiosk-settings",
         {[&](httplib::Client& cl) { return get(cl, "/v1/admin/kiosk-settings", b.admin); }, own}},
        // Naming A's theme is naming nothing B has (the wheel B just made is its own).
        {"PUT /v1/admin/kiosk-settings",
         {[&](httplib::Client& cl) {
              const Answer x =
                  put(cl, "/v1/admin/kiosk-settings", b.admin, {{"theme_id", "night"}});
              return x.status == 400 && x.body["error"]["field"] == "theme_id"
                         ? Answer{404, x.body, "", false, ""}
                         : x;
          },
          denied}},
        {"GET /v1/admin/devices",
         {[&](httplib::Client& cl) { return get(cl, "/v1/admin/devices", b.admin); }, own}},
        {"POST /v1/admin/devices/pairing-codes",
         {[&](httplib::Client& cl) {
              return post(cl, "/v1/admin/devices/pairing-codes", b.admin, {{"name", "B2"}});
          },
          own}},
        // The console: B's key is B's owner; A's user is unknown to it.
        {"POST /v1/console/session",
         {[&](httplib::Client& cl) {
              return post(cl, "/v1/console/session", "",
                          {{"merchant", "rival"},
                           {"email", "a-owner@demo.example"},
                           {"password", "not the password"}});
          },
          {401}}},
        {"GET /v1/console/session",
         {[&](httplib::Client& cl) { return get(cl, "/v1/console/session", b.admin); }, own}},
        {"DELETE /v1/console/session",
         {[&](httplib::Client& cl) {
              return answer_of(cl.Delete("/v1/console/session", bearer(b.admin)));
          },
          own}},
        {"GET /v1/admin/users",
         {[&](httplib::Client& cl) { return get(cl, "/v1/admin/users", b.admin); }, own}},
        {"POST /v1/admin/users",
         {[&](httplib::Client& cl) {
              return post(cl, "/v1/admin/users", b.admin,
                          {{"email", "a-owner@demo.example"},
                           {"name", "B's owner"},
                           {"role", "owner"},
                           {"password", "b-owner-password"}});
          },
          own}},
        {"PUT /v1/admin/users/{id}",
         {[&](httplib::Client& cl) {
              return put(cl, "/v1/admin/users/" + a_user, b.admin, {{"disabled", true}});
          },
          denied}},
        {"POST /v1/admin/users/{id}/password",
         {[&](httplib::Client& cl) {
              return post(cl, "/v1/admin/users/" + a_user + "/password", b.admin,
                          {{"password", "taken-over-password"}});
          },
          denied}},
        {"POST /v1/admin/users/{id}/revoke-sessions",
         {[&](httplib::Client& cl) {
              return post(cl, "/v1/admin/users/" + a_user + "/revoke-sessions", b.admin,
                          Json::object());
          },
          denied}},
        {"GET /v1/admin/audit",
         {[&](httplib::Client& cl) { return get(cl, "/v1/admin/audit", b.admin); }, own}},
        {"GET /v1/admin/themes/published",
         {[&](httplib::Client& cl) { return get(cl, "/v1/admin/themes/published", b.admin); },
          own}},
        {"GET /v1/admin/themes/{id}/versions",
         {[&](httplib::Client& cl) { return get(cl, "/v1/admin/themes/night/versions", b.admin); },
          denied}},
        {"GET /v1/admin/themes/{id}/versions/{version}",
         {[&](httplib::Client& cl) {
              return get(cl, "/v1/admin/themes/night/versions/1", b.admin);
          },
          denied}},
        {"POST /v1/admin/themes/{id}/publish",
         {[&](httplib::Client& cl) {
              return post(cl, "/v1/admin/themes/night/publish", b.admin,
                          {{"version", 1}, {"confirm_low_contrast", true}});
          },
          denied}},
        {"PUT /v1/admin/devices/{id}",
         {[&](httplib::Client& cl) {
              return put(cl, "/v1/admin/devices/" + a.device_id, b.admin,
                         {{"name", "B's now"}, {"settings", {{"wheel", false}}}});
          },
          denied}},
        {"POST /v1/admin/devices/{id}/revoke",
         {[&](httplib::Client& cl) {
              return post(cl, "/v1/admin/devices/" + a.device_id + "/revoke", b.admin,
                          Json::object());
          },
          denied}},
    };

    // Every documented operation has a case, and every case is documented.
    const Json doc = get(*c, "/v1/openapi.json", "").body;
    std::set<std::string> documented;
    for (const auto& path : doc["paths"].items())
        for (const auto& operation : path.value().items()) {
            std::string method = operation.key();
            for (auto& ch : method) ch = static_cast<char>(ch - 'a' + 'A');
            documented.insert(method + " " + path.key());
        }
    std::set<std::string> covered;
    for (const auto& [name, unused] : cases) covered.insert(name);
    CHECK(documented == covered);

    // What of A's no request of B's contains, so no answer may: A's members' names, phones and
    // other ids, the MAC of A's card QR, A's names for itself, its theme and its kiosk. (Ids
    // B sent itself may come back in an error message: "no member \"demo-anna\"".)
    const std::string mac = a.qr.substr(a.qr.rfind(':') + 1);
    std::vector<std::string> markers = {a.name,
                                        "Борис",
                                        "Dace",
                                        a.phone,
                                        "79160000002",
                                        "demo-boris",
                                        "demo-dace",
                                        mac,
                                        "Kopilka Demo Shop",
                                        "Kopilka Night Market",
                                        "A's kiosk",
                                        "demo-points",
                                        "A Imported"};
    for (const auto& [name, k] : cases) {
        INFO(name);
        const Answer x = k.send(*c);
        CHECK_MESSAGE(k.allowed.count(x.status) == 1,
                      x.status << " " << x.body.dump() << " " << x.error);
        if (x.status >= 400 && x.body.is_object()) CHECK(error_shape_problem(x.body) == "");
        if (name == "GET /metrics" || name == "GET /v1/openapi.json")
            continue;  // no merchant data: route templates only
        const std::string text = x.body.dump(-1, ' ', false, Json::error_handler_t::replace);
        for (const auto& m : markers)
            CHECK_MESSAGE(text.find(m) == std::string::npos,
                          "leaks " << m << ": " << text.substr(0, 400));
    }

    // Nothing of A's changed: every row with merchant_id 'demo', byte for byte.
    Db db(s.db);
    CHECK(db.dump("demo") == a_before);
    // A's kiosk still works, A's coupon is still open at A's till.
    CHECK(post(*c, "/v1/members/lookup", a.device_token, {{"code", a.card}}).status == 200);
    CHECK(post(*c, "/v1/coupons/redeem", a_till, {{"operation_id", op_id(501)}, {"code", a.coupon}})
              .status == 200);
}
