// Every widget wire type: encode → decode → the same encoding, a decode of the JSON the server
// sends (extra fields tolerated where the panel reads), and errors that name the field where
// the server reads strictly.
#include "codec/widget_json.hpp"

#include <doctest/doctest.h>

#include "round_trip.hpp"

using namespace kopilka;
using codec::Json;

namespace {
codec::WidgetSettings sample_settings() {
    codec::WidgetSettings s;
    s.origins = {"https://shop.example", "http://localhost:8081", "http://127.0.0.1:8081"};
    s.views.spin = true;
    s.spin_wheel_id = "w1";
    s.signup_url = "https://shop.example/signup";
    s.signin_url = "https://shop.example/signin?back=/account";
    s.referral_url = "https://shop.example/join?ref={code}";
    s.version = 4;
    return s;
}

std::string settings_error(const Json& j) {
    return codec::decode_widget_settings(j).error.field;
}
}  // namespace

TEST_CASE("widget json: settings round-trip; the server refuses bad origins, URLs and keys") {
    const codec::WidgetSettings back = round_trip(sample_settings(), codec::encode_widget_settings,
                                                  codec::decode_widget_settings);
    CHECK(back.origins.size() == 3);
    CHECK(back.views.spin);
    CHECK(back.views.history);
    CHECK(back.spin_wheel_id == "w1");
    CHECK(back.theme_id.empty());
    CHECK(back.version == 4);
    CHECK(codec::encode_widget_settings(back)["theme_id"].is_null());

    // What a console sends: only what it changes, nulls for "none".
    auto d = codec::decode_widget_settings(Json::parse(
        R"({"origins": ["https://a.example"], "theme_id": null, "views": {"redeem": false}})"));
    REQUIRE(d.ok());
    CHECK(!d.value->views.redeem);
    CHECK(d.value->views.referral);
    CHECK(!d.value->views.spin);

    Json bad = codec::encode_widget_settings(sample_settings());
    bad["colour"] = "red";
    CHECK(settings_error(bad) == "colour");
    bad = codec::encode_widget_settings(sample_settings());
    bad["views"]["chat"] = true;
    CHECK(settings_error(bad) == "views.chat");
    bad = codec::encode_widget_settings(sample_settings());
    bad["origins"][1] = "https://shop.example/";
    CHECK(settings_error(bad) == "origins[1]");
    bad["origins"][1] = "https://shop.example";
    CHECK(settings_error(bad) == "origins[1]");  // twice
    bad = codec::encode_widget_settings(sample_settings());
    bad["signup_url"] = "javascript:alert(1)";
    CHECK(settings_error(bad) == "signup_url");
    bad = codec::encode_widget_settings(sample_settings());
    bad["referral_url"] = "https://shop.example/join";
    CHECK(settings_error(bad) == "referral_url");
    bad = codec::encode_widget_settings(sample_settings());
    bad["spin_wheel_id"] = nullptr;
    CHECK(settings_error(bad) == "spin_wheel_id");
    bad = codec::encode_widget_settings(sample_settings());
    bad["views"]["spin"] = "yes";
    CHECK(settings_error(bad) == "views.spin");
    bad = codec::encode_widget_settings(sample_settings());
    bad["origins"] = Json::array();
    for (int i = 0; i <= 20; ++i) bad["origins"].push_back("https://s" + std::to_string(i) + ".x");
    CHECK(settings_error(bad) == "origins");
}

TEST_CASE("widget json: origins are valid only as a browser sends them") {
    for (const char* good : {"https://shop.example", "http://localhost:8081",
                             "http://127.0.0.1:8081", "https://a-b.c.example:8443",
                             "http://[::1]:3000"})
        CHECK_MESSAGE(codec::widget_origin_valid(good), good);
    for (const char* bad :
         {"", "shop.example", "ftp://shop.example", "https://", "https://Shop.example",
          "https://shop.example/", "https://shop.example:443", "http://shop.example:80",
          "https://shop.example:0", "https://shop.example:65536", "https://shop.example:08081",
          "https://user@shop.example", "https://shop.example?x", "https://.example",
          "https://shop.example:"})
        CHECK_MESSAGE(!codec::widget_origin_valid(bad), bad);
}

TEST_CASE("widget json: the config round-trips, and the server's config decodes") {
    codec::WidgetConfig c;
    c.version = "00ff00ff";
    c.merchant_code = "demo";
    c.merchant_name = "Demo Shop";
    c.currency = money::Currency::EUR;
    c.program.id = "p";
    c.program.name = "Points";
    c.program.currency = money::Currency::EUR;
    c.program.rewards = {{"coffee", "Coffee", 300}};
    c.program.referral = program::Referral{200, 100, 50000, 5};
    c.program_version = 3;
    c.has_theme = true;
    c.theme.name = "Night";
    c.theme.accent = {1, 2, 3, 255};
    c.views.spin = true;
    c.wheel = codec::WheelView{"w1",
                               {{"p1", "50 points", "points", 250000},
                                {"p2", "", "nothing", 750000}},
                               250000,
                               false,
                               2};
    c.signup_url = "https://shop.example/signup";
    c.pictures = {{"coffee", "/v1/widget/picture?merchant=demo&reward=coffee&v=00ff00ff00ff00ff"},
                  {"cake", "https://cdn.shop.example/cake.webp"}};
    const codec::WidgetConfig back =
        round_trip(c, codec::encode_widget_config, codec::decode_widget_config);
    CHECK(back.pictures == c.pictures);
    CHECK(back.program.rewards.size() == 1);
    CHECK(back.program.referral->inviter_bonus == 200);
    CHECK(back.theme.accent.g == 2);
    CHECK(back.wheel->prizes[1].kind == "nothing");
    CHECK(back.views.spin);
    CHECK(back.signin_url.empty());
    c.has_theme = false;
    c.wheel.reset();
    CHECK(round_trip(c, codec::encode_widget_config, codec::decode_widget_config).theme.name ==
          "Demo Shop");

    const Json server = Json::parse(R"({
      "version": "abc", "merchant": {"code": "demo", "name": "Demo", "currency": "RUB"},
      "program": {"id": "p", "rewards": [{"id": "coffee", "name": "Coffee", "cost_points": 300}]},
      "program_version": 2, "theme": null, "wheel": null, "news": [1, 2],
      "views": {"history": true, "redeem": true, "referral": false, "spin": false, "quiz": true},
      "signup_url": "http://localhost:8081/signup.html", "signin_url": ""})");
    auto d = codec::decode_widget_config(server);
    REQUIRE(d.ok());
    CHECK(d.value->merchant_code == "demo");
    CHECK(d.value->program.rewards[0].cost_points == 300);
    CHECK(!d.value->views.referral);
    CHECK(!d.value->wheel);
    CHECK(d.value->signup_url == "http://localhost:8081/signup.html");

    Json bad = server;
    bad["program"]["rewards"][0].erase("cost_points");
    CHECK(codec::decode_widget_config(bad).error.field == "program.rewards[0].cost_points");
    bad = server;
    bad["wheel"] = {{"id", "w1"}};
    CHECK(codec::decode_widget_config(bad).error.field == "wheel.prizes");
    bad = server;
    bad["theme"] = "dark";
    CHECK(codec::decode_widget_config(bad).error.field == "theme");
    bad = server;
    bad.erase("merchant");
    CHECK(codec::decode_widget_config(bad).error.field == "merchant");
    // A picture's address is the server's or https://: nothing a page would run or leak.
    bad = server;
    bad["pictures"] = {{"coffee", "javascript:alert(1)"}};
    CHECK(codec::decode_widget_config(bad).error.field == "pictures.coffee");
    bad["pictures"] = {{"coffee", "http://tracker.example/p.gif"}};
    CHECK(codec::decode_widget_config(bad).error.field == "pictures.coffee");
    bad["pictures"] = {{"coffee", 7}};
    CHECK(codec::decode_widget_config(bad).error.field == "pictures.coffee");
    bad["pictures"] = Json::array();
    CHECK(codec::decode_widget_config(bad).error.field == "pictures");
}

TEST_CASE("widget json: the session round-trips; no token is an error") {
    codec::WidgetSession s;
    s.token = "kws_abcdef";
    s.expires_at_ms = 1795000000000;
    s.member = {"m1", "Anna", "demo", 1250};
    s.member.available = 950;
    const codec::WidgetSession back =
        round_trip(s, codec::encode_widget_session, codec::decode_widget_session);
    CHECK(back.token == "kws_abcdef");
    CHECK(back.member.available == 950);

    Json bad = codec::encode_widget_session(s);
    bad.erase("token");
    CHECK(codec::decode_widget_session(bad).error.field == "token");
    bad = codec::encode_widget_session(s);
    bad["member"].erase("balance");
    CHECK(codec::decode_widget_session(bad).error.field == "member.balance");
}

TEST_CASE("widget json: a history page round-trips; the last page has no cursor") {
    codec::HistoryPage p;
    p.entries = {{"0a0b", {"earn", "base", 1794000000000, 120}},
                 {"0a0a", {"redeem", "", 1793000000000, -300}}};
    p.next_before = "0a0a";
    const codec::HistoryPage back =
        round_trip(p, codec::encode_history_page, codec::decode_history_page);
    CHECK(back.entries[1].entry.points == -300);
    CHECK(back.next_before == "0a0a");
    p.next_before.clear();
    CHECK(codec::encode_history_page(p)["next_before"].is_null());
    CHECK(round_trip(p, codec::encode_history_page, codec::decode_history_page)
              .next_before.empty());

    Json bad = codec::encode_history_page(p);
    bad["entries"][1].erase("at_ms");
    CHECK(codec::decode_history_page(bad).error.field == "entries[1].at_ms");
    CHECK(codec::decode_history_page(Json::object()).error.field == "entries");
}

TEST_CASE("widget json: redeem and spin requests round-trip; the server refuses the rest") {
    const std::string op = "0123456789abcdef0123456789abcdef";
    const codec::WidgetRedeemRequest r = round_trip(codec::WidgetRedeemRequest{op, "coffee"},
                                                    codec::encode_widget_redeem_request,
                                                    codec::decode_widget_redeem_request);
    CHECK(r.reward_id == "coffee");
    CHECK(round_trip(codec::WidgetSpinRequest{op}, codec::encode_widget_spin_request,
                     codec::decode_widget_spin_request)
              .operation_id == op);

    CHECK(codec::decode_widget_redeem_request(Json{{"operation_id", op}}).error.field ==
          "reward_id");
    CHECK(codec::decode_widget_redeem_request(
              Json{{"operation_id", op}, {"reward_id", "coffee"}, {"member", {{"id", "m2"}}}})
              .error.field == "member");
    CHECK(codec::decode_widget_spin_request(Json{{"operation_id", "xyz"}}).error.field ==
          "operation_id");
    CHECK(codec::decode_widget_spin_request(Json{{"operation_id", op}, {"wheel_id", "w2"}})
              .error.field == "wheel_id");
}

TEST_CASE("widget json: the referral view round-trips, and the server's view decodes") {
    const codec::ReferralView v{
        "ABCD-EFGH", "https://shop.example/join?ref=ABCD-EFGH", 200, 100, 50000, 1, 5};
    const codec::ReferralView back =
        round_trip(v, codec::encode_referral, codec::decode_referral);
    CHECK(back.link == v.link);
    CHECK(back.per_month_max == 5);
    auto d = codec::decode_referral(
        Json::parse(R"({"code": "ABCD-EFGH", "link": "x", "inviter_points": 10, "shared": 3})"));
    REQUIRE(d.ok());
    CHECK(d.value->inviter_points == 10);
    CHECK(codec::decode_referral(Json{{"link", "x"}}).error.field == "code");
}
