#include "client/console_flow.hpp"

#include <algorithm>
#include <iterator>
#include <tuple>

#include "client/json_fields.hpp"
#include "client/kiosk_config.hpp"
#include "codec/decode.hpp"
#include "codec/theme_json.hpp"
#include "core/url.hpp"

namespace kopilka::client {

namespace {
using codec::Json;

constexpr const char* kSessionKey = "kopilka.console.session";
constexpr const char* kDraftKey = "kopilka.console.draft";
constexpr std::int64_t kDraftWriteMs = 500;

constexpr std::string_view kRoleNames[] = {"owner", "manager", "support", "viewer"};
constexpr std::string_view kSectionNames[] = {"overview", "themes",    "kiosks", "audit",
                                              "program",  "simulator", "data",   "reports",
                                              "wheels",   "members"};

Json parse(const std::string& body) {
    codec::DecodeError e;
    auto j = codec::parse_json(body, &e);
    return j && j->is_object() ? *j : Json::object();
}

bool flag(const Json& j, const char* key, bool fallback) {
    auto it = j.find(key);
    return it != j.end() && it->is_boolean() ? it->get<bool>() : fallback;
}

const Json& member(const Json& j, const char* key) {
    static const Json empty = Json::object();
    auto it = j.find(key);
    return it != j.end() && it->is_object() ? *it : empty;
}

// The API's error ({"error":{code,message,field}} and a 429's retry_after_s); "offline" when
// no answer came.
ConsoleError console_error(const TransportReply& reply) {
    if (!reply.delivered) return {"offline", "no answer from the server", "", 0};
    const Json j = parse(reply.body);
    const Json& e = j.contains("error") ? member(j, "error") : j;
    ConsoleError out{json_text(e, "code"), json_text(e, "message"), json_text(e, "field"),
                     json_int(e, "retry_after_s", json_int(j, "retry_after_s"))};
    if (out.code.empty()) out.code = "http_" + std::to_string(reply.status);
    return out;
}

void read_session(const Json& j, StaffSession* s) {
    if (j.contains("token")) s->token = json_text(j, "token");
    s->expires_at_ms = json_int(j, "expires_at_ms", s->expires_at_ms);
    const Json& u = member(j, "user");
    s->user_id = json_text(u, "id");
    s->email = json_text(u, "email");
    s->name = json_text(u, "name");
    s->role = staff_role_from_name(json_text(u, "role")).value_or(StaffRole::viewer);
    const Json& m = member(j, "merchant");
    s->merchant_code = json_text(m, "code");
    s->merchant_name = json_text(m, "name");
    s->currency = json_text(m, "currency");
}

Json session_json(const StaffSession& s) {
    return Json{{"token", s.token},
                {"expires_at_ms", s.expires_at_ms},
                {"user",
                 {{"id", s.user_id},
                  {"email", s.email},
                  {"name", s.name},
                  {"role", staff_role_name(s.role)}}},
                {"merchant",
                 {{"code", s.merchant_code}, {"name", s.merchant_name}, {"currency", s.currency}}}};
}

std::optional<theme::Theme> theme_of(const Json& j) {
    auto t = codec::decode_theme(j);
    if (!t.ok()) return std::nullopt;
    return *t.value;
}

DeviceRow device_of(const Json& j) {
    DeviceRow d;
    d.id = json_text(j, "id");
    d.name = json_text(j, "name");
    d.app_version = json_text(j, "app_version");
    d.created_at_ms = json_int(j, "created_at_ms");
    d.last_seen_ms = json_int(j, "last_seen_ms");
    d.online = flag(j, "online", false);
    d.revoked = flag(j, "revoked", false);
    d.version = json_int(j, "version");
    const Json& s = member(j, "settings");
    if (auto it = s.find("idle_seconds"); it != s.end() && it->is_number_integer())
        d.settings.idle_seconds = it->get<std::int64_t>();
    d.settings.wheel = flag(s, "wheel", true);
    d.settings.redeem = flag(s, "redeem", true);
    d.settings.sound = flag(s, "sound", false);
    return d;
}

Json settings_json(const DeviceSettings& s) {
    Json j{{"wheel", s.wheel}, {"redeem", s.redeem}, {"sound", s.sound}};
    j["idle_seconds"] = s.idle_seconds ? Json(*s.idle_seconds) : Json(nullptr);
    return j;
}

// A field as JSON text (the audit's before and after), "" when missing or null.
std::string json_dump(const Json& j, const char* key) {
    auto it = j.find(key);
    return it == j.end() || it->is_null() ? std::string() : it->dump(2);
}
}  // namespace

std::string_view staff_role_name(StaffRole r) {
    return kRoleNames[static_cast<int>(r)];
}

std::optional<StaffRole> staff_role_from_name(std::string_view name) {
    const auto* it = std::find(std::begin(kRoleNames), std::end(kRoleNames), name);
    if (it == std::end(kRoleNames)) return std::nullopt;
    return static_cast<StaffRole>(it - std::begin(kRoleNames));
}

std::string_view console_section_name(ConsoleSection s) {
    return kSectionNames[static_cast<int>(s)];
}

bool section_visible(StaffRole r, ConsoleSection s) {
    switch (s) {
        case ConsoleSection::overview:
            return true;
        case ConsoleSection::themes:
        case ConsoleSection::kiosks:
        case ConsoleSection::audit:
        case ConsoleSection::program:  // the server lets only them read the program
        case ConsoleSection::data:     // imports and exports: the same
        case ConsoleSection::wheels:   // and the wheels
            return r == StaffRole::owner || r == StaffRole::manager;
        case ConsoleSection::simulator:  // planning, nothing written: all but support
            return r != StaffRole::support;
        case ConsoleSection::reports:  // console_access.cpp: GET /v1/admin/reports
            return r != StaffRole::support;
        case ConsoleSection::members:  // the server lets support search and adjust too
            return r != StaffRole::viewer;
    }
    return false;
}

std::vector<ConsoleSection> visible_sections(StaffRole r) {
    std::vector<ConsoleSection> out;
    for (auto s : {ConsoleSection::overview, ConsoleSection::reports, ConsoleSection::program,
                   ConsoleSection::members, ConsoleSection::themes, ConsoleSection::wheels,
                   ConsoleSection::kiosks, ConsoleSection::data, ConsoleSection::audit,
                   ConsoleSection::simulator})
        if (section_visible(r, s)) out.push_back(s);
    return out;
}

std::string theme_id_for(const std::string& name, const std::vector<ThemeListItem>& taken) {
    std::string base;
    for (char c : name) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        const bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (keep)
            base += c;
        else if (!base.empty() && base.back() != '-')
            base += '-';
        if (base.size() >= 40) break;
    }
    while (!base.empty() && base.back() == '-') base.pop_back();
    if (base.empty()) base = "theme";
    auto used = [&](const std::string& id) {
        return std::any_of(taken.begin(), taken.end(), [&](const auto& t) { return t.id == id; });
    };
    std::string id = base;
    for (int n = 2; used(id); ++n) id = base + "-" + std::to_string(n);
    return id;
}

KioskState kiosk_preview_state(Screen screen, i18n::Locale locale, const theme::Theme& draft,
                               std::int64_t now_ms) {
    KioskState s;
    std::tie(s.screen, s.locale, s.paired, s.now_ms) = std::tuple(screen, locale, true, now_ms);
    KioskConfig c;
    std::tie(c.version, c.merchant_name, c.has_theme, c.theme) =
        std::tuple("preview", draft.name, true, draft);
    c.rewards = {{"coffee", "Coffee", 300}, {"cake", "Cake", 900}};
    c.wheel = WheelView{"preview",
                        {{"p50", "+50", "points", 400000},
                         {"cup", "Coffee", "coupon", 200000},
                         {"none", "—", "nothing", 400000}},
                        600000,
                        false};
    s.config = c;
    members::MemberSnapshot m;
    m.tier = {"silver", "Silver", "Gold", 750, 62};
    m.balance = m.available = 1250;
    m.id = m.name = "Anna";
    m.spins_available = 1, m.as_of_ms = now_ms;
    s.member = m;
    // A QR-shaped pattern: the three finder squares and scattered modules (not a real code).
    std::vector<std::string> rows(25, std::string(25, '0'));
    for (int y = 0; y < 25; ++y)
        for (int x = 0; x < 25; ++x) {
            const auto finder = [](int a, int b) {
                return a < 7 && b < 7 &&
                       (a == 0 || a == 6 || b == 0 || b == 6 ||
                        (a >= 2 && a <= 4 && b >= 2 && b <= 4));
            };
            const bool dark = finder(x, y) || finder(24 - x, y) || finder(x, 24 - y) ||
                              ((x * 7 + y * 13 + x * y) % 5 < 2 && x > 7 && y > 7);
            rows[static_cast<std::size_t>(y)][static_cast<std::size_t>(x)] = dark ? '1' : '0';
        }
    CouponView coupon{"KC-PREV-1EW0", "Coffee", now_ms + 86400000LL * 30, rows};
    s.coupon = coupon;
    s.reward_id = "coffee";
    SpinView spin;
    spin.phase = SpinView::Phase::result;
    spin.prize = PrizeView{1, "cup", "Coffee", "coupon", 0};
    spin.coupon = coupon;
    s.spin = spin;
    return s;
}

ConsoleFlow::ConsoleFlow(Transport& transport, KioskStorage& session_store,
                         KioskStorage& draft_store)
    : transport_(transport),
      session_store_(session_store),
      draft_store_(draft_store),
      program_(
          lend_call(), lend_common(), [this] { changed(); }, draft_store),
      import_(
          lend_call(), lend_common(), [this] { changed(); }, draft_store),
      reports_(lend_call(), lend_common(), [this] { changed(); }),
      wheels_(lend_call(), lend_common(), [this] { changed(); }),
      members_(lend_call(), lend_common(), [this] { changed(); }) {}

// What the flow lends its sections: its requests and its handling of 401 and 403.
ProgramEditor::Call ConsoleFlow::lend_call() {
    return [this](Request r, std::function<void(TransportReply)> done) {
        call(std::move(r), std::move(done));
    };
}
ProgramEditor::Common ConsoleFlow::lend_common() {
    return [this](const TransportReply& reply, std::optional<ConsoleError>* error) {
        return handle_common(reply, error);
    };
}

// ---- requests -----------------------------------------------------------------------------
void ConsoleFlow::call(Request r, std::function<void(TransportReply)> done) {
    r.credential = {CredentialKind::staff, state_.session.token};
    const std::uint64_t generation = generation_;
    transport_.request(r, [this, generation, done = std::move(done)](TransportReply reply) {
        if (generation != generation_) return;  // signed out meanwhile
        changed();
        done(std::move(reply));
    });
}

// 401: the session is over (back to sign-in, the draft kept); 403: a notice. True when the
// reply was one of those; otherwise *error gets other failures (and is cleared on success).
bool ConsoleFlow::handle_common(const TransportReply& reply, std::optional<ConsoleError>* error) {
    if (reply.delivered && reply.status == 401) {
        expire();
        return true;
    }
    if (reply.delivered && reply.status == 403) {
        state_.notice = console_error(reply);
        return true;
    }
    if (reply_ok(reply))
        error->reset();
    else
        *error = console_error(reply);
    return false;
}

void ConsoleFlow::expire() {
    store_draft();
    end_session(false);  // the server has forgotten it already
    state_.session_expired = true;
}

void ConsoleFlow::store_session() {
    session_store_.set(kSessionKey, session_json(state_.session).dump());
}

// ---- session ------------------------------------------------------------------------------
void ConsoleFlow::start(std::int64_t now_ms) {
    now_ms_ = now_ms;
    const Json j = parse(session_store_.get(kSessionKey));
    const std::string token = json_text(j, "token");
    if (token.empty()) return changed();
    read_session(j, &state_.session);
    state_.sign_in.merchant = state_.session.merchant_code;
    state_.sign_in.email = state_.session.email;
    if (state_.session.expires_at_ms && state_.session.expires_at_ms <= now_ms) return expire();
    state_.signed_in = true;
    state_.checking = true;
    restore_draft();
    changed();
    call({"GET", "/v1/console/session", "", "", {}}, [this](TransportReply reply) {
        state_.checking = false;
        if (reply.delivered && reply.status == 401) return expire();
        if (!reply_ok(reply)) return;  // offline: keep the stored session, the next call tells
        read_session(parse(reply.body), &state_.session);
        store_session();
        if (!section_visible(state_.session.role, state_.section))
            state_.section = ConsoleSection::overview;
    });
}

void ConsoleFlow::sign_in(std::int64_t now_ms) {
    SignInForm& f = state_.sign_in;
    now_ms_ = now_ms;
    if (f.busy || now_ms < f.retry_until_ms) return;
    if (f.merchant.empty() || f.email.empty() || f.password.empty()) {
        const char* field = f.merchant.empty() ? "merchant"
                            : f.email.empty()  ? "email"
                                               : "password";
        f.error = ConsoleError{"missing_field", "", field, 0};
        return changed();
    }
    f.busy = true;
    f.error.reset();
    changed();
    const Json body{{"merchant", f.merchant}, {"email", f.email}, {"password", f.password}};
    const std::uint64_t generation = generation_;
    transport_.request(
        {"POST", "/v1/console/session", body.dump(), "", {}},
        [this, generation, now_ms](TransportReply reply) {
            if (generation != generation_) return;
            changed();
            SignInForm& form = state_.sign_in;
            form.busy = false;
            if (!reply_ok(reply)) {
                form.error = console_error(reply);
                if (reply.status == 429)
                    form.retry_until_ms =
                        now_ms + 1000 * std::max<std::int64_t>(1, form.error->retry_after_s);
                return;
            }
            StaffSession s;
            read_session(parse(reply.body), &s);
            if (s.token.empty()) {
                form.error = ConsoleError{"bad_answer", "", "", 0};
                return;
            }
            form.password.clear();
            state_.session = s;
            state_.signed_in = true;
            state_.session_expired = false;
            state_.notice.reset();
            store_session();
            restore_draft();
            state_.section = section_visible(s.role, ConsoleSection::themes)
                                 ? ConsoleSection::themes
                             : s.role == StaffRole::viewer ? ConsoleSection::reports
                                                           : ConsoleSection::overview;
            open_section(state_.section);
        });
}

void ConsoleFlow::sign_out() {
    end_session(true);
}

void ConsoleFlow::end_session(bool tell_server) {
    if (tell_server && state_.signed_in && !state_.session.token.empty()) {
        // Best effort: the server forgets the session; the answer changes nothing here.
        transport_.request({"DELETE",
                            "/v1/console/session",
                            "",
                            "",
                            {CredentialKind::staff, state_.session.token}},
                           [](TransportReply) {});
    }
    if (draft_unsaved_) store_draft();
    ++generation_;
    session_store_.remove(kSessionKey);
    const i18n::Locale locale = state_.locale;
    SignInForm form;
    form.merchant = state_.session.merchant_code.empty() ? state_.sign_in.merchant
                                                         : state_.session.merchant_code;
    form.email = state_.session.email.empty() ? state_.sign_in.email : state_.session.email;
    state_ = ConsoleState{};
    program_.reset();
    import_.reset();
    reports_.reset();
    wheels_.reset();
    members_.reset();
    state_.locale = locale;
    state_.sign_in = form;
    changed();
}

void ConsoleFlow::set_locale(i18n::Locale l) {
    if (state_.locale == l) return;
    state_.locale = l;
    reports_.set_locale(l);
    changed();
}

void ConsoleFlow::open_section(ConsoleSection s) {
    if (!state_.signed_in || !section_visible(state_.session.role, s)) return;
    state_.section = s;
    state_.notice.reset();
    changed();
    if (s == ConsoleSection::themes && !state_.themes.list_loaded) load_themes();
    if (s == ConsoleSection::kiosks && !state_.kiosks.loaded) load_devices();
    if (s == ConsoleSection::audit && !state_.audit.loaded) load_audit();
    if (s == ConsoleSection::program && !program_.state().loaded &&
        program_.state().busy == ConsoleBusy::none)
        program_.load(state_.session.currency, state_.session.merchant_code);
    if (s == ConsoleSection::data) import_.open(state_.session.merchant_code);
    if (s == ConsoleSection::reports) reports_.open(now_ms_, state_.locale);
    if (s == ConsoleSection::wheels && !wheels_.state().list_loaded &&
        wheels_.state().busy == ConsoleBusy::none)
        wheels_.load_list();
    if (s == ConsoleSection::members && !members_.state().list.started) members_.search();
}

void ConsoleFlow::tick(std::int64_t now_ms) {
    now_ms_ = now_ms;
    if (state_.signed_in) import_.tick(now_ms);
    if (draft_unsaved_ && now_ms - draft_written_ms_ >= kDraftWriteMs) {
        store_draft();
        draft_written_ms_ = now_ms;
    }
    SignInForm& f = state_.sign_in;
    if (f.retry_until_ms && now_ms >= f.retry_until_ms) {
        f.retry_until_ms = 0;
        changed();
    }
}

// ---- themes -------------------------------------------------------------------------------
void ConsoleFlow::store_draft() {
    draft_unsaved_ = false;
    const ThemeEditor& e = state_.themes;
    if (e.id.empty() || !e.dirty) return draft_store_.remove(kDraftKey);
    const Json j{{"merchant", state_.session.merchant_code},
                 {"id", e.id},
                 {"is_new", e.is_new},
                 {"version", e.version},
                 {"theme", codec::encode_theme(e.draft)}};
    draft_store_.set(kDraftKey, j.dump());
}

// The stored draft of this merchant becomes the open theme (before the list arrives).
void ConsoleFlow::restore_draft() {
    const Json j = parse(draft_store_.get(kDraftKey));
    if (json_text(j, "merchant") != state_.session.merchant_code || json_text(j, "id").empty())
        return;
    auto t = theme_of(member(j, "theme"));
    if (!t) return;
    ThemeEditor& e = state_.themes;
    e.id = json_text(j, "id");
    e.is_new = flag(j, "is_new", false);
    e.version = json_int(j, "version");
    e.draft = *t;
    e.dirty = true;
}

void ConsoleFlow::apply_theme_list(const std::string& body) {
    ThemeEditor& e = state_.themes;
    e.themes.clear();
    const Json j = parse(body);
    if (auto it = j.find("themes"); it != j.end() && it->is_array())
        for (const Json& t : *it) {
            auto decoded = theme_of(member(t, "theme"));
            if (!decoded) continue;
            e.themes.push_back({json_text(t, "id"), decoded->name, json_int(t, "version"),
                                json_int(t, "updated_at_ms"), *decoded});
        }
    e.list_loaded = true;
}

void ConsoleFlow::load_themes() {
    state_.themes.busy = ConsoleBusy::loading;
    changed();
    call({"GET", "/v1/admin/themes", "", "", {}}, [this](TransportReply reply) {
        ThemeEditor& e = state_.themes;
        e.busy = ConsoleBusy::none;
        if (handle_common(reply, &e.error) || !reply_ok(reply)) return;
        apply_theme_list(reply.body);
        // The open theme (a restored draft) keeps its draft; otherwise the published or first.
        if (e.id.empty()) {
            call({"GET", "/v1/admin/themes/published", "", "", {}}, [this](TransportReply r) {
                ThemeEditor& t = state_.themes;
                if (reply_ok(r)) {
                    const Json p = parse(r.body);
                    t.published_id = json_text(p, "theme_id");
                    t.published_version = json_int(p, "version");
                }
                if (!t.id.empty()) return;
                auto it = std::find_if(t.themes.begin(), t.themes.end(),
                                       [&](const auto& x) { return x.id == t.published_id; });
                if (it == t.themes.end()) it = t.themes.begin();
                if (it != t.themes.end()) open_loaded(*it);
            });
        } else {
            load_versions();
        }
    });
}

void ConsoleFlow::open_loaded(const ThemeListItem& item) {
    ThemeEditor& e = state_.themes;
    e.id = item.id;
    e.is_new = false;
    e.version = item.version;
    e.draft = item.theme;
    e.dirty = false;
    e.conflict = false;
    e.error.reset();
    e.done.clear();
    e.low_contrast.clear();
    e.confirm_version = 0;
    e.versions.clear();
    draft_unsaved_ = true;  // the stored draft (of another theme) goes
    changed();
    load_versions();
}

void ConsoleFlow::open_theme(const std::string& id) {
    const ThemeEditor& e = state_.themes;
    auto it =
        std::find_if(e.themes.begin(), e.themes.end(), [&](const auto& t) { return t.id == id; });
    if (it != e.themes.end()) open_loaded(*it);
}

// A theme not saved yet becomes the open one, with its draft to be saved under id.
void ConsoleFlow::start_new(std::string id, theme::Theme draft) {
    ThemeEditor& e = state_.themes;
    e.id = std::move(id);
    e.is_new = true;
    e.version = 0;
    e.draft = std::move(draft);
    e.dirty = true;
    e.conflict = false;
    e.error.reset();
    e.done.clear();
    e.versions.clear();
    draft_unsaved_ = true;
    changed();
}

void ConsoleFlow::new_theme() {
    theme::Theme t;
    if (!state_.session.merchant_name.empty()) t.name = state_.session.merchant_name;
    start_new(theme_id_for(t.name, state_.themes.themes), t);
}

void ConsoleFlow::duplicate_theme() {
    const ThemeEditor& e = state_.themes;
    if (e.id.empty()) return;
    theme::Theme t = e.draft;
    if (t.name.size() + 4 <= theme::name_bytes_max) t.name += " (2)";
    start_new(theme_id_for(e.id + "-copy", e.themes), t);
}

void ConsoleFlow::draft_changed(std::int64_t now_ms) {
    ThemeEditor& e = state_.themes;
    e.dirty = true;
    e.done.clear();
    if (e.error && e.error->field != "If-Match") e.error.reset();
    if (!draft_unsaved_)
        draft_written_ms_ = std::max(draft_written_ms_, now_ms - kDraftWriteMs / 2);
    draft_unsaved_ = true;
    changed();
}

void ConsoleFlow::save() {
    ThemeEditor& e = state_.themes;
    if (e.id.empty() || e.busy != ConsoleBusy::none) return;
    e.busy = ConsoleBusy::saving;
    e.done.clear();
    store_draft();  // a failed save, or a closed tab, keeps the edit
    changed();
    Request r{"PUT",
              "/v1/admin/themes/" + url_component(e.id),
              codec::encode_theme(e.draft).dump(),
              "",
              {}};
    r.if_match = e.is_new ? "0" : std::to_string(e.version);
    const theme::Theme sent = e.draft;
    call(r, [this, sent](TransportReply reply) {
        ThemeEditor& t = state_.themes;
        t.busy = ConsoleBusy::none;
        if (reply.delivered && reply.status == 412) {
            t.conflict = true;
            t.error = console_error(reply);
            if (t.error->field.empty()) t.error->field = "If-Match";
            return;
        }
        if (handle_common(reply, &t.error) || !reply_ok(reply)) return;
        const Json j = parse(reply.body);
        t.version = json_int(j, "version", t.version + 1);
        t.is_new = false;
        t.conflict = false;
        t.done = "saved";
        t.dirty = codec::encode_theme(t.draft) != codec::encode_theme(sent);  // edited meanwhile
        ThemeListItem item{t.id, sent.name, t.version, 0, sent};
        auto it = std::find_if(t.themes.begin(), t.themes.end(),
                               [&](const auto& x) { return x.id == item.id; });
        if (it == t.themes.end())
            t.themes.push_back(item);
        else
            *it = item;
        store_draft();
        load_versions();
    });
}

void ConsoleFlow::publish(bool confirm_low_contrast) {
    ThemeEditor& e = state_.themes;
    const std::int64_t v = e.confirm_version ? e.confirm_version : e.version;
    if (e.id.empty() || e.is_new || v <= 0) return;
    publish_version(v, confirm_low_contrast);
}

void ConsoleFlow::publish_version(std::int64_t version, bool confirm) {
    ThemeEditor& e = state_.themes;
    if (e.busy != ConsoleBusy::none) return;
    e.busy = ConsoleBusy::publishing;
    e.done.clear();
    e.low_contrast.clear();
    e.confirm_version = 0;
    changed();
    const Json body{{"version", version}, {"confirm_low_contrast", confirm}};
    call(
        {"POST", "/v1/admin/themes/" + url_component(e.id) + "/publish", body.dump(), "", {}},
        [this, version](TransportReply reply) {
            ThemeEditor& t = state_.themes;
            t.busy = ConsoleBusy::none;
            if (reply.delivered && reply.status == 409) {
                const Json j = parse(reply.body);
                const Json& err = j.contains("error") ? member(j, "error") : j;
                if (json_text(err, "code") == "low_contrast") {
                    const Json& f = err.contains("failures") ? err["failures"] : j["failures"];
                    if (f.is_array())
                        for (const Json& x : f)
                            t.low_contrast.push_back({json_text(x, "pair"),
                                                      static_cast<int>(json_int(x, "ratio_x100"))});
                    if (t.low_contrast.empty()) t.low_contrast.push_back({"", 0});
                    t.confirm_version = version;
                    return;
                }
            }
            if (handle_common(reply, &t.error) || !reply_ok(reply)) return;
            const Json p = member(parse(reply.body), "published");
            t.published_id = json_text(p, "theme_id").empty() ? t.id : json_text(p, "theme_id");
            t.published_version = json_int(p, "version", version);
            t.done = "published";
        });
}

void ConsoleFlow::cancel_publish() {
    state_.themes.low_contrast.clear();
    state_.themes.confirm_version = 0;
    changed();
}

void ConsoleFlow::reload_theme() {
    ThemeEditor& e = state_.themes;
    if (e.id.empty() || e.is_new) return;
    e.busy = ConsoleBusy::loading;
    changed();
    call({"GET", "/v1/admin/themes/" + url_component(e.id), "", "", {}},
         [this](TransportReply reply) {
             ThemeEditor& t = state_.themes;
             t.busy = ConsoleBusy::none;
             if (handle_common(reply, &t.error) || !reply_ok(reply)) return;
             const Json j = parse(reply.body);
             auto decoded = theme_of(member(j, "theme"));
             if (!decoded) return;
             open_loaded({json_text(j, "id"), decoded->name, json_int(j, "version"),
                          json_int(j, "updated_at_ms"), *decoded});
         });
}

void ConsoleFlow::load_versions() {
    const ThemeEditor& e = state_.themes;
    if (e.id.empty() || e.is_new) return;
    const std::string id = e.id;
    call({"GET", "/v1/admin/themes/" + url_component(id) + "/versions", "", "", {}},
         [this, id](TransportReply reply) {
             ThemeEditor& t = state_.themes;
             if (t.id != id || !reply_ok(reply)) return;
             t.versions.clear();
             const Json j = parse(reply.body);
             if (auto it = j.find("versions"); it != j.end() && it->is_array())
                 for (const Json& v : *it) {
                     const Json& by = member(v, "by");
                     t.versions.push_back({json_int(v, "version"), json_int(v, "updated_at_ms"),
                                           json_text(by, "kind"), json_text(by, "label")});
                 }
         });
}

void ConsoleFlow::revert(std::int64_t version) {
    if (version > 0) publish_version(version, false);
}

// ---- kiosks -------------------------------------------------------------------------------
void ConsoleFlow::load_devices() {
    KiosksState& k = state_.kiosks;
    k.busy = ConsoleBusy::loading;
    changed();
    call({"GET", "/v1/admin/devices", "", "", {}}, [this](TransportReply reply) {
        KiosksState& s = state_.kiosks;
        s.busy = ConsoleBusy::none;
        if (handle_common(reply, &s.error) || !reply_ok(reply)) return;
        s.devices.clear();
        const Json j = parse(reply.body);
        if (auto it = j.find("devices"); it != j.end() && it->is_array())
            for (const Json& d : *it) s.devices.push_back(device_of(d));
        s.loaded = true;
    });
}

void ConsoleFlow::create_pairing_code(const std::string& name) {
    const Json body{{"name", name}};
    state_.kiosks.busy = ConsoleBusy::saving;
    changed();
    call({"POST", "/v1/admin/devices/pairing-codes", body.dump(), "", {}},
         [this, name](TransportReply reply) {
             KiosksState& s = state_.kiosks;
             s.busy = ConsoleBusy::none;
             if (handle_common(reply, &s.error) || !reply_ok(reply)) return;
             const Json j = parse(reply.body);
             s.pairing = PairingCode{name, json_text(j, "code"), json_int(j, "expires_at_ms"), {}};
             if (j.contains("qr_modules")) {
                 auto rows = decode_qr_modules(j["qr_modules"], "qr_modules");
                 if (rows.ok()) s.pairing->qr = *rows.value;
             }
         });
}

void ConsoleFlow::set_pairing_qr(const std::string& code, std::vector<std::string> rows) {
    if (!state_.kiosks.pairing || state_.kiosks.pairing->code != code) return;
    state_.kiosks.pairing->qr = std::move(rows);
    changed();
}

void ConsoleFlow::close_pairing() {
    state_.kiosks.pairing.reset();
    changed();
    load_devices();  // the new kiosk shows once it paired
}

namespace {
DeviceRow* find_device(KiosksState& k, const std::string& id) {
    auto it =
        std::find_if(k.devices.begin(), k.devices.end(), [&](const auto& d) { return d.id == id; });
    return it == k.devices.end() ? nullptr : &*it;
}
}  // namespace

void ConsoleFlow::rename_device(const std::string& id, const std::string& name) {
    DeviceRow* d = find_device(state_.kiosks, id);
    if (!d) return;
    DeviceSettings settings = d->settings;
    Request r{"PUT",
              "/v1/admin/devices/" + url_component(id),
              Json{{"name", name}, {"settings", settings_json(settings)}}.dump(),
              "",
              {}};
    r.if_match = std::to_string(d->version);
    call(r, [this, id](TransportReply reply) {
        KiosksState& s = state_.kiosks;
        if (handle_common(reply, &s.error)) return;
        if (reply_ok(reply)) {
            if (DeviceRow* row = find_device(s, id)) *row = device_of(parse(reply.body));
        } else if (reply.status == 412) {
            load_devices();  // someone else changed it: show theirs, the error says so
        }
    });
}

void ConsoleFlow::set_device_settings(const std::string& id, const DeviceSettings& settings) {
    DeviceRow* d = find_device(state_.kiosks, id);
    if (!d) return;
    const std::string name = d->name;
    d->settings = settings;  // shown at once; the answer (or a refusal) replaces it
    Request r{"PUT",
              "/v1/admin/devices/" + url_component(id),
              Json{{"name", name}, {"settings", settings_json(settings)}}.dump(),
              "",
              {}};
    r.if_match = std::to_string(d->version);
    changed();
    call(r, [this, id](TransportReply reply) {
        KiosksState& s = state_.kiosks;
        if (handle_common(reply, &s.error)) return;
        if (reply_ok(reply)) {
            if (DeviceRow* row = find_device(s, id)) *row = device_of(parse(reply.body));
        } else {
            load_devices();
        }
    });
}

void ConsoleFlow::ask_revoke(const std::string& id) {
    state_.kiosks.confirm_revoke = id;
    changed();
}

void ConsoleFlow::cancel_revoke() {
    state_.kiosks.confirm_revoke.clear();
    changed();
}

void ConsoleFlow::revoke_confirmed() {
    const std::string id = state_.kiosks.confirm_revoke;
    if (id.empty()) return;
    state_.kiosks.confirm_revoke.clear();
    changed();
    call({"POST", "/v1/admin/devices/" + url_component(id) + "/revoke", "{}", "", {}},
         [this](TransportReply reply) {
             if (handle_common(reply, &state_.kiosks.error)) return;
             load_devices();
         });
}

// ---- audit --------------------------------------------------------------------------------
void ConsoleFlow::load_audit_page(std::int64_t before) {
    AuditState& a = state_.audit;
    a.busy = ConsoleBusy::loading;
    changed();
    std::string q = "/v1/admin/audit?limit=50";
    if (!a.filter.action.empty()) q += "&action=" + url_component(a.filter.action);
    if (!a.filter.actor.empty()) q += "&actor=" + url_component(a.filter.actor);
    if (a.filter.from_ms) q += "&from_ms=" + std::to_string(a.filter.from_ms);
    if (a.filter.to_ms) q += "&to_ms=" + std::to_string(a.filter.to_ms);
    if (before) q += "&before=" + std::to_string(before);
    call({"GET", q, "", "", {}}, [this](TransportReply reply) {
        AuditState& s = state_.audit;
        s.busy = ConsoleBusy::none;
        if (handle_common(reply, &s.error) || !reply_ok(reply)) return;
        const Json j = parse(reply.body);
        s.entries.clear();
        s.open_id = 0;
        if (auto it = j.find("entries"); it != j.end() && it->is_array())
            for (const Json& e : *it) {
                const Json& actor = member(e, "actor");
                std::string label = json_text(actor, "label");
                if (label.empty()) label = json_text(actor, "id");
                s.entries.push_back({json_int(e, "id"), json_int(e, "at_ms"),
                                     json_text(actor, "kind"), label, json_text(e, "address"),
                                     json_text(e, "action"), json_text(e, "target"),
                                     json_dump(e, "before"), json_dump(e, "after")});
            }
        auto next = j.find("next_before");
        s.next_before = next != j.end() && next->is_number_integer()
                            ? std::optional<std::int64_t>(next->get<std::int64_t>())
                            : std::nullopt;
        s.loaded = true;
    });
}

void ConsoleFlow::load_audit() {
    state_.audit.pages = {0};
    load_audit_page(0);
}

void ConsoleFlow::audit_older() {
    AuditState& a = state_.audit;
    if (!a.next_before || a.busy != ConsoleBusy::none) return;
    a.pages.push_back(*a.next_before);
    load_audit_page(*a.next_before);
}

void ConsoleFlow::audit_newer() {
    AuditState& a = state_.audit;
    if (a.pages.size() < 2 || a.busy != ConsoleBusy::none) return;
    a.pages.pop_back();
    load_audit_page(a.pages.back());
}

void ConsoleFlow::open_audit_entry(std::int64_t id) {
    state_.audit.open_id = state_.audit.open_id == id ? 0 : id;
    changed();
}

}  // namespace kopilka::client
