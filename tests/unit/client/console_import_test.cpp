// The console's import and export section against a held network: a chosen file is checked by
// the server at once (a dry run, the bad rows by line), imported as a job whose id is kept so a
// reload shows the same progress, polled about once a second until it ends; exports are asked
// of the page with the right paths, and typed dates are checked first.
#include "client/console_import.hpp"

#include <doctest/doctest.h>

#include "client/console_flow.hpp"
#include "codec/decode.hpp"
#include "fakes.hpp"

using namespace kopilka;
using namespace kopilka::client;
using kopilka::client::fakes::HeldTransport;
using kopilka::client::fakes::MemoryStorage;

namespace {

constexpr const char* kSession = R"({"token":"kcs_1","user":{"id":"u1","role":"owner"},)"
                                 R"("merchant":{"code":"demo","currency":"RUB"}})";

struct Console {
    HeldTransport net;
    MemoryStorage session_store, draft_store;
    ConsoleFlow flow{net, session_store, draft_store};

    explicit Console(const char* session = kSession) {
        session_store.set("kopilka.console.session", session);
        flow.start(1000);
        REQUIRE(net.pending.size() == 1);
        net.answer(200, session);
        REQUIRE(flow.state().signed_in);
    }
    ImportFlow& im() { return flow.imports(); }
    const ImportState& s() { return flow.imports().state(); }
    const Request& next() {
        REQUIRE_FALSE(net.pending.empty());
        return net.pending.front().first;
    }
};

constexpr const char* kFile =
    "\xEF\xBB\xBF"
    "card;name;consent;opening_points\r\n"
    "2000000000015;Anna;yes;100\r\n"
    "bad-card!;Boris;yes;x\r\n";

std::string job(const char* status, int done, int created = 0) {
    return std::string(R"({"job_id":"imp-1","kind":"members","status":")") + status +
           R"(","rows_total":2,"rows_done":)" + std::to_string(done) +
           R"(,"rows_bad":1,"created":)" + std::to_string(created) +
           R"(,"matched":0,"errors":[{"line":3,"column":"card","message":"not a card"}],)"
           R"("failure":"","created_at_ms":5,"updated_at_ms":6})";
}

}  // namespace

TEST_CASE("console import: only the owner and managers see it (the server's rule)") {
    CHECK(section_visible(StaffRole::owner, ConsoleSection::data));
    CHECK(section_visible(StaffRole::manager, ConsoleSection::data));
    CHECK_FALSE(section_visible(StaffRole::support, ConsoleSection::data));
    CHECK_FALSE(section_visible(StaffRole::viewer, ConsoleSection::data));
    CHECK(console_section_name(ConsoleSection::data) == "data");
}

TEST_CASE("console import: a file is checked at once; its bad rows come back by line") {
    Console c;
    c.flow.open_section(ConsoleSection::data);
    CHECK(c.net.pending.empty());  // nothing kept from before: no request
    c.im().set_file("members.csv", kFile);
    CHECK(c.s().has_file);
    CHECK(c.s().file_bytes == static_cast<std::int64_t>(std::string(kFile).size()));
    CHECK(c.s().busy == ConsoleBusy::loading);
    const Request& r = c.next();
    CHECK(r.method == "POST");
    CHECK(r.path == "/v1/admin/imports?dry_run=true");
    CHECK(r.content_type == "text/csv; charset=utf-8");
    CHECK(r.body == kFile);  // sent as it is: the server reads BOM, separators and quotes
    CHECK(r.credential.secret == "kcs_1");
    CHECK_FALSE(c.im().can_import());
    c.net.answer(200, R"({"dry_run":true,"rows_total":2,"rows_bad":1,"separator":";",)"
                      R"("columns":["card","name","consent","opening_points"],)"
                      R"("ignored_columns":["notes"],)"
                      R"("errors":[{"line":3,"column":"card","message":"not a card"}]})");
    REQUIRE(c.s().check);
    CHECK(c.s().check->rows_total == 2);
    CHECK(c.s().check->rows_bad == 1);
    CHECK(c.s().check->separator == ";");
    CHECK(c.s().check->ignored_columns == std::vector<std::string>{"notes"});
    REQUIRE(c.s().check->bad.size() == 1);
    CHECK(c.s().check->bad[0].line == 3);
    CHECK(c.s().check->bad[0].column == "card");
    CHECK(c.im().can_import());

    // A file the server can't read at all: its refusal, nothing to import.
    c.im().set_file("photo.csv", "\xff\xfe");
    c.net.answer(400, R"({"error":{"code":"invalid_value","message":"the file is not UTF-8 )"
                      R"(text","field":"body"}})");
    REQUIRE(c.s().error);
    CHECK(c.s().error->field == "body");
    CHECK_FALSE(c.s().check);
    CHECK_FALSE(c.im().can_import());
    // Over the server's limit: refused here, nothing sent.
    c.im().file_too_big("huge.csv");
    CHECK(c.net.pending.empty());
    CHECK(c.s().error->code == "file_too_big");
    CHECK_FALSE(c.s().has_file);
}

TEST_CASE("console import: the job's progress is polled, and comes back after a reload") {
    MemoryStorage drafts;
    {
        Console c;
        c.flow.open_section(ConsoleSection::data);
        c.im().set_file("members.csv", kFile);
        c.net.answer(200, R"({"rows_total":2,"rows_bad":1,"errors":[]})");
        c.im().start();
        CHECK(c.s().busy == ConsoleBusy::saving);
        CHECK(c.next().path == "/v1/admin/imports");
        CHECK(c.next().body == kFile);
        c.im().start();  // busy: not twice
        CHECK(c.net.pending.size() == 1);
        c.net.answer(202, job("running", 0));
        REQUIRE(c.s().job);
        CHECK(c.s().job->running());
        CHECK_FALSE(c.s().has_file);  // the file is the server's now
        CHECK_FALSE(c.im().can_import());

        // About once a second while it runs, never two requests at a time.
        c.flow.tick(2000);
        REQUIRE(c.net.pending.size() == 1);
        CHECK(c.next().path == "/v1/admin/imports/imp-1");
        c.flow.tick(3500);  // the answer has not come: no second request
        CHECK(c.net.pending.size() == 1);
        c.net.answer(200, job("running", 1, 1));
        CHECK(c.s().job->rows_done == 1);
        c.flow.tick(3600);  // a second after the last request
        CHECK(c.net.pending.size() == 1);
        c.net.answer(200, job("running", 1, 1));
        c.flow.tick(4100);
        CHECK(c.net.pending.empty());
        c.flow.tick(4700);
        CHECK(c.net.pending.size() == 1);
        drafts = c.draft_store;  // the browser's local storage, as the page leaves it
    }
    // A reload (a new flow over the same local storage): the job is asked for at once.
    HeldTransport net;
    MemoryStorage session_store;
    session_store.set("kopilka.console.session", kSession);
    ConsoleFlow flow{net, session_store, drafts};
    flow.start(1000);
    net.answer(200, kSession);
    flow.open_section(ConsoleSection::data);
    REQUIRE(net.pending.size() == 1);
    CHECK(net.pending.front().first.path == "/v1/admin/imports/imp-1");
    net.answer(200, job("done", 2, 1));
    const auto& s = flow.imports().state();
    REQUIRE(s.job);
    CHECK(s.job->status == "done");
    CHECK(s.job->created == 1);
    REQUIRE(s.job->errors.size() == 1);
    CHECK(s.job->errors[0].line == 3);
    flow.tick(9000);
    CHECK(net.pending.empty());  // done: no more polling
    flow.imports().dismiss();
    CHECK_FALSE(s.job);
    CHECK(drafts.get("kopilka.console.import_job").empty());
}

TEST_CASE("console import: exports are the page's downloads; bad dates are named first") {
    Console c;
    c.im().download_members();
    auto d = c.im().take_download();
    REQUIRE(d);
    CHECK(d->path == "/v1/admin/exports/members.csv");
    CHECK(d->file_name == "members.csv");
    CHECK_FALSE(c.im().take_download());  // taken once

    c.im().download_receipts();  // no dates: everything
    d = c.im().take_download();
    REQUIRE(d);
    CHECK(d->path == "/v1/admin/exports/receipts.csv");
    c.im().state().export_from = "2026-12-01";
    c.im().state().export_to = "2026-12-31";  // inclusive: the server stops before Jan 1
    c.im().download_receipts();
    d = c.im().take_download();
    REQUIRE(d);
    CHECK(d->path == "/v1/admin/exports/receipts.csv?from=2026-12-01&to=2027-01-01");
    c.im().state().export_to = "2026-11-30";
    c.im().download_receipts();
    CHECK(c.s().export_dates_bad);
    CHECK_FALSE(c.im().take_download());
    c.im().state().export_to = "31.12.2026";
    c.im().download_receipts();
    CHECK(c.s().export_dates_bad);
    c.im().download_failed("HTTP 403");
    CHECK(c.s().download_error == "HTTP 403");
    CHECK(c.net.pending.empty());  // the page downloads, not the flow
}
