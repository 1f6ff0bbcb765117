// The merchant console's flow as a state machine without drawing:
//
//   signed out ─sign_in→ (POST /v1/console/session) → signed in, section by role
//   signed in: themes (list → draft → save → publish, history, revert) | kiosks | audit |
//              program (load → draft, checked at every edit → save; client/console_program.hpp)
//              wheels (list → open → draft with odds, checked at every edit → save;
//              client/console_wheels.hpp)
//   any 401 session_expired → signed out, the theme draft kept (storage), the reason shown
//
// The session token lives in memory and in the tab's session storage (a reload keeps it, a new
// tab signs in again); the theme draft in local storage, written at most twice a second, so
// neither a failed save nor a reload loses an edit. Every write sends If-Match with the version
// it was based on; a 412 keeps the draft and offers to reload. Errors keep the field the server
// names, so a screen can show them where they belong. Time comes in as now_ms; replies may
// arrive before a call returns (tests) or later (the browser).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "client/api.hpp"
#include "client/console_import.hpp"
#include "client/console_members.hpp"
#include "client/console_program.hpp"
#include "client/console_reports.hpp"
#include "client/console_simulator.hpp"
#include "client/console_types.hpp"
#include "client/console_wheels.hpp"
#include "client/kiosk_flow.hpp"
#include "client/member_session.hpp"  // KioskStorage: get/set/remove of strings
#include "client/transport.hpp"
#include "core/i18n/locale.hpp"
#include "core/theme/theme.hpp"

namespace kopilka::client {

// The console's message catalogues under assets/: the common texts, then one folder for each
// section with many texts of its own, merged in this order (i18n::merge_catalogues).
inline constexpr std::array<const char*, 6> console_catalogue_dirs = {
    "console/i18n", "console/i18n/members", "console/i18n/wheels", "console/i18n/reports",
    "console/i18n/import", "console/i18n/program"};

enum class StaffRole : std::uint8_t { owner, manager, support, viewer };
std::string_view staff_role_name(StaffRole r);
std::optional<StaffRole> staff_role_from_name(std::string_view name);

// The left navigation. overview: the merchant and who is signed in (every role); program: the
// program editor (console_program.hpp); simulator: the economics of a discount against a bonus
// (console_simulator.hpp), no server; reports: the figures and charts of a date range
// (console_reports.hpp), the viewer's main section; data: members and opening balances
// imported from CSV, members and receipts exported (console_import.hpp); wheels: the prize
// wheels (console_wheels.hpp); members: search, a member's page and its writes
// (console_members.hpp).
enum class ConsoleSection : std::uint8_t {
    overview,
    themes,
    kiosks,
    audit,
    program,
    simulator,
    data,
    reports,
    wheels,
    members
};
std::string_view console_section_name(ConsoleSection s);
bool section_visible(StaffRole r, ConsoleSection s);  // what the server lets the role do
std::vector<ConsoleSection> visible_sections(StaffRole r);


struct StaffSession {
    std::string token;  // kcs_…
    std::int64_t expires_at_ms = 0;
    std::string user_id, email, name;
    StaffRole role = StaffRole::viewer;
    std::string merchant_code, merchant_name, currency;
};

struct SignInForm {
    std::string merchant, email, password;
    bool busy = false;
    std::optional<ConsoleError> error;
    std::int64_t retry_until_ms = 0;  // throttled: no attempt before this
};

struct ThemeListItem {
    std::string id;
    std::string name;
    std::int64_t version = 0;
    std::int64_t updated_at_ms = 0;
    theme::Theme theme;
};

struct ThemeVersion {
    std::int64_t version = 0;
    std::int64_t updated_at_ms = 0;
    std::string by_kind, by_label;  // "user" | "key", a name or the key's label
};

struct ContrastFailure {
    std::string pair;  // "text/background"
    int ratio_x100 = 0;
};

struct ThemeEditor {
    std::vector<ThemeListItem> themes;
    bool list_loaded = false;
    std::string id;            // the open theme, "" when none
    bool is_new = false;       // never saved: the save sends If-Match "0"
    std::int64_t version = 0;  // the saved version the draft is based on
    theme::Theme draft;
    bool dirty = false;  // the draft differs from the saved version
    ConsoleBusy busy = ConsoleBusy::none;
    std::optional<ConsoleError> error;  // field: the theme field or "If-Match"
    bool conflict = false;              // someone else saved: reload offered, the draft kept
    // Publishing a version that fails WCAG AA waits for an explicit confirmation.
    std::vector<ContrastFailure> low_contrast;
    std::int64_t confirm_version = 0;    // the version the confirmation would publish (0: none)
    std::vector<ThemeVersion> versions;  // newest first
    std::string published_id;
    std::int64_t published_version = 0;
    std::string done;  // what just succeeded: "saved", "published", ""
};

struct DeviceSettings {
    std::optional<std::int64_t> idle_seconds;  // none: the merchant's default
    bool wheel = true;
    bool redeem = true;
    bool sound = false;
};

struct DeviceRow {
    std::string id, name, app_version;
    std::int64_t created_at_ms = 0, last_seen_ms = 0;
    bool online = false, revoked = false;
    DeviceSettings settings;
    std::int64_t version = 0;
};

struct PairingCode {
    std::string name, code;
    std::int64_t expires_at_ms = 0;
    std::vector<std::string> qr;  // the code's QR modules ('1' dark), from the server or the page
};

struct KiosksState {
    std::vector<DeviceRow> devices;
    bool loaded = false;
    ConsoleBusy busy = ConsoleBusy::none;
    std::optional<PairingCode> pairing;
    std::string confirm_revoke;  // the device whose revocation waits for a confirmation
    std::optional<ConsoleError> error;
};

struct AuditEntry {
    std::int64_t id = 0, at_ms = 0;
    std::string actor_kind, actor_label, address, action, target;
    std::string before, after;  // JSON text, "" when null
};

struct AuditFilter {
    std::string action, actor;
    std::int64_t from_ms = 0, to_ms = 0;  // 0: open
};

struct AuditState {
    AuditFilter filter;
    std::vector<AuditEntry> entries;
    std::optional<std::int64_t> next_before;  // more entries older than this id
    std::vector<std::int64_t> pages;  // the "before" of each page shown so far (0: the newest)
    std::int64_t open_id = 0;         // the entry shown before → after (0: none)
    bool loaded = false;
    ConsoleBusy busy = ConsoleBusy::none;
    std::optional<ConsoleError> error;
};

struct ConsoleState {
    i18n::Locale locale = i18n::Locale::en;
    bool signed_in = false;
    bool checking = false;  // a stored session is being checked with the server
    StaffSession session;
    bool session_expired = false;  // the sign-in screen says why it is back
    SignInForm sign_in;
    ConsoleSection section = ConsoleSection::overview;
    ThemeEditor themes;
    KiosksState kiosks;
    AuditState audit;
    SimulatorForm simulator;
    std::optional<ConsoleError> notice;  // a refusal that belongs to no field (forbidden, …)
};

class ConsoleFlow {
  public:
    // session_store: the tab's session storage; draft_store: local storage.
    ConsoleFlow(Transport& transport, KioskStorage& session_store, KioskStorage& draft_store);

    // A stored session is checked (GET /v1/console/session); a stored draft is restored.
    void start(std::int64_t now_ms);
    void tick(std::int64_t now_ms);  // writes a changed draft, at most twice a second

    SignInForm& sign_in_form() { return state_.sign_in; }  // typed into by the screen
    void sign_in(std::int64_t now_ms);
    void sign_out();
    void set_locale(i18n::Locale l);
    void open_section(ConsoleSection s);

    // Themes.
    void load_themes();
    void open_theme(const std::string& id);
    void new_theme();
    void duplicate_theme();
    theme::Theme& draft() { return state_.themes.draft; }  // edited by the screen in place
    SimulatorForm& simulator_form() { return state_.simulator; }  // typed into by the screen
    void draft_changed(std::int64_t now_ms);               // after each edit of draft()
    void save();
    void publish(bool confirm_low_contrast = false);  // the saved version, or the one waiting
    void cancel_publish();
    void reload_theme();  // after a conflict: the saved version, the draft dropped
    void load_versions();
    void revert(std::int64_t version);  // publishes that version

    // Kiosks.
    void load_devices();
    void create_pairing_code(const std::string& name);
    void close_pairing();
    void set_pairing_qr(const std::string& code, std::vector<std::string> rows);
    void rename_device(const std::string& id, const std::string& name);
    void set_device_settings(const std::string& id, const DeviceSettings& settings);
    void ask_revoke(const std::string& id);  // shows the confirmation
    void cancel_revoke();
    void revoke_confirmed();

    // The program editor (its state and logic in console_program.hpp).
    ProgramEditor& program() { return program_; }
    const ProgramEditor& program() const { return program_; }

    // Import and export (its state and logic in console_import.hpp).
    ImportFlow& imports() { return import_; }
    const ImportFlow& imports() const { return import_; }
    // Reports (their state and logic in console_reports.hpp).
    ReportsView& reports() { return reports_; }
    const ReportsView& reports() const { return reports_; }
    // The prize wheels (their state and logic in console_wheels.hpp).
    WheelsEditor& wheels() { return wheels_; }
    const WheelsEditor& wheels() const { return wheels_; }
    // Members (their state and logic in console_members.hpp).
    ConsoleMembers& members() { return members_; }
    const ConsoleMembers& members() const { return members_; }

    // Audit log.
    AuditFilter& audit_filter() { return state_.audit.filter; }
    void load_audit();  // the newest page for the filter
    void audit_older();
    void audit_newer();
    void open_audit_entry(std::int64_t id);  // 0 closes it

    const ConsoleState& state() const { return state_; }
    // Bumped on every visible change, so a renderer can draw only when something changed.
    std::uint64_t revision() const { return revision_; }
    void changed() { ++revision_; }

  private:
    using Done = Api::Done;
    void call(Request r, std::function<void(TransportReply)> done);
    ProgramEditor::Call lend_call();
    ProgramEditor::Common lend_common();
    bool handle_common(const TransportReply& reply, std::optional<ConsoleError>* error);
    void expire();
    void end_session(bool tell_server);
    void store_session();
    void store_draft();
    void restore_draft();
    void apply_theme_list(const std::string& body);
    void open_loaded(const ThemeListItem& item);
    void start_new(std::string id, theme::Theme draft);
    void load_audit_page(std::int64_t before);
    void publish_version(std::int64_t version, bool confirm);

    Transport& transport_;
    KioskStorage& session_store_;
    KioskStorage& draft_store_;
    ConsoleState state_;
    ProgramEditor program_;
    ImportFlow import_;
    ReportsView reports_;
    WheelsEditor wheels_;
    ConsoleMembers members_;
    std::int64_t now_ms_ = 0;  // the last time start, sign_in or tick was given (report ranges)
    std::uint64_t revision_ = 1;
    std::uint64_t generation_ = 0;  // bumped on sign-out: answers for an older session are dropped
    bool draft_unsaved_ = false;    // the draft changed since it was last written to storage
    std::int64_t draft_written_ms_ = 0;
};

// The kiosk the theme editor previews: a paired kiosk of a sample shop with the draft theme, a
// member with points, a wheel that stopped on a coupon and that coupon, on `screen` (attract,
// member, spin or coupon) in `locale`. What the preview draws is the kiosk's own screen.
KioskState kiosk_preview_state(Screen screen, i18n::Locale locale, const theme::Theme& draft,
                               std::int64_t now_ms);

// A new theme's id from its name: lower-case a-z, 0-9 and '-', at most 40 characters, and a
// suffix when taken ("shop-2").
std::string theme_id_for(const std::string& name, const std::vector<ThemeListItem>& taken);

}  // namespace kopilka::client
