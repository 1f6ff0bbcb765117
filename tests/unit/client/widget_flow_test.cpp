// The widget's panel against a held network: the public config, a guest's view, signing in
// with a member token, redeeming to a coupon code, a spin, history pages, referral, the
// session's end; and every view in every language with no key left untranslated.
#include "client/widget_flow.hpp"

#include <doctest/doctest.h>

#include "../test_assets.hpp"
#include "client/widget_view.hpp"
#include "codec/catalogue_json.hpp"
#include "codec/member_json.hpp"
#include "core/spins/fair.hpp"
#include "fakes.hpp"

using namespace kopilka;
using namespace kopilka::client;
using codec::Json;

namespace {

const i18n::Catalogues& catalogues() {
    static const i18n::Catalogues c = [] {
        i18n::Catalogues all = *codec::decode_catalogues(testing::catalogue_texts()).value;
        for (const char* set : {"i18n/rules", "widget/i18n"}) {
            const auto more = codec::decode_catalogues(testing::catalogue_texts(set));
            i18n::merge_catalogues(all, *more.value);
        }
        return all;
    }();
    return c;
}

codec::WidgetConfig sample_config() {
    codec::WidgetConfig c;
    c.version = "v1";
    c.merchant_code = "DEMO";
    c.merchant_name = "Demo Shop";
    c.program.id = "p";
    c.program.name = "Points";
    c.program.rewards = {{"coffee", "Coffee", 300}, {"cake", "Cake", 900}};
    c.pictures = {{"coffee", "/v1/widget/picture?merchant=DEMO&reward=coffee&v=0123456789abcdef"}};
    c.program.referral = program::Referral{200, 100, 50000, 5};
    c.views.spin = true;
    c.wheel = codec::WheelView{
        "w", {{"p1", "50 points", "points", 400000, "#FFD54F"}, {"p2", "", "nothing", 600000}},
        400000,
        false, 1};
    c.signin_url = "https://shop.example/signin";
    c.signup_url = "https://shop.example/join";
    return c;
}

members::MemberSnapshot anna(std::int64_t balance = 450) {
    members::MemberSnapshot m{"m-anna", "Anna", "DEMO", balance};
    m.available = balance;
    m.pending = 40;
    m.tier = {"silver", "Silver", "Gold", 1200, 400};
    m.rewards_affordable = {{"coffee", "Coffee", 300}};
    m.reward_next = members::RewardView{"cake", "Cake", 900};
    m.spins_available = 2;
    m.spin_commitment = spins::seed_commitment(std::string(64, 'c'));
    m.history = {{"earn", "base", 1700000000000, 120}};
    return m;
}

struct Rig {
    fakes::HeldTransport net;
    fakes::MemoryOutboxStore store;
    fakes::MemoryStorage storage;
    Outbox outbox{store, net};
    int ops = 0;
    WidgetFlow flow{net, outbox, storage, [this] {
                        WidgetFlowOptions o;
                        o.new_operation_id = [this] {
                            return std::string(31, 'a') + char('0' + ++ops);
                        };
                        return o;
                    }()};
    Rig() { outbox.restore(0); }

    void start() {
        flow.start("DEMO", 0);
        auto [req, done] = net.take();
        CHECK(req.path == "/v1/widget/config?merchant=DEMO");
        CHECK(req.credential.kind == CredentialKind::none);
        done({true, 200, codec::encode_widget_config(sample_config()).dump(), "v1"});
    }
    void sign_in(const members::MemberSnapshot& m = anna(), std::int64_t expires = 600000) {
        flow.set_member_token("mt.sig", 1000);
        auto [req, done] = net.take();
        CHECK(req.path == "/v1/widget/session?merchant=DEMO");
        CHECK(req.credential.secret == "mt.sig");
        done({true, 201, codec::encode_widget_session({"kws_s1", expires, m}).dump(), ""});
    }
    WidgetView view(i18n::Locale l = i18n::Locale::en) {
        flow.set_locale(l);
        return compose_widget_view(flow.state(), catalogues());
    }
};

struct SignedIn : Rig {
    SignedIn() {
        start();
        sign_in();
    }
};

std::string all_text(const WidgetBlock& b) {
    std::string t = b.text + "\n" + b.detail + "\n" + b.label + "\n";
    for (const auto& i : b.items) t += all_text(i);
    return t;
}

std::string all_text(const WidgetView& v) {
    std::string t = v.title + "\n" + v.launcher_label + "\n" + v.heading + "\n" + v.close_label;
    for (const auto& tab : v.tabs) t += "\n" + tab.label;
    for (const auto& b : v.blocks) t += "\n" + all_text(b);
    return t;
}

const WidgetBlock* find(const std::vector<WidgetBlock>& blocks, const std::string& kind) {
    for (const auto& b : blocks)
        if (b.kind == kind) return &b;
    return nullptr;
}
}  // namespace

TEST_CASE("widget flow: a guest sees how to earn, the rewards and the shop's sign-in links") {
    Rig r;
    CHECK(r.view().blocks.at(0).kind == "notice");  // loading
    r.start();
    const WidgetView v = r.view();
    CHECK(v.title == "Demo Shop rewards");
    CHECK(v.launcher_label == "Rewards");
    CHECK(v.heading == "Earn points at Demo Shop");
    const WidgetBlock* link = find(v.blocks, "link");
    REQUIRE(link);
    CHECK(link->href == "https://shop.example/signin");
    const WidgetBlock* how = find(v.blocks, "list");
    REQUIRE(how);
    CHECK(how->label == "How to earn");
    CHECK_FALSE(how->items.empty());
    const WidgetBlock* rewards = &v.blocks.back();
    REQUIRE(rewards->kind == "list");
    REQUIRE(rewards->items.size() == 2);
    CHECK(rewards->items[1].detail == "900 points");
    CHECK(rewards->items[1].action.empty());  // a guest can't redeem
    // The coffee's picture beside its name, from where the config says; the cake has none.
    CHECK(rewards->items[0].picture ==
          "/v1/widget/picture?merchant=DEMO&reward=coffee&v=0123456789abcdef");
    CHECK(rewards->items[1].picture.empty());
    CHECK(encode_widget_view(v)["blocks"].back()["items"][0]["picture"] ==
          rewards->items[0].picture);
    std::vector<std::string> tabs;
    for (const auto& t : v.tabs) tabs.push_back(t.screen);
    CHECK(tabs == std::vector<std::string>{"home", "rewards", "rules"});
    // Member-only screens stay closed to a guest.
    r.flow.open(WidgetScreen::history, 0);
    CHECK(r.flow.state().screen == WidgetScreen::home);
    CHECK(r.flow.token_wanted(0));
}

TEST_CASE("widget flow: signed in, the balance, pending points, tier and rewards show") {
    SignedIn r;
    CHECK(r.flow.state().auth == WidgetAuth::signed_in);
    const WidgetView v = r.view();
    CHECK(v.launcher_label == "Rewards: 450 points");
    CHECK(v.heading == "Hello, Anna!");
    const WidgetBlock* stat = find(v.blocks, "stat");
    REQUIRE(stat);
    CHECK(stat->text == "450");
    CHECK(stat->label == "points");
    const WidgetBlock* tier = find(v.blocks, "progress");
    REQUIRE(tier);
    CHECK(tier->value == 400);
    CHECK(tier->text == "1,200 more points for Gold");
    const std::string text = all_text(v);
    CHECK(text.find("40 points are pending") != std::string::npos);
    CHECK(text.find("450 more points for Cake") != std::string::npos);
    std::vector<std::string> tabs;
    for (const auto& t : v.tabs) tabs.push_back(t.screen);
    CHECK(tabs == std::vector<std::string>{"home", "rewards", "wheel", "referral", "history",
                                           "rules"});
    CHECK_FALSE(r.flow.token_wanted(2000));
    CHECK(r.flow.token_wanted(600000 - 50000));  // a minute before expiry: ask the page
    const auto ru = r.view(i18n::Locale::ru);
    CHECK(ru.launcher_label == "Бонусы: 450 баллов");
}

TEST_CASE("widget flow: redeem → a coupon code, sent once with the session's token") {
    SignedIn r;
    r.flow.open(WidgetScreen::rewards, 0);
    r.flow.choose_reward("cake", 0);  // 900 > 450: refused
    CHECK(r.flow.state().screen == WidgetScreen::rewards);
    CHECK(r.flow.state().notice->code == "insufficient_points");
    r.flow.choose_reward("coffee", 0);
    CHECK(r.flow.state().screen == WidgetScreen::confirm);
    CHECK(all_text(r.view()).find("300 points will be taken") != std::string::npos);
    r.flow.confirm(10);
    r.flow.confirm(11);  // a double click sends nothing more
    auto [req, done] = r.net.take();
    CHECK(r.net.pending.empty());
    CHECK(req.path == "/v1/widget/redeem");
    CHECK(req.credential.secret == "kws_s1");
    const auto body = codec::decode_widget_redeem_request(Json::parse(req.body));
    REQUIRE(body.ok());
    CHECK(body.value->reward_id == "coffee");
    codec::OperationAnswer a;
    a.coupon = codec::CouponView{"KC-AAAA-BBBB-CCCC-DD", "Coffee", 1800000000000, {}};
    a.member = anna(150);
    done({true, 201, codec::encode_operation_answer(a).dump(), ""});
    CHECK(r.flow.state().screen == WidgetScreen::coupon);
    const WidgetView v = r.view();
    const WidgetBlock* code = find(v.blocks, "code");
    REQUIRE(code);
    CHECK(code->text == "KC-AAAA-BBBB-CCCC-DD");
    CHECK(v.launcher_label == "Rewards: 150 points");
}

TEST_CASE("widget flow: a spin turns to the server's prize; odds are one click away") {
    SignedIn r;
    r.flow.open(WidgetScreen::wheel, 0);
    r.flow.toggle_odds();
    CHECK(all_text(r.view()).find("40.0%") != std::string::npos);
    r.flow.spin(100);
    auto [req, done] = r.net.take();
    CHECK(req.path == "/v1/widget/spin");
    codec::OperationAnswer a;
    a.prize = codec::PrizeView{0, "p1", "50 points", "points", 50, ""};
    a.member = anna(500);
    done({true, 201, codec::encode_operation_answer(a).dump(), ""});
    const WidgetView turning = r.view();
    const WidgetBlock* wheel = find(turning.blocks, "wheel");
    REQUIRE(wheel);
    CHECK(wheel->value == 0);
    CHECK(wheel->max == 4000);
    // The merchant's colour for the first prize, labelled in black (it reads better on yellow);
    // the other keeps the theme's.
    REQUIRE(wheel->items.size() == 2);
    CHECK(wheel->items[0].fill == "#FFD54F");
    CHECK(wheel->items[0].ink == "#000000");
    CHECK(wheel->items[1].fill.empty());
    CHECK(encode_widget_view(turning).dump().find("\"fill\":\"#FFD54F\"") != std::string::npos);
    CHECK(r.flow.state().busy);  // the wheel is turning
    r.flow.tick(100 + 4000);
    CHECK_FALSE(r.flow.state().busy);
    CHECK(all_text(r.view()).find("You won 50 points") != std::string::npos);
    CHECK(r.view().launcher_label == "Rewards: 500 points");
}

TEST_CASE("widget flow: the wheel shows the seed's commitment, then recomputes the spin") {
    SignedIn r;
    r.flow.open(WidgetScreen::wheel, 0);
    const std::string seed(64, 'c');
    CHECK(all_text(r.view()).find("Fairness code: " + grouped_code(spins::seed_commitment(seed),
                                                                   64)) != std::string::npos);
    r.flow.spin(100);
    auto [req, done] = r.net.take();
    const std::string op = codec::Json::parse(req.body)["operation_id"].get<std::string>();
    const std::vector<std::int64_t> weights = {1, 1};
    const auto c = spins::check_spin(seed, spins::seed_commitment(seed), op, weights);
    codec::OperationAnswer a;
    a.prize = codec::PrizeView{c.draw.prize, "p", "P", "nothing", 0, ""};
    a.spin = codec::SpinProof{seed, spins::seed_commitment(seed), "", c.draw.ticket, 2, weights};
    a.member = anna(500);
    a.member->spin_commitment = spins::seed_commitment(std::string(64, 'd'));
    done({true, 201, codec::encode_operation_answer(a).dump(), ""});
    r.flow.tick(100 + 4000);
    const std::string text = all_text(r.view());
    CHECK(text.find("Revealed key: " + grouped_code(seed, 64)) != std::string::npos);
    CHECK(text.find("Your code: " + grouped_code(op, 32)) != std::string::npos);
    CHECK(text.find("Checked: the revealed key matches") != std::string::npos);
    // The same answer with a prize the seed does not draw is called out.
    r.flow.spin(5000);
    auto [req2, done2] = r.net.take();
    const std::string op2 = codec::Json::parse(req2.body)["operation_id"].get<std::string>();
    const auto c2 = spins::check_spin(std::string(64, 'd'), "", op2, weights);
    a.prize->index = 1 - c2.draw.prize;
    a.spin = codec::SpinProof{std::string(64, 'd'),
                              spins::seed_commitment(std::string(64, 'd')),
                              "",
                              c2.draw.ticket,
                              2,
                              weights};
    done2({true, 201, codec::encode_operation_answer(a).dump(), ""});
    r.flow.tick(5000 + 4000);
    CHECK(all_text(r.view()).find("does not match the fairness code") != std::string::npos);
}

TEST_CASE("widget flow: history pages until the server says there is no more") {
    SignedIn r;
    r.flow.open(WidgetScreen::history, 0);
    auto [first, done1] = r.net.take();
    CHECK(first.path == "/v1/widget/history?limit=20");
    codec::HistoryPage p1;
    p1.entries = {{"e2", {"earn", "base", 1700000000000, 120}}};
    p1.next_before = "c/2+";
    done1({true, 200, codec::encode_history_page(p1).dump(), ""});
    CHECK(r.flow.state().history.size() == 1);
    r.flow.more_history(0);
    auto [second, done2] = r.net.take();
    CHECK(second.path == "/v1/widget/history?limit=20&before=c%2F2%2B");
    codec::HistoryPage p2;
    p2.entries = {{"e1", {"redeem", "", 1690000000000, -300}}};
    done2({true, 200, codec::encode_history_page(p2).dump(), ""});
    CHECK(r.flow.state().history_done);
    const WidgetView v = r.view();
    CHECK(find(v.blocks, "button") == nullptr);  // no "show older" at the end
    REQUIRE(find(v.blocks, "list"));
    CHECK(find(v.blocks, "list")->items.size() == 2);
}

TEST_CASE("widget flow: referral, a refused token, expiry and late answers") {
    SignedIn r;
    r.flow.open(WidgetScreen::referral, 0);
    auto [req, done] = r.net.take();
    CHECK(req.path == "/v1/widget/referral");
    done({true, 200,
          codec::encode_referral({"ABCD-EFGH", "https://shop.example/join?ref=ABCD-EFGH", 200, 100,
                                  50000, 1, 5})
              .dump(),
          ""});
    const WidgetView v = r.view();
    const WidgetBlock* share = find(v.blocks, "share");
    REQUIRE(share);
    CHECK(share->text == "https://shop.example/join?ref=ABCD-EFGH");
    CHECK(all_text(v).find("at least \u20BD500") != std::string::npos);

    // A history request is out when the session ends: its answer is no one's.
    r.flow.open(WidgetScreen::history, 0);
    auto [late, late_done] = r.net.take();
    r.flow.tick(600000);
    CHECK(r.flow.state().auth == WidgetAuth::guest);
    CHECK(r.flow.state().auth_error->code == "session_expired");
    late_done(
        {true, 200, codec::encode_history_page({{{"e", {"earn", "", 1, 5}}}, ""}).dump(), ""});
    CHECK(r.flow.state().history.empty());

    // A replayed token is refused with its reason.
    r.flow.set_member_token("old.token", 700000);
    auto [again, refused] = r.net.take();
    refused({true, 401, codec::error_json("token_replayed", "seen before").dump(), ""});
    CHECK(r.flow.state().auth == WidgetAuth::guest);
    CHECK(all_text(r.view()).find("already used") != std::string::npos);
}

TEST_CASE("widget view: every screen in every language, nothing left untranslated") {
    for (const i18n::Locale l : i18n::all_locales) {
        Rig r;
        r.start();
        CHECK(all_text(r.view(l)).find("widget.") == std::string::npos);
        r.sign_in();
        for (const WidgetScreen s : {WidgetScreen::home, WidgetScreen::rewards,
                                     WidgetScreen::wheel, WidgetScreen::rules}) {
            r.flow.open(s, 0);
            if (s == WidgetScreen::wheel) r.flow.toggle_odds();
            const std::string text = all_text(r.view(l));
            INFO(i18n::locale_tag(l), " ", widget_screen_name(s), "\n", text);
            CHECK(text.find("widget.") == std::string::npos);
            CHECK(text.find("member.") == std::string::npos);
            CHECK(text.find("rules.") == std::string::npos);
        }
        r.flow.open(WidgetScreen::rewards, 0);
        r.flow.choose_reward("coffee", 0);
        CHECK(all_text(r.view(l)).find("widget.") == std::string::npos);
        CHECK(i18n::missing_keys(catalogues(), l).empty());
    }
}
