// The members list of the console against a real kopilka-server: each row carries the
// member's balance, tier and last visit (as the member's page has them), and a query typed as
// a phone or card number with spaces, dashes or a '+' finds the member by its digits.
#include <doctest/doctest.h>

#include "receipt_helpers.hpp"
#include "server_process.hpp"

using namespace kopilka::test;

namespace {
Json get_json(httplib::Client& c, const httplib::Headers& auth, const std::string& path,
              int* status) {
    const auto res = c.Get(path.c_str(), auth);
    REQUIRE(res);
    *status = res->status;
    return Json::parse(res->body, nullptr, false);
}

// The ids of the members a search answers.
std::vector<std::string> ids_of(const Json& page) {
    std::vector<std::string> out;
    for (const Json& m : page["members"]) out.push_back(m["id"].get<std::string>());
    return out;
}
}  // namespace

TEST_CASE_FIXTURE(WithDemoServer,
                  "admin members list: rows carry balance, tier and last visit like the page") {
    const auto client = s.server->client();
    const httplib::Headers auth = bearer(api_key(s.db, "admin"));
    int status = 0;
    const Json list = get_json(*client, auth, "/v1/admin/members", &status);
    REQUIRE(status == 200);
    REQUIRE(list["members"].size() >= 3);
    bool some_visit = false;
    for (const Json& row : list["members"]) {
        const std::string id = row["id"];
        const Json page = get_json(*client, auth, "/v1/admin/members/" + id, &status);
        REQUIRE(status == 200);
        CHECK_MESSAGE(row["balance"] == page["member"]["balance"], id);
        CHECK_MESSAGE(row["tier"] == page["member"]["tier"], id);  // the tier's name
        REQUIRE(row["last_visit_ms"].is_number_integer());
        some_visit = some_visit || row["last_visit_ms"].get<std::int64_t>() > 0;
    }
    CHECK(some_visit);  // the demo's members have bought something
}

TEST_CASE_FIXTURE(WithDemoServer,
                  "admin members list: a phone or card typed with spaces and dashes is found") {
    const auto client = s.server->client();
    const httplib::Headers auth = bearer(api_key(s.db, "admin"));
    const auto cards = demo_cards(s.db);
    int status = 0;
    const auto search = [&](const std::string& q) {
        return ids_of(get_json(*client, auth, "/v1/admin/members?q=" + q, &status));
    };
    // "+7 (916) 000-00-01" as a URL query.
    CHECK(search("%2B7%20(916)%20000-00-01") == std::vector<std::string>{"demo-anna"});
    CHECK(status == 200);
    const std::string card = cards.at("demo-boris").card;
    CHECK(search(card.substr(0, 4) + "%20" + card.substr(4, 4) + "-" + card.substr(8)) ==
          std::vector<std::string>{"demo-boris"});
    // Names are searched as typed, digits or not.
    CHECK(search("%D0%BE%D1%80") == std::vector<std::string>{"demo-boris"});  // "ор"
}
