// The prize wheel against a real kopilka-server: wheels validated with errors naming the prize
// field, a points prize credited to the ledger, member limits refused naming the limit, a
// coupon prize redeemable at the till, nothing_left once the stock is gone — and 200
// concurrent spins that never give more than the stock nor spend more than the day budget, on
// SQLite, on PostgreSQL, and on two server processes sharing one PostgreSQL database.
#include <doctest/doctest.h>

#include <chrono>
#include <functional>
#include <set>

#include "core/spins/fair.hpp"
#include "kiosk_helpers.hpp"
#include "pg_database.hpp"
#include "server_process.hpp"

using namespace kopilka::test;

namespace {

Json one_prize_wheel(const Json& prize, const Json& spins_per_day_max) {
    return {{"currency", "RUB"},
            {"day_budget", "unlimited"},
            {"campaign_budget", "unlimited"},
            {"member_spins_per_day_max", spins_per_day_max},
            {"member_wins_per_day_max", "unlimited"},
            {"member_wins_per_campaign_max", "unlimited"},
            {"prizes", {prize}}};
}

// 50 points, unlimited, costing the merchant 50.
Json p50_prize() {
    return {{"id", "p50"}, {"label", "50 points"}, {"kind", "points"}, {"points", 50},
            {"weight", 1}, {"stock", "unlimited"}, {"cost", 50}};
}

constexpr std::int64_t kCoffeeStock = 25;
constexpr std::int64_t kDayBudget = 3000;
constexpr int kSpins = 200;
constexpr int kMembers = 8;
constexpr int kKiosks = 4;

using Scalar = std::function<std::int64_t(const std::string& sql)>;

// 200 spins of the contest wheel by 8 enrolled members from 4 kiosks and 16 client threads,
// spread over the servers; balance(member) reads the member's balance from the stored ledger,
// scalar(sql) one number from the database.
void check_concurrent_spins(const std::vector<const ServerProcess*>& servers,
                            const std::string& admin,
                            const std::function<std::int64_t(const std::string&)>& balance,
                            const Scalar& scalar) {
    auto c = servers[0]->client();
    const Answer wheel =
        put(*c, "/v1/admin/wheels/contest", admin, contest_wheel(kCoffeeStock, kDayBudget));
    REQUIRE_MESSAGE(wheel.status == 200, wheel.body.dump());
    const std::vector<std::string> members = enrol_members(*c, admin, kMembers);
    std::map<std::string, std::int64_t> before;
    for (const auto& m : members) before[m] = balance(m);
    std::vector<std::string> kiosks;
    for (int k = 0; k < kKiosks; ++k)
        kiosks.push_back(pair_kiosk(*c, admin, "Kiosk " + std::to_string(k)));

    Outcomes out;
    const auto t0 = std::chrono::steady_clock::now();
    concurrent_writes(
        servers, kiosks, "/v1/kiosk/spin", kSpins, 16,
        [&](int i) {
            return spin_body(op_id(1000 + i), members[static_cast<std::size_t>(i % kMembers)],
                             "contest");
        },
        out);
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
            .count();
    const int coffee = out.prizes["coffee"], p10 = out.prizes["p10"],
              nothing = out.prizes["nothing"];
    const std::int64_t spent = coffee * 100 + p10 * 10;
    MESSAGE(kSpins << " spins on " << servers.size() << " server(s) in " << ms << " ms: coffee "
                   << coffee << ", p10 " << p10 << ", nothing " << nothing << ", spent " << spent
                   << " of " << kDayBudget << "; resent after no answer: " << out.resent);
    INFO("first unexpected answer: " << out.first_unexpected);
    CHECK(out.statuses[201] == kSpins);  // "nothing" costs nothing and has no stock: always left
    CHECK(coffee + p10 + nothing == kSpins);
    CHECK(coffee <= kCoffeeStock);
    CHECK(spent <= kDayBudget);
    CHECK(out.coupons.size() == static_cast<std::size_t>(coffee));
    CHECK(std::set<std::string>(out.coupons.begin(), out.coupons.end()).size() ==
          out.coupons.size());

    // The shared state agrees with what was answered, and every member's points arrived once.
    const Answer state = get(*c, "/v1/admin/wheels/contest", admin);
    REQUIRE(state.status == 200);
    CHECK(state.body["state"]["used"]["coffee"] == coffee);
    CHECK(state.body["state"]["stock_left"]["coffee"] == kCoffeeStock - coffee);
    CHECK(state.body["state"]["spent_today"] == spent);
    CHECK(state.body["state"]["spent_campaign"] == spent);
    for (const auto& m : members) {
        INFO(m);
        CHECK(balance(m) == before[m] + out.points[m]);
    }
    // Every spin is logged once with its seed and cost; every coffee won is one coupon.
    CHECK(scalar("SELECT COUNT(*) FROM spins WHERE wheel_id = 'contest'") == kSpins);
    CHECK(scalar("SELECT COUNT(DISTINCT seed) FROM spins WHERE wheel_id = 'contest'") == kSpins);
    CHECK(scalar("SELECT SUM(cost) FROM spins WHERE wheel_id = 'contest'") == spent);
    CHECK(scalar("SELECT COUNT(*) FROM coupons WHERE source = 'spin'") == coffee);
    // A wheel edited mid-campaign keeps what was given: stock left is the new stock − used.
    REQUIRE(put(*c, "/v1/admin/wheels/contest", admin, contest_wheel(kCoffeeStock + 5, kDayBudget))
                .status == 200);
    CHECK(get(*c, "/v1/admin/wheels/contest", admin).body["state"]["stock_left"]["coffee"] ==
          kCoffeeStock + 5 - coffee);
}

}  // namespace

TEST_CASE_FIXTURE(WithDemoServer,
                  "wheels: the console's wheel is validated naming the field; the state shows "
                  "stock and budgets") {
    const std::string admin = api_key(s.db, "admin");
    auto c = s.server->client();
    Json w = contest_wheel(5, 1000);
    w["prizes"][1]["weight"] = -1;
    Answer a = put(*c, "/v1/admin/wheels/contest", admin, w);
    CHECK(a.status == 400);
    CHECK(a.body["error"]["field"] == "prizes[1].weight");
    w = contest_wheel(5, 1000);
    w["prizes"][0]["reward_id"] = "caviar";
    a = put(*c, "/v1/admin/wheels/contest", admin, w);
    CHECK(a.status == 400);
    CHECK(a.body["error"]["field"] == "prizes[0].reward_id");
    w = contest_wheel(5, 1000);
    for (auto& p : w["prizes"]) p["weight"] = 0;
    CHECK(put(*c, "/v1/admin/wheels/contest", admin, w).body["error"]["field"] == "prizes");
    w = contest_wheel(5, 1000);
    w.erase("day_budget");
    CHECK(put(*c, "/v1/admin/wheels/contest", admin, w).body["error"]["field"] == "day_budget");
    CHECK(put(*c, "/v1/admin/wheels/bad%20id", admin, contest_wheel(5, 1000))
              .body["error"]["field"] == "id");
    CHECK(
        put(*c, "/v1/admin/wheels/contest", api_key(s.db, "till"), contest_wheel(5, 1000)).status ==
        403);

    a = put(*c, "/v1/admin/wheels/contest", admin, contest_wheel(5, 1000));
    REQUIRE_MESSAGE(a.status == 200, a.body.dump());
    CHECK(a.body["version"] == 1);
    CHECK(a.body["wheel"] == contest_wheel(5, 1000));
    CHECK(a.body["odds"]["win_chance_ppm"] == 800000);
    CHECK(a.body["state"]["stock_left"] ==
          Json{{"coffee", 5}, {"p10", "unlimited"}, {"nothing", "unlimited"}});
    CHECK(a.body["state"]["spent_today"] == 0);
    CHECK(put(*c, "/v1/admin/wheels/contest", admin, contest_wheel(6, 1000)).body["version"] == 2);
    CHECK(get(*c, "/v1/admin/wheels/contest", admin).body["wheel"]["prizes"][0]["stock"] == 6);
    CHECK(get(*c, "/v1/admin/wheels/nope", admin).status == 404);
    const Answer list = get(*c, "/v1/admin/wheels", admin);
    REQUIRE(list.status == 200);
    std::set<std::string> ids;
    for (const auto& item : list.body["wheels"]) ids.insert(item["id"].get<std::string>());
    CHECK(ids == std::set<std::string>{"contest", "demo-wheel"});
}

TEST_CASE_FIXTURE(WithDemoServer,
                  "spins: a points prize credits the balance; replays; the member's daily limit is "
                  "refused naming it") {
    const auto cards = demo_cards(s.db);
    const std::string admin = api_key(s.db, "admin");
    auto c = s.server->client();
    const std::string token = pair_kiosk(*c, admin, "Wheel kiosk");
    REQUIRE(put(*c, "/v1/admin/wheels/lucky", admin, one_prize_wheel(p50_prize(), 2)).status ==
            200);
    REQUIRE(put(*c, "/v1/admin/kiosk-settings", admin, {{"wheel_id", nullptr}}).status == 200);

    // No wheel on the kiosks: a spin must name one.
    Answer a = post(*c, "/v1/kiosk/spin", token, spin_body(op_id(1), "demo-anna"));
    CHECK(a.status == 404);
    CHECK(a.body["error"]["field"] == "wheel_id");
    REQUIRE(put(*c, "/v1/admin/kiosk-settings", admin, {{"wheel_id", "lucky"}}).status == 200);

    CHECK(post(*c, "/v1/kiosk/spin", "", spin_body(op_id(1), "demo-anna")).status == 401);
    CHECK(post(*c, "/v1/kiosk/spin", token, spin_body(op_id(1), "nobody")).body["error"]["field"] ==
          "member.id");
    CHECK(post(*c, "/v1/kiosk/spin", token, spin_body("xyz", "demo-anna")).body["error"]["field"] ==
          "operation_id");

    const Answer first = post(*c, "/v1/kiosk/spin", token, spin_body(op_id(1), "demo-anna"));
    REQUIRE_MESSAGE(first.status == 201, first.body.dump());
    CHECK(first.body["prize"] == Json{{"index", 0},
                                      {"id", "p50"},
                                      {"label", "50 points"},
                                      {"kind", "points"},
                                      {"points", 50}});
    CHECK(first.body["spin"]["seed"].get<std::string>().size() == 64);
    CHECK(first.body["spin"]["total_weight"] == 1);
    CHECK(first.body["spin"]["ticket"] == 0);
    CHECK(first.body["member"]["balance"] == 1300);
    CHECK(first.body["member"]["spins_available"] == 1);
    CHECK(balance_of(*c, cards.at("demo-anna").qr) == 1300);
    CHECK(Db(s.db).derived_balance("demo", "demo-anna") == 1300);

    const Answer replay = post(*c, "/v1/kiosk/spin", token, spin_body(op_id(1), "demo-anna"));
    CHECK(replay.status == 201);
    CHECK(replay.replayed);
    CHECK(replay.body["spin"] == first.body["spin"]);
    CHECK(balance_of(*c, cards.at("demo-anna").qr) == 1300);

    a = post(*c, "/v1/kiosk/spin", token, spin_body(op_id(2), "demo-anna"));
    REQUIRE(a.status == 201);
    CHECK(a.body["member"]["spins_available"] == 0);
    a = post(*c, "/v1/kiosk/spin", token, spin_body(op_id(3), "demo-anna"));
    CHECK(a.status == 409);
    CHECK(a.body["error"]["code"] == "member_limit_reached");
    CHECK(a.body["error"]["field"] == "member_spins_per_day_max");
    CHECK(error_shape_problem(a.body) == "");
    CHECK(balance_of(*c, cards.at("demo-anna").qr) == 1350);
    // Another member still has their spins.
    CHECK(post(*c, "/v1/kiosk/spin", token, spin_body(op_id(3), "demo-boris")).status == 201);

    const Answer state = get(*c, "/v1/admin/wheels/lucky", admin);
    CHECK(state.body["state"]["spent_today"] == 150);
    CHECK(state.body["state"]["spent_campaign"] == 150);
}

TEST_CASE_FIXTURE(WithDemoServer,
                  "spins: the snapshot commits to the next spin's seed; the spin reveals it and "
                  "its outcome recomputes from the seed, the operation id and the weights") {
    const std::string admin = api_key(s.db, "admin");
    auto c = s.server->client();
    REQUIRE(put(*c, "/v1/admin/wheels/contest", admin, contest_wheel(5, 100000)).status == 200);
    REQUIRE(put(*c, "/v1/admin/kiosk-settings", admin, {{"wheel_id", "contest"}}).status == 200);
    const std::string token = pair_kiosk(*c, admin, "Fair kiosk");
    const auto cards = demo_cards(s.db);
    const auto commitment = [&](const std::string& member) {
        const Answer a = post(*c, "/v1/members/lookup", token, {{"code", cards.at(member).qr}});
        REQUIRE(a.status == 200);
        return a.body["member"]["spin_commitment"].get<std::string>();
    };

    std::set<std::string> seen;
    std::string shown = commitment("demo-anna");
    CHECK(shown.size() == 64);
    CHECK(commitment("demo-anna") == shown);   // a lookup writes nothing: the same commitment
    CHECK(commitment("demo-boris") != shown);  // every member has seeds of their own
    std::map<std::string, int> prizes;
    for (int i = 0; i < 12; ++i) {
        const std::string op = op_id(100 + i);
        const Answer a = post(*c, "/v1/kiosk/spin", token, spin_body(op, "demo-anna"));
        REQUIRE_MESSAGE(a.status == 201, a.body.dump());
        const Json& proof = a.body["spin"];
        const std::string seed = proof["seed"].get<std::string>();
        CHECK(proof["commitment"] == shown);
        CHECK(seen.insert(seed).second);  // never the same seed twice
        const auto check = kopilka::spins::check_spin(
            seed, shown, op, proof["weights"].get<std::vector<std::int64_t>>());
        CHECK(check.seed_well_formed);
        CHECK(check.commitment_matches);
        CHECK(check.draw.ticket == proof["ticket"].get<std::int64_t>());
        CHECK(check.draw.total_weight == proof["total_weight"].get<std::int64_t>());
        CHECK(check.draw.prize == a.body["prize"]["index"].get<int>());
        ++prizes[a.body["prize"]["id"].get<std::string>()];
        // The answer's snapshot, and the next lookup, commit to a new seed.
        const std::string next = a.body["member"]["spin_commitment"].get<std::string>();
        CHECK(next != shown);
        CHECK(commitment("demo-anna") == next);
        // The same operation again answers the same, revealing nothing new.
        const Answer replay = post(*c, "/v1/kiosk/spin", token, spin_body(op, "demo-anna"));
        CHECK(replay.body["spin"] == proof);
        CHECK(commitment("demo-anna") == next);
        shown = next;
    }
    CHECK(prizes.size() >= 2);  // the seeds really draw: not one prize every time

    // `kopilka verify-spin` recomputes a spin from its answer and the commitment shown before.
    const std::string op = op_id(200);
    const Answer spun = post(*c, "/v1/kiosk/spin", token, spin_body(op, "demo-anna"));
    REQUIRE(spun.status == 201);
    TempDir dir;
    dir.write("spin.json", spun.body.dump());
    const std::string file = dir.file("spin.json");
    RunResult r =
        run_program({cli_binary(), "verify-spin", "--answer", file, "--commitment", shown});
    CHECK_MESSAGE(r.exit_code == 0, (r.out + r.err));
    CHECK(r.out.find("verified") != std::string::npos);
    std::string other = shown;
    other[0] = other[0] == '0' ? '1' : '0';
    r = run_program({cli_binary(), "verify-spin", "--answer", file, "--commitment", other});
    CHECK(r.exit_code == 1);
    CHECK(r.out.find("DOES NOT MATCH") != std::string::npos);
    const Json& proof = spun.body["spin"];
    std::string weights;
    for (const auto& w : proof["weights"])
        weights += (weights.empty() ? "" : ",") + std::to_string(w.get<std::int64_t>());
    const int prize = spun.body["prize"]["index"].get<int>();
    const auto flags = [&](int claimed) {
        return std::vector<std::string>{
            cli_binary(),   "verify-spin", "--seed",      proof["seed"].get<std::string>(),
            "--commitment", shown,         "--operation", op,
            "--weights",    weights,       "--prize",     std::to_string(claimed),
            "--format",     "json"};
    };
    r = run_program(flags(prize));
    CHECK_MESSAGE(r.exit_code == 0, (r.out + r.err));
    const Json out = Json::parse(r.out);
    CHECK(out["ticket"] == proof["ticket"]);
    CHECK(out["draw_seed"] == proof["draw_seed"]);
    r = run_program(flags((prize + 1) % 3));
    CHECK(r.exit_code == 1);
    CHECK(Json::parse(r.out)["prize_matches"] == false);
    r = run_program({cli_binary(), "verify-spin", "--seed", "00"});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("--commitment") != std::string::npos);

    // A revealed seed with another operation id draws differently: the id is the client's share.
    const auto a = kopilka::spins::check_spin(std::string(64, '1'), "", op_id(1), {1, 1, 1, 1});
    const auto b = kopilka::spins::check_spin(std::string(64, '1'), "", op_id(2), {1, 1, 1, 1});
    CHECK(a.draw_seed != b.draw_seed);
    CHECK_FALSE(a.commitment_matches);
}

TEST_CASE_FIXTURE(WithDemoServer,
                  "spins: outside the wheel's campaign window a spin is refused naming the "
                  "window's edge, nothing is written, and the kiosk is offered no spin") {
    const std::string admin = api_key(s.db, "admin");
    auto c = s.server->client();
    const std::int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count();
    const std::int64_t day = 24 * 3600 * 1000LL;
    Json w = one_prize_wheel(p50_prize(), 2);
    w["name"] = "Spring wheel";
    w["starts_at_ms"] = now_ms + day;  // tomorrow
    REQUIRE(put(*c, "/v1/admin/wheels/spring", admin, w).status == 200);
    REQUIRE(put(*c, "/v1/admin/kiosk-settings", admin, {{"wheel_id", "spring"}}).status == 200);
    const std::string token = pair_kiosk(*c, admin, "Spring kiosk");
    const std::string qr = demo_cards(s.db).at("demo-anna").qr;
    const auto lookup = [&] { return post(*c, "/v1/members/lookup", token, {{"code", qr}}); };
    const std::int64_t balance = balance_of(*c, qr);

    CHECK(lookup().body["member"]["spins_available"] == 0);  // the kiosk shows no spin button
    Answer a = post(*c, "/v1/kiosk/spin", token, spin_body(op_id(1), "demo-anna"));
    CHECK(a.status == 409);
    CHECK(a.body["error"]["code"] == "wheel_not_started");
    CHECK(a.body["error"]["field"] == "starts_at_ms");
    CHECK(error_shape_problem(a.body) == "");

    // Ended yesterday.
    w.erase("starts_at_ms");
    w["ends_at_ms"] = now_ms - day;
    REQUIRE(put(*c, "/v1/admin/wheels/spring", admin, w).status == 200);
    CHECK(lookup().body["member"]["spins_available"] == 0);
    a = post(*c, "/v1/kiosk/spin", token, spin_body(op_id(1), "demo-anna"));
    CHECK(a.status == 409);
    CHECK(a.body["error"]["code"] == "wheel_ended");
    CHECK(a.body["error"]["field"] == "ends_at_ms");
    // A wheel named explicitly is refused the same way.
    a = post(*c, "/v1/kiosk/spin", token, spin_body(op_id(2), "demo-boris", "spring"));
    CHECK(a.body["error"]["code"] == "wheel_ended");

    // Nothing was written: no spin logged, no points, no spend, no counters.
    CHECK(Db(s.db).scalar("SELECT COUNT(*) FROM spins WHERE wheel_id = 'spring'") == 0);
    CHECK(balance_of(*c, qr) == balance);
    const Answer state = get(*c, "/v1/admin/wheels/spring", admin);
    CHECK(state.body["state"]["spent_campaign"] == 0);
    CHECK(state.body["wheel"]["name"] == "Spring wheel");

    // Inside the window again (ends tomorrow): the refused operation id was not stored, so the
    // same id now spins, and the member has both daily spins.
    w["starts_at_ms"] = now_ms - day;
    w["ends_at_ms"] = now_ms + day;
    REQUIRE(put(*c, "/v1/admin/wheels/spring", admin, w).status == 200);
    CHECK(lookup().body["member"]["spins_available"] == 2);
    a = post(*c, "/v1/kiosk/spin", token, spin_body(op_id(1), "demo-anna"));
    REQUIRE_MESSAGE(a.status == 201, a.body.dump());
    CHECK_FALSE(a.replayed);
    CHECK(a.body["member"]["spins_available"] == 1);
    CHECK(balance_of(*c, qr) == balance + 50);

    // A window that ends before it starts is refused naming ends_at_ms.
    w["ends_at_ms"] = now_ms - 2 * day;
    a = put(*c, "/v1/admin/wheels/spring", admin, w);
    CHECK(a.status == 400);
    CHECK(a.body["error"]["field"] == "ends_at_ms");
}

TEST_CASE_FIXTURE(WithDemoServer,
                  "spins: a coupon prize is redeemed at the till; the wheel says nothing_left once "
                  "its stock is gone") {
    const std::string admin = api_key(s.db, "admin");
    const std::string till = api_key(s.db, "till");
    auto c = s.server->client();
    const std::string token = pair_kiosk(*c, admin, "Wheel kiosk");
    const Json prize = {{"id", "cake"},        {"label", "Cake"}, {"kind", "coupon"},
                        {"reward_id", "cake"}, {"weight", 1},     {"stock", 1},
                        {"cost", 250}};
    REQUIRE(
        put(*c, "/v1/admin/wheels/last-cake", admin, one_prize_wheel(prize, "unlimited")).status ==
        200);

    const Answer won =
        post(*c, "/v1/kiosk/spin", token, spin_body(op_id(1), "demo-boris", "last-cake"));
    REQUIRE_MESSAGE(won.status == 201, won.body.dump());
    CHECK(won.body["prize"]["kind"] == "coupon");
    const Json& coupon = won.body["coupon"];
    CHECK(coupon["source"] == "spin");
    CHECK(coupon["points"] == 0);
    CHECK(coupon["reward"]["name"] == "Cake");
    CHECK(coupon["qr"] == coupon["code"]);
    CHECK(won.body["member"]["balance"] == 120);  // a prize costs the member nothing

    const Answer empty =
        post(*c, "/v1/kiosk/spin", token, spin_body(op_id(2), "demo-anna", "last-cake"));
    CHECK(empty.status == 409);
    CHECK(empty.body["error"]["code"] == "nothing_left");
    // Decided and logged with its seed: the same operation answers the same.
    CHECK(
        post(*c, "/v1/kiosk/spin", token, spin_body(op_id(2), "demo-anna", "last-cake")).replayed);
    CHECK(get(*c, "/v1/admin/wheels/last-cake", admin).body["odds"]["nothing_left"] == true);

    const Answer redeemed = post(*c, "/v1/coupons/redeem", till,
                                 {{"operation_id", op_id(3)}, {"code", coupon["code"]}});
    REQUIRE_MESSAGE(redeemed.status == 200, redeemed.body.dump());
    CHECK(redeemed.body["reward"]["id"] == "cake");
    CHECK(redeemed.body["coupon"]["redeemed_at_ms"].get<std::int64_t>() > 0);
    CHECK(
        post(*c, "/v1/coupons/redeem", till, {{"operation_id", op_id(4)}, {"code", coupon["code"]}})
            .status == 409);
}

TEST_CASE(
    "spins: 200 concurrent spins never give more than the stock nor exceed the day budget "
    "(SQLite)") {
    DemoServer s({"--threads", "16"});
    REQUIRE_MESSAGE(s.ok, s.why);
    const std::string admin = api_key(s.db, "admin");
    check_concurrent_spins(
        {s.server.get()}, admin,
        [&](const std::string& m) { return Db(s.db).derived_balance("demo", m); },
        [&](const std::string& sql) { return Db(s.db).scalar(sql); });
}

TEST_CASE(
    "PostgreSQL: 200 concurrent spins never give more than the stock nor exceed the day budget") {
    PgDatabase db;
    REQUIRE_MESSAGE(db.why.empty(), db.why);
    auto server = start_server(db.url, {"--seed-demo", "--threads", "16"});
    const std::string admin = api_key(db.url, "admin");
    check_concurrent_spins(
        {server.get()}, admin, [&](const std::string& m) { return db.derived_balance("demo", m); },
        [&](const std::string& sql) { return db.scalar(sql); });
}

TEST_CASE(
    "PostgreSQL: two server processes sharing one database share one wheel's stock and budget") {
    PgDatabase db;
    REQUIRE_MESSAGE(db.why.empty(), db.why);
    auto a = start_server(db.url, {"--seed-demo", "--threads", "8"});
    auto b = start_server(db.url, {"--threads", "8"});
    const std::string admin = api_key(db.url, "admin");
    check_concurrent_spins(
        {a.get(), b.get()}, admin,
        [&](const std::string& m) { return db.derived_balance("demo", m); },
        [&](const std::string& sql) { return db.scalar(sql); });
}
