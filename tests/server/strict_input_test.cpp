// Strict input against the real server (issue 9): counts and amounts that can't overflow a
// sum, control characters and repeated keys refused before anything is stored, erased
// members refused on every route that names one, returns of receipts without a member, and
// errors that name the field at fault. The NUL in a member id runs on PostgreSQL too, where
// the database would cut "t-bad\0x" short to another member's id "t-bad".
#include <doctest/doctest.h>

#include <cstdint>
#include <limits>

#include "kiosk_helpers.hpp"
#include "pg_database.hpp"
#include "receipt_helpers.hpp"
#include "server_process.hpp"

using namespace kopilka::test;

namespace {

constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();
const std::string kNul("\0", 1);

void check_refused(const Answer& a, int status, const std::string& code, const std::string& field) {
    INFO("answer: " << a.status << " " << a.body.dump());
    CHECK(a.status == status);
    CHECK(error_shape_problem(a.body) == "");
    if (!a.body.is_object() || !a.body.contains("error")) return;
    CHECK(a.body["error"].value("code", "") == code);
    CHECK(a.body["error"].value("field", "") == field);
}

// A %00 in a member id in the path: refused with 400 naming the id; the HTTP layer may
// refuse it first, naming the path, which is as good (nothing reaches the database).
void check_path_refused(const Answer& a) {
    INFO("answer: " << a.status << " " << a.body.dump());
    CHECK(a.status == 400);
    CHECK(error_shape_problem(a.body) == "");
    if (!a.body.is_object() || !a.body.contains("error")) return;
    const std::string field = a.body["error"].value("field", "");
    CHECK((field == "id" || field == "path"));
}

// A body sent as typed (repeated keys can't be built with a JSON library).
Answer post_text(httplib::Client& c, const std::string& path, const std::string& credential,
                 const std::string& text) {
    return answer_of(c.Post(path.c_str(), bearer(credential), text, "application/json"));
}

Json return_body(int n, const std::string& receipt_id, Json quantities) {
    return {{"operation_id", op_id(n)},
            {"receipt_id", receipt_id},
            {"quantities", std::move(quantities)}};
}

// A receipt for the member with this id (receipt_body takes a card).
Json receipt_for_id(int n, const std::string& member_id, std::int64_t price) {
    Json b = receipt_body(n, "unused", price, 0);
    b["member"] = {{"id", member_id}};
    return b;
}

// A server with the demo data, a paired kiosk and the keys every test here needs.
struct Setup {
    DemoServer s;
    std::string till, admin, device;
    std::unique_ptr<httplib::Client> c;
    std::map<std::string, DemoCard> cards;
    Setup() {
        REQUIRE_MESSAGE(s.ok, s.why);
        till = api_key(s.db, "till");
        admin = api_key(s.db, "admin");
        c = s.server->client();
        cards = demo_cards(s.db);
        device = pair_kiosk(*c, admin, "Kiosk");
    }
    // Every row of every table, to show that a refused request changed nothing.
    std::string dump() const {
        Db db(s.db);
        return db.dump();
    }
};

}  // namespace

TEST_CASE(
    "strict input: a returned count near INT64_MAX is refused, and the last unit still returns") {
    Setup t;
    auto& c = *t.c;
    const std::string qr = t.cards.at("demo-anna").qr;
    const std::int64_t before = balance_of(c, qr);
    Json body = receipt_body(1, t.cards.at("demo-anna").card, 30000, 0);
    body["receipt"]["lines"][0]["quantity"] = 2;
    const Answer posted = post(c, "/v1/receipts", t.till, body);
    REQUIRE_MESSAGE(posted.status == 201, posted.body.dump());
    REQUIRE(post(c, "/v1/returns", t.till, return_body(10, "R-1", {1})).status == 201);

    const std::string dump_before = t.dump();
    // 1 + INT64_MAX wrapped to a negative count before: accepted, tier progress rose.
    check_refused(post(c, "/v1/returns", t.till, return_body(11, "R-1", {kInt64Max})), 400,
                  "out_of_range", "quantities[0]");
    check_refused(post_text(c, "/v1/returns", t.till,
                            R"({"operation_id":")" + op_id(12) +
                                R"(","receipt_id":"R-1","quantities":[18446744073709551615]})"),
                  400, "out_of_range", "quantities[0]");
    check_refused(post(c, "/v1/returns", t.till, return_body(13, "R-1", {-1})), 400, "out_of_range",
                  "quantities[0]");
    check_refused(post(c, "/v1/returns", t.till, return_body(14, "R-1", {2})), 400,
                  "invalid_return", "quantities[0]");
    // Receipts: a price or a line past the limits, named by the line.
    Json big = receipt_body(15, t.cards.at("demo-anna").card, kInt64Max, 0);
    check_refused(post(c, "/v1/receipts", t.till, big), 400, "out_of_range",
                  "receipt.lines[0].unit_price");
    big["receipt"]["lines"][0]["unit_price"] = 1'000'000'000'000;
    big["receipt"]["lines"][0]["quantity"] = 1'000'000;
    check_refused(post(c, "/v1/receipts", t.till, big), 400, "out_of_range",
                  "receipt.lines[0].quantity");
    big["receipt"]["lines"][0]["quantity"] = 1;
    big["receipt"]["lines"].push_back(big["receipt"]["lines"][0]);
    check_refused(post(c, "/v1/receipts", t.till, big), 400, "out_of_range", "receipt.lines[1]");
    CHECK(t.dump() == dump_before);

    const Answer last = post(c, "/v1/returns", t.till, return_body(16, "R-1", {1}));
    REQUIRE_MESSAGE(last.status == 201, last.body.dump());
    CHECK(balance_of(c, qr) == before);  // everything returned: back where it started
    Db db(t.s.db);
    CHECK(db.text("SELECT returned FROM receipts WHERE receipt_id = 'R-1'") == "[2]");
}

TEST_CASE("strict input: control characters in ids, SKUs, names and member ids change nothing") {
    Setup t;
    auto& c = *t.c;
    const std::string& device = t.device;
    const std::string card = t.cards.at("demo-anna").card;
    const std::string dump_before = t.dump();
    Json r = receipt_body(1, card, 1000, 0);
    r["receipt"]["id"] = "R-1" + kNul + "x";
    check_refused(post(c, "/v1/receipts", t.till, r), 400, "invalid_value", "receipt.id");
    r = receipt_body(1, card, 1000, 0);
    r["receipt"]["lines"][0]["sku"] = "co" + kNul + "at";
    check_refused(post(c, "/v1/receipts", t.till, r), 400, "invalid_value", "receipt.lines[0].sku");
    r["receipt"]["lines"][0]["sku"] = "coat";
    r["receipt"]["lines"][0]["category"] = "clo\xC2\x85thes";  // U+0085, a C1 control
    check_refused(post(c, "/v1/receipts", t.till, r), 400, "invalid_value",
                  "receipt.lines[0].category");
    check_refused(
        post(c, "/v1/receipts", t.till, receipt_for_id(1, "demo-anna" + kNul + "x", 1000)), 400,
        "invalid_value", "member.id");
    check_refused(post(c, "/v1/returns", t.till, return_body(2, "R" + kNul, {1})), 400,
                  "invalid_value", "receipt_id");
    check_refused(
        post(c, "/v1/admin/members", t.admin, {{"name", "Ann" + kNul + "a"}, {"consent", true}}),
        400, "invalid_value", "name");
    check_refused(post(c, "/v1/admin/members", t.admin,
                       {{"id", "t" + kNul}, {"name", "T"}, {"consent", true}}),
                  400, "invalid_value", "id");
    check_refused(put(c, "/v1/admin/members/demo-anna", t.admin, {{"name", "A\x1F"}}), 400,
                  "invalid_value", "name");
    check_refused(put(c, "/v1/admin/members/demo-anna", t.admin, {{"email", "a\x7F@example.ru"}}),
                  400, "invalid_value", "email");
    check_refused(post(c, "/v1/admin/members/demo-anna/adjust", t.admin,
                       {{"operation_id", op_id(3)}, {"points", 5}, {"reason", "typo\n"}}),
                  400, "invalid_value", "reason");
    check_path_refused(get(c, "/v1/admin/members/demo-anna%00x", t.admin));
    check_refused(post(c, "/v1/kiosk/spin", device, spin_body(op_id(4), "demo-anna" + kNul)), 400,
                  "invalid_value", "member.id");
    check_refused(
        post(c, "/v1/kiosk/redeem", device, redeem_body(op_id(5), "demo-anna", "coffee" + kNul)),
        400, "invalid_value", "reward_id");
    check_refused(
        post(c, "/v1/coupons/redeem", t.till, {{"operation_id", op_id(6)}, {"code", "KC-" + kNul}}),
        400, "invalid_value", "code");
    // A scanned code is raw text (a scanner appends CR/LF): the card parser checks each character.
    check_refused(post(c, "/v1/members/lookup", "", {{"code", "K1:DEMO" + kNul}}), 400,
                  "bad_qr_payload", "code");
    CHECK(t.dump() == dump_before);
}

TEST_CASE("strict input: a repeated key anywhere in a body is refused, naming its path") {
    Setup t;
    auto& c = *t.c;
    const std::string& device = t.device;
    const std::string dump_before = t.dump();
    const std::string member = R"("member":{"card":")" + t.cards.at("demo-anna").card + R"("})";
    const std::string receipt =
        R"("receipt":{"id":"R-1","lines":[{"sku":"coat","unit_price":100000}]})";
    // The last value used to win: 400 points spent on a body that also says 0.
    check_refused(post_text(c, "/v1/receipts", t.till,
                            R"({"operation_id":")" + op_id(1) + R"(",)" + member +
                                R"(,"redeem_points":0,)" + receipt + R"(,"redeem_points":400})"),
                  400, "duplicate_key", "redeem_points");
    check_refused(post_text(c, "/v1/receipts", t.till,
                            R"({"operation_id":")" + op_id(1) + R"(",)" + member +
                                R"(,"receipt":{"id":"R-1","lines":[{"sku":"a","unit_price":1},)"
                                R"({"sku":"b","unit_price":1,"unit_price":2}]}})"),
                  400, "duplicate_key", "receipt.lines[1].unit_price");
    check_refused(post_text(c, "/v1/members/lookup", "", R"({"code":"x","code":"y"})"), 400,
                  "duplicate_key", "code");
    check_refused(
        post_text(c, "/v1/admin/members/demo-anna/adjust", t.admin,
                  R"({"operation_id":")" + op_id(2) + R"(","points":5,"reason":"r","points":-5})"),
        400, "duplicate_key", "points");
    check_refused(post_text(c, "/v1/kiosk/spin", device,
                            R"({"operation_id":")" + op_id(3) +
                                R"(","member":{"id":"demo-anna","id":"demo-boris"}})"),
                  400, "duplicate_key", "member.id");
    check_refused(post_text(c, "/v1/kiosk/operations", device,
                            R"({"operations":[{"type":"spin","type":"redeem"}]})"),
                  400, "duplicate_key", "operations[0].type");
    CHECK(t.dump() == dump_before);
}

TEST_CASE("strict input: an erased member is refused on every route that names one") {
    Setup t;
    auto& c = *t.c;
    const std::string& device = t.device;
    const DemoCard anna = t.cards.at("demo-anna");
    REQUIRE(post(c, "/v1/receipts", t.till, receipt_body(1, anna.card, 10000, 0)).status == 201);
    const Answer coupon =
        post(c, "/v1/kiosk/redeem", device, redeem_body(op_id(2), "demo-anna", "coffee"));
    REQUIRE_MESSAGE(coupon.status == 201, coupon.body.dump());
    const RunResult minted = run_program({cli_binary(), "member-token", "--db", t.s.db,
                                          "--merchant", "demo", "--member", "demo-anna"});
    REQUIRE_MESSAGE(minted.exit_code == 0, minted.err);
    const std::string token = json_lines(minted.out).at(0).at("token").get<std::string>();
    REQUIRE(get(c, "/v1/me", token).status == 200);
    REQUIRE(post(c, "/v1/admin/members/demo-anna/erase", t.admin, Json::object()).status == 200);

    const std::string dump_before = t.dump();
    // It earned through receipts by member id before.
    check_refused(post(c, "/v1/receipts", t.till, receipt_for_id(3, "demo-anna", 10000)), 410,
                  "member_erased", "member.id");
    check_refused(post(c, "/v1/returns", t.till, return_body(4, "R-1", {1})), 410, "member_erased",
                  "receipt_id");
    check_refused(get(c, "/v1/admin/members/demo-anna", t.admin), 410, "member_erased", "id");
    check_refused(put(c, "/v1/admin/members/demo-anna", t.admin, {{"name", "Anna"}}), 410,
                  "member_erased", "id");
    check_refused(post(c, "/v1/admin/members/demo-anna/adjust", t.admin,
                       {{"operation_id", op_id(5)}, {"points", 5}, {"reason", "x"}}),
                  410, "member_erased", "id");
    check_refused(post(c, "/v1/admin/members/demo-anna/erase", t.admin, Json::object()), 410,
                  "member_erased", "id");
    check_refused(
        post(c, "/v1/admin/program/preview", t.admin,
             {{"member", {{"id", "demo-anna"}}},
              {"receipt", {{"id", "P"}, {"lines", {{{"sku", "coat"}, {"unit_price", 100}}}}}}}),
        410, "member_erased", "member.id");
    check_refused(post(c, "/v1/kiosk/spin", device, spin_body(op_id(6), "demo-anna")), 410,
                  "member_erased", "member.id");
    check_refused(post(c, "/v1/kiosk/redeem", device, redeem_body(op_id(7), "demo-anna", "coffee")),
                  410, "member_erased", "member.id");
    const Answer batch = post(
        c, "/v1/kiosk/operations", device,
        {{"operations",
          {{{"type", "spin"}, {"operation_id", op_id(8)}, {"member", {{"id", "demo-anna"}}}}}}});
    REQUIRE(batch.status == 200);
    CHECK(batch.body["results"][0]["status"] == 410);
    check_refused(post(c, "/v1/coupons/redeem", t.till,
                       {{"operation_id", op_id(9)}, {"code", coupon.body["coupon"]["code"]}}),
                  410, "member_erased", "code");
    check_refused(get(c, "/v1/me", token), 410, "member_erased", "Authorization");
    // Erasure removed the cards: the card finds nobody.
    check_refused(post(c, "/v1/members/lookup", "", {{"code", anna.qr}}), 404, "not_found", "code");
    check_refused(post(c, "/v1/receipts", t.till, receipt_body(10, anna.card, 10000, 0)), 404,
                  "not_found", "member.card");
    // Only the export still shows the anonymous history; it is the one thing recorded (its
    // audit line), nothing else changed.
    CHECK(get(c, "/v1/admin/members/demo-anna/export", t.admin).status == 200);
    const auto without_audit = [](std::string d) {
        const auto from = d.find("[audit_log]");
        return from == std::string::npos ? d : d.erase(from, d.find("\n[", from) - from + 1);
    };
    const std::string after = t.dump();
    CHECK(without_audit(after) == without_audit(dump_before));
    CHECK(after.find("member.export") != std::string::npos);
    CHECK(dump_before.find("member.export") == std::string::npos);
}

TEST_CASE("strict input: a return of a receipt without a member is a 409 that says why") {
    Setup t;
    auto& c = *t.c;
    Json body = receipt_body(1, "unused", 5000, 0);
    body.erase("member");
    body.erase("redeem_points");
    REQUIRE(post(c, "/v1/receipts", t.till, body).status == 201);
    const std::string dump_before = t.dump();
    const Answer a = post(c, "/v1/returns", t.till, return_body(2, "R-1", {1}));
    check_refused(a, 409, "receipt_without_member", "receipt_id");
    CHECK(a.body["error"]["message"].get<std::string>().find("refund the money at the till") !=
          std::string::npos);
    CHECK(t.dump() == dump_before);
}

TEST_CASE("strict input: a receipt dated 1970 is refused naming receipt.at_ms, not redeem_points") {
    Setup t;
    auto& c = *t.c;
    const std::string dump_before = t.dump();
    // The demo program's points expire after 365 days: they would be gone before they arrive.
    Json body = receipt_body(1, t.cards.at("demo-anna").card, 100000, 0);
    body["receipt"]["at_ms"] = 1000;
    check_refused(post(c, "/v1/receipts", t.till, body), 409, "expires_not_after_now",
                  "receipt.at_ms");
    CHECK(t.dump() == dump_before);
}

TEST_CASE("strict input on PostgreSQL: a NUL in a member id never reaches another member") {
    PgDatabase db;
    REQUIRE_MESSAGE(db.why.empty(), db.why);
    auto server = start_server(db.url, {"--seed-demo"});
    auto c = server->client();
    const std::string admin = api_key(db.url, "admin");
    const std::string till = api_key(db.url, "till");
    const std::string device = pair_kiosk(*c, admin, "Kiosk");
    const Answer enrolled =
        post(*c, "/v1/admin/members", admin, {{"id", "t-bad"}, {"name", "T"}, {"consent", true}});
    REQUIRE_MESSAGE(enrolled.status == 201, enrolled.body.dump());
    const auto counts = [&] {
        return std::vector<std::int64_t>{db.scalar("SELECT COUNT(*) FROM member_entries"),
                                         db.scalar("SELECT COUNT(*) FROM receipts"),
                                         db.scalar("SELECT COUNT(*) FROM operations"),
                                         db.scalar("SELECT COUNT(*) FROM members"),
                                         db.scalar("SELECT COUNT(*) FROM coupons")};
    };
    const auto before = counts();
    const std::string bad = "t-bad" + kNul + "x";
    check_refused(post(*c, "/v1/receipts", till, receipt_for_id(1, bad, 10000)), 400,
                  "invalid_value", "member.id");
    check_refused(post(*c, "/v1/kiosk/spin", device, spin_body(op_id(2), bad)), 400,
                  "invalid_value", "member.id");
    check_refused(post(*c, "/v1/kiosk/redeem", device, redeem_body(op_id(3), bad, "coffee")), 400,
                  "invalid_value", "member.id");
    check_refused(
        post(*c, "/v1/admin/members", admin, {{"id", bad}, {"name", "T"}, {"consent", true}}), 400,
        "invalid_value", "id");
    check_path_refused(get(*c, "/v1/admin/members/t-bad%00x", admin));
    check_path_refused(post(*c, "/v1/admin/members/t-bad%00x/adjust", admin,
                            {{"operation_id", op_id(4)}, {"points", 5}, {"reason", "x"}}));
    check_path_refused(put(*c, "/v1/admin/members/t-bad%00x", admin, {{"name", "U"}}));
    CHECK(counts() == before);
    const Answer still = get(*c, "/v1/admin/members/t-bad", admin);
    REQUIRE(still.status == 200);
    CHECK(still.body["profile"]["name"] == "T");
    CHECK(db.derived_balance("demo", "t-bad") ==
          still.body["member"]["balance"].get<std::int64_t>());
}
