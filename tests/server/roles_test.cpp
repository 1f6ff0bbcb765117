// Roles on every console route: each /v1/admin route the server documents is tried with an
// admin API key and a signed-in user of each role, and refused (403 forbidden) exactly when
// this file's table, written apart from the server's (api/console_access.cpp), says so.
#include <doctest/doctest.h>

#include <map>
#include <set>
#include <sstream>
#include <vector>

#include "console_helpers.hpp"

using namespace kopilka::test;

namespace {
struct Expected {
    std::string method;
    std::string route;    // as the OpenAPI document names it
    std::string allowed;  // who gets past the check: o(wner) m(anager) s(upport) v(iewer)
    std::string path;     // what is requested: ids that exist or not, it doesn't matter
};

// The issue's table: owner everything; manager program, themes, wheels, kiosks, widget,
// members, reports, audit; support members read, adjust and
// correct, the merchant; viewer reports and
// the merchant. Users are the owner's only. One route a line: method, route, roles, path.
const char* const kTable = R"(
    GET    /v1/admin/merchant                       omsv /v1/admin/merchant
    GET    /v1/admin/reports                        omv  /v1/admin/reports
    GET    /v1/admin/reports/series                 omv  /v1/admin/reports/series
    GET    /v1/admin/program                        om   /v1/admin/program
    PUT    /v1/admin/program                        om   /v1/admin/program
    POST   /v1/admin/program/preview                om   /v1/admin/program/preview
    POST   /v1/admin/program/what-if                om   /v1/admin/program/what-if
    POST   /v1/admin/program/simulate               om   /v1/admin/program/simulate
    GET    /v1/admin/program/versions               om   /v1/admin/program/versions
    POST   /v1/admin/program/versions               om   /v1/admin/program/versions
    GET    /v1/admin/program/versions/{version}     om   /v1/admin/program/versions/1
    POST   /v1/admin/program/versions/{version}/revert om /v1/admin/program/versions/9/revert
    GET    /v1/admin/themes                         om   /v1/admin/themes
    GET    /v1/admin/themes/{id}                    om   /v1/admin/themes/daylight
    PUT    /v1/admin/themes/{id}                    om   /v1/admin/themes/t-roles
    DELETE /v1/admin/themes/{id}                    om   /v1/admin/themes/t-none
    GET    /v1/admin/themes/published               om   /v1/admin/themes/published
    GET    /v1/admin/themes/{id}/versions           om   /v1/admin/themes/daylight/versions
    GET    /v1/admin/themes/{id}/versions/{version} om   /v1/admin/themes/daylight/versions/1
    POST   /v1/admin/themes/{id}/publish            om   /v1/admin/themes/t-none/publish
    GET    /v1/admin/members                        oms  /v1/admin/members
    GET    /v1/admin/members/{id}                   oms  /v1/admin/members/demo-anna
    GET    /v1/admin/members/{id}/history           oms  /v1/admin/members/demo-anna/history
    POST   /v1/admin/members/{id}/adjust            oms  /v1/admin/members/nobody/adjust
    POST   /v1/admin/members                        om   /v1/admin/members
    PUT    /v1/admin/members/{id}                   oms  /v1/admin/members/nobody
    POST   /v1/admin/members/{id}/erase             om   /v1/admin/members/nobody/erase
    GET    /v1/admin/members/{id}/export            om   /v1/admin/members/nobody/export
    GET    /v1/admin/devices                        om   /v1/admin/devices
    PUT    /v1/admin/devices/{id}                   om   /v1/admin/devices/NOBODY00
    POST   /v1/admin/devices/pairing-codes          om   /v1/admin/devices/pairing-codes
    POST   /v1/admin/devices/{id}/revoke            om   /v1/admin/devices/NOBODY00/revoke
    GET    /v1/admin/kiosk-settings                 om   /v1/admin/kiosk-settings
    PUT    /v1/admin/kiosk-settings                 om   /v1/admin/kiosk-settings
    GET    /v1/admin/wheels                         om   /v1/admin/wheels
    GET    /v1/admin/wheels/{id}                    om   /v1/admin/wheels/demo-wheel
    PUT    /v1/admin/wheels/{id}                    om   /v1/admin/wheels/w-none
    GET    /v1/admin/widget-settings                om   /v1/admin/widget-settings
    PUT    /v1/admin/widget-settings                om   /v1/admin/widget-settings
    GET    /v1/admin/users                          o    /v1/admin/users
    POST   /v1/admin/users                          o    /v1/admin/users
    PUT    /v1/admin/users/{id}                     o    /v1/admin/users/nobody
    POST   /v1/admin/users/{id}/password            o    /v1/admin/users/nobody/password
    POST   /v1/admin/users/{id}/revoke-sessions     o    /v1/admin/users/nobody/revoke-sessions
    GET    /v1/admin/audit                          om   /v1/admin/audit
    POST   /v1/admin/imports                        om   /v1/admin/imports?dry_run=true
    GET    /v1/admin/imports/{id}                   om   /v1/admin/imports/imp-none
    GET    /v1/admin/exports/members.csv            om   /v1/admin/exports/members.csv
    GET    /v1/admin/exports/receipts.csv           om   /v1/admin/exports/receipts.csv
)";

std::vector<Expected> expected() {
    std::vector<Expected> out;
    std::istringstream in(kTable);
    Expected e;
    while (in >> e.method >> e.route >> e.allowed >> e.path) out.push_back(e);
    return out;
}
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
    const std::vector<Expected> table = expected();
    REQUIRE(table.size() == 49);
    for (const Expected& e : table) listed.insert(e.method + " " + e.route);
    CHECK(documented == listed);

    std::map<char, std::string> credential;
    for (const auto& [letter, role] :
         {std::pair<char, std::string>{'o', "owner"}, {'m', "manager"}, {'s', "support"},
          {'v', "viewer"}})
        credential[letter] = session_of(*c, add_staff_user(s.db, role, role + "@demo.example"));
    credential['k'] = api_key(s.db, "admin");  // an admin key counts as an owner

    int tried = 0;
    for (const Expected& e : table) {
        const std::string& allowed = e.allowed;
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
    CHECK(tried == 5 * static_cast<int>(table.size()));
}
