// The console's program editor against a held network: the published program loaded into a
// draft, every edit checked by the codec at once (the problem at the field it names, Save
// refused and nothing sent), the test receipt quoted by the core for the draft and for the
// published program, Save's PUT and the server's refusals at their fields.
#include "client/console_program.hpp"

#include <doctest/doctest.h>

#include "client/console_flow.hpp"
#include "client/console_time.hpp"
#include "../test_assets.hpp"
#include "client/program_text.hpp"
#include "codec/program_json.hpp"
#include "fakes.hpp"

using namespace kopilka;
using namespace kopilka::client;
using kopilka::client::fakes::HeldTransport;
using kopilka::client::fakes::MemoryStorage;

namespace {

constexpr const char* kProgram = R"({"id":"demo-points","name":"Demo","currency":"RUB",)"
                                 R"("point_value_minor":100,"bonus":{"earn_bp":500},)"
                                 R"("tiers":{"basis":"points","window_days":365,"levels":[)"
                                 R"({"id":"base","name":"Base","threshold":0},)"
                                 R"({"id":"silver","name":"Silver","threshold":1000,)"
                                 R"("earn_multiplier_pct":200},)"
                                 R"({"id":"gold","name":"Gold","threshold":5000}]}})";

struct Editor {
    HeldTransport net;
    MemoryStorage session_store, draft_store;
    ConsoleFlow flow{net, session_store, draft_store};

    // Signed in from a stored session that the server confirms.
    explicit Editor(const char* role = "owner") {
        const std::string session = std::string(R"({"token":"kcs_1","user":{"id":"u1","role":")") +
                                    role + R"("},"merchant":{"code":"demo","currency":"RUB"}})";
        session_store.set("kopilka.console.session", session);
        flow.start(1000);
        REQUIRE(net.pending.size() == 1);
        net.answer(200, session);
        REQUIRE(flow.state().signed_in);
    }
    ProgramEditor& editor() { return flow.program(); }
    const ProgramEditorState& s() { return flow.program().state(); }
    void open(int status = 200, const std::string& body = std::string(R"({"version":4,)") +
                                                          R"("program":)" + kProgram + "}") {
        flow.open_section(ConsoleSection::program);
        REQUIRE(net.pending.size() == 1);
        CHECK(net.pending.front().first.method == "GET");
        CHECK(net.pending.front().first.path == "/v1/admin/program");
        CHECK(net.pending.front().first.credential.secret == "kcs_1");
        net.answer(status, body);
    }
};

}  // namespace

TEST_CASE("console program: money and percentages typed as decimals, kept as integers") {
    CHECK(decimal_text(150050, 2) == "1500.50");
    CHECK(decimal_text(5, 2) == "0.05");
    CHECK(decimal_text(500, 0) == "500");
    CHECK(decimal_text(-250, 2) == "-2.50");
    CHECK(parse_decimal("1500.5", 2) == 150050);
    CHECK(parse_decimal("1500,50", 2) == 150050);
    CHECK(parse_decimal(" 12 ", 2) == 1200);
    CHECK(parse_decimal("7.5", 2) == 750);  // 7.5 % in basis points
    CHECK_FALSE(parse_decimal("1.234", 2));
    CHECK_FALSE(parse_decimal("12a", 2));
    CHECK_FALSE(parse_decimal("", 2));
    CHECK_FALSE(parse_decimal("1.5", 0));
    CHECK_FALSE(parse_decimal("99999999999999999999", 2));
    std::string bad;
    const auto r = test_receipt({{"10.00", 2, "coffee", "latte"}, {"x", 1, "", "cake"}}, 2, &bad);
    CHECK(bad == "receipt[1].price");
    CHECK(r.lines[0].unit_price == 1000);
    CHECK(r.lines[0].quantity == 2);
}

TEST_CASE("console program: only the owner and managers see the editor (the server's rule)") {
    CHECK(section_visible(StaffRole::owner, ConsoleSection::program));
    CHECK(section_visible(StaffRole::manager, ConsoleSection::program));
    CHECK_FALSE(section_visible(StaffRole::support, ConsoleSection::program));
    CHECK_FALSE(section_visible(StaffRole::viewer, ConsoleSection::program));
    CHECK(console_section_name(ConsoleSection::program) == "program");
    Editor support("support");
    support.flow.open_section(ConsoleSection::program);
    CHECK(support.net.pending.empty());
    CHECK(support.flow.state().section == ConsoleSection::overview);
}

TEST_CASE("console program: an edit changes the test receipt's points before saving") {
    Editor e;
    e.open();
    REQUIRE(e.s().loaded);
    CHECK(e.s().version == 4);
    CHECK_FALSE(e.s().dirty);
    CHECK_FALSE(e.editor().can_save());
    // 1 000 ₽ at 5 %: 50 points with the draft and the published program alike.
    REQUIRE(e.s().draft_quote);
    REQUIRE(e.s().published_quote);
    CHECK(e.s().draft_quote->points_earned == 50);
    CHECK(e.s().published_quote->points_earned == 50);

    e.editor().draft().bonus->earn_bp = 1000;
    e.editor().edited();
    CHECK(e.s().dirty);
    CHECK(e.s().draft_quote->points_earned == 100);
    CHECK(e.s().published_quote->points_earned == 50);  // the what-if: 50 → 100
    CHECK(e.editor().can_save());

    // A Silver member earns twice as much; two lines of the receipt count together.
    e.editor().set_tier("silver");
    CHECK(e.s().draft_quote->points_earned == 200);
    e.editor().receipt().push_back({"500.00", 2, "coffee", "beans"});
    e.editor().receipt_edited();
    CHECK(e.s().draft_quote->points_earned == 400);
    e.editor().receipt()[1].price = "5,0,0";
    e.editor().receipt_edited();
    CHECK(e.s().receipt_field == "receipt[1].price");
    CHECK_FALSE(e.s().draft_quote);
    CHECK(e.net.pending.empty());  // quoted here, not by the server
}

TEST_CASE("console program: a wrong tier threshold is named at its field and nothing is sent") {
    Editor e;
    e.open();
    e.editor().draft().tiers->levels[2].threshold = 900;  // below Silver's 1 000
    e.editor().edited();
    REQUIRE(e.s().problem);
    CHECK(e.s().problem->field == "tiers.levels[2].threshold");
    CHECK(e.s().problem->code == "not_increasing");
    CHECK_FALSE(e.s().draft_quote);     // the core quotes only a valid program
    CHECK(e.s().published_quote);       // the live one still
    CHECK_FALSE(e.editor().can_save());
    e.editor().save();
    CHECK(e.net.pending.empty());

    // A stamp card whose reward is not in the catalogue: named at the card's reward_id.
    e.editor().draft().tiers->levels[2].threshold = 6000;
    program::StampCard card;
    card.id = "coffee-card";
    card.reward_id = "free-coffee";
    e.editor().draft().stamp_cards.push_back(card);
    e.editor().edited();
    REQUIRE(e.s().problem);
    CHECK(e.s().problem->field == "stamp_cards[0].reward_id");
    e.editor().draft().rewards.push_back({"free-coffee", "Coffee", 300, {}, 0, 30});
    e.editor().edited();
    CHECK_FALSE(e.s().problem);

    // A number that can't be read keeps Save off too, until it can.
    e.editor().draft().tiers->levels[2].threshold = 6000;
    e.editor().edited();
    CHECK_FALSE(e.s().problem);
    e.editor().set_unreadable("bonus.earn_bp", true);
    CHECK_FALSE(e.editor().can_save());
    e.editor().set_unreadable("bonus.earn_bp", false);
    CHECK(e.editor().can_save());
}

TEST_CASE("console program: Save puts a new version; the server's refusal lands at its field") {
    Editor e;
    e.open();
    e.editor().draft().bonus->earn_bp = 750;
    e.editor().edited();
    e.editor().save();
    CHECK(e.s().busy == ConsoleBusy::saving);
    REQUIRE(e.net.pending.size() == 1);
    const Request put = e.net.pending.front().first;
    CHECK(put.method == "PUT");
    CHECK(put.path == "/v1/admin/program");
    CHECK(put.if_match == "4");
    const auto sent = codec::decode_program(codec::Json::parse(put.body));
    REQUIRE(sent.ok());
    CHECK(sent.value->bonus->earn_bp == 750);
    e.editor().save();  // busy: not twice
    CHECK(e.net.pending.size() == 1);
    e.net.answer(400, R"({"error":{"code":"invalid_value","message":"currency must be the )"
                      R"(merchant's currency, EUR","field":"currency"}})");
    REQUIRE(e.s().error);
    CHECK(e.s().error->field == "currency");
    CHECK(e.s().dirty);  // the draft is kept
    CHECK(e.s().done.empty());

    e.editor().save();
    e.net.answer(200, R"({"version":5,"program_id":"demo-points"})");
    CHECK_FALSE(e.s().error);
    CHECK(e.s().version == 5);
    CHECK_FALSE(e.s().dirty);
    CHECK(e.s().done == "saved");
    CHECK(e.s().published_quote->points_earned == 75);  // the saved one is the live one now

    // Someone else saved meanwhile: the draft stays, the conflict is named.
    e.editor().draft().bonus->earn_bp = 800;
    e.editor().edited();
    e.editor().save();
    CHECK(e.net.pending.front().first.if_match == "5");
    e.net.answer(412, R"({"error":{"code":"version_conflict","field":"If-Match"}})");
    REQUIRE(e.s().error);
    CHECK(e.s().error->field == "If-Match");
    CHECK(e.s().draft.bonus->earn_bp == 800);
    e.editor().discard();
    CHECK(e.s().draft.bonus->earn_bp == 750);
    CHECK_FALSE(e.s().dirty);
}

TEST_CASE("console program: no program yet gives a new draft in the merchant's currency") {
    Editor e;
    e.open(404, R"({"error":{"code":"not_found","message":"no program"}})");
    REQUIRE(e.s().loaded);
    CHECK_FALSE(e.s().published);
    CHECK_FALSE(e.s().error);
    CHECK(e.s().draft.id == "program");
    CHECK(money::currency_info(e.s().draft.currency).code == "RUB");
    CHECK_FALSE(e.s().problem);
    e.editor().draft().bonus.emplace();
    e.editor().draft().bonus->earn_bp = 300;
    e.editor().edited();
    CHECK(e.s().draft_quote->points_earned == 30);
    CHECK_FALSE(e.s().published_quote);
    e.editor().save();
    CHECK(e.net.pending.front().first.if_match.empty());
    e.net.answer(200, R"({"version":1})");
    CHECK(e.s().version == 1);
    REQUIRE(e.s().published);

    // Signing out forgets it all.
    e.flow.sign_out();
    CHECK_FALSE(e.s().loaded);
}

TEST_CASE("console program: dates typed in the console are UTC minutes, impossible ones refused") {
    CHECK(parse_date_time("2026-12-24") == 1798070400000);
    CHECK(parse_date_time("2026-12-24", true) == 1798070400000 + 86400000);
    CHECK(parse_date_time("2026-12-24 18:30") == 1798070400000 + (18 * 60 + 30) * 60000);
    CHECK(date_time_text(1798070400000 + (18 * 60 + 30) * 60000) == "2026-12-24 18:30");
    CHECK(date_time_text(0) == "1970-01-01 00:00");
    for (const char* bad : {"", "2026-02-30", "2026-13-01", "2026-12-24 24:00", "2026-12-24T18:30",
                            "24.12.2026", "2026-12-24 18:30 ", "2026-1-5"}) {
        INFO(bad);
        CHECK_FALSE(parse_date_time(bad));
    }
}

TEST_CASE("console program: a save can take effect later; the editor shows what is in force") {
    Editor e;
    e.open(200, std::string(R"({"version":4,"latest_version":4,"effective_from_ms":500,)") +
                    R"("scheduled":[],"program":)" + kProgram + "}");
    e.editor().draft().bonus->earn_bp = 900;
    e.editor().edited();
    const std::int64_t now = 1798000000000;
    e.editor().set_publish_at("2026-12-23", now);  // before now
    CHECK(e.s().publish_at_bad);
    e.editor().set_publish_at("2026-12-24 18:00", now);
    CHECK_FALSE(e.s().publish_at_bad);
    e.editor().save();
    REQUIRE(e.net.pending.size() == 1);
    CHECK(e.net.pending.front().first.path == "/v1/admin/program?effective_from=1798135200000");
    CHECK(e.net.pending.front().first.if_match == "4");
    e.net.answer(200, R"({"version":5,"program_id":"demo-points",)"
                      R"("effective_from_ms":1798135200000})");
    // The program in force is asked for again: version 4 still, version 5 waiting.
    REQUIRE(e.net.pending.size() == 1);
    CHECK(e.net.pending.front().first.path == "/v1/admin/program");
    e.net.answer(200, std::string(R"({"version":4,"latest_version":5,"effective_from_ms":500,)") +
                          R"("scheduled":[{"version":5,"effective_from_ms":1798135200000,)" +
                          R"("created_at_ms":1,"by":{"kind":"user","label":"Olga"},)" +
                          R"("summary":"points","in_force":false}],"program":)" + kProgram + "}");
    CHECK(e.s().done == "scheduled");
    CHECK(e.s().version == 4);
    CHECK(e.s().latest_version == 5);
    CHECK_FALSE(e.s().dirty);
    CHECK(e.s().draft.bonus->earn_bp == 500);
    REQUIRE(e.s().scheduled.size() == 1);
    CHECK(e.s().scheduled[0].by == "Olga");
    CHECK(e.s().publish_at.empty());
    // The next save is based on the newest version, not the one in force.
    e.editor().draft().bonus->earn_bp = 600;
    e.editor().edited();
    e.editor().save();
    CHECK(e.net.pending.front().first.if_match == "5");
}

TEST_CASE("console program: an unsaved draft survives a reload and a sign-out, not a save") {
    HeldTransport net;
    MemoryStorage session_store, draft_store;
    const std::string session =
        R"({"token":"kcs_1","user":{"id":"u1","role":"owner"},"merchant":{"code":"demo",)"
        R"("currency":"RUB"}})";
    const std::string answer = std::string(R"({"version":4,"program":)") + kProgram + "}";
    const auto open = [&](ConsoleFlow& flow) {
        session_store.set("kopilka.console.session", session);
        flow.start(1000);
        net.answer(200, session);
        flow.open_section(ConsoleSection::program);
        net.answer(200, answer);
    };
    {
        ConsoleFlow flow{net, session_store, draft_store};
        open(flow);
        flow.program().draft().bonus->earn_bp = 1200;
        flow.program().draft().tiers->levels[2].threshold = 10;  // breaks a rule: kept anyway
        flow.program().edited();
        CHECK(flow.program().state().problem);
    }
    {
        ConsoleFlow flow{net, session_store, draft_store};  // the page loaded again
        open(flow);
        const auto& s = flow.program().state();
        CHECK(s.restored);
        CHECK(s.dirty);
        CHECK(s.draft.bonus->earn_bp == 1200);
        REQUIRE(s.problem);
        CHECK(s.problem->field == "tiers.levels[2].threshold");
        flow.program().draft().tiers->levels[2].threshold = 5000;
        flow.program().edited();
        flow.program().save();
        net.answer(200, R"({"version":5})");
        CHECK(draft_store.get("kopilka.console.program_draft").empty());
    }
    {
        ConsoleFlow flow{net, session_store, draft_store};
        open(flow);
        CHECK_FALSE(flow.program().state().restored);
        CHECK_FALSE(flow.program().state().dirty);
    }
    // Another merchant signed in on this browser does not get it.
    draft_store.set("kopilka.console.program_draft",
                    std::string(R"({"merchant":"other","base_version":1,"program":)") + kProgram +
                        "}");
    ConsoleFlow flow{net, session_store, draft_store};
    open(flow);
    CHECK_FALSE(flow.program().state().restored);
}

TEST_CASE("console program: the history lists versions and reverts one after a confirmation") {
    Editor e;
    e.open();
    e.editor().load_history();
    REQUIRE(e.net.pending.size() == 1);
    CHECK(e.net.pending.front().first.path == "/v1/admin/program/versions?limit=20");
    e.net.answer(200, R"({"versions":[{"version":4,"effective_from_ms":30,"created_at_ms":30,)"
                      R"("by":{"kind":"user","id":"u1","label":"Olga"},"summary":"points",)"
                      R"("in_force":true},{"version":3,"effective_from_ms":20,"created_at_ms":20,)"
                      R"("by":null,"summary":"points, tiers 3","in_force":false}],)"
                      R"("in_force_version":4,"next_before":3})");
    const auto& h = e.s().history;
    REQUIRE(h.versions.size() == 2);
    CHECK(h.versions[0].in_force);
    CHECK(h.versions[0].by == "Olga");
    CHECK(h.versions[1].by.empty());
    REQUIRE(h.next_before);
    e.editor().history_older();
    CHECK(e.net.pending.front().first.path == "/v1/admin/program/versions?limit=20&before=3");
    e.net.answer(200, R"({"versions":[{"version":2,"summary":"points"}],"next_before":null})");
    CHECK(h.versions.size() == 3);
    CHECK_FALSE(h.next_before);

    e.editor().ask_revert(3);
    CHECK(h.confirm_revert == 3);
    CHECK(e.net.pending.empty());  // nothing before the confirmation
    e.editor().cancel_revert();
    e.editor().revert_confirmed();
    CHECK(e.net.pending.empty());
    e.editor().ask_revert(3);
    e.editor().revert_confirmed();
    REQUIRE(e.net.pending.size() == 1);
    CHECK(e.net.pending.front().first.method == "POST");
    CHECK(e.net.pending.front().first.path == "/v1/admin/program/versions/3/revert");
    CHECK(e.net.pending.front().first.if_match == "4");
    e.net.answer(201, R"({"version":5,"reverted_from":3})");
    CHECK(h.reverted_to == 5);
    // The program in force and the history are asked for again.
    REQUIRE(e.net.pending.size() == 2);
    CHECK(e.net.pending[0].first.path == "/v1/admin/program");
    CHECK(e.net.pending[1].first.path == "/v1/admin/program/versions?limit=20");
}

TEST_CASE("console program: the draft simulated over the last days' receipts, nothing written") {
    Editor e;
    e.open();
    e.editor().draft().bonus->earn_bp = 1000;
    e.editor().edited();
    e.editor().set_simulation_days(1000);
    CHECK(e.s().simulation.days == simulation_days_max);
    e.editor().set_simulation_days(7);
    e.editor().simulate();
    REQUIRE(e.net.pending.size() == 1);
    const Request r = e.net.pending.front().first;
    CHECK(r.method == "POST");
    CHECK(r.path == "/v1/admin/program/simulate");
    const auto body = codec::Json::parse(r.body);
    CHECK(body["days"] == 7);
    CHECK(body["program"]["bonus"]["earn_bp"] == 1000);
    e.net.answer(200, R"({"days":7,"from_ms":1,"to_ms":2,"draft":{"receipts":10,)"
                      R"("member_receipts":6,"revenue_minor":100000,"paid_minor":100000,)"
                      R"("discount_minor":0,"points_issued":600,"points_value_minor":60000,)"
                      R"("cashback_minor":0,"cost_minor":60000,"cost_share_bp":6000},)"
                      R"("published":{"receipts":10,"cost_minor":30000,"cost_share_bp":3000},)"
                      R"("published_version":4,"receipts_skipped":0,"approximations":["a","b"]})");
    const auto& m = e.s().simulation;
    CHECK(m.ran);
    CHECK_FALSE(m.stale);
    CHECK(m.draft.points_issued == 600);
    CHECK(m.draft.cost_share_bp == 6000);
    REQUIRE(m.published);
    CHECK(m.published->cost == 30000);
    CHECK(m.approximations == 2);
    e.editor().draft().bonus->earn_bp = 1100;
    e.editor().edited();
    CHECK(m.stale);
    // A draft that breaks a rule is not simulated.
    e.editor().draft().tiers->levels[2].threshold = 1;
    e.editor().edited();
    e.editor().simulate();
    CHECK(e.net.pending.empty());
}

TEST_CASE("console program: action bonuses as rows; a bad name is named at its row") {
    Editor e;
    e.open();
    CHECK(e.s().action_bonuses.empty());
    auto& rows = e.editor().action_bonuses();
    rows.push_back({"review", 50});
    rows.push_back({"", 20});  // "Other", its name not typed yet
    e.editor().action_bonuses_edited();
    CHECK(e.s().draft.bonus->action_bonuses == std::map<std::string, std::int64_t>{{"review", 50}});
    REQUIRE(e.s().problem);
    CHECK(e.s().problem->field == "bonus.action_bonuses[1].action");
    CHECK(e.s().problem->code == "missing_field");
    CHECK_FALSE(e.editor().can_save());
    e.editor().action_bonuses()[1].action = "review";  // the same action twice
    e.editor().action_bonuses_edited();
    REQUIRE(e.s().problem);
    CHECK(e.s().problem->code == "duplicate");
    CHECK(e.s().action_bonuses.size() == 2);  // the row stays while it is wrong
    e.editor().action_bonuses()[1].action = "app_install";
    e.editor().action_bonuses_edited();
    CHECK_FALSE(e.s().problem);
    // Points above the ledger's limit: the codec's field, by the action's name.
    e.editor().action_bonuses()[0].points = 2'000'000'000;
    e.editor().action_bonuses_edited();
    REQUIRE(e.s().problem);
    CHECK(e.s().problem->field == "bonus.action_bonuses.review");
    e.editor().action_bonuses()[0].points = 50;
    e.editor().action_bonuses_edited();
    REQUIRE(e.editor().can_save());

    e.editor().save();
    REQUIRE(e.net.pending.size() == 1);
    const auto sent = codec::decode_program(codec::Json::parse(e.net.pending.front().first.body));
    REQUIRE(sent.ok());
    CHECK(sent.value->bonus->action_bonuses ==
          std::map<std::string, std::int64_t>{{"app_install", 20}, {"review", 50}});
    e.net.answer(200, R"({"version":5})");
    CHECK(e.s().done == "saved");

    // Removing the points section takes the rows with it; a reload gives them back from the map.
    e.editor().draft().bonus.reset();
    e.editor().edited();
    CHECK(e.s().action_bonuses.empty());
    e.editor().discard();
    REQUIRE(e.s().action_bonuses.size() == 2);
    CHECK(e.s().action_bonuses[0].action == "app_install");
}

TEST_CASE("console program: a blackout that ends before it starts is named at its end") {
    Editor e;
    e.open();
    const auto from = parse_date_time("2026-12-24");
    const auto to = parse_date_time("2026-12-23 18:00");
    REQUIRE(from);
    REQUIRE(to);
    e.editor().draft().bonus->redeem_blackouts.push_back({*from, *to});
    e.editor().edited();
    REQUIRE(e.s().problem);
    CHECK(e.s().problem->field == "bonus.redeem_blackouts[0].to_ms");
    CHECK(e.s().problem->code == "contradiction");
    e.editor().save();
    CHECK(e.net.pending.empty());  // nothing is sent

    e.editor().draft().bonus->redeem_blackouts[0].to_ms = *parse_date_time("2026-12-27");
    e.editor().edited();
    CHECK_FALSE(e.s().problem);
    e.editor().save();
    REQUIRE(e.net.pending.size() == 1);
    const auto sent = codec::decode_program(codec::Json::parse(e.net.pending.front().first.body));
    REQUIRE(sent.ok());
    REQUIRE(sent.value->bonus->redeem_blackouts.size() == 1);
    CHECK(sent.value->bonus->redeem_blackouts[0].from_ms == *from);
    CHECK(date_time_text(sent.value->bonus->redeem_blackouts[0].to_ms) == "2026-12-27 00:00");
}

TEST_CASE("console program: the test member's segment follows a segment rule's change") {
    Editor e;
    e.open();
    program::SegmentRule rule;
    rule.attribute = "status";
    rule.value = "student";
    rule.discount_bp = 1000;
    e.editor().draft().segments.push_back(rule);
    e.editor().edited();
    CHECK_FALSE(e.s().problem);
    REQUIRE(e.s().draft_quote);
    CHECK(e.s().draft_quote->discount == 0);  // the test member holds no segment yet

    e.editor().set_test_segment("status", "student");
    REQUIRE(e.s().draft_quote);
    CHECK(e.s().draft_quote->discount == 10000);        // 10 % of 1 000,00 ₽
    CHECK(e.s().draft_quote->points_earned == 45);      // 5 % of the 900 ₽ paid
    CHECK(e.s().published_quote->discount == 0);        // the what-if: none live
    e.editor().draft().segments[0].discount_bp = 1500;  // the rule edited: the quote follows
    e.editor().edited();
    CHECK(e.s().draft_quote->discount == 15000);
    e.editor().draft().segments[0].value = "pensioner";  // no longer the member's
    e.editor().edited();
    CHECK(e.s().draft_quote->discount == 0);
    e.editor().draft().segments[0].value = "student";
    e.editor().draft().segments[0].applies_to.categories = {"tea"};  // not the receipt's coffee
    e.editor().edited();
    CHECK(e.s().draft_quote->discount == 0);
    e.editor().draft().segments[0].applies_to.categories = {"coffee"};
    e.editor().edited();
    CHECK(e.s().draft_quote->discount == 15000);

    // A rule without its attribute or with a rate above 100 % is named at its field.
    e.editor().draft().segments.push_back({"", "x", 500, {}});
    e.editor().edited();
    REQUIRE(e.s().problem);
    CHECK(e.s().problem->field == "segments[1].attribute");
    e.editor().draft().segments[1] = {"card", "gold", 10001, {}};
    e.editor().edited();
    REQUIRE(e.s().problem);
    CHECK(e.s().problem->field == "segments[1].discount_bp");
    CHECK_FALSE(e.editor().can_save());
    e.editor().draft().segments.pop_back();
    e.editor().edited();
    CHECK(e.editor().can_save());
    e.editor().set_test_segment("", "ignored");
    CHECK(e.s().segment_value.empty());
    CHECK(e.s().draft_quote->discount == 0);
}

TEST_CASE("console program: the three forms' changes are in the plain words at once") {
    Editor e;
    e.open();
    const i18n::Catalogues rules =
        *codec::decode_catalogues(testing::catalogue_texts("i18n/rules")).value;
    const auto words = [&] {
        return rules_plain_text(program_rules_text(e.s().draft, rules, i18n::Locale::en));
    };
    CHECK(words().find("for a review") == std::string::npos);
    e.editor().action_bonuses().push_back({"review", 50});
    e.editor().action_bonuses_edited();
    CHECK(words().find("50 points for a review") != std::string::npos);

    e.editor().draft().segments.push_back({"status", "student", 1000, {}});
    e.editor().edited();
    CHECK(words().find("status \u201cstudent\u201d: 10") != std::string::npos);
    e.editor().draft().segments[0].discount_bp = 1250;
    e.editor().edited();
    CHECK(words().find("status \u201cstudent\u201d: 12.5") != std::string::npos);

    e.editor().draft().bonus->redeem_blackouts.push_back(
        {*parse_date_time("2026-12-24"), *parse_date_time("2026-12-27")});
    e.editor().edited();
    CHECK(words().find("Points can't be spent from") != std::string::npos);
}
