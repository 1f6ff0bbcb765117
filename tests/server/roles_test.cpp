// Roles on every console route: each /v1/admin route the server documents is tried with an
// admin API key and a signed-in user of each role, and refused (403 forbidden) exactly when
// this file's table, written apart from the server's (api/console_access.cpp), says so.
#include <doctest/doctest.h>

#include <map>
#include <set>

#include "console_helpers.hpp"

using namespace kopilka::test;

namespace {
struct Expected {
    const char* method;
    const char* route;    // as the OpenAPI document names it
    const char* path;     // what is requested: ids that exist or not, it doesn't matter
    const char* allowed;  // the roles that get past the check: o(wner) m(anager) s(upport) v(iewer)
};

// The table: owner everything; manager program, themes, wheels, kiosks, widget,
// members, reports, audit; support members read and adjust, the merchant; viewer reports and
// the merchant. Users are the owner's only.
const Expected kTable[] = {
    {"GET", "/v1/admin/merchant", "/v1/admin/merchant", "omsv"},
    {"GET", "/v1/admin/reports", "/v1/admin/reports", "omv"},
    {"GET", "/v1/admin/program", "/v1/admin/program", "om"},
    {"PUT", "/v1/admin/program", "/v1/admin/program", "om"},
    {"POST", "/v1/admin/program/preview", "/v1/admin/program/preview", "om"},
    {"GET", "/v1/admin/themes", "/v1/admin/themes", "om"},
    {"GET", "/v1/admin/themes/{id}", "/v1/admin/themes/daylight", "om"},
    {"PUT", "/v1/admin/themes/{id}", "/v1/admin/themes/t-roles", "om"},
    {"DELETE", "/v1/admin/themes/{id}", "/v1/admin/themes/t-none", "om"},
    {"GET", "/v1/admin/themes/published", "/v1/admin/themes/published", "om"},
    {"GET", "/v1/admin/themes/{id}/versions", "/v1/admin/themes/daylight/versions", "om"},
    {"GET", "/v1/admin/themes/{id}/versions/{version}", "/v1/admin/themes/daylight/versions/1",
     "om"},
    {"POST", "/v1/admin/themes/{id}/publish", "/v1/admin/themes/t-none/publish", "om"},
    {"GET", "/v1/admin/members", "/v1/admin/members", "oms"},
    {"GET", "/v1/admin/members/{id}", "/v1/admin/members/demo-anna", "oms"},
    {"POST", "/v1/admin/members/{id}/adjust", "/v1/admin/members/nobody/adjust", "oms"},
    {"POST", "/v1/admin/members", "/v1/admin/members", "om"},
    {"PUT", "/v1/admin/members/{id}", "/v1/admin/members/nobody", "om"},
    {"POST", "/v1/admin/members/{id}/erase", "/v1/admin/members/nobody/erase", "om"},
    {"GET", "/v1/admin/members/{id}/export", "/v1/admin/members/nobody/export", "om"},
    {"GET", "/v1/admin/devices", "/v1/admin/devices", "om"},
    {"PUT", "/v1/admin/devices/{id}", "/v1/admin/devices/NOBODY00", "om"},
    {"POST", "/v1/admin/devices/pairing-codes", "/v1/admin/devices/pairing-codes", "om"},
    {"POST", "/v1/admin/devices/{id}/revoke", "/v1/admin/devices/NOBODY00/revoke", "om"},
    {"GET", "/v1/admin/kiosk-settings", "/v1/admin/kiosk-settings", "om"},
    {"PUT", "/v1/admin/kiosk-settings", "/v1/admin/kiosk-settings", "om"},
    {"GET", "/v1/admin/wheels", "/v1/admin/wheels", "om"},
    {"GET", "/v1/admin/wheels/{id}", "/v1/admin/wheels/demo-wheel", "om"},
    {"PUT", "/v1/admin/wheels/{id}", "/v1/admin/wheels/w-none", "om"},
    {"GET", "/v1/admin/widget-settings", "/v1/admin/widget-settings", "om"},
    {"PUT", "/v1/admin/widget-settings", "/v1/admin/widget-settings", "om"},
    {"GET", "/v1/admin/users", "/v1/admin/users", "o"},
    {"POST", "/v1/admin/users", "/v1/admin/users", "o"},
    {"PUT", "/v1/admin/users/{id}", "/v1/admin/users/nobody", "o"},
    {"POST", "/v1/admin/users/{id}/password", "/v1/admin/users/nobody/password", "o"},
    {"POST", "/v1/admin/users/{id}/revoke-sessions", "/v1/admin/users/nobody/revoke-sessions",
     "o"},
    {"GET", "/v1/admin/audit", "/v1/admin/audit", "om"},
};
}  // namespace

TEST_CASE("roles: every admin route with every role and the admin key") {
    DemoServer s({password_hash_min()});
    REQUIRE_MESSAGE(s.ok, s.why);
    auto c = s.server->client();

    // The table covers exactly the /v1/admin operations the server documents (and so serves).
    const Json doc = Json::parse(c->Get("/v1/openapi.json")->body);
    std::set<std::string> documented, listed;
    for (const auto& [path, ops] : doc["paths"].items())
        if (path.rfind("/v1/admin/", 0) == 0)
            for (const auto& [method, op] : ops.items()) {
                std::string m = method;
                for (char& ch : m) ch = static_cast<char>(ch - 'a' + 'A');
                documented.insert(m + " " + path);
            }
    for (const Expected& e : kTable) listed.insert(std::string(e.method) + " " + e.route);
    CHECK(documented == listed);

    std::map<char, std::string> credential;
    for (const auto& [letter, role] :
         {std::pair<char, std::string>{'o', "owner"}, {'m', "manager"}, {'s', "support"},
          {'v', "viewer"}})
        credential[letter] = session_of(*c, add_staff_user(s.db, role, role + "@demo.example"));
    credential['k'] = api_key(s.db, "admin");  // an admin key counts as an owner

    int tried = 0;
    for (const Expected& e : kTable) {
        const std::string allowed = e.allowed;
        for (const auto& [letter, token] : credential) {
            const bool may = allowed.find(letter == 'k' ? 'o' : letter) != std::string::npos;
            INFO(e.method, " ", e.path, " as ", letter);
            const Reply r = call(*c, e.method, e.path, token, Json::object());
            ++tried;
            if (may) {
                CHECK(r.status != 403);
                CHECK(r.status != 401);
            } else {
                CHECK(r.status == 403);
                CHECK(code_of(r) == "forbidden");
                CHECK(r.body["error"]["field"] == "Authorization");
            }
        }
    }
    CHECK(tried == 5 * static_cast<int>(std::size(kTable)));
}
