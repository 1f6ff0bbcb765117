// The console's admin API against a real kopilka-server: only admin keys get in and only to
// their own merchant; program versions (a bad one changes nothing, a good one drives the
// next receipt), the live preview equal to the real quote, theme CRUD with validation,
// members (search, pages, enrol, update, adjust with replays and conflicts, export, erase
// that keeps the ledger), and reports on the demo data checked by hand.
#include <doctest/doctest.h>

#include <chrono>
#include <set>
#include <thread>

#include "core/cards/card_code.hpp"
#include "core/time.hpp"
#include "receipt_helpers.hpp"
#include "server_process.hpp"

using namespace kopilka::test;

namespace {
struct Answer {
    int status = 0;
    Json body;
    std::string disposition;  // Content-Disposition
    bool replayed = false;    // Idempotent-Replayed: true
};

// A console: one admin (or other) key against one server.
class Console {
public:
  Console(const ServerProcess& server, const std::string& key)
      : c_(server.client()), auth_(bearer(key)) {}
  Answer get(const std::string& path) { return answer(c_->Get(path.c_str(), auth_)); }
  Answer post(const std::string& path, const Json& body) {
      return answer(c_->Post(path.c_str(), auth_, body.dump(), "application/json"));
  }
  Answer put(const std::string& path, const Json& body) {
      return answer(c_->Put(path.c_str(), auth_, body.dump(), "application/json"));
  }
    Answer del(const std::string& path) { return answer(c_->Delete(path.c_str(), auth_)); }
    httplib::Client& client() { return *c_; }

private:
    static Answer answer(const httplib::Result& res) {
        REQUIRE(res);
        Answer a{res->status, Json::parse(res->body, nullptr, false),
                 res->get_header_value("Content-Disposition"),
                 res->get_header_value("Idempotent-Replayed") == "true"};
        REQUIRE_MESSAGE(!a.body.is_discarded(), res->body);
        if (a.status >= 400) CHECK_MESSAGE(error_shape_problem(a.body) == "", res->body);
        return a;
    }
    std::unique_ptr<httplib::Client> c_;
    httplib::Headers auth_;
};

std::string field_of(const Answer& a) { return a.body["error"].value("field", ""); }

std::int64_t wall_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// A second merchant with its own admin key.
std::string rival_admin(const std::string& db) {
    const RunResult r = run_program({cli_binary(), "merchant", "--db", db, "--id", "rival",
                                     "--code", "RIVAL", "--name", "Rival shop"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    return api_key(db, "admin", "rival");
}

Json receipt(int n, const std::string& card, std::int64_t price, std::int64_t redeem,
             std::int64_t at_ms) {
    Json r = receipt_body(n, card, price, redeem);
    r["receipt"]["at_ms"] = at_ms;
    return r;
}
}  // namespace

TEST_CASE_FIXTURE(WithDemoServer, "admin: only admin keys, and only their own merchant") {
    Console till(*s.server, api_key(s.db, "till"));
    for (const char* path : {"/v1/admin/merchant", "/v1/admin/program", "/v1/admin/members",
                             "/v1/admin/reports", "/v1/admin/themes"}) {
        INFO(path);
        const Answer a = till.get(path);
        CHECK(a.status == 403);
        CHECK(field_of(a) == "Authorization");
    }
    CHECK(till.post("/v1/admin/members", {{"name", "X"}, {"consent", true}}).status == 403);
    CHECK(till.put("/v1/admin/program", Json::object()).status == 403);
    Console nobody(*s.server, "kpk_admin_AAAAAAAA_" + std::string(32, '0'));
    CHECK(nobody.get("/v1/admin/merchant").status == 401);

    Console admin(*s.server, api_key(s.db, "admin"));
    const Answer m = admin.get("/v1/admin/merchant");
    REQUIRE(m.status == 200);
    CHECK(
        m.body ==
        Json{{"id", "demo"}, {"code", "DEMO"}, {"name", "Kopilka Demo Shop"}, {"currency", "RUB"}});

    // Another merchant's admin sees none of the demo's members, by id, search or card.
    Console rival(*s.server, rival_admin(s.db));
    CHECK(rival.get("/v1/admin/merchant").body["id"] == "rival");
    for (const char* path :
         {"/v1/admin/members/demo-boris", "/v1/admin/members/demo-boris/export"}) {
        const Answer a = rival.get(path);
        CHECK(a.status == 404);
        CHECK(a.body.dump().find("Борис") == std::string::npos);
    }
    CHECK(rival.post("/v1/admin/members/demo-boris/erase", Json::object()).status == 404);
    CHECK(rival
              .post("/v1/admin/members/demo-boris/adjust",
                    {{"operation_id", op_id(9)}, {"points", 5}, {"reason", "x"}})
              .status == 404);
    CHECK(rival.get("/v1/admin/members").body["members"].empty());
    CHECK(admin.get("/v1/admin/members/demo-boris").body["profile"]["name"] == "Борис");
}

TEST_CASE_FIXTURE(WithDemoServer,
                  "admin program: a bad version changes nothing, a good one drives the next "
                  "receipt, the preview equals the quote") {
    const auto cards = demo_cards(s.db);
    Console admin(*s.server, api_key(s.db, "admin"));
    const std::string till = api_key(s.db, "till");

    Answer a = admin.get("/v1/admin/program");
    REQUIRE(a.status == 200);
    CHECK(a.body["version"] == 1);
    Json program = a.body["program"];
    CHECK(program["id"] == "demo-points");
    CHECK(program["bonus"]["earn_bp"] == 500);

    // Refused for a type/range error and for a rule across fields; still version 1.
    Json bad = program;
    bad["bonus"]["earn_bp"] = 20000;
    a = admin.put("/v1/admin/program", bad);
    CHECK(a.status == 400);
    CHECK(field_of(a) == "bonus.earn_bp");
    bad = program;
    bad["tiers"]["levels"][2]["threshold"] = 500;
    a = admin.put("/v1/admin/program", bad);
    CHECK(a.status == 400);
    CHECK(field_of(a).rfind("tiers.levels[2]", 0) == 0);
    bad = program;
    bad["currency"] = "EUR";
    a = admin.put("/v1/admin/program", bad);
    CHECK(a.status == 400);
    CHECK(field_of(a) == "currency");
    bad = program;
    bad["earn_pb"] = 1;
    CHECK(field_of(admin.put("/v1/admin/program", bad)) == "earn_pb");
    CHECK(admin.get("/v1/admin/program").body["version"] == 1);

    // The preview with a draft program and a hypothetical new member writes nothing:
    // 20 % of 1 000 ₽ = 200 points.
    Json draft = program;
    draft["bonus"]["earn_bp"] = 2000;
    const std::int64_t at = wall_ms();
    const Json one_coat = receipt(1, cards.at("demo-boris").card, 100000, 0, at)["receipt"];
    Db db(s.db);
    const std::string before = db.dump();
    a = admin.post("/v1/admin/program/preview",
                   {{"program", draft}, {"receipt", one_coat}, {"context", Json::object()}});
    REQUIRE_MESSAGE(a.status == 200, a.body.dump());
    CHECK(a.body["quote"]["points_earned"] == 200);
    CHECK(db.dump() == before);
    bad = draft;
    bad["bonus"]["earn_bp"] = -1;
    CHECK(field_of(
              admin.post("/v1/admin/program/preview", {{"program", bad}, {"receipt", one_coat}})) ==
          "program.bonus.earn_bp");
    CHECK(field_of(admin.post("/v1/admin/program/preview", {{"program", draft}})) == "receipt");
    CHECK(field_of(admin.post("/v1/admin/program/preview", {{"receipt", one_coat},
                                                            {"member", {{"id", "demo-anna"}}},
                                                            {"context", Json::object()}})) ==
          "context");
    CHECK(admin
              .post("/v1/admin/program/preview",
                    {{"receipt", one_coat}, {"member", {{"id", "nobody"}}}})
              .status == 404);

    // The preview for a stored member (the current program) equals what the till then gets.
    const Json body = receipt(2, cards.at("demo-anna").card, 100000, 100, at);
    a = admin.post("/v1/admin/program/preview", {{"receipt", body["receipt"]},
                                                 {"member", {{"card", cards.at("demo-anna").card}}},
                                                 {"redeem_points", 100}});
    REQUIRE(a.status == 200);
    const Json preview = a.body["quote"];
    CHECK(preview["points_earned"] == 56);  // 5 % of 900 ₽ × Silver's 1.25
    CHECK(db.dump() == before);
    const auto posted =
        admin.client().Post("/v1/receipts", bearer(till), body.dump(), "application/json");
    REQUIRE(posted);
    REQUIRE_MESSAGE(posted->status == 201, posted->body);
    CHECK(Json::parse(posted->body)["quote"] == preview);

    // A good version: stored as version 2, and the next receipt earns 10 % (Boris is Base).
    Json good = program;
    good["bonus"]["earn_bp"] = 1000;
    a = admin.put("/v1/admin/program", good);
    REQUIRE_MESSAGE(a.status == 200, a.body.dump());
    CHECK(a.body["version"] == 2);
    CHECK(a.body["program_id"] == "demo-points");
    CHECK(a.body["effective_from_ms"].get<std::int64_t>() >= wall_ms() - 60000);  // now
    a = admin.get("/v1/admin/program");
    CHECK(a.body["version"] == 2);
    CHECK(a.body["program"]["bonus"]["earn_bp"] == 1000);
    const auto res = admin.client().Post(
        "/v1/receipts", bearer(till),
        receipt(3, cards.at("demo-boris").card, 20000, 0, wall_ms()).dump(), "application/json");
    REQUIRE(res);
    REQUIRE_MESSAGE(res->status == 201, res->body);
    CHECK(Json::parse(res->body)["quote"]["points_earned"] == 20);  // 10 % of 200 ₽
}

TEST_CASE_FIXTURE(
    WithDemoServer,
    "admin themes: create, version, read, list, validation naming the field, delete") {
    Console admin(*s.server, api_key(s.db, "admin"));
    const Json theme = {{"name", "Summer"},
                        {"colors", {{"accent", "#00a0b0"}, {"background", "#FFFFFF80"}}},
                        {"font_size_px", 26},
                        {"attract", {{"lv", {{"title", "Skenējiet karti"}}}}}};
    Answer a = admin.put("/v1/admin/themes/summer", theme);
    REQUIRE_MESSAGE(a.status == 200, a.body.dump());
    CHECK(a.body == Json{{"id", "summer"}, {"version", 1}});
    CHECK(admin.put("/v1/admin/themes/summer", theme).body["version"] == 2);

    a = admin.get("/v1/admin/themes/summer");
    REQUIRE(a.status == 200);
    CHECK(a.body["version"] == 2);
    CHECK(a.body["theme"]["colors"]["accent"] == "#00A0B0");      // stored canonical…
    CHECK(a.body["theme"]["colors"]["background"] == "#FFFFFF80");
    CHECK(a.body["theme"]["colors"]["text"] == "#1F242B");        // …with the defaults filled in
    CHECK(a.body["theme"]["attract"]["lv"]["title"] == "Skenējiet karti");
    CHECK(a.body["theme"]["logo"] == "");
    bool listed = false;
    const Answer list = admin.get("/v1/admin/themes");
    for (const Json& t : list.body["themes"])
        listed = listed || (t["id"] == "summer" && t["version"] == 2);
    CHECK(listed);

    struct Bad {
        Json body;
        const char* field;
    };
    const Bad bad[] = {
        {{{"colors", {{"accent", "#12"}}}}, "name"},
        {{{"name", "x"}, {"colors", {{"accent", "#12"}}}}, "colors.accent"},
        {{{"name", "x"}, {"font_size_px", 100}}, "font_size_px"},
        {{{"name", "x"}, {"corner_radius_px", -2}}, "corner_radius_px"},
        {{{"name", "x"}, {"fonts", "Inter"}}, "fonts"},
        {{{"name", "x"}, {"logo", "javascript:alert(1)"}}, "logo"},
        {{{"name", "x"}, {"attract", {{"fr", {{"title", "Bonjour"}}}}}}, "attract.fr"},
    };
    for (const Bad& b : bad) {
        INFO(b.body.dump());
        a = admin.put("/v1/admin/themes/summer", b.body);
        CHECK(a.status == 400);
        CHECK(field_of(a) == b.field);
    }
    a = admin.put("/v1/admin/themes/Summer!", theme);
    CHECK(a.status == 400);
    CHECK(field_of(a) == "id");
    CHECK(admin.get("/v1/admin/themes/summer").body["version"] == 2);

    // Another merchant doesn't see it; deleting removes it.
    Console rival(*s.server, rival_admin(s.db));
    CHECK(rival.get("/v1/admin/themes/summer").status == 404);
    CHECK(rival.del("/v1/admin/themes/summer").status == 404);
    CHECK(admin.del("/v1/admin/themes/summer").body["deleted"] == true);
    CHECK(admin.get("/v1/admin/themes/summer").status == 404);
    CHECK(admin.del("/v1/admin/themes/summer").status == 404);
}

TEST_CASE_FIXTURE(WithDemoServer,
                  "admin members: search and pages, enrolment with consent, updates, adjustments") {
    const auto cards = demo_cards(s.db);
    Console admin(*s.server, api_key(s.db, "admin"));

    // Pages by member id.
    Answer a = admin.get("/v1/admin/members?limit=2");
    REQUIRE(a.status == 200);
    REQUIRE(a.body["members"].size() == 2);
    CHECK(a.body["members"][0]["id"] == "demo-anna");
    CHECK(a.body["members"][0]["card"] == cards.at("demo-anna").card);
    CHECK(a.body["next_after"] == "demo-boris");
    a = admin.get("/v1/admin/members?limit=2&after=demo-boris");
    REQUIRE(a.body["members"].size() == 1);
    CHECK(a.body["members"][0]["id"] == "demo-dace");
    CHECK(a.body["next_after"].is_null());
    CHECK(admin.get("/v1/admin/members?q=DACE").body["members"].size() == 1);
    CHECK(admin.get("/v1/admin/members?q=7916").body["members"].size() == 2);  // by phone
    CHECK(field_of(admin.get("/v1/admin/members?limit=0")) == "limit");
    CHECK(field_of(admin.get("/v1/admin/members?limit=201")) == "limit");
    CHECK(field_of(admin.get("/v1/admin/members?limit=ten")) == "limit");

    // Enrolment: consent is required, cards and phones are checked and unique.
    const Json ok_body = {{"operation_id", op_id(100)}, {"name", "Ēriks Ozols"},
                          {"phone", "+371 2000-0100"},  {"email", "eriks@example.lv"},
                          {"birthday", "1990-05-17"},   {"consent", true}};
    struct Bad {
        Json change;
        int status;
        const char* field;
    };
    const Bad bad[] = {
        {{{"consent", false}}, 400, "consent"},
        {{{"card", "2000000000016"}}, 400, "card"},  // wrong check digit
        {{{"card", cards.at("demo-anna").card}}, 409, "card"},
        {{{"phone", "+7 916 000-00-01"}}, 409, "phone"},  // Anna's
        {{{"phone", "12"}}, 400, "phone"},
        {{{"email", "eriks at example"}}, 400, "email"},
        {{{"birthday", "1990-02-30"}}, 400, "birthday"},
        {{{"id", "demo-anna"}}, 409, "id"},
        {{{"id", "a b"}}, 400, "id"},
        {{{"nickname", "E"}}, 400, "nickname"},
    };
    for (const Bad& b : bad) {
        INFO(b.change.dump());
        Json body = ok_body;
        body.update(b.change);
        a = admin.post("/v1/admin/members", body);
        CHECK(a.status == b.status);
        CHECK(field_of(a) == b.field);
    }
    Json no_consent = ok_body;
    no_consent.erase("consent");
    CHECK(field_of(admin.post("/v1/admin/members", no_consent)) == "consent");

    a = admin.post("/v1/admin/members", ok_body);
    REQUIRE_MESSAGE(a.status == 201, a.body.dump());
    const Json profile = a.body["profile"];
    const std::string id = profile["id"];
    const std::string card = profile["card"];
    CHECK(id.rfind("m-", 0) == 0);
    CHECK(kopilka::cards::ean13_valid(card));
    CHECK(card[0] == '2');
    CHECK(profile["phone"] == "37120000100");
    CHECK(profile["birthday"] == "1990-05-17");
    CHECK(profile["consent_at_ms"].get<std::int64_t>() > 0);
    CHECK(profile["erased"] == false);
    CHECK(a.body["member"]["balance"] == 100);  // the demo program's welcome bonus
    CHECK(a.body["operation_id"] == op_id(100));

    // A replay answers the same member; the same id with another name is a conflict.
    a = admin.post("/v1/admin/members", ok_body);
    CHECK(a.status == 201);
    CHECK(a.replayed);
    CHECK(a.body["profile"]["id"] == id);
    CHECK(a.body["member"]["balance"] == 100);
    Json other = ok_body;
    other["name"] = "Someone else";
    a = admin.post("/v1/admin/members", other);
    CHECK(a.status == 409);
    CHECK(field_of(a) == "name");
    Db db(s.db);
    CHECK(db.scalar("SELECT COUNT(*) FROM members WHERE merchant_id = 'demo'") == 4);
    CHECK(db.derived_balance("demo", id) == 100);
    // The stored request holds no personal data.
    CHECK(db.text("SELECT request FROM operations WHERE op_id = ?1", {op_id(100)}).find("Ozols") ==
          std::string::npos);

    // Without an operation id, with a card of one's own; search finds both.
    a = admin.post(
        "/v1/admin/members",
        {{"id", "walk-in-1"}, {"name", "Walk In"}, {"card", "4006381333931"}, {"consent", true}});
    REQUIRE_MESSAGE(a.status == 201, a.body.dump());
    CHECK(a.body["profile"]["card"] == "4006381333931");
    CHECK(admin.get("/v1/admin/members?q=ozols").body["members"][0]["id"] == id);
    CHECK(admin.get("/v1/admin/members?q=400638").body["members"][0]["id"] == "walk-in-1");

    // The new card works at the till.
    const std::string till = api_key(s.db, "till");
    auto res = admin.client().Post("/v1/receipts", bearer(till),
                                   receipt_body(7, card, 10000, 0).dump(), "application/json");
    REQUIRE(res);
    CHECK_MESSAGE(res->status == 201, res->body);

    // Updates: fields left out stay; a phone someone else has is refused.
    a = admin.put("/v1/admin/members/" + id, {{"phone", "79160000002"}});
    CHECK(a.status == 409);
    CHECK(field_of(a) == "phone");
    CHECK(field_of(admin.put("/v1/admin/members/" + id, {{"email", "nope"}})) == "email");
    CHECK(field_of(admin.put("/v1/admin/members/" + id, {{"name", ""}})) == "name");
    CHECK(field_of(admin.put("/v1/admin/members/" + id, {{"card", "4006381333931"}})) == "card");
    a = admin.put("/v1/admin/members/" + id, {{"email", "e.ozols@example.lv"}, {"birthday", ""}});
    REQUIRE_MESSAGE(a.status == 200, a.body.dump());
    CHECK(a.body["profile"]["email"] == "e.ozols@example.lv");
    CHECK(a.body["profile"]["birthday"] == "");
    CHECK(a.body["profile"]["name"] == "Ēriks Ozols");
    CHECK(admin.put("/v1/admin/members/nobody", {{"email", "a@b.lv"}}).status == 404);

    // Adjustments: a reason is required, replays answer the same, conflicts name the field.
    const std::string adjust = "/v1/admin/members/demo-boris/adjust";
    const Json plus = {{"operation_id", op_id(200)},
                       {"points", 50},
                       {"reason", "goodwill: broken coffee machine"}};
    const std::int64_t boris = db.derived_balance("demo", "demo-boris");
    a = admin.post(adjust, plus);
    REQUIRE_MESSAGE(a.status == 201, a.body.dump());
    CHECK(a.body["balance"] == boris + 50);
    const Json first = a.body;
    a = admin.post(adjust, plus);
    CHECK(a.status == 201);
    CHECK(a.replayed);
    a.body.erase("replayed");
    CHECK(a.body == first);
    CHECK(db.derived_balance("demo", "demo-boris") == boris + 50);
    Json changed = plus;
    changed["points"] = 60;
    a = admin.post(adjust, changed);
    CHECK(a.status == 409);
    CHECK(field_of(a) == "points");
    a = admin.post("/v1/admin/members/demo-dace/adjust", plus);  // the same id for another member
    CHECK(a.status == 409);
    CHECK(field_of(a) == "member_id");
    CHECK(field_of(admin.post(adjust, {{"operation_id", op_id(201)}, {"points", 5}})) == "reason");
    CHECK(field_of(admin.post(adjust, {{"operation_id", op_id(201)},
                                       {"points", 5},
                                       {"reason", std::string(201, 'x')}})) == "reason");
    CHECK(field_of(admin.post(
              adjust, {{"operation_id", op_id(201)}, {"points", 0}, {"reason", "x"}})) == "points");
    CHECK(field_of(admin.post(adjust, {{"points", 5}, {"reason", "x"}})) == "operation_id");
    a = admin.post(
        adjust, {{"operation_id", op_id(202)}, {"points", -(boris + 51)}, {"reason", "too much"}});
    CHECK(a.status == 409);
    CHECK(a.body["error"]["code"] == "insufficient");
    CHECK(field_of(a) == "points");
    a = admin.post(
        adjust, {{"operation_id", op_id(203)}, {"points", -(boris + 50)}, {"reason", "all of it"}});
    CHECK(a.status == 201);
    CHECK(a.body["balance"] == 0);
    CHECK(db.derived_balance("demo", "demo-boris") == 0);
    CHECK(db.scalar("SELECT COUNT(*) FROM member_entries WHERE member_id = 'demo-boris' AND reason "
                    "= 'adjust'") == 2);
}

TEST_CASE_FIXTURE(WithDemoServer,
                  "admin members: export everything, erase personal data but keep the ledger") {
    const auto cards = demo_cards(s.db);
    const DemoCard& anna = cards.at("demo-anna");
    Console admin(*s.server, api_key(s.db, "admin"));
    const std::string till = api_key(s.db, "till");
    auto res =
        admin.client().Post("/v1/receipts", bearer(till),
                            receipt_body(1, anna.card, 100000, 100).dump(), "application/json");
    REQUIRE(res);
    REQUIRE(res->status == 201);
    REQUIRE(admin.put("/v1/admin/members/demo-anna", {{"email", "anna@example.ru"}}).status == 200);

    Answer a = admin.get("/v1/admin/members/demo-anna/export");
    REQUIRE(a.status == 200);
    CHECK(a.disposition == "attachment; filename=\"kopilka-member-demo-anna.json\"");
    CHECK(a.body["format"] == "kopilka.member-export.v1");
    CHECK(a.body["profile"]["name"] == "Анна");
    CHECK(a.body["profile"]["email"] == "anna@example.ru");
    CHECK(a.body["cards"] == Json::array({{{"number", anna.card}}}));
    CHECK(a.body["receipts"].size() == 4);  // three from the demo, one now
    CHECK(a.body["ledger"].size() == 6);  // 3 earns and a redemption, then a redemption and an earn
    CHECK(a.body["balance"]["balance"] == 1250 - 100 + 56);
    CHECK(admin.get("/v1/admin/members/nobody/export").status == 404);

    // Erasure: the totals stay, the person goes.
    Db db(s.db);
    const std::int64_t balance = db.derived_balance("demo", "demo-anna");
    const std::string to = std::to_string(wall_ms() + 60000);
    const Json report_before = admin.get("/v1/admin/reports?to_ms=" + to).body;
    a = admin.post("/v1/admin/members/demo-anna/erase", Json::object());
    REQUIRE_MESSAGE(a.status == 200, a.body.dump());
    CHECK(a.body["profile"]["erased"] == true);
    CHECK(a.body["profile"]["name"] == "");
    CHECK(a.body["profile"]["phone"] == "");
    CHECK(a.body["profile"]["email"] == "");
    CHECK(a.body["profile"]["card"] == "");
    a = admin.post("/v1/admin/members/demo-anna/erase", Json::object());  // again: gone already
    CHECK(a.status == 410);
    CHECK(a.body["error"]["code"] == "member_erased");

    CHECK(db.derived_balance("demo", "demo-anna") == balance);
    const Json report_after = admin.get("/v1/admin/reports?to_ms=" + to).body;
    CHECK(report_after["liability"] == report_before["liability"]);
    CHECK(report_after["points"] == report_before["points"]);
    CHECK(report_after["receipts"] == report_before["receipts"]);

    // The card no longer finds anyone, at the kiosk or the till.
    res = admin.client().Post("/v1/members/lookup", Json{{"code", anna.qr}}.dump(),
                              "application/json");
    REQUIRE(res);
    CHECK(res->status == 404);
    res = admin.client().Post("/v1/receipts", bearer(till),
                              receipt_body(2, anna.card, 1000, 0).dump(), "application/json");
    REQUIRE(res);
    CHECK(res->status == 404);

    // Routes that name the member refuse it; the list and the export still show it.
    a = admin.get("/v1/admin/members/demo-anna");
    CHECK(a.status == 410);
    CHECK(a.body["error"]["field"] == "id");
    const Json listed = admin.get("/v1/admin/members?limit=1").body["members"][0];
    CHECK(listed["id"] == "demo-anna");
    CHECK(listed["erased"] == true);
    CHECK(listed["name"] == "");

    // The export now holds nothing personal, only the anonymous history.
    a = admin.get("/v1/admin/members/demo-anna/export");
    REQUIRE(a.status == 200);
    const std::string text = a.body.dump();
    for (const std::string& personal : {std::string("Анна"), std::string("79160000001"),
                                        std::string("anna@example.ru"), anna.card})
        CHECK_MESSAGE(text.find(personal) == std::string::npos, personal);
    CHECK(a.body["cards"].empty());
    CHECK(a.body["ledger"].size() == 6);
    CHECK(a.body["balance"]["balance"] == balance);
    CHECK(admin.get("/v1/admin/members?q=Анна").body["members"].empty());

    // Erased records don't change any more.
    CHECK(admin.put("/v1/admin/members/demo-anna", {{"name", "Anna"}}).status == 410);
    a = admin.post("/v1/admin/members/demo-anna/adjust",
                   {{"operation_id", op_id(50)}, {"points", 5}, {"reason", "x"}});
    CHECK(a.status == 410);
    CHECK(a.body["error"]["code"] == "member_erased");
}

TEST_CASE_FIXTURE(WithDemoServer,
                  "admin reports: the demo data and two receipts, checked by hand") {
    const auto cards = demo_cards(s.db);
    Console admin(*s.server, api_key(s.db, "admin"));
    const std::string till = api_key(s.db, "till");
    // Anna (Silver) pays 900 ₽ + 100 points and earns 56; Boris (Base) pays 200 ₽ and earns 10.
    for (const Json& body : {receipt_body(1, cards.at("demo-anna").card, 100000, 100),
                             receipt_body(2, cards.at("demo-boris").card, 20000, 0)}) {
        const auto res =
            admin.client().Post("/v1/receipts", bearer(till), body.dump(), "application/json");
        REQUIRE(res);
        REQUIRE_MESSAGE(res->status == 201, res->body);
    }
    // The demo's history is 40 to 19 days old: 45 days hold all of it.
    const std::int64_t to = wall_ms() + 60000, from = to - 45 * kopilka::day_ms;
    Answer a = admin.get("/v1/admin/reports?from_ms=" + std::to_string(from) +
                         "&to_ms=" + std::to_string(to));
    REQUIRE_MESSAGE(a.status == 200, a.body.dump());
    const Json& r = a.body;
    CHECK(r["from_ms"] == from);
    CHECK(r["currency"] == "RUB");
    // Demo receipts pay 2 000 × the points they earned (5 %, a point is 100 minor units):
    // (600 + 450 + 700 + 120 + 2500 + 3100) × 2 000 = 14 940 000, plus 90 000 and 20 000.
    // Every receipt here has a card.
    CHECK(r["receipts"]["count"] == 8);
    CHECK(r["receipts"]["with_card"] == 8);
    CHECK(r["receipts"]["card_share_permille"] == 1000);
    CHECK(r["receipts"]["revenue_minor"] == 15050000);
    CHECK(r["receipts"]["average_member_minor"] == 1881250);
    CHECK(r["receipts"]["average_non_member_minor"] == 0);
    // Issued 7 470 + 56 + 10; redeemed 500 + 1 400 + 100; 2 000 / 7 536 = 265 ‰.
    CHECK(r["points"]["issued_points"] == 7536);
    CHECK(r["points"]["redeemed_points"] == 2000);
    CHECK(r["points"]["expired_points"] == 0);
    CHECK(r["points"]["redemption_ratio_permille"] == 265);
    CHECK(r["points"]["breakage_permille"] == 0);
    // Balances: Anna 1 206, Boris 130, Dace 4 200; a point is 1 ₽.
    CHECK(r["liability"]["points"] == 5536);
    CHECK(r["liability"]["minor"] == 553600);
    CHECK(r["members"]["enrolled"] == 3);
    CHECK(r["members"]["active"] == 3);
    CHECK(r["members"]["receipts_per_active_member_x1000"] == 2666);
    CHECK(r["members"]["active_before"] == 0);
    CHECK(r["members"]["churn_permille"] == 0);
    // Qualifying points in the year: Anna 1 806 (Silver), Boris 130 (Base), Dace 5 600 (Gold).
    CHECK(r["tiers"] == Json::array({{{"id", "base"}, {"name", "Base"}, {"members", 1}},
                                     {{"id", "silver"}, {"name", "Silver"}, {"members", 1}},
                                     {{"id", "gold"}, {"name", "Gold"}, {"members", 1}}}));
    std::int64_t cohort_members = 0;
    for (const Json& c : r["cohorts"]) cohort_members += c["members"].get<std::int64_t>();
    CHECK(cohort_members == 3);
    // No spins yet; the demo wheel's budget: min(1 000 ₽ × 45 days, 20 000 ₽ for the campaign).
    CHECK(r["spins"]["count"] == 0);
    CHECK(r["spins"]["budget_minor"] == 2000000);
    CHECK(r["spins"]["budget_used_permille"] == 0);
    // 2 000 points = 2 000 ₽ of 150 500 ₽ revenue: 13.3 ‰.
    CHECK(r["program_cost"]["points_minor"] == 200000);
    CHECK(r["program_cost"]["total_minor"] == 200000);
    CHECK(r["program_cost"]["share_of_revenue_permille"] == 13);

    // The default period is the last 30 days; bad periods name the parameter.
    a = admin.get("/v1/admin/reports");
    REQUIRE(a.status == 200);
    CHECK(a.body["to_ms"].get<std::int64_t>() - a.body["from_ms"].get<std::int64_t>() ==
          30 * kopilka::day_ms);
    CHECK(field_of(admin.get("/v1/admin/reports?from_ms=" + std::to_string(to) +
                             "&to_ms=" + std::to_string(to))) == "from_ms");
    CHECK(field_of(admin.get("/v1/admin/reports?from_ms=yesterday")) == "from_ms");
    CHECK(field_of(admin.get("/v1/admin/reports?to_ms=-5")) == "to_ms");
    a = admin.get("/v1/admin/reports?from_ms=0&to_ms=" + std::to_string(to));
    CHECK(a.status == 400);
    CHECK(field_of(a) == "from_ms");
}

TEST_CASE_FIXTURE(WithDemoServer,
                  "admin members: concurrent enrolments write one member and one welcome bonus") {
    const std::string key = api_key(s.db, "admin");
    // Eight consoles send the same enrolment (one operation id), and eight more the same
    // person under one explicit id with operation ids of their own.
    const Json same_op = {{"operation_id", op_id(300)}, {"name", "Twin"}, {"consent", true}};
    std::vector<Answer> answers(16);
    std::vector<std::thread> threads;
    for (int i = 0; i < 16; ++i)
        threads.emplace_back([&, i] {
            Console console(*s.server, key);
            answers[static_cast<std::size_t>(i)] =
                i < 8 ? console.post("/v1/admin/members", same_op)
                      : console.post("/v1/admin/members", {{"operation_id", op_id(400 + i)},
                                                           {"id", "twin-2"},
                                                           {"name", "Twin Two"},
                                                           {"consent", true}});
        });
    for (auto& t : threads) t.join();
    std::set<std::string> ids;
    int created_twin_2 = 0;
    for (int i = 0; i < 16; ++i) {
        const Answer& a = answers[static_cast<std::size_t>(i)];
        INFO(i << ": " << a.body.dump());
        if (i < 8) {
            CHECK(a.status == 201);
            ids.insert(a.body["profile"]["id"].get<std::string>());
        } else {
            CHECK((a.status == 201 || (a.status == 409 && field_of(a) == "id")));
            created_twin_2 += a.status == 201;
        }
    }
    CHECK(ids.size() == 1);
    CHECK(created_twin_2 == 1);  // the others find its welcome bonus
    Db db(s.db);
    CHECK(db.derived_balance("demo", *ids.begin()) == 100);
    CHECK(db.derived_balance("demo", "twin-2") == 100);
    CHECK(db.scalar("SELECT COUNT(*) FROM members WHERE merchant_id = 'demo'") == 5);
    CHECK(db.scalar("SELECT COUNT(*) FROM operations WHERE kind = 'enrol'") == 2);
}
