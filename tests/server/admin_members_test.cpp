// The members list of the console against a real kopilka-server: each row carries the
// member's balance, tier and last visit (as the member's page has them), and a query typed as
// a phone or card number with spaces, dashes or a '+' finds the member by its digits. A member's
// history comes a page at a time by a keyset cursor that entries added meanwhile don't shift,
// and edits of personal fields take If-Match, name bad fields, reach the kiosk's lookup by phone
// and are audited by field name; both on SQLite and on PostgreSQL.
#include <doctest/doctest.h>

#include "kiosk_helpers.hpp"
#include "pg_database.hpp"
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

// [SECTION] History pages and edits, on SQLite and PostgreSQL

namespace {
const std::string kAnna = "/v1/admin/members/demo-anna";

// `n` adjustments of +1…+n points with ids that differ from those of any other call.
void adjust_times(httplib::Client& c, const std::string& admin, int n, int tag) {
    for (int i = 1; i <= n; ++i) {
        char op[33];
        std::snprintf(op, sizeof op, "%08x%024x", tag, i);
        const Json body{
            {"operation_id", op}, {"points", i}, {"reason", "test " + std::to_string(i)}};
        const Answer a = post(c, kAnna + "/adjust", admin, body);
        REQUIRE_MESSAGE(a.status == 201, a.body.dump());
    }
}

// Pages of 20 walked by next_before while an entry is added between two of them: every entry
// once, newest first, "first" counting the new one, and no page shifted by it.
void history_pages(const ServerProcess& server, const std::string& admin) {
    auto c = server.client();
    adjust_times(*c, admin, 45, 1);
    Answer a = get(*c, kAnna + "/history?limit=20", admin);
    REQUIRE_MESSAGE(a.status == 200, a.body.dump());
    const std::int64_t total = a.body["total"];
    CHECK(total >= 46);  // the demo's entries, and ours
    CHECK(a.body["first"] == 1);
    REQUIRE(a.body["entries"].size() == 20);
    CHECK(a.body["entries"][0]["reason"] == "adjust");
    CHECK(a.body["entries"][0]["points"] == 45);
    CHECK(a.body["entries"][0]["note"] == "test 45");
    std::vector<std::int64_t> seqs;
    for (const Json& e : a.body["entries"]) seqs.push_back(e["seq"]);
    adjust_times(*c, admin, 1, 2);  // a new entry while the person reads page 1
    int pages = 1;
    while (!a.body["next_before"].is_null()) {
        const std::int64_t before = a.body["next_before"];
        CHECK(before == seqs.back());
        a = get(*c, kAnna + "/history?limit=20&before=" + std::to_string(before), admin);
        REQUIRE_MESSAGE(a.status == 200, a.body.dump());
        ++pages;
        CHECK(a.body["total"] == total + 1);
        CHECK(a.body["first"] == static_cast<std::int64_t>(seqs.size()) + 2);  // + the new one
        for (const Json& e : a.body["entries"]) {
            CHECK(e["seq"].get<std::int64_t>() < seqs.back());
            CHECK(e["points"] != 0);
            seqs.push_back(e["seq"]);
        }
    }
    CHECK(pages >= 3);
    CHECK(static_cast<std::int64_t>(seqs.size()) == total);
    CHECK(a.body["entries"].size() <= 20);
    // The newest page again starts with the entry added meanwhile.
    a = get(*c, kAnna + "/history?limit=1", admin);
    CHECK(a.body["entries"][0]["seq"].get<std::int64_t>() > seqs.front());
    CHECK(a.body["first"] == 1);
    // Bad cursors and sizes name their parameter; an unknown member is 404.
    for (const char* q : {"?before=-1", "?before=x", "?limit=0", "?limit=101"}) {
        a = get(*c, kAnna + "/history" + q, admin);
        CHECK_MESSAGE(a.status == 400, q);
        CHECK(a.body["error"]["field"] == std::string(q).substr(1, std::string(q).find('=') - 1));
    }
    CHECK(get(*c, "/v1/admin/members/nobody/history", admin).status == 404);
}

// An edit with the version read (If-Match); a stale version is 412 and changes nothing; the
// kiosk finds the member by the new phone; the audit log names the fields, not the values.
void edit_member(const ServerProcess& server, const std::string& admin) {
    auto c = server.client();
    const Answer page = get(*c, kAnna, admin);
    REQUIRE(page.status == 200);
    const std::int64_t version = page.body["version"];
    const auto put_if = [&](std::int64_t v, const Json& body) {
        return answer_of(c->Put(kAnna.c_str(),
                                {{"Authorization", "Bearer " + admin},
                                 {"If-Match", "\"" + std::to_string(v) + "\""}},
                                body.dump(), "application/json"));
    };
    Answer a = put_if(version, {{"phone", "+371 2612 3456"}, {"birthday", "1990-02-28"}});
    REQUIRE_MESSAGE(a.status == 200, a.body.dump());
    CHECK(a.body["profile"]["phone"] == "37126123456");
    a = put_if(version, {{"name", "Anna Stale"}});
    CHECK(a.status == 412);
    CHECK(a.body["error"]["field"] == "If-Match");
    CHECK(get(*c, kAnna, admin).body["profile"]["name"] != "Anna Stale");
    CHECK(put_if(version + 1, {{"birthday", "1990-02-30"}}).body["error"]["field"] == "birthday");
    CHECK(put_if(version + 1, {{"phone", "12ab"}}).body["error"]["field"] == "phone");

    const std::string kiosk = pair_kiosk(*c, admin, "Till 1");
    a = post(*c, "/v1/members/lookup", kiosk, {{"code", "+37126123456"}});
    REQUIRE_MESSAGE(a.status == 200, a.body.dump());
    CHECK(a.body["member"]["id"] == "demo-anna");
    CHECK(post(*c, "/v1/members/lookup", kiosk, {{"code", "+79160000001"}}).status == 404);

    a = get(*c, "/v1/admin/audit?limit=50", admin);
    REQUIRE(a.status == 200);
    bool seen = false;
    for (const Json& line : a.body["entries"])
        if (line.value("action", "") == "member.update" &&
            line.value("target", "") == "demo-anna") {
            seen = true;
            CHECK(line.dump().find("37126123456") == std::string::npos);
            CHECK(line.dump().find("phone") != std::string::npos);
        }
    CHECK(seen);
}

// A lost card replaced: the kiosk finds the member by the new card and no longer by the old
// one; another member's card is 409 at the field and changes nothing; the audit log names the
// field, not the number.
void replace_card(const ServerProcess& server, const std::string& admin) {
    auto c = server.client();
    const std::string old_card = "2000000000015", new_card = "2000000000992";
    const std::string boris_card = "2000000000022";
    Answer a = get(*c, kAnna, admin);
    REQUIRE(a.status == 200);
    REQUIRE(a.body["profile"]["card"] == old_card);
    const auto put = [&](const Json& body) {
        return answer_of(c->Put(kAnna.c_str(), {{"Authorization", "Bearer " + admin}},
                                body.dump(), "application/json"));
    };
    a = put({{"card", boris_card}});
    CHECK(a.status == 409);
    CHECK(a.body["error"]["code"] == "card_taken");
    CHECK(a.body["error"]["field"] == "card");
    a = put({{"card", "2000000000999"}});  // a wrong check digit
    CHECK(a.status == 400);
    CHECK(a.body["error"]["field"] == "card");
    CHECK(get(*c, kAnna, admin).body["profile"]["card"] == old_card);

    a = put({{"card", new_card}});
    REQUIRE_MESSAGE(a.status == 200, a.body.dump());
    CHECK(a.body["profile"]["card"] == new_card);
    CHECK(put({{"card", new_card}}).status == 200);  // the same card again changes nothing

    const std::string kiosk = pair_kiosk(*c, admin, "Till 2");
    a = post(*c, "/v1/members/lookup", kiosk, {{"code", new_card}});
    REQUIRE_MESSAGE(a.status == 200, a.body.dump());
    CHECK(a.body["member"]["id"] == "demo-anna");
    CHECK(post(*c, "/v1/members/lookup", kiosk, {{"code", old_card}}).status == 404);
    CHECK(post(*c, "/v1/members/lookup", kiosk, {{"code", boris_card}}).body["member"]["id"] ==
          "demo-boris");

    a = get(*c, "/v1/admin/audit?limit=50", admin);
    REQUIRE(a.status == 200);
    bool seen = false;
    for (const Json& line : a.body["entries"])
        if (line.value("action", "") == "member.update" &&
            line.dump().find("\"card\"") != std::string::npos) {
            seen = true;
            CHECK(line.dump().find(new_card) == std::string::npos);
        }
    CHECK(seen);
}

// f on a demo server with a fresh PostgreSQL database.
void on_postgres(void (*f)(const ServerProcess&, const std::string&)) {
    PgDatabase db;
    REQUIRE_MESSAGE(db.why.empty(), db.why);
    auto server = start_server(db.url, {"--seed-demo"});
    f(*server, api_key(db.url, "admin"));
}
}  // namespace

TEST_CASE_FIXTURE(WithDemoServer, "admin members history: keyset pages on SQLite") {
    history_pages(*s.server, api_key(s.db, "admin"));
}

TEST_CASE("admin members history: keyset pages on PostgreSQL") { on_postgres(history_pages); }

TEST_CASE_FIXTURE(WithDemoServer,
                  "admin members edit: If-Match, bad fields, kiosk, audit (SQLite)") {
    edit_member(*s.server, api_key(s.db, "admin"));
}

TEST_CASE("admin members edit: If-Match, bad fields, kiosk, audit (PostgreSQL)") {
    on_postgres(edit_member);
}

TEST_CASE_FIXTURE(WithDemoServer, "admin members card: a lost card replaced (SQLite)") {
    replace_card(*s.server, api_key(s.db, "admin"));
}

TEST_CASE("admin members card: a lost card replaced (PostgreSQL)") { on_postgres(replace_card); }
