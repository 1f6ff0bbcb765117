#include "client/console_members.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <random>
#include <type_traits>
#include <utility>

#include "client/json_fields.hpp"
#include "codec/decode.hpp"
#include "codec/member_json.hpp"
#include "core/url.hpp"

namespace kopilka::client {

namespace {
using codec::Json;

constexpr std::int64_t kPointsMax = 1000000000000LL;

// The answer's object ({} when it is not one).
Json answer_object(const TransportReply& r) {
    codec::DecodeError e;
    auto j = codec::parse_json(r.body, &e);
    return j && j->is_object() ? *j : Json::object();
}

// j[key] when it holds a T (text, whole number or flag), else T{}.
template <class T>
T field(const Json& j, const char* key) {
    const auto it = j.find(key);
    if (it == j.end()) return T{};
    if constexpr (std::is_same_v<T, bool>)
        return it->is_boolean() && it->get<bool>();
    else if constexpr (std::is_same_v<T, std::string>)
        return it->is_string() ? it->get<std::string>() : T{};
    else
        return it->is_number_integer() ? it->get<T>() : T{};
}

// The text fields named in `keys` into their places.
void read_texts(const Json& j, std::initializer_list<std::pair<const char*, std::string*>> keys) {
    for (const auto& [key, out] : keys) *out = field<std::string>(j, key);
}

MemberRow row_from(const Json& j) {
    MemberRow r;
    read_texts(j, {{"id", &r.id},
                   {"name", &r.name},
                   {"card", &r.card},
                   {"phone", &r.phone},
                   {"email", &r.email},
                   {"tier", &r.tier}});
    r.balance = field<std::int64_t>(j, "balance");
    r.last_visit_ms = field<std::int64_t>(j, "last_visit_ms");
    r.erased = field<bool>(j, "erased");
    return r;
}

MemberProfile profile_from(const Json& j) {
    MemberProfile p;
    read_texts(j, {{"id", &p.id},
                   {"name", &p.name},
                   {"card", &p.card},
                   {"phone", &p.phone},
                   {"email", &p.email},
                   {"birthday", &p.birthday}});
    for (const auto& [key, out] : {std::pair{"consent_at_ms", &p.consent_at_ms},
                                   {"created_at_ms", &p.created_at_ms},
                                   {"erased_at_ms", &p.erased_at_ms}})
        *out = field<std::int64_t>(j, key);
    p.erased = field<bool>(j, "erased");
    return p;
}

std::string random_hex_id() {
    std::random_device rd;
    static const char hex[] = "0123456789abcdef";
    std::string out;
    while (out.size() < 32) {
        const unsigned v = rd();
        for (int i = 0; i < 8 && out.size() < 32; ++i) out += hex[(v >> (i * 4)) & 15];
    }
    return out;
}

// Only the fields a person typed go in: an empty optional field is left out.
Json enrol_body(const EnrolForm& f) {
    Json j{{"operation_id", f.operation_id}, {"name", f.name}, {"consent", f.consent}};
    const std::pair<const char*, const std::string*> optional[] = {
        {"phone", &f.phone}, {"email", &f.email}, {"birthday", &f.birthday}, {"card", &f.card}};
    for (const auto& [key, value] : optional)
        if (!value->empty()) j[key] = *value;
    return j;
}

HistoryEntry history_entry_from(const Json& j) {
    HistoryEntry e;
    read_texts(j, {{"reason", &e.reason}, {"rule", &e.rule}, {"note", &e.note}});
    e.seq = field<std::int64_t>(j, "seq");
    e.at_ms = field<std::int64_t>(j, "at_ms");
    e.points = field<std::int64_t>(j, "points");
    return e;
}

// The edit form's fields by the names the server takes.
std::array<std::pair<const char*, std::string*>, 5> edit_fields(EditForm& f) {
    return {{{"name", &f.name},
             {"phone", &f.phone},
             {"email", &f.email},
             {"birthday", &f.birthday},
             {"card", &f.card}}};
}

// The profile as the edit form shows it (the phone with its '+').
std::map<std::string, std::string> editable(const MemberProfile& m) {
    return {{"name", m.name},
            {"phone", m.phone.empty() ? "" : "+" + m.phone},
            {"email", m.email},
            {"birthday", m.birthday},
            {"card", m.card}};
}

// The member as it is now under an open edit: the fields not typed into take the new values.
void rebase_edit(EditForm* f, const MemberProfile& now) {
    const auto values = editable(now);
    for (const auto& [key, value] : edit_fields(*f))
        if (*value == f->loaded[key]) *value = values.at(key);
    f->loaded = values;
}

// The fields changed since the form was filled ("" clears phone, e-mail or birthday).
Json edit_body(EditForm& f) {
    Json j = Json::object();
    for (const auto& [key, value] : edit_fields(f))
        if (*value != f.loaded[key]) j[key] = *value;
    return j;
}

// A required text left blank: the error at its field, before anything is sent.
bool refuse_blank(const std::string& text, const char* field, std::optional<ConsoleError>* error) {
    if (text.find_first_not_of(' ') != std::string::npos) return false;
    *error = ConsoleError{"missing_field", "is required", field, 0};
    return true;
}

std::string member_path(const std::string& id) {
    return "/v1/admin/members/" + url_component(id);
}
}  // namespace

std::optional<std::int64_t> parse_points(const std::string& text) {
    std::size_t i = 0;
    while (i < text.size() && text[i] == ' ') ++i;
    bool negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
    std::int64_t value = 0;
    std::size_t digits = 0;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, ++digits) {
        value = value * 10 + (text[i] - '0');
        if (value > kPointsMax) return std::nullopt;
    }
    while (i < text.size() && text[i] == ' ') ++i;
    if (digits == 0 || i != text.size() || value == 0) return std::nullopt;
    return negative ? -value : value;
}

ConsoleMembers::ConsoleMembers(Call call, Common common, std::function<void()> changed)
    : call_(std::move(call)),
      common_(std::move(common)),
      changed_(std::move(changed)),
      new_id_(random_hex_id) {}

void ConsoleMembers::reset() {
    state_ = MembersState{};
    ++search_generation_;
}

std::string ConsoleMembers::operation_id(std::string* kept) {
    if (kept->empty()) *kept = new_id_();
    return *kept;
}

// ---- the list -------------------------------------------------------------------------------
void ConsoleMembers::search() {
    MembersList& l = state_.list;
    const std::string query = l.query;
    const std::uint64_t fetches = l.fetches;
    l = MembersList{};
    l.query = l.searched = query;
    l.started = true;
    l.fetches = fetches;
    l.after.push_back("");
    ++search_generation_;
    fetch_page(0);
}

void ConsoleMembers::fetch_page(std::size_t page) {
    MembersList& l = state_.list;
    l.loading = page;
    ++l.fetches;
    changed_();
    const std::string path = "/v1/admin/members?limit=" + std::to_string(members_page_rows) +
                             "&q=" + url_component(l.searched) +
                             "&after=" + url_component(l.after[page]);
    const std::uint64_t generation = search_generation_;
    call_({"GET", path, "", "", {}}, [this, page, generation](TransportReply reply) {
        if (generation != search_generation_) return;  // another search meanwhile
        MembersList& l = state_.list;
        l.loading.reset();
        if (common_(reply, &l.error) || !reply_ok(reply)) return;
        const Json j = answer_object(reply);
        std::vector<MemberRow> rows;
        if (j.contains("members") && j["members"].is_array())
            for (const Json& m : j["members"]) rows.push_back(row_from(m));
        const bool first_time = page + 1 == l.after.size();
        if (first_time) {
            l.rows_known += rows.size();
            const std::string next = field<std::string>(j, "next_after");
            l.more = !next.empty();
            if (l.more) l.after.push_back(next);
        }
        l.pages[page] = std::move(rows);
    });
}

void ConsoleMembers::rows_shown(std::size_t first, std::size_t last) {
    MembersList& l = state_.list;
    if (first != l.shown_first || last != l.shown_last) {
        l.shown_first = first;
        l.shown_last = last;
        changed_();  // the text mirror reads the rows in view
    }
    if (!l.started || l.loading || l.error) return;
    const std::size_t first_page = first / members_page_rows;
    // The loading row after the last known one asks for the next page.
    const std::size_t last_page = std::max(first, last == 0 ? 0 : last - 1) / members_page_rows;
    drop_far_pages(first_page, last_page);
    for (std::size_t p = first_page; p <= last_page && p < l.after.size(); ++p)
        if (!l.pages.count(p)) return fetch_page(p);
}

// Keeps the pages shown and those nearest to them, members_cached_pages_max at most.
void ConsoleMembers::drop_far_pages(std::size_t first_page, std::size_t last_page) {
    auto& pages = state_.list.pages;
    const auto distance = [&](std::size_t p) {
        return p < first_page ? first_page - p : p > last_page ? p - last_page : 0;
    };
    while (pages.size() > members_cached_pages_max) {
        const auto far = std::max_element(pages.begin(), pages.end(), [&](auto& a, auto& b) {
            return distance(a.first) < distance(b.first);
        });
        if (distance(far->first) == 0) break;
        pages.erase(far);
    }
}

const MemberRow* ConsoleMembers::row(std::size_t i) const {
    const auto& pages = state_.list.pages;
    const auto it = pages.find(i / members_page_rows);
    if (it == pages.end()) return nullptr;
    const std::size_t at = i % members_page_rows;
    return at < it->second.size() ? &it->second[at] : nullptr;
}

// ---- a member's page -----------------------------------------------------------------------
void ConsoleMembers::open(const std::string& id) {
    state_.page = MemberPage{};
    state_.page.id = id;
    reload_page();
}

void ConsoleMembers::close() {
    state_.page = MemberPage{};
    changed_();
}

void ConsoleMembers::reload_page() {
    MemberPage& p = state_.page;
    p.busy = ConsoleBusy::loading;
    changed_();
    const std::string id = p.id;
    call_({"GET", member_path(id), "", "", {}}, [this, id](TransportReply reply) {
        MemberPage& p = state_.page;
        if (p.id != id) return;  // another member opened meanwhile
        p.busy = ConsoleBusy::none;
        if (reply.delivered && reply.status == 410) {  // erased: the page says it is gone
            p.profile = MemberProfile{};
            p.profile.id = id;
            p.profile.erased = p.loaded = true;
            p.member.reset();
            return p.error.reset();
        }
        if (common_(reply, &p.error) || !reply_ok(reply)) return;
        const Json j = answer_object(reply);
        p.profile = profile_from(j.contains("profile") ? j["profile"] : Json::object());
        p.version = field<std::int64_t>(j, "version");
        if (p.edit) rebase_edit(&*p.edit, p.profile);
        p.member.reset();
        if (j.contains("member")) {
            auto m = codec::decode_member(j["member"]);
            if (m.ok()) p.member = std::move(*m.value);
        }
        p.loaded = true;
        fetch_history();
    });
}

void ConsoleMembers::fetch_history() {
    MemberHistory& h = state_.page.history;
    if (h.loading) return;
    h.loading = true;
    changed_();
    const std::int64_t before = h.cursors.back();
    std::string path = member_path(state_.page.id) + "/history?limit=" +
                       std::to_string(history_page_rows);
    if (before >= 0) path += "&before=" + std::to_string(before);
    call_({"GET", path, "", "", {}}, [this, id = state_.page.id, before](TransportReply reply) {
        MemberHistory& h = state_.page.history;
        if (state_.page.id != id) return;  // another member opened meanwhile
        h.loading = false;
        if (common_(reply, &h.error) || !reply_ok(reply)) return;
        if (h.cursors.back() != before) return fetch_history();  // moved on meanwhile
        const Json j = answer_object(reply);
        h.entries.clear();
        if (j.contains("entries") && j["entries"].is_array())
            for (const Json& e : j["entries"]) h.entries.push_back(history_entry_from(e));
        h.total = field<std::int64_t>(j, "total");
        h.first = field<std::int64_t>(j, "first");
        h.older.reset();
        if (j.contains("next_before") && j["next_before"].is_number_integer())
            h.older = j["next_before"].get<std::int64_t>();
        h.loaded = true;
    });
}

void ConsoleMembers::history_older() {
    MemberHistory& h = state_.page.history;
    if (!h.older || h.loading) return;
    h.cursors.push_back(*h.older);
    fetch_history();
}

void ConsoleMembers::history_newer() {
    MemberHistory& h = state_.page.history;
    if (!h.has_newer() || h.loading) return;
    h.cursors.pop_back();
    fetch_history();
}

void ConsoleMembers::history_retry() {
    state_.page.history.error.reset();
    fetch_history();
}

// ---- editing personal fields ---------------------------------------------------------------
void ConsoleMembers::open_edit() {
    MemberPage& p = state_.page;
    if (!p.loaded || p.erased || p.profile.erased) return;
    p.done.clear();
    p.edit = EditForm{};
    p.edit->loaded = editable(p.profile);
    for (const auto& [key, value] : edit_fields(*p.edit)) *value = p.edit->loaded[key];
    changed_();
}

void ConsoleMembers::close_edit() {
    state_.page.edit.reset();
    changed_();
}

void ConsoleMembers::save_edit() {
    MemberPage& p = state_.page;
    if (!p.edit || p.edit->busy) return;
    EditForm& f = *p.edit;
    if (refuse_blank(f.name, "name", &f.error)) return changed_();
    const Json body = edit_body(f);
    if (body.empty()) return close_edit();  // nothing changed: nothing to save
    f.busy = true;
    f.error.reset();
    changed_();
    Request r{"PUT", member_path(p.id), body.dump(), "", {}};
    r.if_match = std::to_string(p.version);
    call_(std::move(r), [this, id = p.id](TransportReply reply) {
        MemberPage& p = state_.page;
        if (p.id != id || !p.edit) return;
        EditForm& f = *p.edit;
        f.busy = false;
        f.conflict = reply.delivered && reply.status == 412;
        if (common_(reply, &f.error) || !reply_ok(reply)) return;
        p.edit.reset();
        p.done = "edited";
        reload_page();  // the new version, for the next edit
    });
}

void ConsoleMembers::reload_keeping_edit() {
    if (!state_.page.edit) return;
    state_.page.edit->conflict = false;
    state_.page.edit->error.reset();
    reload_page();
}

void ConsoleMembers::adjust() {
    MemberPage& p = state_.page;
    AdjustForm& f = p.adjust;
    if (f.busy || p.id.empty()) return;
    p.done.clear();
    const auto points = parse_points(f.points);
    if (!points) {
        f.error =
            ConsoleError{"invalid_value", "must be a whole number of points, not 0", "points", 0};
        return changed_();
    }
    if (refuse_blank(f.reason, "reason", &f.error)) return changed_();
    f.busy = true;
    f.error.reset();
    changed_();
    const Json body{
        {"operation_id", operation_id(&f.operation_id)}, {"points", *points}, {"reason", f.reason}};
    const std::string id = p.id;
    call_({"POST", member_path(id) + "/adjust", body.dump(), "", {}},
          [this, id](TransportReply reply) {
              MemberPage& p = state_.page;
              if (p.id != id) return;
              p.adjust.busy = false;
              if (common_(reply, &p.adjust.error) || !reply_ok(reply)) {
                  // A refusal is final for this operation: the next send is a new one.
                  if (reply.delivered) p.adjust.operation_id.clear();
                  return;
              }
              p.adjust = AdjustForm{};
              p.done = "adjusted";
              p.history.cursors = {-1};  // the newest page shows the adjustment
              reload_page();
          });
}

// A request about the open member with the page busy meanwhile; `done` gets the answer of a
// success for the member still open, refusals go to the page's error.
void ConsoleMembers::page_request(Request r, ConsoleBusy busy,
                                  std::function<void(const TransportReply&)> done) {
    MemberPage& p = state_.page;
    p.busy = busy;
    p.done.clear();
    changed_();
    call_(std::move(r), [this, id = p.id, done = std::move(done)](TransportReply reply) {
        MemberPage& p = state_.page;
        if (p.id != id) return;  // another member opened meanwhile
        p.busy = ConsoleBusy::none;
        if (!common_(reply, &p.error) && reply_ok(reply)) done(reply);
    });
}

void ConsoleMembers::export_member() {
    const MemberPage& p = state_.page;
    if (p.id.empty() || p.busy != ConsoleBusy::none) return;
    std::string name = "kopilka-member-";
    for (const char c : p.id)
        name += (std::isalnum(static_cast<unsigned char>(c)) || c == '-') ? c : '_';
    page_request({"GET", member_path(p.id) + "/export", "", "", {}}, ConsoleBusy::loading,
                 [this, name](const TransportReply& reply) {
                     state_.download = MemberDownload{name + ".json", reply.body};
                     state_.page.done = "exported";
                 });
}

void ConsoleMembers::ask_erase() {
    const MemberPage& p = state_.page;
    if (p.id.empty() || p.erased || p.profile.erased || !p.loaded) return;
    state_.page.confirm_erase = true;
    changed_();
}

void ConsoleMembers::cancel_erase() {
    state_.page.confirm_erase = false;
    changed_();
}

void ConsoleMembers::erase_confirmed() {
    MemberPage& p = state_.page;
    if (!p.confirm_erase || p.busy != ConsoleBusy::none) return;
    p.confirm_erase = false;
    const std::string id = p.id;
    page_request({"POST", member_path(id) + "/erase", "{}", "", {}}, ConsoleBusy::saving,
                 [this, id](const TransportReply& reply) {
                     MemberPage& p = state_.page;
                     const Json j = answer_object(reply);
                     if (j.contains("profile")) p.profile = profile_from(j["profile"]);
                     p.member.reset();
                     p.erased = true;
                     p.done = "erased";
                     // The list shows the member's row as it is now.
                     for (auto& [n, rows] : state_.list.pages)
                         for (MemberRow& r : rows)
                             if (r.id == id)
                                 r = MemberRow{id, "", "", "", "", "", 0, r.last_visit_ms, true};
                 });
}

// ---- enrolment -----------------------------------------------------------------------------
void ConsoleMembers::open_enrol() {
    state_.enrol = EnrolForm{};
    changed_();
}

void ConsoleMembers::close_enrol() {
    state_.enrol.reset();
    changed_();
}

void ConsoleMembers::enrol() {
    if (!state_.enrol || state_.enrol->busy) return;
    EnrolForm& f = *state_.enrol;
    f.busy = true;
    f.error.reset();
    changed_();
    operation_id(&f.operation_id);
    call_({"POST", "/v1/admin/members", enrol_body(f).dump(), "", {}},
          [this](TransportReply reply) {
              if (!state_.enrol) return;
              EnrolForm& f = *state_.enrol;
              f.busy = false;
              if (common_(reply, &f.error) || !reply_ok(reply)) {
                  if (reply.delivered) f.operation_id.clear();
                  return;
              }
              const Json j = answer_object(reply);
              const Json& profile = j.contains("profile") ? j["profile"] : j;
              const std::string id = field<std::string>(profile, "id");
              state_.enrol.reset();
              open(id);
              state_.page.done = "enrolled";
          });
}

std::optional<MemberDownload> ConsoleMembers::take_download() {
    auto d = std::move(state_.download);
    state_.download.reset();
    return d;
}

}  // namespace kopilka::client
