// What the console changes, against a real kopilka-server: theme versions, publishing (what
// kiosks and the widget show changes only then, through their config ETags; a theme failing
// WCAG AA needs a confirmation; revert is publishing an older version), kiosks (last seen and
// app version from their requests, rename, per-kiosk settings carried by the kiosk's config),
// and If-Match versions with ETags on every versioned admin GET.
#include <doctest/doctest.h>

#include "console_helpers.hpp"

using namespace kopilka::test;

namespace {
struct WithManager : SignedIn {
    WithManager() : SignedIn("manager") {}
    const StaffUser& manager = user;

    // A kiosk paired with the demo merchant: its token and device id.
    std::pair<std::string, std::string> pair(const std::string& name) {
        const Reply code = call(*c, "POST", "/v1/admin/devices/pairing-codes", t, {{"name", name}});
        REQUIRE(code.status == 201);
        const auto res = c->Post("/v1/devices/pair", Json{{"code", code.body["code"]}}.dump(),
                                 "application/json");
        REQUIRE(res);
        const Json j = Json::parse(res->body);
        return {j["token"], j["device_id"]};
    }
    Reply kiosk_config(const std::string& token, const std::string& app_version = "") {
        httplib::Headers h;
        if (!app_version.empty()) h.emplace("Kopilka-App-Version", app_version);
        return call(*c, "GET", "/v1/kiosk/config", token, nullptr, h);
    }
    Reply widget_config() { return reply(c->Get("/v1/widget/config?merchant=demo")); }
};
}  // namespace

TEST_CASE_FIXTURE(WithManager, "themes: versions, publishing, contrast, revert, live configs") {
    const auto [kiosk, device] = pair("Till 1");
    const Json daylight = call(*c, "GET", "/v1/admin/themes/daylight", t).body["theme"];
    CHECK(call(*c, "GET", "/v1/admin/themes/published", t).body == Json{{"theme_id", ""}});
    // Before anything is published the kiosk shows its settings' theme (the demo's daylight).
    const Reply first = kiosk_config(kiosk);
    REQUIRE(first.status == 200);
    CHECK(first.body["theme"]["colors"]["accent"] == daylight["colors"]["accent"]);
    const std::string widget_tag = widget_config().etag;

    // A new theme must not exist yet with If-Match "0"; saving it twice makes two versions.
    Json mine = daylight;
    mine["colors"]["accent"] = "#1A5FB4";
    REQUIRE(call(*c, "PUT", "/v1/admin/themes/brand", t, mine, {{"If-Match", "\"0\""}}).status ==
            200);
    Json darker = mine;
    darker["colors"]["accent"] = "#0B3D7A";
    CHECK(call(*c, "PUT", "/v1/admin/themes/brand", t, darker, {{"If-Match", "\"1\""}}).status ==
          200);
    const Reply versions = call(*c, "GET", "/v1/admin/themes/brand/versions", t);
    REQUIRE(versions.status == 200);
    REQUIRE(versions.body["versions"].size() == 2);
    CHECK(versions.body["versions"][0]["version"] == 2);
    CHECK(versions.body["versions"][0]["by"] ==
          Json{{"kind", "user"}, {"id", manager.id}, {"label", manager.email}});
    CHECK(call(*c, "GET", "/v1/admin/themes/daylight/versions", t).body["versions"][0]["by"]
              .is_null());  // demo data
    const Reply v1 = call(*c, "GET", "/v1/admin/themes/brand/versions/1", t);
    CHECK(v1.body["theme"]["colors"]["accent"] == "#1A5FB4");
    CHECK(v1.etag == "\"1\"");
    CHECK(call(*c, "GET", "/v1/admin/themes/brand/versions/3", t).status == 404);
    CHECK(call(*c, "GET", "/v1/admin/themes/brand/versions/x", t).status == 400);

    // Saving changed nothing live.
    CHECK(kiosk_config(kiosk).etag == first.etag);
    CHECK(widget_config().etag == widget_tag);

    // Publishing version 2: both configs change and show it.
    const Reply published =
        call(*c, "POST", "/v1/admin/themes/brand/publish", t, {{"version", 2}});
    REQUIRE_MESSAGE(published.status == 200, published.body.dump());
    CHECK(published.body == Json{{"published", {{"theme_id", "brand"}, {"version", 2}}}});
    CHECK(call(*c, "GET", "/v1/admin/themes/published", t).body ==
          Json{{"theme_id", "brand"}, {"version", 2}});
    const Reply after = kiosk_config(kiosk);
    CHECK(after.etag != first.etag);
    CHECK(after.body["theme"]["colors"]["accent"] == "#0B3D7A");
    const Reply widget_after = widget_config();
    CHECK(widget_after.etag != widget_tag);
    CHECK(widget_after.body["theme"]["colors"]["accent"] == "#0B3D7A");
    // A third save is not live either; reverting is publishing version 1.
    CHECK(call(*c, "PUT", "/v1/admin/themes/brand", t, daylight).status == 200);
    CHECK(kiosk_config(kiosk).etag == after.etag);
    CHECK(call(*c, "POST", "/v1/admin/themes/brand/publish", t, {{"version", 1}}).status == 200);
    CHECK(kiosk_config(kiosk).body["theme"]["colors"]["accent"] == "#1A5FB4");
    // The published theme can't be deleted.
    const Reply del = call(*c, "DELETE", "/v1/admin/themes/brand", t);
    CHECK(del.status == 409);
    CHECK(code_of(del) == "theme_published");

    // A version failing WCAG AA needs confirm_low_contrast.
    Json pale = daylight;
    pale["colors"]["text"] = "#C8C8C8";
    REQUIRE(call(*c, "PUT", "/v1/admin/themes/pale", t, pale).status == 200);
    const Reply low = call(*c, "POST", "/v1/admin/themes/pale/publish", t, {{"version", 1}});
    CHECK(low.status == 409);
    CHECK(code_of(low) == "low_contrast");
    REQUIRE(!low.body["error"]["failures"].empty());
    CHECK(low.body["error"]["failures"][0]["pair"] == "text/background");
    CHECK(low.body["error"]["failures"][0]["ratio_x100"].get<int>() < 450);
    CHECK(call(*c, "GET", "/v1/admin/themes/published", t).body["theme_id"] == "brand");
    CHECK(call(*c, "POST", "/v1/admin/themes/pale/publish", t,
               {{"version", 1}, {"confirm_low_contrast", true}})
              .status == 200);
    CHECK(call(*c, "POST", "/v1/admin/themes/pale/publish", t, {{"version", 9}}).status == 404);
    CHECK(call(*c, "POST", "/v1/admin/themes/pale/publish", t, Json::object()).status == 400);
    // Each publication is in the audit log, before → after.
    const Json line = call(*c, "GET", "/v1/admin/audit?action=theme.publish&limit=1", t)
                          .body["entries"][0];
    CHECK(line["before"] == Json{{"theme_id", "brand"}, {"version", 1}});
    CHECK(line["after"] == Json{{"theme_id", "pale"}, {"version", 1}});
}

TEST_CASE_FIXTURE(WithManager, "kiosks: last seen, app version, rename and per-kiosk settings") {
    const auto [kiosk, device] = pair("Till 1");
    Reply list = call(*c, "GET", "/v1/admin/devices", t);
    REQUIRE(list.body["devices"].size() == 1);
    Json d = list.body["devices"][0];
    CHECK(d["last_seen_ms"] == 0);
    CHECK(d["online"] == false);
    CHECK(d["revoked"] == false);
    CHECK(d["settings"] ==
          Json{{"idle_seconds", nullptr}, {"wheel", true}, {"redeem", true}, {"sound", false}});
    CHECK(d["version"] == 1);
    const Reply config = kiosk_config(kiosk, "kiosk/1.4.2");
    CHECK(config.body["device"] == Json{{"id", device},
                                        {"name", "Till 1"},
                                        {"wheel", true},
                                        {"redeem", true},
                                        {"sound", false}});
    CHECK(!config.body["wheel"].is_null());
    d = call(*c, "GET", "/v1/admin/devices", t).body["devices"][0];
    CHECK(d["app_version"] == "kiosk/1.4.2");
    CHECK(d["online"] == true);
    const std::int64_t seen = d["last_seen_ms"];
    CHECK(seen > 0);
    // Within a minute a request of the same version writes nothing; a new version is written.
    kiosk_config(kiosk, "kiosk/1.4.2");
    CHECK(call(*c, "GET", "/v1/admin/devices", t).body["devices"][0]["last_seen_ms"] == seen);
    kiosk_config(kiosk, "kiosk/1.5.0");
    CHECK(call(*c, "GET", "/v1/admin/devices", t).body["devices"][0]["app_version"] ==
          "kiosk/1.5.0");

    // Rename and settings, with versions.
    const Reply renamed = call(*c, "PUT", "/v1/admin/devices/" + device, t,
                               {{"name", "Front desk"}}, {{"If-Match", "\"1\""}});
    REQUIRE_MESSAGE(renamed.status == 200, renamed.body.dump());
    CHECK(renamed.body["name"] == "Front desk");
    CHECK(renamed.body["version"] == 2);
    const Reply stale = call(*c, "PUT", "/v1/admin/devices/" + device, t,
                             {{"settings", {{"wheel", false}}}}, {{"If-Match", "\"1\""}});
    CHECK(stale.status == 412);
    CHECK(stale.body["error"]["current_version"] == 2);
    const Reply set =
        call(*c, "PUT", "/v1/admin/devices/" + device, t,
             {{"settings",
               {{"wheel", false}, {"redeem", false}, {"idle_seconds", 90}, {"sound", true}}}},
             {{"If-Match", "\"2\""}});
    REQUIRE(set.status == 200);
    CHECK(set.body["settings"] ==
          Json{{"idle_seconds", 90}, {"wheel", false}, {"redeem", false}, {"sound", true}});
    CHECK(set.body["name"] == "Front desk");
    for (const Json& bad :
         {Json{{"settings", {{"idle_seconds", 1}}}}, Json{{"settings", {{"sound", "loud"}}}},
          Json{{"settings", {{"volume", 3}}}}, Json{{"colour", "red"}}}) {
        const Reply r = call(*c, "PUT", "/v1/admin/devices/" + device, t, bad);
        CHECK(r.status == 400);
    }
    CHECK(call(*c, "PUT", "/v1/admin/devices/NOBODY00", t, {{"name", "x"}}).status == 404);
    // The kiosk's next config carries them; no wheel for a kiosk with the wheel off.
    const Reply next = kiosk_config(kiosk, "kiosk/1.5.0");
    CHECK(next.etag != config.etag);
    CHECK(next.body["device"] == Json{{"id", device},
                                      {"name", "Front desk"},
                                      {"wheel", false},
                                      {"redeem", false},
                                      {"sound", true}});
    CHECK(next.body["settings"]["idle_seconds"] == 90);
    CHECK(next.body["wheel"].is_null());
    // The server refuses what is switched off, also from the kiosk's outbox.
    const Reply spin = call(*c, "POST", "/v1/kiosk/spin", kiosk,
                            {{"operation_id", op_id(1)}, {"member", {{"id", "demo-anna"}}}});
    CHECK(spin.status == 403);
    CHECK(code_of(spin) == "wheel_off");
    const Json redeem = {{"operation_id", op_id(2)},
                         {"member", {{"id", "demo-anna"}}},
                         {"reward_id", "coffee"}};
    CHECK(code_of(call(*c, "POST", "/v1/kiosk/redeem", kiosk, redeem)) == "redeem_off");
    Json queued = redeem;
    queued["type"] = "redeem";
    const Reply batch =
        call(*c, "POST", "/v1/kiosk/operations", kiosk, {{"operations", Json::array({queued})}});
    CHECK(batch.body["results"][0]["status"] == 403);
    // Back to the merchant's idle time with null.
    CHECK(call(*c, "PUT", "/v1/admin/devices/" + device, t,
               {{"settings", {{"idle_seconds", nullptr}}}})
              .body["settings"]["idle_seconds"]
              .is_null());
    CHECK(kiosk_config(kiosk).body["settings"]["idle_seconds"] == 30);
    const Reply audit = call(*c, "GET", "/v1/admin/audit?target=" + device, t);
    REQUIRE(audit.body["entries"].size() == 3);
    CHECK(audit.body["entries"][2]["action"] == "device.rename");
    CHECK(audit.body["entries"][2]["before"]["name"] == "Till 1");
    CHECK(audit.body["entries"][1]["action"] == "device.settings");
    // Revoked: the kiosk's next request is refused, and the list says so.
    CHECK(call(*c, "POST", "/v1/admin/devices/" + device + "/revoke", t).status == 200);
    CHECK(kiosk_config(kiosk).status == 401);
    d = call(*c, "GET", "/v1/admin/devices", t).body["devices"][0];
    CHECK(d["revoked"] == true);
    CHECK(d["online"] == false);
}

TEST_CASE_FIXTURE(WithManager, "versions: ETags on versioned GETs, If-Match on their writes") {
    struct Versioned {
        std::string path;     // GET gives an ETag; PUT with a stale If-Match is 412
        Json body;            // a valid PUT body
    };
    Json wheel = call(*c, "GET", "/v1/admin/wheels/demo-wheel", t).body["wheel"];
    Json kiosk = call(*c, "GET", "/v1/admin/kiosk-settings", t).body["settings"];
    kiosk.erase("version");
    Json widget = call(*c, "GET", "/v1/admin/widget-settings", t).body["settings"];
    widget.erase("version");
    const Json program = call(*c, "GET", "/v1/admin/program", t).body["program"];
    const Versioned versioned[] = {
        {"/v1/admin/program", program},
        {"/v1/admin/themes/night", call(*c, "GET", "/v1/admin/themes/night", t).body["theme"]},
        {"/v1/admin/wheels/demo-wheel", wheel},
        {"/v1/admin/kiosk-settings", kiosk},
        {"/v1/admin/widget-settings", widget},
        {"/v1/admin/members/demo-boris", {{"email", "boris@example.com"}}},
    };
    for (const Versioned& v : versioned) {
        INFO(v.path);
        const Reply got = call(*c, "GET", v.path, t);
        REQUIRE(got.status == 200);
        REQUIRE(!got.etag.empty());
        const std::string stale = "\"" + std::to_string(std::stoll(got.etag.substr(1)) + 5) + "\"";
        const Reply refused = call(*c, "PUT", v.path, t, v.body, {{"If-Match", stale}});
        CHECK(refused.status == 412);
        CHECK(code_of(refused) == "version_conflict");
        CHECK(call(*c, "GET", v.path, t).etag == got.etag);
        const Reply done = call(*c, "PUT", v.path, t, v.body, {{"If-Match", got.etag}});
        CHECK_MESSAGE(done.status == 200, done.body.dump());
        CHECK(call(*c, "GET", v.path, t).etag != got.etag);
    }
}
