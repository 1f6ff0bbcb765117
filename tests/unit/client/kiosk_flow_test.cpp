#include "client/kiosk_flow.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <deque>
#include <map>

#include "../test_assets.hpp"
#include "client/kiosk_state_json.hpp"
#include "client/kiosk_view.hpp"
#include "codec/catalogue_json.hpp"
#include "codec/member_json.hpp"
#include "core/cards/card_code.hpp"
#include "core/spins/fair.hpp"
#include "core/time.hpp"
#include "fakes.hpp"

using namespace kopilka;
using namespace kopilka::client;

namespace {
using namespace kopilka::client::fakes;

// Remembered as the code looked up, "pair:<code>" or "config:<version asked with>".
struct FakeTransport : Transport, HeldReplies<std::string> {
    std::string token;
    void request(const Request& r, Done done) override {
        const std::string code = r.body.empty() ? "" : codec::Json::parse(r.body).value("code", "");
        if (r.path == "/v1/devices/pair") {
            CHECK(r.credential.kind == CredentialKind::none);
            pending.emplace_back("pair:" + code, std::move(done));
            return;
        }
        token = r.credential.secret;
        const bool config = r.path == "/v1/kiosk/config";
        if (!config) CHECK(r.path == "/v1/members/lookup");
        pending.emplace_back(config ? "config:" + r.if_none_match : code, std::move(done));
    }
};

// The outbox's side of the network: each write held as the item it was sent for.
struct HeldSender : Transport, HeldReplies<OutboxItem> {
    std::string token;
    void request(const Request& r, Done done) override {
        CHECK(r.method == "POST");
        token = r.credential.secret;
        OutboxItem i;
        i.op_id = codec::Json::parse(r.body).value("operation_id", "");
        i.path = r.path;
        i.body = r.body;
        pending.emplace_back(i, std::move(done));
    }
};

// A kiosk with everything it talks to; paired unless told otherwise.
struct Rig {
    FakeTransport net;
    MemoryStorage storage;
    MemoryOutboxStore outbox_store;
    HeldSender sender;
    Outbox outbox{outbox_store, sender};
    int ids = 0;
    KioskFlow flow{net, storage, outbox, options()};

    KioskFlowOptions options() {
        KioskFlowOptions o;
        o.new_operation_id = counting_ids(&ids);
        return o;
    }
    explicit Rig(bool paired = true) {
        if (paired) storage.values["kopilka.device_token"] = "kdt_TEST";
        outbox.restore(0);
        flow.start(0);
    }
};

std::string member_body(std::int64_t balance, std::int64_t spins = 0) {
    members::MemberSnapshot m;
    m.id = "demo-anna";
    m.name = "Anna";
    m.merchant = "DEMO";
    m.balance = balance;
    m.available = balance;
    m.spins_available = spins;
    m.as_of_ms = day_ms * 365 * 56;  // 2026
    m.tier = {"silver", "Silver", "Gold", 3750, 62};
    m.expiring = {{300, day_ms * (365 * 56 + 30)}};
    m.history = {{"earn", "bonus", day_ms * 365 * 56, 56},
                 {"redeem", "bonus", day_ms * 365 * 56, -100}};
    return codec::Json{{"member", codec::encode_member(m)}}.dump();
}

const char* const kConfig = R"json({
  "version": "v1",
  "merchant": {"code": "DEMO", "name": "Kopilka Demo Shop", "currency": "RUB"},
  "rewards": [{"id": "coffee", "name": "Coffee", "cost_points": 300, "kind": "gift"},
              {"id": "cake", "name": "Cake", "cost_points": 5000}],
  "theme": null,
  "wheel": {"id": "w", "prizes": [
              {"id": "p50", "label": "50 points", "kind": "points", "chance_ppm": 600000},
              {"id": "none", "label": "Next time", "kind": "nothing", "chance_ppm": 400000}],
            "win_chance_ppm": 600000, "nothing_left": false},
  "settings": {"idle_seconds": 20}
})json";

const i18n::Catalogues& catalogues() {
    static const i18n::Catalogues c = *codec::decode_catalogues(testing::catalogue_texts()).value;
    return c;
}

std::string mirror(const KioskFlow& f) {
    return mirror_text(compose_kiosk_view(f.state(), catalogues(), branding_of(f.state())));
}

const std::string kCard = cards::qr_card_payload("DEMO", "2000000000015", "k");

// A paired kiosk with its config and Anna on the member screen.
void to_member(Rig& r, std::int64_t balance = 1250, std::int64_t spins = 2) {
    REQUIRE(r.net.pending.front().first == "config:");
    r.net.answer(200, kConfig);
    r.flow.scan(kCard, ScanSource::camera, 1000);
    r.net.answer(200, member_body(balance, spins));
    REQUIRE(r.flow.state().screen == Screen::member);
}
}  // namespace

TEST_CASE("scan → looking up → member → idle sign-out after the config's idle time") {
    Rig r;
    CHECK(r.flow.state().screen == Screen::attract);
    CHECK(r.net.token == "kdt_TEST");
    r.net.answer(200, kConfig);
    CHECK(r.flow.state().config->settings.idle_seconds == 20);
    CHECK(r.flow.wants_camera());
    r.flow.scan(kCard, ScanSource::camera, 1000);
    CHECK(r.flow.state().screen == Screen::looking_up);
    CHECK_FALSE(r.flow.wants_camera());
    REQUIRE(r.net.pending.size() == 1);
    CHECK(r.net.pending.front().first == kCard);
    r.net.answer(200, member_body(1250));
    REQUIRE(r.flow.state().screen == Screen::member);
    CHECK(r.flow.state().member->balance == 1250);

    r.flow.tick(15000);
    CHECK(r.flow.state().screen == Screen::member);
    r.flow.touch(18000);  // "I'm still here"
    r.flow.tick(37999);
    CHECK(r.flow.state().screen == Screen::member);
    r.flow.tick(38000);
    CHECK(r.flow.state().screen == Screen::attract);
    CHECK_FALSE(r.flow.state().member.has_value());  // nothing personal left
    CHECK(mirror(r.flow).find("Anna") == std::string::npos);
}

TEST_CASE("a malformed code never reaches the network; the error screen says why") {
    Rig r;
    r.net.answer(200, kConfig);
    r.flow.scan("4006381333932", ScanSource::keypad, 0);
    CHECK(r.net.pending.empty());
    REQUIRE(r.flow.state().screen == Screen::error);
    CHECK(r.flow.state().error->code == "bad_check_digit");
    CHECK(mirror(r.flow).find("опечатка") != std::string::npos);
}

TEST_CASE(
    "server errors are shown, localised by code; offline with no cached snapshot is an error") {
    Rig r;
    r.net.answer(200, kConfig);
    r.flow.set_locale(i18n::Locale::de, 0);
    r.flow.scan(kCard, ScanSource::camera, 0);
    r.net.answer(
        404,
        R"({"error":{"code":"not_found","message":"no member has this card","field":"code"}})");
    CHECK(r.flow.state().error->code == "not_found");
    CHECK(mirror(r.flow).find("Diese Karte kennen wir nicht") != std::string::npos);

    r.flow.sign_out(1);
    r.flow.scan(kCard, ScanSource::camera, 5000);
    r.net.drop();
    CHECK(r.flow.state().error->code == "offline");

    r.flow.sign_out(2);
    r.flow.scan(kCard, ScanSource::camera, 9000);
    r.net.answer(500, "<html>oops</html>");
    CHECK(r.flow.state().error->code == "server_error");
}

TEST_CASE("an answer that arrives after sign-out does not bring the member back") {
    Rig r;
    r.net.answer(200, kConfig);
    r.flow.scan(kCard, ScanSource::camera, 0);
    r.flow.sign_out(10);
    r.net.answer(200, member_body(5));
    CHECK(r.flow.state().screen == Screen::attract);
    CHECK_FALSE(r.flow.state().member.has_value());
}

TEST_CASE("the same card seen again while its member is shown is ignored; keypad submits") {
    Rig r;
    to_member(r);
    r.flow.scan(kCard, ScanSource::camera, 1500);
    CHECK(r.net.pending.empty());
    r.flow.sign_out(1600);
    r.flow.keypad_open(true, 1600);
    CHECK(r.flow.state().screen == Screen::scan);
    for (char c : std::string("4006381333931")) r.flow.keypad_press(c, 1700);
    r.flow.keypad_submit(1800);
    REQUIRE(r.net.pending.size() == 1);
    CHECK(r.net.pending.front().first == "4006381333931");
    CHECK(r.flow.state().last_source == ScanSource::keypad);
}

TEST_CASE("the member view speaks every language with the right plural forms") {
    Rig r;
    to_member(r);
    struct Case {
        i18n::Locale l;
        const char* balance;
        const char* gap;
        const char* expiring;
        const char* spins;
    };
    const Case cases[] = {
        {i18n::Locale::ru, "Баланс: 1\u00A0250 баллов", "Ещё 3\u00A0750 баллов до уровня Gold",
         "300 баллов сгорят", "2 вращения колеса призов"},
        {i18n::Locale::de, "Guthaben: 1.250 Bonuspunkte", "Noch 3.750 Punkte bis Gold",
         "300 Punkte verfallen am", "2 Drehungen am Glücksrad"},
        {i18n::Locale::lv, "Atlikums: 1\u00A0250 punktu", "Vēl 3\u00A0750 punktu līdz līmenim Gold",
         "300 punktu derīgums", "2 laimes rata griezieni"},
        {i18n::Locale::en, "Balance: 1,250 points", "3,750 more points for Gold",
         "300 points expire on", "2 spins of the prize wheel"},
    };
    for (const auto& c : cases) {
        INFO(i18n::locale_tag(c.l));
        r.flow.set_locale(c.l, 1100);
        const auto v = compose_kiosk_view(r.flow.state(), catalogues(), {});
        REQUIRE(v.lines.size() >= 4);
        CHECK(v.lines[0] == c.balance);
        CHECK(v.lines[1].find(c.expiring) == 0);
        CHECK(v.lines[3] == c.gap);
        CHECK(v.progress_permille == 62);
        CHECK(v.countdown.empty());  // 20 s left: not yet the last 10
        const std::string text = mirror_text(v);
        CHECK(text.find(c.spins) != std::string::npos);
        CHECK(text.find("+56") != std::string::npos);     // history with a sign…
        CHECK(text.find("\u2212100") != std::string::npos);  // …and a reason per line
    }
    const auto state = codec::Json::parse(
        encode_kiosk_state(r.flow, compose_kiosk_view(r.flow.state(), catalogues(), {})));
    CHECK(state["screen"] == "member");
    CHECK(state["member"]["balance"] == 1250);
    CHECK(state["mirror"].get<std::string>().find("1,250") != std::string::npos);
}

TEST_CASE(
    "pairing: no token → pairing screen; a code is sent, the token kept, the config fetched") {
    Rig r(false);
    CHECK(r.flow.state().screen == Screen::pairing);
    CHECK(r.net.pending.empty());  // no config without a token
    for (char c : std::string("abcd-efgh")) r.flow.pairing_type(c, 10);
    r.flow.pairing_submit(20);
    REQUIRE(r.net.pending.size() == 1);
    CHECK(r.net.pending.front().first == "pair:abcd-efgh");
    r.net.answer(409, R"({"error":{"code":"already_used","message":"used","field":"code"}})");
    CHECK(r.flow.state().screen == Screen::pairing);
    CHECK(mirror(r.flow).find("уже использован") != std::string::npos);

    r.flow.scan("ZZZZ-YYYY", ScanSource::camera, 30);  // the console's QR
    CHECK(r.net.pending.front().first == "pair:ZZZZ-YYYY");
    r.net.answer(
        201, R"({"device_id":"D1","token":"kdt_NEW","merchant":{"code":"DEMO","name":"Demo"}})");
    CHECK(r.flow.state().screen == Screen::attract);
    CHECK(r.storage.values["kopilka.device_token"] == "kdt_NEW");
    CHECK(r.net.token == "kdt_NEW");
    REQUIRE(r.net.pending.size() == 1);
    CHECK(r.net.pending.front().first == "config:");
    r.net.answer(200, kConfig);
    CHECK(r.flow.state().config->merchant_name == "Kopilka Demo Shop");
    CHECK(mirror(r.flow).find("Kopilka Demo Shop") != std::string::npos);

    // The console unpairs the kiosk: its next call gets 401 and it goes back to pairing.
    r.flow.scan(kCard, ScanSource::camera, 40);
    r.net.answer(
        401, R"({"error":{"code":"unauthorized","message":"unpaired","field":"Authorization"}})");
    CHECK(r.flow.state().screen == Screen::pairing);
    CHECK(r.storage.values.count("kopilka.device_token") == 0);
}

TEST_CASE("config: cached across a reload, asked with its version, 304 keeps it") {
    Rig r;
    r.net.answer(200, kConfig);
    REQUIRE(r.storage.values.count("kopilka.config"));
    FakeTransport net2;
    MemoryOutboxStore box_store;
    HeldSender sender;
    Outbox box(box_store, sender);
    KioskFlow again(net2, r.storage, box, r.options());
    again.start(0);
    REQUIRE(again.state().config.has_value());
    CHECK(again.state().config->rewards.size() == 2);
    CHECK(net2.pending.front().first == "config:v1");
    net2.answer(304, "");
    CHECK(again.state().config->version == "v1");
}

TEST_CASE(
    "redeem: rewards → confirm → outbox → coupon; not enough points is refused before sending") {
    Rig r;
    to_member(r, 1250);
    r.flow.open_rewards(2000);
    CHECK(r.flow.state().screen == Screen::rewards);
    auto v = compose_kiosk_view(r.flow.state(), catalogues(), {});
    REQUIRE(v.actions.size() >= 3);
    CHECK(v.actions[0].enabled);        // coffee 300
    CHECK_FALSE(v.actions[1].enabled);  // cake 5000
    r.flow.choose_reward("cake", 2100);
    CHECK(r.flow.state().screen == Screen::rewards);
    CHECK(r.flow.state().notice->code == "insufficient_points");
    r.flow.choose_reward("coffee", 2200);
    CHECK(r.flow.state().screen == Screen::confirm);
    r.flow.confirm_redeem(2300);
    CHECK(r.flow.state().busy);
    REQUIRE(r.sender.pending.size() == 1);
    const OutboxItem& sent = r.sender.pending.front().first;
    CHECK(sent.path == "/v1/kiosk/redeem");
    CHECK(r.sender.token == "kdt_TEST");  // the outbox sends with the device token too
    CHECK(r.outbox_store.rows.count(sent.op_id) == 1);  // stored before it went out
    const auto body = codec::Json::parse(sent.body);
    CHECK(body["reward_id"] == "coffee");
    CHECK(body["member"]["id"] == "demo-anna");
    CHECK(body["operation_id"].get<std::string>().size() == 32);
    r.flow.confirm_redeem(2350);  // a double tap sends nothing more
    CHECK(r.sender.pending.size() == 1);
    codec::Json answer = codec::Json::parse(member_body(950));
    answer["coupon"] = {{"code", "KC-AAAA-BBBB-CCCC-DD"},
                        {"reward", {{"name", "Coffee"}}},
                        {"expires_at_ms", day_ms * 365 * 57}};
    r.sender.answer(201, answer.dump());
    CHECK(r.flow.state().screen == Screen::coupon);
    CHECK(r.flow.state().member->balance == 950);
    CHECK(r.outbox_store.rows.empty());
    r.flow.set_locale(i18n::Locale::ru, 2400);
    const std::string text = mirror(r.flow);
    CHECK(text.find("KC-AAAA-BBBB-CCCC-DD") != std::string::npos);
    CHECK(text.find("Покажите этот код на кассе") != std::string::npos);
    CHECK(text.find("Действует до") != std::string::npos);
}

TEST_CASE(
    "spin: the server decides, the wheel turns to its segment, reduced motion skips the turn") {
    Rig r;
    to_member(r, 1250, 2);
    r.flow.set_locale(i18n::Locale::en, 1990);
    r.flow.open_spin(2000);
    CHECK(r.flow.state().screen == Screen::spin);
    r.flow.toggle_odds(2010);
    CHECK(mirror(r.flow).find("50 points: 60.0%") != std::string::npos);
    r.flow.spin(2100);
    REQUIRE(r.sender.pending.size() == 1);
    CHECK(r.sender.pending.front().first.path == "/v1/kiosk/spin");
    codec::Json answer = codec::Json::parse(member_body(1300, 1));
    answer["prize"] = {
        {"index", 0}, {"id", "p50"}, {"label", "50 points"}, {"kind", "points"}, {"points", 50}};
    r.flow.tick(2200);
    r.sender.answer(201, answer.dump());
    CHECK(r.flow.animating());
    CHECK(r.flow.wheel_turns(2200) == doctest::Approx(0.0));
    r.flow.tick(6199);
    CHECK(r.flow.animating());
    CHECK(r.flow.state().screen == Screen::spin);  // never signed out mid-spin
    r.flow.tick(6200);
    CHECK_FALSE(r.flow.animating());
    CHECK(r.flow.state().spin->phase == SpinView::Phase::result);
    CHECK(r.flow.wheel_turns(6200) ==
          doctest::Approx(5.75));  // five turns, segment 0 of 2 under the pointer
    CHECK(mirror(r.flow).find("You won 50 points!") != std::string::npos);
    CHECK(r.flow.state().member->balance == 1300);

    r.flow.back(6300);
    r.flow.open_spin(6400);
    r.flow.set_reduced_motion(true, 6500);
    r.flow.spin(6600);
    answer["prize"] = {{"index", 1}, {"id", "none"}, {"label", "Next time"}, {"kind", "nothing"}};
    r.sender.answer(201, answer.dump());
    CHECK_FALSE(r.flow.animating());
    CHECK(r.flow.state().spin->phase == SpinView::Phase::result);
}

TEST_CASE("spin: the commitment shown before, the seed revealed after, checked on the kiosk") {
    const std::string seed = std::string(62, '7') + "0a";
    for (const bool honest : {true, false}) {
        CAPTURE(honest);
        Rig r;
        REQUIRE(r.net.pending.front().first == "config:");
        r.net.answer(200, kConfig);
        r.flow.set_locale(i18n::Locale::en, 900);
        r.flow.scan(kCard, ScanSource::camera, 1000);
        codec::Json looked_up = codec::Json::parse(member_body(1250, 2));
        looked_up["member"]["spin_commitment"] = spins::seed_commitment(seed);
        r.net.answer(200, looked_up.dump());
        r.flow.open_spin(2000);
        CHECK(mirror(r.flow).find("Fairness code: " + grouped_code(spins::seed_commitment(seed))) !=
              std::string::npos);
        r.flow.spin(2100);
        REQUIRE(r.sender.pending.size() == 1);
        const std::string op =
            codec::Json::parse(r.sender.pending.front().first.body)["operation_id"]
                .get<std::string>();
        const std::vector<std::int64_t> weights = {60, 40};
        const spins::SpinCheck c =
            spins::check_spin(seed, spins::seed_commitment(seed), op, weights);
        codec::Json answer = codec::Json::parse(member_body(1300, 1));
        answer["operation_id"] = op;
        answer["prize"] = {{"index", c.draw.prize},
                           {"id", c.draw.prize == 0 ? "p50" : "none"},
                           {"kind", c.draw.prize == 0 ? "points" : "nothing"},
                           {"points", 50}};
        // A dishonest server reveals a seed other than the one it committed to.
        answer["spin"] = codec::encode_spin_proof({honest ? seed : std::string(64, '5'),
                                                   spins::seed_commitment(seed), "", c.draw.ticket,
                                                   100, weights});
        answer["member"]["spin_commitment"] = spins::seed_commitment(std::string(64, '9'));
        r.sender.answer(201, answer.dump());
        r.flow.tick(7000);
        REQUIRE(r.flow.state().spin->phase == SpinView::Phase::result);
        const std::string text = mirror(r.flow);
        // The code shown before the spin stays on screen with its verdict.
        CHECK(text.find("Fairness code: " + grouped_code(spins::seed_commitment(seed))) !=
              std::string::npos);
        CHECK((text.find("Checked: the revealed key matches") != std::string::npos) == honest);
        CHECK((text.find("does not match the fairness code") != std::string::npos) == !honest);
        // Back on the wheel, the next spin's commitment is the one the answer brought.
        r.flow.back(7100);
        r.flow.open_spin(7200);
        CHECK(mirror(r.flow).find(grouped_code(spins::seed_commitment(std::string(64, '9')))) !=
              std::string::npos);
    }
}

TEST_CASE("a kiosk with redeeming switched off lists the rewards without redeem buttons") {
    Rig r;
    to_member(r, 1250);
    r.flow.open_rewards(2000);
    KioskState s = r.flow.state();
    REQUIRE(s.config);
    REQUIRE(s.config->rewards.size() >= 2);
    s.config->device_redeem = false;
    const auto v = compose_kiosk_view(s, catalogues(), {});
    CHECK(std::none_of(v.actions.begin(), v.actions.end(),
                       [](const ViewAction& a) { return a.action == Action::reward; }));
    REQUIRE(v.rewards.size() == s.config->rewards.size());  // each reward as a tile
    CHECK(v.rewards[0].affordable);
    CHECK(v.rewards[0].progress_permille == 1000);
    CHECK_FALSE(v.rewards[1].affordable);
    CHECK(v.rewards[1].progress_permille == 250);  // 1,250 of 5,000
    CHECK(mirror_text(v).find(v.rewards[1].text) != std::string::npos);
    CHECK_FALSE(can_redeem(s, s.config->rewards[0]));  // 300 points, 1250 available

    // A reward the points don't reach says how many more it needs.
    r.flow.set_locale(i18n::Locale::en, 2100);
    const std::string text = mirror(r.flow);
    CHECK(text.find("Cake — 5,000 points · 3,750 more points needed") != std::string::npos);
    CHECK(text.find("Coffee — 300 points\n") != std::string::npos);
}

TEST_CASE("a refused spin says why and the wheel stays ready") {
    Rig r;
    to_member(r, 1250, 1);
    r.flow.set_locale(i18n::Locale::en, 1990);
    r.flow.open_spin(2000);
    r.flow.spin(2100);
    r.sender.answer(409, R"({"error":{"code":"nothing_left","message":"x","field":"wheel_id"}})");
    CHECK(r.flow.state().spin->phase == SpinView::Phase::ready);
    CHECK(r.flow.state().notice->code == "nothing_left");
    CHECK(mirror(r.flow).find("All prizes have been given out") != std::string::npos);
}

TEST_CASE(
    "offline: the cached snapshot is shown as possibly out of date; spins and rewards are "
    "unavailable") {
    Rig r;
    to_member(r, 1250, 2);
    r.flow.sign_out(3000);
    r.flow.scan(kCard, ScanSource::camera, 10000);
    r.net.drop();
    REQUIRE(r.flow.state().screen == Screen::member);
    CHECK(r.flow.state().member_cached);
    CHECK_FALSE(can_spin(r.flow.state()));
    r.flow.set_locale(i18n::Locale::en, 10050);
    const auto v = compose_kiosk_view(r.flow.state(), catalogues(), {});
    CHECK(v.banner.find("may be out of date") != std::string::npos);
    r.flow.open_rewards(10100);
    r.flow.choose_reward("coffee", 10200);
    CHECK(r.flow.state().notice->code == "needs_connection");
    CHECK(r.sender.pending.empty());
}

TEST_CASE("a redemption whose answer is lost stays in the outbox and lands once after a reload") {
    Rig r;
    to_member(r, 1250);
    r.flow.open_rewards(2000);
    r.flow.choose_reward("coffee", 2100);
    r.flow.confirm_redeem(2200);
    const std::string op = r.sender.pending.front().first.op_id;
    r.sender.drop();  // the network failed under the request
    CHECK(r.flow.state().busy);
    r.flow.tick(2300);
    CHECK_FALSE(r.flow.state().online);
    r.flow.set_locale(i18n::Locale::en, 2300);
    CHECK(mirror(r.flow).find("will be sent when the connection is back") != std::string::npos);
    REQUIRE(r.outbox_store.rows.count(op) == 1);

    // The page reloads: a new outbox over the same store sends the stored operation again.
    HeldSender sender2;
    Outbox box2(r.outbox_store, sender2);
    FakeTransport net2;
    KioskFlow flow2(net2, r.storage, box2, r.options());
    box2.restore(5000);
    flow2.start(5000);
    REQUIRE(sender2.pending.size() == 1);
    CHECK(sender2.pending.front().first.op_id == op);
    sender2.answer(201, member_body(950));
    CHECK(r.outbox_store.rows.empty());
    CHECK(flow2.state().screen == Screen::attract);  // the shopper who asked is gone: nothing shown
}

TEST_CASE(
    "raw input keeps the session alive but redraws only when the countdown's seconds change") {
    Rig r;
    to_member(r, 1250);  // idle time 20 s from the config, from t = 1000
    const std::uint64_t at_member = r.flow.revision();
    r.flow.touch(1100);  // the countdown still shows 20 s
    CHECK(r.flow.revision() == at_member);
    CHECK(r.flow.state().idle_deadline_ms == 21100);
    r.flow.tick(3500);  // 18 s left: no countdown on screen yet, nothing to redraw
    CHECK(r.flow.revision() == at_member);
    r.flow.tick(11200);  // 9.9 s left: the countdown shows "10 seconds"
    const std::uint64_t later = r.flow.revision();
    CHECK(later > at_member);
    CHECK(countdown_seconds(r.flow.state()) == 10);
    r.flow.tick(11300);  // still 10 on screen
    CHECK(r.flow.revision() == later);
    r.flow.tick(12200);  // 9
    CHECK(r.flow.revision() > later);
    const std::uint64_t nine = r.flow.revision();
    r.flow.touch(12300);  // "I'm still here": back to 20 s, the countdown goes
    CHECK(r.flow.revision() > nine);
    CHECK(countdown_seconds(r.flow.state()) == 0);
    CHECK(r.flow.state().idle_deadline_ms == 32300);

    r.flow.sign_out(13000);
    const std::uint64_t at_attract = r.flow.revision();
    for (int i = 0; i < 13; ++i) r.flow.touch(13001 + i);  // a scanner's burst on attract
    CHECK(r.flow.revision() == at_attract);
    r.flow.set_locale(i18n::Locale::de, 13100);  // a visible change still redraws
    CHECK(r.flow.revision() > at_attract);
}

TEST_CASE(
    "a lookup answered within the quiet time goes straight to the member; a slow one shows "
    "that it is looking up") {
    Rig r;
    r.net.answer(200, kConfig);
    const std::uint64_t at_attract = r.flow.revision();
    r.flow.scan(kCard, ScanSource::camera, 1000);
    CHECK(r.flow.state().screen == Screen::looking_up);
    r.flow.tick(1100);
    CHECK(r.flow.revision() == at_attract);  // the attract screen stays drawn
    r.net.answer(200, member_body(1250));
    CHECK(r.flow.state().screen == Screen::member);
    CHECK(r.flow.revision() == at_attract + 1);  // one change: the balance
    r.flow.tick(1400);                           // the quiet time is over; nothing more to draw
    CHECK(r.flow.revision() == at_attract + 1);

    r.flow.sign_out(5000);
    const std::uint64_t again = r.flow.revision();
    r.flow.scan(kCard, ScanSource::camera, 10000);
    r.flow.tick(10299);
    CHECK(r.flow.revision() == again);
    r.flow.tick(10300);  // still no answer: "looking up" is drawn
    CHECK(r.flow.revision() == again + 1);
    r.flow.tick(10400);
    CHECK(r.flow.revision() == again + 1);
    r.net.answer(200, member_body(1250));
    CHECK(r.flow.state().screen == Screen::member);
    CHECK(r.flow.revision() == again + 2);
}

TEST_CASE(
    "feedback: a card read once when a lookup opens the member screen, a win when the wheel stops "
    "on a prize") {
    FeedbackWatch watch;
    KioskState s;
    CHECK(watch.next(s) == Feedback::none);  // attract
    s.screen = Screen::looking_up;
    CHECK(watch.next(s) == Feedback::none);
    s.screen = Screen::member;
    CHECK(watch.next(s) == Feedback::card_read);
    CHECK(feedback_name(Feedback::card_read) == "card_read");
    CHECK(watch.next(s) == Feedback::none);  // the same screen drawn again
    s.screen = Screen::rewards;
    CHECK(watch.next(s) == Feedback::none);
    s.screen = Screen::member;  // back from the rewards: no card was read
    CHECK(watch.next(s) == Feedback::none);
    s.screen = Screen::attract;  // signed out
    CHECK(watch.next(s) == Feedback::none);
    s.screen = Screen::member;  // the next card's answer came before a frame showed the lookup
    CHECK(watch.next(s) == Feedback::card_read);

    s.screen = Screen::spin;
    s.spin = SpinView{};
    s.spin->phase = SpinView::Phase::turning;
    s.spin->prize = PrizeView{};
    s.spin->prize->kind = "points";
    s.spin->prize->points = 50;
    CHECK(watch.next(s) == Feedback::none);  // still turning
    s.spin->phase = SpinView::Phase::result;
    CHECK(watch.next(s) == Feedback::win);
    CHECK(feedback_name(Feedback::win) == "win");
    CHECK(watch.next(s) == Feedback::none);

    s.spin->phase = SpinView::Phase::turning;  // another spin lands on "nothing"
    s.spin->prize->kind = "nothing";
    CHECK(watch.next(s) == Feedback::none);
    s.spin->phase = SpinView::Phase::result;
    CHECK(watch.next(s) == Feedback::none);
}
