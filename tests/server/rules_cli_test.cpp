// `kopilka rules` as a process: the seeded demo program and a program file in plain words,
// in every language, without a raw catalogue key; bad flags and programs exit non-zero.
#include <doctest/doctest.h>

#include "server_process.hpp"

using namespace kopilka::test;

namespace {
const std::string kNbsp = "\u00A0";
}  // namespace

TEST_CASE("kopilka rules prints the seeded demo program in every language") {
    TempDir dir;
    const std::string db = dir.file("demo.sqlite");
    REQUIRE(run_program({cli_binary(), "seed-demo", "--db", db}).exit_code == 0);
    for (const char* lang : {"en", "ru", "de", "lv"}) {
        INFO(lang);
        const RunResult r = run_program({cli_binary(), "rules", "--db", db, "--lang", lang});
        REQUIRE_MESSAGE(r.exit_code == 0, r.err);
        CHECK(r.err.empty());
        CHECK(r.out.find("rules.") == std::string::npos);
        CHECK(r.out.find('{') == std::string::npos);
        const RunResult j =
            run_program({cli_binary(), "rules", "--db", db, "--lang", lang, "--format", "json"});
        REQUIRE_MESSAGE(j.exit_code == 0, j.err);
        const Json doc = Json::parse(j.out, nullptr, false);
        REQUIRE(doc.is_object());
        std::vector<std::string> ids;
        for (const auto& s : doc["sections"]) ids.push_back(s["id"].get<std::string>());
        // 5 % in points, welcome bonus, expiry, three tiers, a referral rule (the widget's
        // invitations), a redemption cap and rewards.
        CHECK(ids == std::vector<std::string>{"earn", "tiers", "bonuses", "referral", "spend",
                                              "rewards"});
    }
    const RunResult en = run_program({cli_binary(), "rules", "--db", db, "--lang", "en"});
    CHECK(en.out.find("Earning points\n  \u2022 1 point per \u20BD20\n") != std::string::npos);
    CHECK(en.out.find("Gold from 5,000 points a year: points \u00D71.5, 3% off") !=
          std::string::npos);
    const RunResult ru = run_program({cli_binary(), "rules", "--db", db, "--lang", "ru"});
    CHECK(ru.out.find("1 \u0431\u0430\u043B\u043B \u0437\u0430 \u043A\u0430\u0436\u0434\u044B"
                      "\u0435 20" +
                      kNbsp + "\u20BD") != std::string::npos);
    const RunResult other = run_program({cli_binary(), "rules", "--db", db, "--merchant", "x"});
    CHECK(other.exit_code == 1);
    CHECK(other.err.find("merchant x has no published program") != std::string::npos);
}

TEST_CASE("kopilka rules reads a program file; bad flags and programs exit 2 with a reason") {
    TempDir dir;
    dir.write("cashback.json", R"({"id": "cb", "currency": "EUR", "cashback": {"rate_bp": 250}})");
    const RunResult de = run_program(
        {cli_binary(), "rules", "--program", dir.file("cashback.json"), "--lang", "de"});
    REQUIRE_MESSAGE(de.exit_code == 0, de.err);
    CHECK(de.out == "Cashback\n  \u2022 2,5" + kNbsp + "% Cashback auf jeden Einkauf\n");

    dir.write("bad.json", R"({"id": "bad", "cashback": {"rate_bp": 20000}})");
    const RunResult bad = run_program({cli_binary(), "rules", "--program", dir.file("bad.json")});
    CHECK(bad.exit_code == 2);
    CHECK(bad.err.find("cashback.rate_bp") != std::string::npos);
    CHECK(run_program({cli_binary(), "rules"}).exit_code == 2);
    CHECK(
        run_program({cli_binary(), "rules", "--program", dir.file("cashback.json"), "--lang", "fr"})
            .exit_code == 2);
    CHECK(run_program({cli_binary(), "rules", "--program", dir.file("missing.json")}).exit_code ==
          1);
    const RunResult help = run_program({cli_binary(), "rules", "--help"});
    CHECK(help.exit_code == 0);
    CHECK(help.out.find("kopilka rules --program") != std::string::npos);
}
