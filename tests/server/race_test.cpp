// Races the database must referee: many requests released at one instant (each sent but its
// last byte on its own connection, then all the last bytes together, raw_http.hpp), on
// SQLite, on PostgreSQL, and on two servers sharing one PostgreSQL database.
// - 20 twins of one enrolment (one operation id, no card): one member, every twin answered
//   with the original answer;
// - 20 enrolments with one phone: one member has it, the others are told "phone";
// - one till receipt id posted by 20 operations for 20 members: one member earns, once, and a
//   return reverses that member's points only; the same with shoppers without a card;
// - 20 twins of a receipt without a card (no member lock) among 20 other such receipts: one
//   receipt each, the twins answered with the first one's answer.
// The PostgreSQL variants fail without KOPILKA_TEST_PG_URL, saying so (pg_database.hpp).
#include <doctest/doctest.h>

#include <memory>
#include <set>

#include "pg_database.hpp"
#include "raw_http.hpp"
#include "receipt_helpers.hpp"
#include "server_process.hpp"

using namespace kopilka::test;
namespace raw = kopilka::test::raw_http;

namespace {

constexpr int kRacers = 20;

enum class Setup { sqlite, pg, pg_two_servers };

// Demo data served by one SQLite server, one PostgreSQL server, or two PostgreSQL servers
// on one database; queries and balances read the database directly, whichever it is.
class Stage {
  public:
    explicit Stage(Setup setup) {
        if (setup == Setup::sqlite) {
            lite_ = std::make_unique<DemoServer>();
            REQUIRE_MESSAGE(lite_->ok, lite_->why);
            db_ = lite_->db;
            ports_.push_back(lite_->server->port());
            return;
        }
        pg_ = std::make_unique<PgDatabase>();
        REQUIRE_MESSAGE(pg_->why.empty(), pg_->why);
        db_ = pg_->url;
        servers_.push_back(start_server(db_, {"--seed-demo"}));
        if (setup == Setup::pg_two_servers) servers_.push_back(start_server(db_, {}));
        for (const auto& s : servers_) ports_.push_back(s->port());
    }

    const std::string& db() const { return db_; }
    const ServerProcess& first_server() const { return lite_ ? *lite_->server : *servers_[0]; }

    // One value from SQL that reads the same on both databases.
    std::int64_t scalar(const std::string& sql) const {
        if (pg_) return pg_->scalar(sql);
        Db db(db_);
        return db.scalar(sql);
    }
    std::int64_t balance(const std::string& member_id) const {
        if (pg_) return pg_->derived_balance("demo", member_id);
        Db db(db_);
        return db.derived_balance("demo", member_id);
    }

    // Sends the requests together, spread over the servers in turn.
    std::vector<raw::Response> race(const std::string& key, const std::string& target,
                                    const std::vector<Json>& bodies) const {
        std::vector<raw::Outgoing> out;
        for (std::size_t i = 0; i < bodies.size(); ++i)
            out.push_back(
                {ports_[i % ports_.size()], raw::serialize("POST", target,
                                                           {{"Authorization", "Bearer " + key},
                                                            {"Content-Type", "application/json"}},
                                                           bodies[i].dump())});
        auto answers = raw::send_together(out);
        for (std::size_t i = 0; i < answers.size(); ++i)
            REQUIRE_MESSAGE(answers[i].error.empty(), "request " << i << ": " << answers[i].error);
        return answers;
    }

  private:
    std::unique_ptr<DemoServer> lite_;
    std::unique_ptr<PgDatabase> pg_;
    std::vector<std::unique_ptr<ServerProcess>> servers_;
    std::string db_;
    std::vector<int> ports_;
};

Json body_of(const raw::Response& r) {
    const Json j = Json::parse(r.body, nullptr, false);
    REQUIRE_MESSAGE(!j.is_discarded(), r.body);
    if (r.status >= 400) CHECK_MESSAGE(error_shape_problem(j) == "", r.body);
    return j;
}

std::string field_of(const Json& j) {
    return j.contains("error") ? j["error"].value("field", "") : "";
}

void enrol_twins(Setup setup) {
    Stage stage(setup);
    const std::string admin = api_key(stage.db(), "admin");
    const Json enrol = {{"operation_id", op_id(500)},
                        {"name", "Twin Race"},
                        {"phone", "+371 2000-0500"},
                        {"consent", true}};
    const auto answers = stage.race(admin, "/v1/admin/members", std::vector<Json>(kRacers, enrol));
    Json original;
    int fresh = 0;
    for (const auto& a : answers) {
        Json j = body_of(a);
        INFO(a.status << " " << a.body);
        REQUIRE(a.status == 201);
        const bool replayed = a.header("idempotent-replayed") == "true";
        CHECK(replayed == j.contains("replayed"));
        fresh += !replayed;
        j.erase("replayed");
        j["member"].erase("as_of_ms");  // a replay shows the member as of its own answer
        if (original.is_null()) original = j;
        CHECK(j == original);
    }
    CHECK(fresh == 1);
    const std::string id = original["profile"]["id"];
    CHECK(original["profile"]["card"].get<std::string>().size() == 13);
    CHECK(stage.scalar("SELECT COUNT(*) FROM members WHERE merchant_id = 'demo'") == 4);
    CHECK(stage.scalar("SELECT COUNT(*) FROM members WHERE member_id = '" + id + "'") == 1);
    CHECK(stage.scalar("SELECT COUNT(*) FROM cards WHERE member_id = '" + id + "'") == 1);
    CHECK(stage.scalar("SELECT COUNT(*) FROM operations WHERE kind = 'enrol'") == 1);
    CHECK(stage.balance(id) == 100);  // one welcome bonus
}

void enrol_one_phone(Setup setup) {
    Stage stage(setup);
    const std::string admin = api_key(stage.db(), "admin");
    std::vector<Json> bodies;
    for (int i = 0; i < kRacers; ++i)
        bodies.push_back({{"operation_id", op_id(600 + i)},
                          {"name", "Phone Race " + std::to_string(i)},
                          {"phone", "+371 2000-0600"},
                          {"consent", true}});
    const auto answers = stage.race(admin, "/v1/admin/members", bodies);
    int created = 0, refused = 0;
    for (const auto& a : answers) {
        const Json j = body_of(a);
        INFO(a.status << " " << a.body);
        if (a.status == 201) {
            ++created;
            CHECK(j["profile"]["phone"] == "37120000600");
        } else {
            CHECK(a.status == 409);
            CHECK(field_of(j) == "phone");
            ++refused;
        }
    }
    CHECK(created == 1);
    CHECK(refused == kRacers - 1);
    CHECK(stage.scalar("SELECT COUNT(*) FROM members WHERE phone = '37120000600'") == 1);
    CHECK(stage.scalar("SELECT COUNT(*) FROM members WHERE merchant_id = 'demo'") == 4);
    CHECK(stage.scalar("SELECT COUNT(*) FROM operations WHERE kind = 'enrol'") == 1);
}

Json race_receipt(int n, const Json& member) {
    Json body = {
        {"operation_id", op_id(n)},
        {"receipt",
         {{"id", "R-RACE"},
          {"lines", {{{"sku", "coat"}, {"category", "clothes"}, {"unit_price", 10000}}}}}}};
    if (!member.is_null()) body["member"] = member;
    return body;
}

// The members rr-00 … rr-19, each with the welcome bonus only.
std::vector<std::string> enrol_racers(const Stage& stage) {
    auto c = stage.first_server().client();
    const auto auth = bearer(api_key(stage.db(), "admin"));
    std::vector<std::string> ids;
    for (int i = 0; i < kRacers; ++i) {
        ids.push_back((i < 10 ? "rr-0" : "rr-") + std::to_string(i));
        const Json enrol = {{"operation_id", op_id(700 + i)},
                            {"id", ids.back()},
                            {"name", "Racer"},
                            {"consent", true}};
        const auto res = c->Post("/v1/admin/members", auth, enrol.dump(), "application/json");
        REQUIRE(res);
        REQUIRE_MESSAGE(res->status == 201, res->body);
    }
    return ids;
}

// Exactly one of the answers is a 201, the others 409 naming receipt.id; its index.
std::size_t only_winner(const std::vector<raw::Response>& answers) {
    std::size_t winner = answers.size();
    int created = 0;
    for (std::size_t i = 0; i < answers.size(); ++i) {
        const Json j = body_of(answers[i]);
        INFO(i << ": " << answers[i].status << " " << answers[i].body);
        if (answers[i].status == 201) {
            ++created;
            winner = i;
        } else {
            CHECK(answers[i].status == 409);
            CHECK(field_of(j) == "receipt.id");
        }
    }
    REQUIRE(created == 1);
    return winner;
}

void receipt_for_many_members(Setup setup) {
    Stage stage(setup);
    const std::vector<std::string> members = enrol_racers(stage);
    const std::string till = api_key(stage.db(), "till");
    std::vector<Json> bodies;
    for (int i = 0; i < kRacers; ++i)
        bodies.push_back(race_receipt(800 + i, {{"id", members[static_cast<std::size_t>(i)]}}));
    const auto answers = stage.race(till, "/v1/receipts", bodies);
    const std::size_t w = only_winner(answers);
    const std::string winner = members[w];
    const std::int64_t earned = body_of(answers[w])["quote"]["points_earned"];
    CHECK(earned > 0);

    CHECK(stage.scalar("SELECT COUNT(*) FROM receipts WHERE receipt_id = 'R-RACE'") == 1);
    CHECK(
        stage.scalar("SELECT COUNT(*) FROM receipts WHERE receipt_id = 'R-RACE' AND member_id = '" +
                     winner + "' AND op_id = '" + op_id(800 + static_cast<int>(w)) + "'") == 1);
    CHECK(stage.scalar("SELECT COUNT(*) FROM member_entries WHERE reason = 'earn' AND "
                       "member_id LIKE 'rr-%'") == 1);
    CHECK(
        stage.scalar("SELECT COUNT(*) FROM member_entries WHERE reason = 'earn' AND member_id = '" +
                     winner + "'") == 1);
    CHECK(stage.scalar("SELECT COUNT(*) FROM operations WHERE kind = 'receipt'") == 1);
    for (const auto& m : members) {
        INFO(m);
        CHECK(stage.balance(m) == (m == winner ? 100 + earned : 100));
    }

    // A return of the receipt reverses the winner's points, and nobody else's.
    auto c = stage.first_server().client();
    const Json ret = {{"operation_id", op_id(900)}, {"receipt_id", "R-RACE"}, {"quantities", {1}}};
    const auto res = c->Post("/v1/returns", bearer(till), ret.dump(), "application/json");
    REQUIRE(res);
    REQUIRE_MESSAGE(res->status == 201, res->body);
    CHECK(Json::parse(res->body)["return"]["points_clawback"] == earned);
    for (const auto& m : members) {
        INFO(m);
        CHECK(stage.balance(m) == 100);
    }
    CHECK(stage.scalar(
              "SELECT COUNT(*) FROM member_entries WHERE reason = 'clawback' AND member_id = '" +
              winner + "'") == 1);
    CHECK(stage.scalar("SELECT COUNT(*) FROM member_entries WHERE reason = 'clawback'") == 1);
}

// Shoppers without a card racing members for one receipt id: still one receipt, one answer.
void receipt_with_and_without_members(Setup setup) {
    Stage stage(setup);
    const std::vector<std::string> members = enrol_racers(stage);
    const std::string till = api_key(stage.db(), "till");
    std::vector<Json> bodies;
    for (int i = 0; i < kRacers; ++i)
        bodies.push_back(
            race_receipt(800 + i, i % 2 == 0 ? Json(nullptr)
                                             : Json{{"id", members[static_cast<std::size_t>(i)]}}));
    const auto answers = stage.race(till, "/v1/receipts", bodies);
    const std::size_t w = only_winner(answers);
    CHECK(stage.scalar("SELECT COUNT(*) FROM receipts WHERE receipt_id = 'R-RACE'") == 1);
    CHECK(stage.scalar("SELECT COUNT(*) FROM receipts WHERE receipt_id = 'R-RACE' AND op_id = '" +
                       op_id(800 + static_cast<int>(w)) + "'") == 1);
    CHECK(stage.scalar("SELECT COUNT(*) FROM member_entries WHERE reason = 'earn' AND member_id "
                       "LIKE 'rr-%'") == (w % 2 == 0 ? 0 : 1));
    CHECK(stage.scalar("SELECT COUNT(*) FROM operations WHERE kind = 'receipt'") == 1);
}

// Receipts without a card take no member lock: 20 twins of one such receipt (one operation
// id), sent with 20 other such receipts, all at once. One receipt each; every twin but the
// first is answered with the first's answer, marked replayed.
void receipts_without_members(Setup setup) {
    Stage stage(setup);
    const std::string till = api_key(stage.db(), "till");
    std::vector<Json> bodies(kRacers, race_receipt(700, nullptr));
    for (int i = 0; i < kRacers; ++i) {
        Json other = race_receipt(720 + i, nullptr);
        other["receipt"]["id"] = "R-ANON-" + std::to_string(i);
        bodies.push_back(other);
    }
    const auto answers = stage.race(till, "/v1/receipts", bodies);
    int fresh = 0;
    for (std::size_t i = 0; i < answers.size(); ++i) {
        INFO("request " << i << ": " << answers[i].body);
        CHECK(answers[i].status == 201);
        const Json j = body_of(answers[i]);
        if (i < static_cast<std::size_t>(kRacers)) {
            fresh += j.value("replayed", false) ? 0 : 1;
            CHECK(j["receipt_id"] == "R-RACE");
            CHECK(j["operation_id"] == op_id(700));
        }
    }
    CHECK(fresh == 1);
    CHECK(stage.scalar("SELECT COUNT(*) FROM receipts WHERE member_id = ''") == kRacers + 1);
    CHECK(stage.scalar("SELECT COUNT(*) FROM operations WHERE kind = 'receipt'") == kRacers + 1);
    CHECK(stage.scalar("SELECT COUNT(*) FROM member_counters WHERE member_id = ''") == 0);
}

// Each race on each stage: one SQLite server, one PostgreSQL server, two on one PostgreSQL.
void on_every_stage(void (*race)(Setup)) {
    SUBCASE("SQLite") {
        race(Setup::sqlite);
    }
    SUBCASE("PostgreSQL") {
        race(Setup::pg);
    }
    SUBCASE("two servers, PostgreSQL") {
        race(Setup::pg_two_servers);
    }
}

}  // namespace

TEST_CASE("race: 20 twins of one enrolment get one member and the original answer") {
    on_every_stage(enrol_twins);
}

TEST_CASE("race: 20 enrolments with one phone, one member has it") {
    on_every_stage(enrol_one_phone);
}

TEST_CASE("race: one receipt id for 20 members earns once, for one member") {
    on_every_stage(receipt_for_many_members);
}

TEST_CASE("race: one receipt id, shoppers with and without a card, one receipt") {
    on_every_stage(receipt_with_and_without_members);
}

TEST_CASE("race: 20 twins of a receipt without a card among 20 others: one receipt each") {
    on_every_stage(receipts_without_members);
}
