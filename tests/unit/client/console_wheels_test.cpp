// The console's prize wheels against a held network: the list, a wheel opened into a draft with
// its state, every edit checked by the codec at once (the problem at the field it names, Save
// refused and nothing sent), the published odds computed as typed with the under-25 % warning
// and the stock and budget already used, Save's PUT with If-Match, a 412 that keeps the draft,
// a new wheel, and the preview that turns to a chosen segment.
#include "client/console_wheels.hpp"

#include <doctest/doctest.h>

#include <cmath>

#include "client/console_flow.hpp"
#include "codec/wheel_json.hpp"
#include "core/theme/contrast.hpp"
#include "fakes.hpp"

using namespace kopilka;
using namespace kopilka::client;
using namespace kopilka::client::fakes;

namespace {

// The demo shop's wheel: 54 % to win (30 + 8 + 12 + 4 of 100).
constexpr const char* kWheel =
    R"({"currency":"RUB","day_budget":100000,"campaign_budget":2000000,)"
    R"("member_spins_per_day_max":3,"member_wins_per_day_max":2,)"
    R"("member_wins_per_campaign_max":"unlimited","prizes":[)"
    R"({"id":"points-50","label":"50 points","kind":"points","points":50,"weight":30,)"
    R"("stock":"unlimited","cost":5000},)"
    R"({"id":"points-200","label":"200 points","kind":"points","points":200,"weight":8,)"
    R"("stock":"unlimited","cost":20000},)"
    R"({"id":"coffee","label":"Coffee","kind":"coupon","reward_id":"coffee","weight":12,)"
    R"("stock":100,"cost":9000},)"
    R"({"id":"cake","label":"Cake","kind":"coupon","reward_id":"cake","weight":4,"stock":20,)"
    R"("cost":25000},)"
    R"({"id":"nothing","label":"Next time","kind":"nothing","weight":46,"stock":"unlimited",)"
    R"("cost":0}]})";

std::string answer(int version, const std::string& state = R"({"used":{"cake":20,"coffee":3},)"
                                                           R"("spent_today":27000,)"
                                                           R"("spent_campaign":527000})") {
    return R"({"id":"demo-wheel","version":)" + std::to_string(version) +
           R"(,"updated_at_ms":5,"wheel":)" + kWheel + R"(,"state":)" + state + "}";
}

// The published program's catalogue: what a coupon prize can be for.
constexpr const char* kProgram =
    R"({"version":3,"program":{"id":"demo-points","name":"Demo","currency":"RUB",)"
    R"("point_value_minor":100,"bonus":{"earn_bp":500},"rewards":[)"
    R"({"id":"coffee","name":"Coffee","cost_points":300,"kind":"gift"},)"
    R"({"id":"cake","name":"Cake","cost_points":900,"kind":"gift"}]}})";

// A console signed in through its form as `role`; the section it lands on has its answers.
struct Wheels {
    HeldTransport net;
    MemoryStorage tab, local;
    ConsoleFlow flow{net, tab, local};

    explicit Wheels(const std::string& role = "owner") {
        flow.sign_in_form() = {"demo", "olga@demo.example", "a long password", false, {}, 0};
        flow.sign_in(0);
        CHECK(asked().path == "/v1/console/session");
        net.answer(200, R"({"token":"kcs_1","user":{"id":"u1","role":")" + role +
                            R"("},"merchant":{"code":"demo","currency":"RUB"}})");
        REQUIRE(flow.state().signed_in);
        while (!net.pending.empty()) net.answer(404, "{}");  // the themes: none here
    }
    WheelsEditor& editor() { return flow.wheels(); }
    const WheelsEditorState& s() { return flow.wheels().state(); }
    const Request& asked() {
        REQUIRE_FALSE(net.pending.empty());
        return net.pending.front().first;
    }
    // The section opened (GET the list), then the demo wheel (GET it).
    void open(int version = 4) {
        flow.open_section(ConsoleSection::wheels);
        CHECK(asked().path == "/v1/admin/wheels");
        CHECK(asked().credential.secret == "kcs_1");
        net.answer(200, R"({"wheels":[{"id":"demo-wheel","version":)" + std::to_string(version) +
                            R"(,"updated_at_ms":5,"wheel":)" + kWheel + "}]}");
        REQUIRE(s().list_loaded);
        REQUIRE(s().wheels.size() == 1);
        answer_rewards();
        editor().open("demo-wheel");
        CHECK(asked().method == "GET");
        CHECK(asked().path == "/v1/admin/wheels/demo-wheel");
        net.answer(200, answer(version));
        REQUIRE(s().id == "demo-wheel");
    }
    // The program's rewards, asked for after the list.
    void answer_rewards(int status = 200, const std::string& body = kProgram) {
        CHECK(asked().method == "GET");
        CHECK(asked().path == "/v1/admin/program");
        net.answer(status, body);
    }
    spins::Prize& prize(std::size_t i) { return editor().draft().prizes.at(i); }
};

}  // namespace

TEST_CASE("console wheels: only the owner and managers see the section (the server's rule)") {
    struct Case {
        StaffRole role;
        const char* name;
        bool sees;
    };
    for (const Case k :
         {Case{StaffRole::owner, "owner", true}, Case{StaffRole::manager, "manager", true},
          Case{StaffRole::support, "support", false}, Case{StaffRole::viewer, "viewer", false}}) {
        INFO(k.name);
        const bool sees = k.sees;
        CHECK(section_visible(k.role, ConsoleSection::wheels) == sees);
        Wheels w(k.name);
        w.flow.open_section(ConsoleSection::wheels);
        CHECK((w.flow.state().section == ConsoleSection::wheels) == sees);
        CHECK(w.net.pending.size() == (sees ? 1u : 0u));  // the list, asked for
    }
    CHECK(console_section_name(ConsoleSection::wheels) == "wheels");
}

TEST_CASE("console wheels: an opened wheel shows its odds, stock left and budget spent") {
    Wheels w;
    w.open();
    CHECK(w.s().version == 4);
    CHECK_FALSE(w.s().dirty);
    CHECK_FALSE(w.editor().can_save());
    CHECK_FALSE(w.s().problem);
    // The cake is out of stock: it drops out and the others' chances grow (54 → 50 of 96).
    REQUIRE(w.s().odds.chance_ppm.size() == 5);
    CHECK(w.s().odds.chance_ppm[3] == 0);
    CHECK(w.s().odds.win_chance_ppm == 520833);  // 50 / 96, rounded down
    CHECK_FALSE(w.s().odds.low_win_chance);
    CHECK(w.s().wheel_state.stock_left == std::vector<std::int64_t>{0, 0, 97, 0, 0});
    CHECK(w.s().usage.spent_today == 27000);
    CHECK(w.s().usage.spent_campaign == 527000);
}

TEST_CASE("console wheels: raising \"nothing\" changes the odds before saving, with a warning") {
    Wheels w;
    w.open();
    w.prize(4).weight = 200;  // 50 of 250 to win: 20 %
    w.editor().edited();
    CHECK(w.s().dirty);
    CHECK(w.s().odds.win_chance_ppm == 200000);
    CHECK(w.s().odds.low_win_chance);
    CHECK(w.s().odds.chance_ppm[4] == 800000);
    CHECK(w.editor().can_save());
    CHECK(w.net.pending.empty());  // computed here, not by the server

    w.editor().save();
    const Request& put = w.asked();
    CHECK(put.method == "PUT");
    CHECK(put.path == "/v1/admin/wheels/demo-wheel");
    CHECK(put.if_match == "4");
    const auto sent = codec::decode_wheel(*codec::parse_json(put.body, nullptr));
    REQUIRE(sent.ok());
    CHECK(sent.value->prizes[4].weight == 200);
    CHECK(w.s().busy == ConsoleBusy::saving);
    CHECK_FALSE(w.editor().can_save());
    std::string saved = answer(5);
    saved.replace(saved.find(R"("weight":46)"), 11, R"("weight":200)");
    w.net.answer(200, saved);
    CHECK(w.s().version == 5);
    CHECK_FALSE(w.s().dirty);
    CHECK(w.s().done == "saved");
    CHECK(w.s().odds.win_chance_ppm == 200000);
}

TEST_CASE("console wheels: a negative weight is named at its field and nothing is sent") {
    Wheels w;
    w.open();
    w.prize(2).weight = -5;
    w.editor().edited();
    REQUIRE(w.s().problem);
    CHECK(w.s().problem->field == "prizes[2].weight");
    CHECK(w.s().odds.chance_ppm.empty());  // no odds for a wheel the server would refuse
    CHECK_FALSE(w.editor().can_save());
    w.editor().save();
    CHECK(w.net.pending.empty());

    // Every weight 0: named at the prizes; a coupon without its reward: at its reward_id.
    w.prize(2).weight = 12;
    for (auto& p : w.editor().draft().prizes) p.weight = 0;
    w.editor().edited();
    CHECK(w.s().problem->field == "prizes");
    for (auto& p : w.editor().draft().prizes) p.weight = 1;
    w.prize(3).reward_id.clear();
    w.editor().edited();
    CHECK(w.s().problem->field == "prizes[3].reward_id");
    w.prize(3).reward_id = "cake";
    w.editor().draft().day_budget = -1;
    w.editor().edited();
    CHECK(w.s().problem->field == "day_budget");
    w.editor().draft().day_budget = std::nullopt;  // unlimited
    w.editor().edited();
    REQUIRE_FALSE(w.s().problem);

    // A number that can't be read blocks saving until it is fixed.
    for (const char* field : {"prizes[1].cost", "day_budget"}) {
        w.editor().set_unreadable(field, true);
        CHECK_FALSE(w.editor().can_save());
        w.editor().set_unreadable(field, false);
    }
    CHECK(w.editor().can_save());
}

TEST_CASE("console wheels: the server's refusal stays at its field; a 412 keeps the draft") {
    Wheels w;
    w.open();
    w.prize(3).reward_id = "tea";
    w.editor().edited();
    w.editor().save();
    w.net.answer(400, R"({"code":"invalid_value","message":"prizes[3].reward_id is not one of )"
                      R"(the program's rewards","field":"prizes[3].reward_id"})");
    REQUIRE(w.s().error);
    CHECK(w.s().error->field == "prizes[3].reward_id");
    CHECK(w.s().dirty);
    CHECK(w.s().busy == ConsoleBusy::none);

    w.prize(3).reward_id = "cake";
    w.prize(0).weight = 31;
    w.editor().edited();
    CHECK_FALSE(w.s().error);  // an edit clears the refusal
    w.editor().save();
    w.net.answer(412, R"({"code":"version_conflict","current":5})");
    CHECK(w.s().conflict);
    CHECK(w.s().error->field == "If-Match");
    CHECK(w.s().draft.prizes[0].weight == 31);  // the draft is kept
    w.prize(0).weight = 32;
    w.editor().edited();
    CHECK(w.s().conflict);  // still offered the reload

    w.editor().discard();  // the reload: the saved wheel replaces the draft
    CHECK(w.asked().path == "/v1/admin/wheels/demo-wheel");
    w.net.answer(200, answer(5));
    CHECK_FALSE(w.s().conflict);
    CHECK_FALSE(w.s().dirty);
    CHECK(w.s().version == 5);
    CHECK(w.s().draft.prizes[0].weight == 30);
}

TEST_CASE("console wheels: a new wheel is checked by its id and saved with If-Match 0") {
    Wheels w;
    w.open();
    w.editor().close();
    CHECK(w.s().id.empty());
    CHECK(w.asked().path == "/v1/admin/wheels");  // the list again
    w.net.answer(
        200, R"({"wheels":[{"id":"demo-wheel","version":4,"wheel":)" + std::string(kWheel) + "}]}");
    w.answer_rewards();
    CHECK_FALSE(w.editor().start_new("demo-wheel", "RUB"));
    CHECK(w.s().error->code == "id_taken");
    CHECK_FALSE(w.editor().start_new("spring wheel", "RUB"));
    CHECK(w.s().error->code == "bad_id");
    CHECK_FALSE(w.editor().start_new(std::string(33, 'a'), "RUB"));
    REQUIRE(w.editor().start_new("spring", "EUR"));
    CHECK(w.s().is_new);
    CHECK(w.s().draft.currency == money::Currency::EUR);
    CHECK(w.s().draft.prizes.size() == 2);
    CHECK(w.s().odds.win_chance_ppm == 500000);
    CHECK(w.editor().can_save());
    w.editor().save();
    CHECK(w.asked().path == "/v1/admin/wheels/spring");
    CHECK(w.asked().if_match == "0");
}

TEST_CASE("console wheels: a 401 signs out and forgets the wheels") {
    Wheels w;
    w.open();
    w.prize(0).weight = 1;
    w.editor().edited();
    w.editor().save();
    w.net.answer(401, R"({"code":"session_expired","message":"sign in again"})");
    CHECK_FALSE(w.flow.state().signed_in);
    CHECK(w.s().id.empty());
    CHECK(w.s().wheels.empty());
}

TEST_CASE("console wheels: the preview turns to the chosen segment and stops under the pointer") {
    Wheels w;
    w.open();
    CHECK_FALSE(w.editor().animating(0));
    CHECK(w.editor().preview_turns(0) == 0);
    w.editor().turn_preview(2, 10'000);  // Coffee, the third of five segments
    CHECK(w.editor().animating(10'000));
    CHECK(w.editor().animating(10'000 + WheelsEditor::preview_turn_ms - 1));
    CHECK_FALSE(w.editor().animating(10'000 + WheelsEditor::preview_turn_ms));
    const double mid = w.editor().preview_turns(10'000 + WheelsEditor::preview_turn_ms / 2);
    const double end = w.editor().preview_turns(10'000 + WheelsEditor::preview_turn_ms);
    CHECK(mid > 0);
    CHECK(mid < end);
    // Segment i's middle is at (i + 0.5) / n of a turn; turned by `end` it is at the top.
    CHECK(std::abs(end + 2.5 / 5 - std::round(end + 2.5 / 5)) < 1e-9);
    CHECK(end >= 3);  // a few whole turns first, like the kiosk

    // From where it stopped to the next segment: never backwards.
    w.editor().turn_preview(4, 20'000);
    CHECK(w.editor().preview_turns(20'000) == doctest::Approx(end - std::floor(end)));
    const double next = w.editor().preview_turns(20'000 + WheelsEditor::preview_turn_ms);
    CHECK(next > w.editor().preview_turns(20'000));
    CHECK(std::abs(next + 4.5 / 5 - std::round(next + 4.5 / 5)) < 1e-9);
    w.editor().turn_preview(5, 30'000);  // no such segment: nothing changes
    CHECK(w.s().preview_segment == 4);
}

TEST_CASE("console wheels: the state follows the draft's prizes by id") {
    spins::WheelConfig c = new_wheel_config("RUB");
    c.prizes[0].stock = 10;
    WheelUsage u;
    u.used = {{"points-50", 4}, {"gone", 9}};
    u.spent_today = 700;
    const spins::WheelState s = wheel_state_for(c, u);
    CHECK(s.stock_left[0] == 6);
    CHECK(s.spent_today == 700);
    u.used["points-50"] = 12;  // more than the stock now: none left, never negative
    CHECK(wheel_state_for(c, u).stock_left[0] == 0);
}

TEST_CASE("console wheels: the program's rewards are offered for coupon prizes") {
    Wheels w;
    w.open();
    REQUIRE(w.s().rewards_loaded);
    REQUIRE(w.s().rewards.size() == 2);
    CHECK(w.s().rewards[0].name == "Coffee");
    CHECK(w.s().rewards[1].cost_points == 900);
    const program::Reward* cake = find_reward(w.s().rewards, "cake");
    REQUIRE(cake);
    CHECK(cake->name == "Cake");
    CHECK_FALSE(find_reward(w.s().rewards, "tea"));

    // Back to the list: the rewards stay while they are asked for again; a merchant without a
    // program has none to offer.
    w.editor().close();
    CHECK(w.s().rewards.size() == 2);
    CHECK(w.asked().path == "/v1/admin/wheels");
    w.net.answer(200, R"({"wheels":[]})");
    w.answer_rewards(404, R"({"code":"not_found","message":"no program"})");
    CHECK(w.s().rewards_loaded);
    CHECK(w.s().rewards.empty());
    CHECK(w.flow.state().signed_in);
}

TEST_CASE("console wheels: the campaign window is typed as UTC dates; an end date means its end") {
    std::optional<std::int64_t> ms = 5;
    CHECK(window_edge_from_text("", false, &ms));
    CHECK_FALSE(ms.has_value());
    CHECK(window_edge_from_text(" 2026-12-04 18:30 ", false, &ms));
    CHECK(ms == 1796342400000 + 18 * 3600000LL + 30 * 60000LL);
    CHECK(window_edge_text(ms) == "2026-12-04 18:30");
    CHECK(window_edge_from_text("2026-12-04", false, &ms));
    CHECK(ms == 1796342400000);  // 00:00 UTC
    CHECK(window_edge_from_text("2026-12-04", true, &ms));
    CHECK(ms == 1796342400000 + 24 * 3600000LL);  // the day's end: 24:00
    CHECK_FALSE(window_edge_from_text("2026-02-30", false, &ms));
    CHECK_FALSE(window_edge_from_text("tomorrow", false, &ms));
    CHECK(ms == 1796342400000 + 24 * 3600000LL);  // untouched
    CHECK(window_edge_text(std::nullopt).empty());
}

TEST_CASE("console wheels: segment colours are typed as hex; the palette takes white labels") {
    CHECK(colour_from_text("#2e7d32") == theme::Rgba{0x2E, 0x7D, 0x32, 255});
    CHECK(colour_from_text("2E7D32") == theme::Rgba{0x2E, 0x7D, 0x32, 255});
    CHECK_FALSE(colour_from_text("#2E7D3"));
    CHECK_FALSE(colour_from_text("#2E7D3280"));  // no transparency on a wheel
    CHECK_FALSE(colour_from_text("green"));
    CHECK(colour_text({0x2E, 0x7D, 0x32, 255}) == "#2E7D32");
    for (std::size_t i = 0; i < 8; ++i) {
        INFO(colour_text(palette_colour(i)));
        CHECK(theme::contrast_ratio(palette_colour(i), {255, 255, 255, 255}) >=
              theme::contrast_aa_text);
        CHECK_FALSE(palette_colour(i) == palette_colour(i + 1));
    }
    CHECK(palette_colour(8) == palette_colour(0));
}

TEST_CASE("console wheels: name, window and colours are checked as typed and sent on save") {
    Wheels w;
    w.open();
    spins::WheelConfig& d = w.editor().draft();
    d.name = "Spring wheel";
    d.starts_at_ms = 2000;
    d.ends_at_ms = 1000;
    w.editor().edited();
    REQUIRE(w.s().problem);
    CHECK(w.s().problem->field == "ends_at_ms");
    CHECK_FALSE(w.editor().can_save());
    CHECK(w.net.pending.empty());

    d.ends_at_ms = 1796342400000;
    w.prize(1).colour = theme::Rgba{0x1E, 0x6B, 0xB8, 255};
    w.editor().edited();
    CHECK_FALSE(w.s().problem);
    REQUIRE(w.editor().can_save());
    w.editor().save();
    const Request put = w.asked();
    CHECK(put.method == "PUT");
    const auto sent = codec::parse_json(put.body, nullptr);
    REQUIRE(sent);
    CHECK((*sent)["name"] == "Spring wheel");
    CHECK((*sent)["starts_at_ms"] == 2000);
    CHECK((*sent)["ends_at_ms"] == 1796342400000);
    CHECK((*sent)["prizes"][1]["colour"] == "#1E6BB8");
    CHECK_FALSE((*sent)["prizes"][0].contains("colour"));
}
