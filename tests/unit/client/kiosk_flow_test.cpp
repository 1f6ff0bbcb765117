#include <doctest/doctest.h>

#include <deque>

#include "client/kiosk_flow.hpp"
#include "client/kiosk_state_json.hpp"
#include "client/kiosk_view.hpp"
#include "codec/catalogue_json.hpp"
#include "codec/member_json.hpp"
#include "core/cards/card_code.hpp"
#include "../test_assets.hpp"

using namespace kopilka;
using namespace kopilka::client;

namespace {
// Answers are held until the test releases them, as a network would.
struct FakeTransport : Transport {
    std::deque<std::pair<std::string, std::function<void(TransportReply)>>> pending;
    void lookup_member(const std::string& code, std::function<void(TransportReply)> done) override {
        pending.emplace_back(code, std::move(done));
    }
    void answer(int status, std::string body) {
        auto p = std::move(pending.front());
        pending.pop_front();
        p.second({true, status, std::move(body)});
    }
};

std::string member_body(std::int64_t balance) {
    members::MemberSnapshot m;
    m.id = "demo-anna";
    m.name = "Anna";
    m.merchant = "DEMO";
    m.balance = balance;
    m.tier = {"silver", "Silver", "Gold", 3750, 62};
    return codec::Json{{"member", codec::encode_member(m)}}.dump();
}

const i18n::Catalogues& catalogues() {
    static const i18n::Catalogues c = *codec::decode_catalogues(testing::catalogue_texts()).value;
    return c;
}

const std::string kCard = cards::qr_card_payload("DEMO", "2000000000015", "k");
}  // namespace

TEST_CASE("scan → looking up → member → idle sign-out") {
    FakeTransport net;
    KioskFlow flow(net);
    CHECK(flow.state().screen == Screen::attract);
    CHECK(flow.wants_camera());
    flow.scan(kCard, ScanSource::camera, 1000);
    CHECK(flow.state().screen == Screen::looking_up);
    CHECK_FALSE(flow.wants_camera());
    REQUIRE(net.pending.size() == 1);
    CHECK(net.pending.front().first == kCard);
    net.answer(200, member_body(1250));
    REQUIRE(flow.state().screen == Screen::member);
    CHECK(flow.state().member->balance == 1250);

    flow.tick(20000);
    CHECK(flow.state().screen == Screen::member);
    flow.touch(25000);  // "I'm still here"
    flow.tick(50000);
    CHECK(flow.state().screen == Screen::member);
    flow.tick(55000);
    CHECK(flow.state().screen == Screen::attract);
    CHECK_FALSE(flow.state().member.has_value());  // nothing personal left
}

TEST_CASE("a malformed code never reaches the network; the error screen says why") {
    FakeTransport net;
    KioskFlow flow(net);
    flow.scan("4006381333932", ScanSource::keypad, 0);
    CHECK(net.pending.empty());
    REQUIRE(flow.state().screen == Screen::error);
    CHECK(flow.state().error->code == "bad_check_digit");
    const auto view = compose_kiosk_view(flow.state(), catalogues(), {});
    CHECK(mirror_text(view).find("опечатка") != std::string::npos);
}

TEST_CASE("server errors and lost connections are shown, localised by code") {
    FakeTransport net;
    KioskFlow flow(net);
    flow.set_locale(i18n::Locale::de, 0);
    flow.scan(kCard, ScanSource::camera, 0);
    net.answer(404, R"({"error":{"code":"not_found","message":"no member has this card","field":"code"}})");
    CHECK(flow.state().error->code == "not_found");
    CHECK(mirror_text(compose_kiosk_view(flow.state(), catalogues(), {})).find("Diese Karte kennen wir nicht") != std::string::npos);

    flow.sign_out(1);
    flow.scan(kCard, ScanSource::camera, 5000);
    net.pending.front().second({false, 0, ""});
    net.pending.clear();
    CHECK(flow.state().error->code == "offline");

    flow.sign_out(2);
    flow.scan(kCard, ScanSource::camera, 9000);
    net.answer(500, "<html>oops</html>");
    CHECK(flow.state().error->code == "server_error");
}

TEST_CASE("an answer that arrives after sign-out does not bring the member back") {
    FakeTransport net;
    KioskFlow flow(net);
    flow.scan(kCard, ScanSource::camera, 0);
    flow.sign_out(10);
    net.answer(200, member_body(5));
    CHECK(flow.state().screen == Screen::attract);
    CHECK_FALSE(flow.state().member.has_value());
}

TEST_CASE("the same card seen again while its member is shown is ignored; keypad submits") {
    FakeTransport net;
    KioskFlow flow(net);
    flow.scan(kCard, ScanSource::camera, 0);
    net.answer(200, member_body(1));
    flow.scan(kCard, ScanSource::camera, 500);
    CHECK(net.pending.empty());
    flow.keypad_open(true, 600);
    CHECK(flow.state().screen == Screen::scan);
    for (char c : std::string("4006381333931")) flow.keypad_press(c, 700);
    flow.keypad_submit(800);
    REQUIRE(net.pending.size() == 1);
    CHECK(net.pending.front().first == "4006381333931");
    CHECK(flow.state().last_source == ScanSource::keypad);
}

TEST_CASE("the member view speaks every language with the right plural forms") {
    FakeTransport net;
    KioskFlow flow(net);
    flow.scan(kCard, ScanSource::camera, 0);
    net.answer(200, member_body(1250));
    struct Case { i18n::Locale l; const char* balance; const char* gap; };
    const Case cases[] = {
        {i18n::Locale::ru, "Баланс: 1\u00A0250 баллов", "Ещё 3\u00A0750 баллов до уровня Gold"},
        {i18n::Locale::de, "Guthaben: 1.250 Bonuspunkte", "Noch 3.750 Punkte bis Gold"},
        {i18n::Locale::lv, "Atlikums: 1\u00A0250 punktu", "Vēl 3\u00A0750 punktu līdz līmenim Gold"},
        {i18n::Locale::en, "Balance: 1,250 points", "3,750 more points for Gold"},
    };
    for (const auto& c : cases) {
        flow.set_locale(c.l, 100);
        const auto v = compose_kiosk_view(flow.state(), catalogues(), {});
        REQUIRE(v.lines.size() >= 3);
        CHECK(v.lines[0] == c.balance);
        CHECK(v.lines[2] == c.gap);
        CHECK(v.progress_permille == 62);
        CHECK_FALSE(v.countdown.empty());
    }
    const auto state = codec::Json::parse(encode_kiosk_state(flow, compose_kiosk_view(flow.state(), catalogues(), {})));
    CHECK(state["screen"] == "member");
    CHECK(state["member"]["balance"] == 1250);
    CHECK(state["mirror"].get<std::string>().find("1,250") != std::string::npos);
}
