// The console's members section without drawing:
//
//   list:   search (GET /v1/admin/members?q=&after=&limit=) → a table fetched page by page by
//           the `after` cursor as the rows come into view; only a few pages are kept, the
//           cursors of all pages seen so far, so scrolling back fetches a page again
//   page:   GET /v1/admin/members/{id} → profile, balance, batches with their expiry, tier and
//           progress; the history a page at a time (GET …/history?before=&limit=, newest
//           first), Older and Newer walking the server's keyset cursors
//   writes: enrol with consent (POST /v1/admin/members), adjust with a reason (POST …/adjust),
//           edit the personal fields (PUT …/{id} with If-Match: the version read; a 412 keeps
//           the edit and offers to reload the member under it), export (GET …/export, handed
//           to the page as a download), erase after an explicit confirmation (POST …/erase;
//           the page then says the member is gone)
//
// Writes carry an operation id made once per form and kept until the server took it, so a
// retry after a lost answer is the same operation. Refusals keep the field the server names
// ("consent", "points", "reason") so the screen shows them at that field; a few are found
// before sending (an empty reason, points that are not a whole number).
//
// ConsoleFlow owns one ConsoleMembers and lends it its requests (session, 401 and 403).
// Missing: changing the member's card (the server has no route for it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "client/console_types.hpp"
#include "client/transport.hpp"
#include "core/members/member_snapshot.hpp"

namespace kopilka::client {

inline constexpr std::size_t members_page_rows = 100;  // rows per GET (the server allows 200)
inline constexpr std::size_t members_cached_pages_max = 8;
inline constexpr std::size_t history_page_rows = 20;  // entries per history page

struct MemberRow {
    std::string id, name, card, phone, email, tier;
    std::int64_t balance = 0;
    std::int64_t last_visit_ms = 0;  // 0: never bought
    bool erased = false;
};

struct MembersList {
    std::string query;     // typed into by the screen
    std::string searched;  // the query the rows belong to
    bool started = false;  // a search was made
    // Page i holds rows [i * members_page_rows, …); its cursor is after[i] ("" for page 0).
    std::vector<std::string> after;               // one per page whose start is known
    std::map<std::size_t, std::vector<MemberRow>> pages;  // the cached pages
    std::size_t rows_known = 0;  // rows of every page fetched so far (the table's length)
    bool more = true;            // a page after the last known one may exist
    std::optional<std::size_t> loading;  // the page being fetched
    std::optional<ConsoleError> error;
    std::uint64_t fetches = 0;   // GETs made (tests check that scrolling fetches few)
    std::size_t shown_first = 0, shown_last = 0;  // the rows in view, as rows_shown said
};

struct EnrolForm {
    std::string name, phone, email, birthday, card;
    bool consent = false;
    std::string operation_id;  // made on the first send, kept until the server took it
    bool busy = false;
    std::optional<ConsoleError> error;  // field: where it goes
};

struct AdjustForm {
    std::string points;  // "+50", "-20"
    std::string reason;
    std::string operation_id;
    bool busy = false;
    std::optional<ConsoleError> error;
};

struct EditForm {
    std::string name, phone, email, birthday, card;  // as typed; only changed ones are sent
    // The values the form was filled with, by field: a reload after a conflict brings the
    // fields not typed into up to date, so saving never undoes another person's change.
    std::map<std::string, std::string> loaded;
    bool busy = false;
    bool conflict = false;  // 412: changed meanwhile; the edit is kept, reload offered
    std::optional<ConsoleError> error;  // field: where it goes
};

struct HistoryEntry {
    std::int64_t seq = 0;  // the entry's place in the member's ledger (the cursor)
    std::string reason, rule, note;
    std::int64_t at_ms = 0;
    std::int64_t points = 0;  // change of the balance, signed
};

// The page of the member's history on screen. cursors: before= of each page from the newest
// (-1) to the one shown, so Newer goes back the way Older came.
struct MemberHistory {
    std::vector<HistoryEntry> entries;  // newest first
    std::int64_t total = 0;             // entries in all
    std::int64_t first = 0;             // 1-based place of entries[0] (0: none)
    std::vector<std::int64_t> cursors{-1};
    std::optional<std::int64_t> older;  // before= of the next older page
    bool loading = false, loaded = false;
    std::optional<ConsoleError> error;
    bool has_newer() const { return cursors.size() > 1; }
};

struct MemberProfile {
    std::string id, name, card, phone, email, birthday;
    std::int64_t consent_at_ms = 0, created_at_ms = 0, erased_at_ms = 0;
    bool erased = false;
};

struct MemberPage {
    std::string id;  // "" when no member is open
    bool loaded = false;
    ConsoleBusy busy = ConsoleBusy::none;
    MemberProfile profile;
    std::optional<members::MemberSnapshot> member;  // none once erased
    std::int64_t version = 0;
    MemberHistory history;
    AdjustForm adjust;
    std::optional<EditForm> edit;  // the edit of personal fields is open
    bool confirm_erase = false;    // the confirmation is open
    bool erased = false;         // erased here: the page says it is gone
    std::string done;  // "adjusted", "edited", "exported", "erased", "enrolled", ""
    std::optional<ConsoleError> error;
};

// A member's data to save as a file (the page makes the browser download it).
struct MemberDownload {
    std::string file_name;  // "kopilka-member-<id>.json"
    std::string body;       // the export as JSON
};

struct MembersState {
    MembersList list;
    MemberPage page;
    std::optional<EnrolForm> enrol;  // the enrolment form is open
    std::optional<MemberDownload> download;
};

class ConsoleMembers {
  public:
    using Call = std::function<void(Request, std::function<void(TransportReply)>)>;
    // True when the reply was a 401/403 the flow handled; else *error set or cleared.
    using Common = std::function<bool(const TransportReply&, std::optional<ConsoleError>*)>;
    ConsoleMembers(Call call, Common common, std::function<void()> changed);

    // 32 hex digits, unpredictable; the default draws from std::random_device.
    void set_id_source(std::function<std::string()> new_id) { new_id_ = std::move(new_id); }

    void reset();  // signed out: everything forgotten

    // The list.
    std::string& query() { return state_.list.query; }  // typed into by the screen
    void search();                                      // the first page for query()
    // The rows [first, last) show: their pages are fetched (one at a time, nearest first) and
    // pages far from them dropped, at most members_cached_pages_max kept.
    void rows_shown(std::size_t first, std::size_t last);
    const MemberRow* row(std::size_t i) const;  // nullptr while its page is not here

    // A member's page.
    void open(const std::string& id);
    void close();  // back to the list
    AdjustForm& adjust_form() { return state_.page.adjust; }
    void adjust();
    void history_older();  // the next older page, when there is one
    void history_newer();  // back towards the newest
    void history_retry();  // the page shown, again
    void open_edit();      // the form filled with the profile
    void close_edit();
    EditForm& edit_form() { return *state_.page.edit; }  // only while open
    void save_edit();
    void reload_keeping_edit();  // after a 412: the member as it is now, the edit kept
    void export_member();
    void ask_erase();
    void cancel_erase();
    void erase_confirmed();

    // Enrolment.
    void open_enrol();
    void close_enrol();
    EnrolForm& enrol_form() { return *state_.enrol; }  // only while open
    void enrol();

    // The download waiting for the page, once.
    std::optional<MemberDownload> take_download();

    const MembersState& state() const { return state_; }

  private:
    void fetch_page(std::size_t page);
    void drop_far_pages(std::size_t first_page, std::size_t last_page);
    void reload_page();
    void fetch_history();  // the page at history.cursors.back()
    void page_request(Request r, ConsoleBusy busy,
                      std::function<void(const TransportReply&)> done);
    std::string operation_id(std::string* kept);

    Call call_;
    Common common_;
    std::function<void()> changed_;
    std::function<std::string()> new_id_;
    MembersState state_;
    std::uint64_t search_generation_ = 0;  // answers for an older search are dropped
};

// "+50", "50", "-20" → the points; nullopt for 0, anything else or beyond ±10^12.
std::optional<std::int64_t> parse_points(const std::string& text);

}  // namespace kopilka::client
