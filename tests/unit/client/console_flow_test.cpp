// The console's flow against a held network: sign-in and its refusals, the stored session, the
// role's sections, the theme draft through save, conflict, publish and an expired session,
// kiosks and the audit log's paging. Every request is checked as the server would see it.
#include "client/console_flow.hpp"

#include <doctest/doctest.h>

#include "../test_assets.hpp"
#include "codec/catalogue_json.hpp"
#include "codec/theme_json.hpp"
#include "fakes.hpp"

using namespace kopilka;
using namespace kopilka::client;
using kopilka::client::fakes::HeldTransport;
using kopilka::client::fakes::MemoryStorage;

namespace {

constexpr const char* kSession =
    R"({"token":"kcs_abc","expires_at_ms":90000000,"user":{"id":"u1",)"
    R"("email":"owner@demo.example",)"
    R"("name":"Olga","role":"ROLE"},)"
    R"("merchant":{"code":"demo","name":"Demo Shop","currency":"EUR"}})";

std::string session_body(const char* role = "owner") {
    std::string s = kSession;
    s.replace(s.find("ROLE"), 4, role);
    return s;
}

std::string theme_json(const char* accent) {
    theme::Theme t;
    t.name = "Demo";
    t.accent = *codec::parse_color(accent);
    return codec::encode_theme(t).dump();
}

struct Console {
    HeldTransport net;
    MemoryStorage session_store, draft_store;
    ConsoleFlow flow{net, session_store, draft_store};

    // The next request, checked; then answered.
    Request next(const char* method, const std::string& path) {
        REQUIRE_FALSE(net.pending.empty());
        const Request& r = net.pending.front().first;
        CHECK(r.method == method);
        CHECK(r.path == path);
        return r;
    }
    void answer(int status, const std::string& body) { net.answer(status, body); }

    void sign_in(const char* role = "owner") {
        flow.start(1000);
        SignInForm& f = flow.sign_in_form();
        f.merchant = "demo";
        f.email = "owner@demo.example";
        f.password = "correct horse";
        flow.sign_in(1000);
        const Request r = next("POST", "/v1/console/session");
        CHECK(r.credential.kind == CredentialKind::none);
        CHECK(codec::Json::parse(r.body)["password"] == "correct horse");
        answer(200, session_body(role));
    }
    // Signed in as the owner, on `section`, with nothing else asked yet.
    void on(ConsoleSection section) {
        sign_in();
        net.pending.clear();
        flow.open_section(section);
    }
    // The theme list with one theme at version 3, published.
    void open_themes() {
        next("GET", "/v1/admin/themes");
        answer(200, R"({"themes":[{"id":"main","version":3,"updated_at_ms":5,"theme":)" +
                        theme_json("#D94F2B") + "}]}");
        next("GET", "/v1/admin/themes/published");
        answer(200, R"({"theme_id":"main","version":3})");
        next("GET", "/v1/admin/themes/main/versions");
        answer(200, R"({"versions":[{"version":3,"updated_at_ms":5,"by":{"kind":"user","id":"u1",)"
                    R"("label":"Olga"}}]})");
    }
};

}  // namespace

TEST_CASE("console: a role sees the sections the server lets it use") {
    CHECK(visible_sections(StaffRole::owner).size() == 10);
    CHECK(visible_sections(StaffRole::manager).size() == 10);
    // Support looks members up and adjusts their points.
    CHECK(visible_sections(StaffRole::support) ==
          std::vector{ConsoleSection::overview, ConsoleSection::members});
    // The simulator writes nothing and asks the server nothing: every role but support; the
    // reports are read by every role but support.
    CHECK(visible_sections(StaffRole::viewer) ==
          std::vector{ConsoleSection::overview, ConsoleSection::reports,
                      ConsoleSection::simulator});
    CHECK(staff_role_from_name("manager") == StaffRole::manager);
    CHECK_FALSE(staff_role_from_name("admin"));
}

TEST_CASE("console: signing in keeps the token for the tab and opens the theme editor") {
    Console c;
    c.sign_in();
    const ConsoleState& s = c.flow.state();
    CHECK(s.signed_in);
    CHECK(s.session.token == "kcs_abc");
    CHECK(s.session.role == StaffRole::owner);
    CHECK(s.session.merchant_name == "Demo Shop");
    CHECK(s.sign_in.password.empty());  // not kept once used
    CHECK(s.section == ConsoleSection::themes);
    CHECK(c.session_store.get("kopilka.console.session").find("kcs_abc") != std::string::npos);
    const Request r = c.next("GET", "/v1/admin/themes");
    CHECK(r.credential.kind == CredentialKind::staff);
    CHECK(authorization_header(r.credential) == "Bearer kcs_abc");

    // A reload: the stored session is checked with the server, not trusted blindly.
    Console again;
    again.session_store.values = c.session_store.values;
    again.flow.start(2000);
    CHECK(again.flow.state().signed_in);
    again.next("GET", "/v1/console/session");
    again.answer(401, R"({"error":{"code":"session_expired","message":"expired"}})");
    CHECK_FALSE(again.flow.state().signed_in);
    CHECK(again.flow.state().session_expired);
    CHECK(again.flow.state().sign_in.email == "owner@demo.example");
    CHECK(again.session_store.values.empty());

    // Signing out tells the server and forgets the token.
    c.flow.sign_out();
    CHECK_FALSE(c.flow.state().signed_in);
    CHECK(c.session_store.values.empty());
    CHECK(c.net.pending.back().first.method == "DELETE");
}

TEST_CASE("console: sign-in refusals say why, and a throttled one waits") {
    Console c;
    c.flow.start(0);
    c.flow.sign_in(0);
    REQUIRE(c.flow.state().sign_in.error);
    CHECK(c.flow.state().sign_in.error->field == "merchant");
    CHECK(c.net.pending.empty());

    SignInForm& f = c.flow.sign_in_form();
    f.merchant = "demo";
    f.email = "x@y.z";
    f.password = "wrong password";
    c.flow.sign_in(1000);
    CHECK(c.flow.state().sign_in.busy);
    c.answer(401, R"({"error":{"code":"invalid_credentials","message":"no"}})");
    CHECK(c.flow.state().sign_in.error->code == "invalid_credentials");
    CHECK_FALSE(c.flow.state().signed_in);

    c.flow.sign_in(2000);
    c.answer(429, R"({"error":{"code":"throttled","message":"wait","retry_after_s":30}})");
    CHECK(c.flow.state().sign_in.error->retry_after_s == 30);
    CHECK(c.flow.state().sign_in.retry_until_ms == 32000);
    c.flow.sign_in(10000);  // too early: nothing sent
    CHECK(c.net.pending.empty());
    c.flow.tick(32000);
    c.flow.sign_in(32000);
    CHECK(c.net.pending.size() == 1);
}

TEST_CASE("console: support and viewer get the overview only") {
    Console c;
    c.sign_in("support");
    CHECK(c.flow.state().section == ConsoleSection::overview);
    CHECK(c.net.pending.empty());  // no admin route asked for
    c.flow.open_section(ConsoleSection::themes);
    CHECK(c.flow.state().section == ConsoleSection::overview);
    CHECK(c.net.pending.empty());
}

TEST_CASE("console: a theme edit is saved with If-Match, and a conflict keeps the draft") {
    Console c;
    c.sign_in();
    c.open_themes();
    const ConsoleState& s = c.flow.state();
    CHECK(s.themes.id == "main");
    CHECK(s.themes.version == 3);
    CHECK(s.themes.published_version == 3);
    CHECK(s.themes.versions.size() == 1);
    CHECK_FALSE(s.themes.dirty);

    const std::uint64_t before = c.flow.revision();
    c.flow.draft().accent = *codec::parse_color("#0055AA");
    c.flow.draft_changed(10000);
    CHECK(c.flow.revision() > before);
    CHECK(s.themes.dirty);
    c.flow.tick(10600);  // written at most twice a second
    CHECK(c.draft_store.get("kopilka.console.draft").find("#0055AA") != std::string::npos);

    c.flow.save();
    Request r = c.next("PUT", "/v1/admin/themes/main");
    CHECK(r.if_match == "3");
    CHECK(codec::Json::parse(r.body)["colors"]["accent"] == "#0055AA");
    c.answer(412, R"({"error":{"code":"version_conflict","message":"changed by someone else",)"
                  R"("field":"If-Match","current_version":4}})");
    CHECK(s.themes.conflict);
    CHECK(s.themes.dirty);
    CHECK(codec::color_text(s.themes.draft.accent) == "#0055AA");
    CHECK(c.draft_store.get("kopilka.console.draft").find("#0055AA") != std::string::npos);

    // Reload: theirs replaces the draft.
    c.flow.reload_theme();
    c.next("GET", "/v1/admin/themes/main");
    c.answer(200, R"({"id":"main","version":4,"theme":)" + theme_json("#112233") + "}");
    CHECK_FALSE(s.themes.conflict);
    CHECK_FALSE(s.themes.dirty);
    CHECK(s.themes.version == 4);
    CHECK(codec::color_text(s.themes.draft.accent) == "#112233");
    c.next("GET", "/v1/admin/themes/main/versions");
    c.answer(200, R"({"versions":[]})");

    // A save that goes through; then publishing it.
    c.flow.draft().corner_radius_px = 4;
    c.flow.draft_changed(20000);
    c.flow.save();
    r = c.next("PUT", "/v1/admin/themes/main");
    CHECK(r.if_match == "4");
    c.answer(200, R"({"id":"main","version":5})");
    CHECK(s.themes.version == 5);
    CHECK_FALSE(s.themes.dirty);
    CHECK(s.themes.done == "saved");
    CHECK(c.draft_store.values.empty());  // nothing left to lose
    c.next("GET", "/v1/admin/themes/main/versions");
    c.answer(200, R"({"versions":[]})");

    c.flow.publish();
    r = c.next("POST", "/v1/admin/themes/main/publish");
    CHECK(codec::Json::parse(r.body) == codec::Json::parse(R"({"version":5,)"
                                                           R"("confirm_low_contrast":false})"));
    c.answer(409, R"({"error":{"code":"low_contrast","message":"fails AA",)"
                  R"("failures":[{"pair":"text/background","ratio_x100":312}]}})");
    REQUIRE(s.themes.low_contrast.size() == 1);
    CHECK(s.themes.low_contrast[0].ratio_x100 == 312);
    CHECK(s.themes.confirm_version == 5);
    c.flow.publish(true);  // the confirmation
    r = c.next("POST", "/v1/admin/themes/main/publish");
    CHECK(codec::Json::parse(r.body)["confirm_low_contrast"] == true);
    c.answer(200, R"({"published":{"theme_id":"main","version":5}})");
    CHECK(s.themes.published_version == 5);
    CHECK(s.themes.done == "published");
    CHECK(s.themes.low_contrast.empty());

    // Revert: publish an older version.
    c.flow.revert(3);
    r = c.next("POST", "/v1/admin/themes/main/publish");
    CHECK(codec::Json::parse(r.body)["version"] == 3);
}

TEST_CASE("console: an expired session keeps the draft, which the next sign-in brings back") {
    Console c;
    c.sign_in();
    c.open_themes();
    c.flow.draft().name = "Summer";
    c.flow.draft_changed(5000);
    c.flow.save();
    c.next("PUT", "/v1/admin/themes/main");
    c.answer(401, R"({"error":{"code":"session_expired","message":"expired"}})");
    CHECK_FALSE(c.flow.state().signed_in);
    CHECK(c.flow.state().session_expired);
    CHECK(c.draft_store.get("kopilka.console.draft").find("Summer") != std::string::npos);

    c.sign_in();
    CHECK(c.flow.state().themes.draft.name == "Summer");
    CHECK(c.flow.state().themes.dirty);
    c.next("GET", "/v1/admin/themes");
    c.answer(200,
             R"({"themes":[{"id":"main","version":3,"theme":)" + theme_json("#D94F2B") + "}]}");
    CHECK(c.flow.state().themes.draft.name == "Summer");  // the list does not overwrite it
}

TEST_CASE("console: a new theme is saved with If-Match 0 under an id from its name") {
    Console c;
    c.sign_in();
    c.open_themes();
    c.flow.new_theme();
    CHECK(c.flow.state().themes.id == "demo-shop");
    CHECK(c.flow.state().themes.is_new);
    c.flow.save();
    const Request r = c.next("PUT", "/v1/admin/themes/demo-shop");
    CHECK(r.if_match == "0");
    c.answer(400, R"({"error":{"code":"invalid_value","message":"colors.accent is bad",)"
                  R"("field":"colors.accent"}})");
    REQUIRE(c.flow.state().themes.error);
    CHECK(c.flow.state().themes.error->field == "colors.accent");
    CHECK(c.flow.state().themes.is_new);

    const std::vector<ThemeListItem> taken{{"shop", "", 1, 0, {}}, {"shop-2", "", 1, 0, {}}};
    CHECK(theme_id_for("Shop", taken) == "shop-3");
    CHECK(theme_id_for("Ēdnīca & Co!", {}) == "dn-ca-co");
    CHECK(theme_id_for("", {}) == "theme");
}

TEST_CASE("console: kiosks are listed, paired, changed with If-Match and revoked on confirmation") {
    Console c;
    c.on(ConsoleSection::kiosks);
    c.next("GET", "/v1/admin/devices");
    c.answer(200, R"({"devices":[{"id":"d1","name":"Till 1","created_at_ms":1,"last_seen_ms":2,)"
                  R"("app_version":"abc","online":true,"revoked":false,"settings":)"
                  R"({"idle_seconds":null,"wheel":true,"redeem":false},"version":7}]})");
    const KiosksState& k = c.flow.state().kiosks;
    REQUIRE(k.devices.size() == 1);
    CHECK(k.devices[0].online);
    CHECK_FALSE(k.devices[0].settings.idle_seconds);
    CHECK_FALSE(k.devices[0].settings.redeem);

    c.flow.create_pairing_code("Door");
    c.next("POST", "/v1/admin/devices/pairing-codes");
    c.answer(200, R"({"code":"ABCD-EFGH","expires_at_ms":600000})");
    REQUIRE(k.pairing);
    CHECK(k.pairing->code == "ABCD-EFGH");
    c.flow.set_pairing_qr("ABCD-EFGH", {"101", "010", "101"});
    CHECK(k.pairing->qr.size() == 3);

    DeviceSettings set = k.devices[0].settings;
    set.idle_seconds = 45;
    c.flow.set_device_settings("d1", set);
    Request r = c.next("PUT", "/v1/admin/devices/d1");
    CHECK(r.if_match == "7");
    CHECK(codec::Json::parse(r.body)["settings"]["idle_seconds"] == 45);
    c.answer(200, R"({"id":"d1","name":"Till 1","settings":{"idle_seconds":45,"wheel":true,)"
                  R"("redeem":false},"version":8})");
    CHECK(k.devices[0].version == 8);

    c.flow.ask_revoke("d1");
    CHECK(k.confirm_revoke == "d1");
    CHECK(c.net.pending.empty());  // nothing until confirmed
    c.flow.revoke_confirmed();
    c.next("POST", "/v1/admin/devices/d1/revoke");
    c.answer(200, R"({"revoked":true})");
    c.next("GET", "/v1/admin/devices");  // the list again
}

TEST_CASE("console: the audit log is filtered and paged") {
    Console c;
    c.on(ConsoleSection::audit);
    c.next("GET", "/v1/admin/audit?limit=50");
    c.answer(200, R"({"entries":[{"id":9,"at_ms":1,"actor":{"kind":"user","id":"u1","label":)"
                  R"("Olga"},"address":"127.0.0.1","action":"theme.save","target":"main",)"
                  R"("before":null,"after":{"version":2}}],"next_before":9})");
    const AuditState& a = c.flow.state().audit;
    REQUIRE(a.entries.size() == 1);
    CHECK(a.entries[0].before.empty());
    CHECK(a.entries[0].after.find("\"version\": 2") != std::string::npos);
    c.flow.open_audit_entry(9);
    CHECK(a.open_id == 9);

    c.flow.audit_older();
    c.next("GET", "/v1/admin/audit?limit=50&before=9");
    c.answer(200, R"({"entries":[],"next_before":null})");
    CHECK_FALSE(a.next_before);
    c.flow.audit_newer();
    c.next("GET", "/v1/admin/audit?limit=50");
    c.answer(200, R"({"entries":[],"next_before":null})");

    c.flow.audit_filter().action = "device.revoke";
    c.flow.audit_filter().actor = "Olga K";
    c.flow.audit_filter().from_ms = 100;
    c.flow.load_audit();
    c.next("GET", "/v1/admin/audit?limit=50&action=device.revoke&actor=Olga%20K&from_ms=100");
    c.answer(403, R"({"error":{"code":"forbidden","message":"no"}})");
    REQUIRE(c.flow.state().notice);
    CHECK(c.flow.state().notice->code == "forbidden");
}

TEST_CASE("console: the message catalogues have every key and plural form in every language") {
    for (const char* dir : console_catalogue_dirs) {
        INFO(dir);
        REQUIRE(codec::decode_catalogues(testing::catalogue_texts(dir)).ok());
    }
    const i18n::Catalogues all = testing::merged_catalogues(console_catalogue_dirs);
    for (i18n::Locale l : i18n::all_locales) {
        INFO(i18n::locale_tag(l));
        CHECK(i18n::missing_keys(all, l).empty());
    }
}

TEST_CASE("console: the kiosk preview is a signed-in member's kiosk in the draft theme") {
    theme::Theme t;
    t.name = "Preview Shop";
    theme::attract_text(t, i18n::Locale::lv).title = "Sveiki";
    const KioskState s = kiosk_preview_state(Screen::coupon, i18n::Locale::lv, t, 1000);
    CHECK(s.screen == Screen::coupon);
    REQUIRE(s.config);
    CHECK(s.config->has_theme);
    CHECK(s.config->theme.name == "Preview Shop");
    CHECK(s.member);
    REQUIRE(s.coupon);
    CHECK(s.coupon->qr_modules.size() == 25);
    CHECK(s.spin);
}
