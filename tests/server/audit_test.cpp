// The audit log against a real kopilka-server: every console write appends one line in its
// own transaction (actor, address, action, target, before → after; member personal data never
// copied), a refused change (400, 409, 412, a unique key) leaves none, and GET
// /v1/admin/audit filters and pages newest first.
#include <doctest/doctest.h>

#include "console_helpers.hpp"

using namespace kopilka::test;

namespace {
struct Write {
    const char* method;
    std::string path;
    Json body;
    const char* action;
    std::string target;
};

Json newest(httplib::Client& c, const std::string& token) {
    const Reply r = call(c, "GET", "/v1/admin/audit?limit=1", token);
    REQUIRE(r.status == 200);
    REQUIRE(r.body["entries"].size() == 1);
    return r.body["entries"][0];
}

struct WithOwner : SignedIn {
    WithOwner() : SignedIn("owner") {}
    const StaffUser& owner = user;
};

std::int64_t lines(httplib::Client& c, const std::string& token) {
    return call(c, "GET", "/v1/admin/audit?limit=200", token).body["entries"].size();
}
}  // namespace

TEST_CASE_FIXTURE(WithOwner,
                  "audit: each console write appends one line naming who, what and from where") {
    const std::string key = api_key(s.db, "admin");

    const Json program = call(*c, "GET", "/v1/admin/program", t).body["program"];
    const Json theme = call(*c, "GET", "/v1/admin/themes/daylight", t).body["theme"];
    const Json wheel = call(*c, "GET", "/v1/admin/wheels/demo-wheel", t).body["wheel"];
    Json kiosk = call(*c, "GET", "/v1/admin/kiosk-settings", t).body["settings"];
    kiosk.erase("version");
    Json widget = call(*c, "GET", "/v1/admin/widget-settings", t).body["settings"];
    widget.erase("version");
    const std::string code =
        call(*c, "POST", "/v1/admin/devices/pairing-codes", t, {{"name", "Till 2"}}).body["code"];
    const auto paired =
        c->Post("/v1/devices/pair", Json{{"code", code}}.dump(), "application/json");
    REQUIRE(paired);
    const std::string device = Json::parse(paired->body)["device_id"];
    const Json made = call(*c, "POST", "/v1/admin/users", t,
                           {{"email", "s@demo.example"}, {"name", "S"}, {"role", "support"},
                            {"password", "support-password"}})
                          .body;
    const std::string user = made["id"];
    const Json member_line = newest(*c, t);  // the user's creation
    CHECK(member_line["action"] == "user.create");
    CHECK(member_line["target"] == user);
    CHECK(member_line["after"] == Json{{"email", "s@demo.example"}, {"name", "S"},
                                       {"role", "support"}, {"disabled", false}});

    const Write writes[] = {
        {"PUT", "/v1/admin/program", program, "program.save", "demo-points"},
        {"PUT", "/v1/admin/themes/fresh", theme, "theme.save", "fresh"},
        {"DELETE", "/v1/admin/themes/fresh", nullptr, "theme.delete", "fresh"},
        {"PUT", "/v1/admin/wheels/demo-wheel", wheel, "wheel.save", "demo-wheel"},
        {"PUT", "/v1/admin/kiosk-settings", kiosk, "kiosk_settings.save", "settings"},
        {"PUT", "/v1/admin/widget-settings", widget, "widget_settings.save", "settings"},
        {"POST", "/v1/admin/devices/pairing-codes", {{"name", "Till 3"}}, "device.pair_code",
         "Till 3"},
        {"POST", "/v1/admin/devices/" + device + "/revoke", nullptr, "device.revoke", device},
        {"POST", "/v1/admin/members", {{"id", "eva"}, {"name", "Eva"}, {"consent", true}},
         "member.create", "eva"},
        {"PUT", "/v1/admin/members/eva", {{"phone", "+371 2000 0001"}, {"name", "Eva"}},
         "member.update", "eva"},
        {"POST", "/v1/admin/members/eva/adjust",
         {{"operation_id", op_id(77)}, {"points", 15}, {"reason", "welcome gift"}},
         "member.adjust", "eva"},
        {"GET", "/v1/admin/members/eva/export", nullptr, "member.export", "eva"},
        {"POST", "/v1/admin/members/eva/erase", nullptr, "member.erase", "eva"},
        {"PUT", "/v1/admin/users/" + user, {{"name", "Sam"}}, "user.update", user},
        {"POST", "/v1/admin/users/" + user + "/password", {{"password", "another-password"}},
         "user.password", user},
        {"POST", "/v1/admin/users/" + user + "/revoke-sessions", nullptr, "user.revoke", user},
    };
    std::int64_t count = lines(*c, t);
    std::int64_t last_id = newest(*c, t)["id"];
    for (const Write& w : writes) {
        INFO(w.method, " ", w.path);
        const Reply r = call(*c, w.method, w.path, t, w.body);
        REQUIRE_MESSAGE(r.status < 300, r.body.dump());
        CHECK(lines(*c, t) == ++count);
        const Json e = newest(*c, t);
        CHECK(e["id"].get<std::int64_t>() > last_id);
        last_id = e["id"];
        CHECK(e["action"] == w.action);
        CHECK(e["target"] == w.target);
        CHECK(e["actor"] == Json{{"kind", "user"}, {"id", owner.id}, {"label", owner.email}});
        CHECK(e["address"] == "127.0.0.1");
        CHECK(e["at_ms"].get<std::int64_t>() > 0);
        // Personal data stays in the member's record: an update names the fields only.
        CHECK(e.dump().find("2000 0001") == std::string::npos);
        CHECK(e.dump().find("37120000001") == std::string::npos);
    }
    // before → after where something was there before.
    const Reply page = call(*c, "GET", "/v1/admin/audit?limit=200", t);
    const auto find = [&](const char* action) {
        for (const Json& e : page.body["entries"])
            if (e["action"] == action) return e;
        return Json();
    };
    CHECK(find("program.save")["before"] == program);
    CHECK(find("program.save")["after"] == program);
    CHECK(find("theme.save")["before"].is_null());
    CHECK(find("theme.save")["after"] == theme);
    CHECK(find("theme.delete")["before"] == theme);
    CHECK(find("theme.delete")["after"].is_null());
    CHECK(find("member.update")["after"] == Json{{"fields", {"phone"}}});
    CHECK(find("member.adjust")["after"] == Json{{"points", 15}, {"reason", "welcome gift"}});
    CHECK(find("user.update")["before"]["name"] == "S");
    CHECK(find("user.update")["after"]["name"] == "Sam");
    CHECK(find("user.password")["after"].dump().find("argon") == std::string::npos);

    // An admin key is an actor too.
    CHECK(call(*c, "PUT", "/v1/admin/themes/keyed", key, theme).status == 200);
    const Json keyed = newest(*c, t);
    CHECK(keyed["actor"]["kind"] == "key");
    CHECK(keyed["actor"]["label"].get<std::string>().rfind("API key ", 0) == 0);

    // Filters and pages, newest first.
    const Reply themes = call(*c, "GET", "/v1/admin/audit?action=theme.save", t);
    REQUIRE(themes.body["entries"].size() == 2);
    CHECK(themes.body["entries"][0]["target"] == "keyed");
    CHECK(themes.body["next_before"].is_null());
    CHECK(call(*c, "GET", "/v1/admin/audit?target=eva", t).body["entries"].size() == 5);
    CHECK(call(*c, "GET", "/v1/admin/audit?actor=" + owner.id, t).body["entries"].size() ==
          count);
    const Reply first = call(*c, "GET", "/v1/admin/audit?limit=3", t);
    REQUIRE(first.body["entries"].size() == 3);
    const std::int64_t before = first.body["next_before"];
    CHECK(before == first.body["entries"][2]["id"]);
    const Reply next =
        call(*c, "GET", "/v1/admin/audit?limit=3&before=" + std::to_string(before), t);
    CHECK(next.body["entries"][0]["id"].get<std::int64_t>() < before);
    const std::int64_t at = find("theme.delete")["at_ms"];
    CHECK(call(*c, "GET", "/v1/admin/audit?from_ms=" + std::to_string(at + 3600000), t)
              .body["entries"]
              .empty());
    CHECK(call(*c, "GET", "/v1/admin/audit?limit=0", t).body["error"]["field"] == "limit");
    CHECK(call(*c, "GET", "/v1/admin/audit?before=x", t).body["error"]["field"] == "before");
}

TEST_CASE_FIXTURE(WithOwner, "audit: signing in and out are lines of their own; a failure none") {
    // The fixture's own sign-in.
    const Json in = newest(*c, t);
    CHECK(in["action"] == "session.sign_in");
    CHECK(in["actor"]["kind"] == "user");
    CHECK(in["actor"]["id"] == owner.id);
    CHECK(in["actor"]["label"] == owner.email);
    CHECK(in["target"] == owner.id);
    CHECK(in["after"]["session"].is_string());
    CHECK(in["after"].dump().find(t) == std::string::npos);  // never the token
    const std::int64_t count = lines(*c, t);
    CHECK(sign_in(*c, owner.email, "not the password").status == 401);
    CHECK(lines(*c, t) == count);

    const std::string second = session_of(*c, owner);
    CHECK(lines(*c, t) == count + 1);
    CHECK(call(*c, "DELETE", "/v1/console/session", second).status == 200);
    const Json out = newest(*c, t);
    CHECK(out["action"] == "session.sign_out");
    CHECK(out["actor"]["id"] == owner.id);
    CHECK(out["before"]["session"].is_string());
    CHECK(out["before"]["session"] != in["after"]["session"]);
}

TEST_CASE_FIXTURE(WithOwner, "audit: a refused change leaves no line") {
    const Json theme = call(*c, "GET", "/v1/admin/themes/daylight", t).body["theme"];
    REQUIRE(call(*c, "PUT", "/v1/admin/themes/fresh", t, theme, {{"If-Match", "\"0\""}}).status ==
            200);
    const std::int64_t count = lines(*c, t);
    Json bad_theme = theme;
    bad_theme["colors"] = "red";
    struct Refused {
        const char* method;
        std::string path;
        Json body;
        httplib::Headers headers;
        int status;
    };
    const Refused refused[] = {
        {"PUT", "/v1/admin/themes/fresh", bad_theme, {}, 400},
        {"PUT", "/v1/admin/themes/fresh", theme, {{"If-Match", "\"0\""}}, 412},  // exists
        {"PUT", "/v1/admin/themes/fresh", theme, {{"If-Match", "\"7\""}}, 412},
        {"DELETE", "/v1/admin/themes/fresh", nullptr, {{"If-Match", "\"2\""}}, 412},
        {"PUT", "/v1/admin/program", Json::object(), {}, 400},
        {"PUT", "/v1/admin/members/demo-dace", {{"phone", "+7 916 000-00-01"}}, {}, 409},
        {"POST", "/v1/admin/members", {{"id", "demo-anna"}, {"name", "A"}, {"consent", true}},
         {}, 409},
        {"POST", "/v1/admin/members/demo-boris/adjust",
         {{"operation_id", op_id(5)}, {"points", -100000}, {"reason", "too much"}}, {}, 409},
        {"POST", "/v1/admin/users",
         {{"email", owner.email}, {"name", "Dup"}, {"role", "viewer"},
          {"password", "long enough pw"}},
         {}, 409},
        {"PUT", "/v1/admin/users/" + owner.id, {{"role", "viewer"}}, {}, 409},  // last owner
        {"PUT", "/v1/admin/users/" + owner.id, {{"name", "X"}}, {{"If-Match", "\"9\""}}, 412},
        {"PUT", "/v1/admin/kiosk-settings", {{"idle_seconds", 1}}, {}, 400},
    };
    for (const Refused& r : refused) {
        INFO(r.method, " ", r.path, " ", r.body.dump());
        const Reply a = call(*c, r.method, r.path, t, r.body, r.headers);
        CHECK(a.status == r.status);
        if (a.status == 412) CHECK(a.body["error"]["current_version"] == 1);
        CHECK(lines(*c, t) == count);
    }
    // The theme's ETag is its version; the right If-Match goes through.
    const Reply got = call(*c, "GET", "/v1/admin/themes/fresh", t);
    CHECK(got.etag == "\"1\"");
    CHECK(call(*c, "PUT", "/v1/admin/themes/fresh", t, theme, {{"If-Match", got.etag}}).status ==
          200);
    CHECK(lines(*c, t) == count + 1);
    CHECK(call(*c, "GET", "/v1/admin/program", t).etag == "\"1\"");
}
