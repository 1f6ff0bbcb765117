// The console's members section against a held network: the search's pages fetched by the
// `after` cursor only as rows come into view, a bounded cache that fetches a dropped page
// again, the member's page, adjustments (a reason required before sending; one operation id
// per adjustment, kept for a retry), enrolment refused at the field the server names, the
// export handed over once as a download, erasure only after a confirmation, the history paged
// by the server's cursors, and edits of personal fields with If-Match (a 412 keeps the edit).
#include "client/console_members.hpp"

#include <doctest/doctest.h>

#include "client/console_flow.hpp"
#include "codec/member_json.hpp"
#include "fakes.hpp"

using namespace kopilka;
using namespace kopilka::client;
using kopilka::client::fakes::HeldTransport;
using kopilka::client::fakes::MemoryStorage;
using codec::Json;

namespace {

struct Console {
    HeldTransport net;
    MemoryStorage session_store, draft_store;
    int ids = 0;
    ConsoleFlow flow{net, session_store, draft_store};

    // Signed in as `role` from a stored session that the server confirms.
    explicit Console(const std::string& role = "support") {
        const Json session{{"token", "kcs_1"},
                           {"user", {{"id", "u1"}, {"role", role}}},
                           {"merchant", {{"code", "demo"}, {"currency", "RUB"}}}};
        session_store.set("kopilka.console.session", session.dump());
        flow.start(1000);
        net.answer(200, session.dump());
        REQUIRE(flow.state().signed_in);
        flow.members().set_id_source(fakes::counting_ids(&ids));
    }
    ConsoleMembers& m() { return flow.members(); }
    const MembersState& s() { return flow.members().state(); }
    Request next() {
        REQUIRE_FALSE(net.pending.empty());
        return net.pending.front().first;
    }
};

// A page of members "m-<from>" … with a cursor when more follow.
std::string page_body(std::size_t from, std::size_t count, bool more) {
    Json rows = Json::array();
    for (std::size_t i = from; i < from + count; ++i) {
        char id[16];
        std::snprintf(id, sizeof id, "m-%06zu", i);
        rows.push_back({{"id", id}, {"name", "Member " + std::to_string(i)},
                        {"card", "2000000000000"}, {"phone", ""}, {"email", ""},
                        {"erased", false}, {"balance", static_cast<std::int64_t>(i)},
                        {"tier", "Base"}, {"last_visit_ms", 0}});
    }
    Json j{{"members", rows}, {"next_after", nullptr}};
    if (more) j["next_after"] = rows.back()["id"];
    return j.dump();
}

std::string member_body(const std::string& id, std::int64_t balance) {
    members::MemberSnapshot m;
    m.id = id;
    m.name = "Anna";
    m.balance = m.available = balance;
    m.tier = {"silver", "Silver", "Gold", 750, 620};
    m.expiring = {{100, 1900000000000}};
    m.history = {{"adjust", "admin", 1800000000000, 50}, {"earn", "bonus", 1700000000000, 30}};
    return Json{{"profile", {{"id", id}, {"name", "Anna Ozola"}, {"card", "2000000000017"},
                             {"phone", "79160000001"}, {"erased", false}}},
                {"member", codec::encode_member(m)},
                {"version", 3}}
        .dump();
}

// A page of history: entries seq = top, top - 1, … (count of them), `first` their place among
// `total`, and the cursor of the older page when more follow.
std::string history_body(std::int64_t top, std::int64_t count, std::int64_t first,
                         std::int64_t total) {
    Json entries = Json::array();
    for (std::int64_t seq = top; seq > top - count; --seq)
        entries.push_back({{"seq", seq}, {"id", "e"}, {"reason", "adjust"}, {"automatic", false},
                           {"rule", "admin"}, {"at_ms", 1800000000000 + seq}, {"points", seq},
                           {"receipt_id", ""}, {"note", "n" + std::to_string(seq)}});
    const bool older = first + count - 1 < total;
    return Json{{"entries", entries}, {"total", total}, {"first", first},
                {"next_before", older ? Json(top - count + 1) : Json(nullptr)}}
        .dump();
}

// The member's page and the newest page of its history, answered.
void load_page(Console& c, const std::string& id, std::int64_t balance) {
    c.m().open(id);
    CHECK(c.next().path == "/v1/admin/members/" + id);
    c.net.answer(200, member_body(id, balance));
    CHECK(c.next().path == "/v1/admin/members/" + id + "/history?limit=20");
    c.net.answer(200, history_body(2, 2, 1, 2));
}

}  // namespace

TEST_CASE("console members: support, managers and owners see the section, viewers not") {
    const std::pair<StaffRole, bool> sees[] = {{StaffRole::owner, true},
                                               {StaffRole::manager, true},
                                               {StaffRole::support, true},
                                               {StaffRole::viewer, false}};
    for (const auto& [role, visible] : sees)
        CHECK(section_visible(role, ConsoleSection::members) == visible);
    CHECK(console_section_name(ConsoleSection::members) == "members");
}

TEST_CASE("console members: points typed as whole numbers with a sign, never 0") {
    CHECK(parse_points("50") == 50);
    CHECK(parse_points("+50") == 50);
    CHECK(parse_points(" -20 ") == -20);
    CHECK_FALSE(parse_points("0"));
    CHECK_FALSE(parse_points("5.5"));
    CHECK_FALSE(parse_points(""));
    CHECK_FALSE(parse_points("+"));
    CHECK_FALSE(parse_points("10000000000000"));
}

TEST_CASE("console members: pages come by cursor as rows show, and a bounded cache") {
    Console c;
    c.flow.open_section(ConsoleSection::members);
    Request r = c.next();
    CHECK(r.path == "/v1/admin/members?limit=100&q=&after=");
    CHECK(r.credential.secret == "kcs_1");
    c.net.answer(200, page_body(0, 100, true));
    CHECK(c.s().list.rows_known == 100);
    CHECK(c.m().row(99)->id == "m-000099");
    CHECK(c.m().row(100) == nullptr);

    // The first rows show: nothing more is asked.
    c.m().rows_shown(0, 30);
    CHECK(c.net.pending.empty());
    // The loading row at the end shows: the next page, after the last id.
    c.m().rows_shown(80, 101);
    CHECK(c.next().path == "/v1/admin/members?limit=100&q=&after=m-000099");
    c.m().rows_shown(80, 101);  // one request at a time
    CHECK(c.net.pending.size() == 1);
    c.net.answer(200, page_body(100, 100, true));
    CHECK(c.s().list.rows_known == 200);

    // Scrolling far down: each page once, and never more than the cache holds.
    for (std::size_t p = 2; p < 20; ++p) {
        c.m().rows_shown(p * 100 - 10, p * 100 + 1);
        c.net.answer(200, page_body(p * 100, 100, p < 19));
        CHECK(c.s().list.pages.size() <= members_cached_pages_max + 1);
    }
    CHECK(c.s().list.rows_known == 2000);
    CHECK_FALSE(c.s().list.more);
    c.m().rows_shown(1990, 2000);
    CHECK(c.net.pending.empty());  // the end: nothing after it
    CHECK(c.s().list.pages.size() <= members_cached_pages_max);
    CHECK(c.m().row(5) == nullptr);  // dropped long ago

    // Back to the top: page 0 again, by its cursor.
    c.m().rows_shown(0, 20);
    CHECK(c.next().path == "/v1/admin/members?limit=100&q=&after=");
    c.net.answer(200, page_body(0, 100, true));
    CHECK(c.m().row(5)->balance == 5);
    CHECK(c.s().list.rows_known == 2000);  // a page fetched again adds no rows
    CHECK(c.s().list.fetches == 21);
}

TEST_CASE("console members: a new search starts over; a late answer of the old one is dropped") {
    Console c;
    c.flow.open_section(ConsoleSection::members);
    c.m().query() = "+7 916";
    c.m().search();
    REQUIRE(c.net.pending.size() == 2);
    CHECK(c.net.pending.back().first.path == "/v1/admin/members?limit=100&q=%2B7%20916&after=");
    c.net.answer(200, page_body(0, 100, true));  // the first search's answer
    CHECK(c.s().list.rows_known == 0);
    CHECK(c.s().list.loading.has_value());
    c.net.answer(200, page_body(0, 2, false));
    CHECK(c.s().list.rows_known == 2);
    CHECK(c.s().list.searched == "+7 916");

    // Offline: the error stays until the next search, and nothing is asked meanwhile.
    c.m().search();
    c.net.drop();
    CHECK(c.s().list.error->code == "offline");
    c.m().rows_shown(0, 10);
    CHECK(c.net.pending.empty());
}

TEST_CASE("console members: a member's page, an adjustment with a reason, a retry") {
    Console c;
    load_page(c, "demo-anna", 1250);
    const MemberPage& p = c.s().page;
    REQUIRE(p.loaded);
    CHECK(p.profile.name == "Anna Ozola");
    REQUIRE(p.member);
    CHECK(p.member->balance == 1250);
    CHECK(p.member->tier.next_name == "Gold");
    CHECK(p.member->expiring.size() == 1);
    CHECK(p.member->history.front().reason == "adjust");

    // Refused before sending: no points, then no reason.
    c.m().adjust_form().points = "abc";
    c.m().adjust();
    CHECK(p.adjust.error->field == "points");
    c.m().adjust_form().points = "+50";
    c.m().adjust_form().reason = "  ";
    c.m().adjust();
    CHECK(p.adjust.error->field == "reason");
    CHECK(c.net.pending.empty());

    c.m().adjust_form().reason = "Coffee machine broke";
    c.m().adjust();
    Request r = c.next();
    CHECK(r.method == "POST");
    CHECK(r.path == "/v1/admin/members/demo-anna/adjust");
    const Json body = Json::parse(r.body);
    CHECK(body["points"] == 50);
    CHECK(body["reason"] == "Coffee machine broke");
    const std::string op = body["operation_id"];
    CHECK(op.size() == 32);
    c.net.drop();  // no answer: the retry is the same operation
    CHECK(p.adjust.error->code == "offline");
    c.m().adjust();
    CHECK(Json::parse(c.next().body)["operation_id"] == op);
    c.net.answer(201, R"({"balance":1300})");
    CHECK(p.done == "adjusted");
    CHECK(p.adjust.points.empty());
    CHECK(c.next().path == "/v1/admin/members/demo-anna");  // the page again
    c.net.answer(200, member_body("demo-anna", 1300));
    CHECK(p.member->balance == 1300);
    c.net.answer(200, history_body(3, 3, 1, 3));  // its history, the adjustment on top
    CHECK(p.history.entries.front().seq == 3);

    // The server's refusal shows at its field; the next adjustment is a new operation.
    c.m().adjust_form().points = "-5000";
    c.m().adjust_form().reason = "typo";
    c.m().adjust();
    const std::string op2 = Json::parse(c.next().body)["operation_id"];
    CHECK(op2 != op);
    c.net.answer(409, R"({"error":{"code":"insufficient","message":"below zero",)"
                      R"("field":"points"}})");
    CHECK(p.adjust.error->field == "points");
    c.m().adjust();
    CHECK(Json::parse(c.next().body)["operation_id"] != op2);
}

TEST_CASE("console members: enrolment is refused at the field the server names") {
    Console c("manager");
    c.m().open_enrol();
    c.m().enrol_form().name = "Ēriks";
    c.m().enrol_form().phone = "+371 2000 0100";
    c.m().enrol();
    Request r = c.next();
    CHECK(r.path == "/v1/admin/members");
    Json body = Json::parse(r.body);
    CHECK(body["consent"] == false);
    CHECK(body["phone"] == "+371 2000 0100");
    CHECK_FALSE(body.contains("email"));  // left empty: not sent
    c.net.answer(400, R"({"error":{"code":"invalid_value","message":"must be true",)"
                      R"("field":"consent"}})");
    REQUIRE(c.s().enrol);
    CHECK(c.s().enrol->error->field == "consent");

    c.m().enrol_form().consent = true;
    c.m().enrol();
    body = Json::parse(c.next().body);
    CHECK(body["consent"] == true);
    c.net.answer(201, R"({"profile":{"id":"m-1"},"member":{}})");
    CHECK_FALSE(c.s().enrol);
    CHECK(c.s().page.id == "m-1");
    CHECK(c.s().page.done == "enrolled");
    CHECK(c.next().path == "/v1/admin/members/m-1");
}

TEST_CASE("console members: the export is handed over once; erasure waits for a confirmation") {
    Console c("owner");
    load_page(c, "demo-boris", 120);
    c.m().export_member();
    CHECK(c.next().path == "/v1/admin/members/demo-boris/export");
    c.net.answer(200, R"({"format":"kopilka.member-export.v1"})");
    auto d = c.m().take_download();
    REQUIRE(d);
    CHECK(d->file_name == "kopilka-member-demo-boris.json");
    CHECK(d->body.find("member-export") != std::string::npos);
    CHECK_FALSE(c.m().take_download());

    c.m().erase_confirmed();  // not asked yet: nothing
    CHECK(c.net.pending.empty());
    c.m().ask_erase();
    CHECK(c.s().page.confirm_erase);
    c.m().cancel_erase();
    c.m().erase_confirmed();
    CHECK(c.net.pending.empty());
    c.m().ask_erase();
    c.m().erase_confirmed();
    CHECK(c.next().path == "/v1/admin/members/demo-boris/erase");
    c.net.answer(200, R"({"profile":{"id":"demo-boris","name":"","erased":true}})");
    CHECK(c.s().page.erased);
    CHECK(c.s().page.done == "erased");
    CHECK_FALSE(c.s().page.member);
    CHECK(c.s().page.profile.erased);
}

TEST_CASE("console members: an erased member's page says it is gone") {
    Console c;
    c.m().open("demo-gone");
    c.net.answer(410, R"({"error":{"code":"member_erased","message":"erased","field":"id"}})");
    CHECK(c.s().page.loaded);
    CHECK(c.s().page.profile.erased);
    CHECK_FALSE(c.s().page.error);
    c.m().ask_erase();  // nothing left to erase: no confirmation
    c.m().erase_confirmed();
    CHECK(c.net.pending.empty());
}

TEST_CASE("console members: signing out forgets the section") {
    Console c;
    c.flow.open_section(ConsoleSection::members);
    c.net.answer(200, page_body(0, 3, false));
    c.m().open("m-000001");
    c.flow.sign_out();
    CHECK_FALSE(c.s().list.started);
    CHECK(c.s().page.id.empty());
}

TEST_CASE("console members: the history a page at a time, Older and Newer by the cursors") {
    Console c;
    c.m().open("demo-anna");
    c.net.answer(200, member_body("demo-anna", 1250));
    const MemberHistory& h = c.s().page.history;
    CHECK(h.loading);
    CHECK(c.next().path == "/v1/admin/members/demo-anna/history?limit=20");
    c.net.answer(200, history_body(133, 20, 1, 134));
    REQUIRE(h.loaded);
    CHECK(h.entries.size() == 20);
    CHECK(h.entries.front().note == "n133");
    CHECK(h.older == 114);
    CHECK_FALSE(h.has_newer());
    c.m().history_newer();  // the newest already: nothing
    CHECK(c.net.pending.empty());

    c.m().history_older();
    c.m().history_older();  // one request at a time
    CHECK(c.net.pending.size() == 1);
    CHECK(c.next().path == "/v1/admin/members/demo-anna/history?limit=20&before=114");
    // Meanwhile an entry was added: the page is still the next 20, now counted from 22.
    c.net.answer(200, history_body(113, 20, 22, 135));
    CHECK(h.first == 22);
    CHECK(h.total == 135);
    CHECK(h.entries.front().seq == 113);
    CHECK(h.has_newer());

    // To the oldest page and back.
    for (std::int64_t top = 93; top > 13; top -= 20) {
        c.m().history_older();
        c.net.answer(200, history_body(top, 20, 135 - top, 135));
    }
    c.m().history_older();
    CHECK(c.next().path == "/v1/admin/members/demo-anna/history?limit=20&before=14");
    c.net.answer(200, history_body(13, 14, 122, 135));
    CHECK_FALSE(h.older);
    c.m().history_older();  // the oldest: nothing
    CHECK(c.net.pending.empty());
    c.m().history_newer();
    CHECK(c.next().path == "/v1/admin/members/demo-anna/history?limit=20&before=34");
    c.net.drop();  // offline: the error, and Retry asks for the same page
    CHECK(h.error->code == "offline");
    c.m().history_retry();
    CHECK(c.next().path == "/v1/admin/members/demo-anna/history?limit=20&before=34");
    c.net.answer(200, history_body(33, 20, 102, 135));
    CHECK_FALSE(h.error);
    CHECK(h.entries.front().seq == 33);

    // An adjustment brings the newest page back, with it on top.
    c.m().adjust_form().points = "+5";
    c.m().adjust_form().reason = "sorry";
    c.m().adjust();
    c.net.answer(201, R"({"balance":1255})");
    c.net.answer(200, member_body("demo-anna", 1255));
    CHECK(c.next().path == "/v1/admin/members/demo-anna/history?limit=20");
}

TEST_CASE("console members: personal fields edited with If-Match; a conflict keeps the edit") {
    Console c;  // support corrects details too
    load_page(c, "demo-anna", 1250);
    c.m().open_edit();
    REQUIRE(c.s().page.edit);
    EditForm& f = c.m().edit_form();
    CHECK(f.name == "Anna Ozola");
    CHECK(f.phone == "+79160000001");
    f.name = " ";
    c.m().save_edit();  // refused before sending
    CHECK(f.error->field == "name");
    CHECK(c.net.pending.empty());

    f.name = "Anna Kalniņa";
    f.phone = "+371 2612 3456";
    f.birthday = "1990-02-30";
    c.m().save_edit();
    Request r = c.next();
    CHECK(r.method == "PUT");
    CHECK(r.path == "/v1/admin/members/demo-anna");
    CHECK(r.if_match == "3");
    Json body = Json::parse(r.body);
    CHECK(body["phone"] == "+371 2612 3456");
    CHECK_FALSE(body.contains("email"));  // not changed: not sent
    c.net.answer(400, R"({"error":{"code":"invalid_value","message":"must be a date",)"
                      R"("field":"birthday"}})");
    CHECK(c.s().page.edit->error->field == "birthday");
    CHECK_FALSE(c.s().page.edit->conflict);

    // Someone else saved first: 412, the edit stays, a reload brings the new version under it.
    f.birthday = "1990-02-28";
    c.m().save_edit();
    c.net.answer(412, R"({"error":{"code":"version_conflict","message":"changed",)"
                      R"("field":"If-Match","current_version":4}})");
    REQUIRE(c.s().page.edit);
    CHECK(c.s().page.edit->conflict);
    CHECK(c.s().page.edit->name == "Anna Kalniņa");
    c.m().reload_keeping_edit();
    CHECK(c.next().path == "/v1/admin/members/demo-anna");
    Json newer = Json::parse(member_body("demo-anna", 1250));
    newer["version"] = 4;
    newer["profile"]["email"] = "anna@example.lv";  // the other person's change
    c.net.answer(200, newer.dump());
    c.net.answer(200, history_body(2, 2, 1, 2));
    REQUIRE(c.s().page.edit);
    CHECK(c.s().page.edit->name == "Anna Kalniņa");  // typed: kept
    CHECK(c.s().page.edit->email == "anna@example.lv");  // not typed into: brought up to date
    CHECK_FALSE(c.s().page.edit->conflict);
    c.m().save_edit();
    r = c.next();
    CHECK(r.if_match == "4");
    CHECK_FALSE(Json::parse(r.body).contains("email"));
    c.net.answer(200, R"({"profile":{"id":"demo-anna","name":"Anna Kalniņa"}})");
    CHECK_FALSE(c.s().page.edit);
    CHECK(c.s().page.done == "edited");
    CHECK(c.next().path == "/v1/admin/members/demo-anna");  // the new version, for the next edit

    // Nothing changed: nothing sent.
    c.net.answer(200, newer.dump());
    c.net.answer(200, history_body(2, 2, 1, 2));
    c.m().open_edit();
    c.m().save_edit();
    CHECK(c.net.pending.empty());
    CHECK_FALSE(c.s().page.edit);
}
