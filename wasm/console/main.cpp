// The merchant console, compiled to WebAssembly: Dear ImGui on the browser host
// (platform/host.hpp: WebGL2, HiDPI, keyboard, typed text in any layout, clipboard, frames drawn
// only on input or change). The flow lives in shared/client/console_flow, the drawing in
// shared/ui/console_screens (the program editor: client/console_program, ui/console_program).
// The page (web/console/console.js) places two DOM elements where
// the drawing leaves room for them — the website widget's preview and the logo over the kiosk
// preview — from the layout this module hands it whenever it changes, reads logo files, and
// makes pairing QR codes, and downloads a report's CSV with the session (kopilkaDownload); see
// the kopilka_console_* functions below.
#include <emscripten.h>
#include <imgui.h>

#include <nlohmann/json.hpp>
#include <cstdlib>
#include <string>
#include <vector>

#include "client/console_flow.hpp"
#include "client/console_wheels.hpp"
#include "codec/theme_json.hpp"
#include "platform/assets.hpp"
#include "platform/browser.hpp"
#include "platform/fetch_transport.hpp"
#include "platform/host.hpp"
#include "platform/storage.hpp"
#include "ui/console_screens.hpp"
#include "ui/imgui_items.hpp"

using namespace kopilka;

namespace {

constexpr const char* kFont = "/fonts/DejaVuSans.ttf";

struct App {
    wasm::FetchTransport transport;
    wasm::LocalStorage session_store{wasm::LocalStorage::Area::session};
    wasm::LocalStorage draft_store;
    client::ConsoleFlow flow{transport, session_store, draft_store};
    i18n::Catalogues texts;        // assets/console/i18n
    i18n::Catalogues kiosk_texts;  // assets/i18n: what the kiosk preview says
    i18n::Catalogues rules_texts;  // assets/i18n/rules: the program in plain words
    ui::ConsoleUi ui;
    ui::ConsoleFonts fonts;
    int fonts_size_px = 0;  // the draft's font size the preview fonts were loaded for
    std::uint64_t drawn_revision = 0;
    std::uint64_t mirrored_revision = 0;
    std::int64_t drawn_second = 0;  // a countdown on screen changes once a second
    std::string layout_json;        // what the page was told last
    std::string picking;            // whose file the page is reading: "" the logo, else a reward
    std::string qr_asked;           // the pairing code whose QR the page was asked for
};

App* g_app = nullptr;

// clang-format off
// The page's hooks (console.js sets them on the module); absent ones do nothing.
EM_JS(void, js_console_layout, (const char* json), {
    if (Module.kopilkaLayout) Module.kopilkaLayout(UTF8ToString(json));
});
EM_JS(void, js_pick_logo, (), {
    if (Module.kopilkaPickLogo) Module.kopilkaPickLogo();
});
EM_JS(void, js_make_qr, (const char* text), {
    if (Module.kopilkaMakeQr) Module.kopilkaMakeQr(UTF8ToString(text));
});
EM_JS(void, js_pick_csv, (), {
    if (Module.kopilkaPickCsv) Module.kopilkaPickCsv();
});
EM_JS(void, js_download, (const char* path, const char* token, const char* name), {
    if (Module.kopilkaDownload)
        Module.kopilkaDownload(UTF8ToString(path), UTF8ToString(token), UTF8ToString(name));
});
EM_JS(void, js_save_file, (const char* name, const char* body), {
    if (Module.kopilkaSaveFile) Module.kopilkaSaveFile(UTF8ToString(name), UTF8ToString(body));
});
// clang-format on

// The layout for the page in CSS pixels, and the draft for the widget's preview.
void tell_page(App& app, const ui::ConsoleLayout& layout) {
    const float k = wasm::host::scale();
    const auto rect = [k](const std::optional<ui::Rect>& r) {
        if (!r) return nlohmann::json(nullptr);
        return nlohmann::json{{"x", r->min.x / k},
                              {"y", r->min.y / k},
                              {"w", r->width() / k},
                              {"h", r->height() / k}};
    };
    const auto& st = app.flow.state();
    const bool editing =
        st.signed_in && st.section == client::ConsoleSection::themes && !st.themes.id.empty();
    nlohmann::json j{{"widget", rect(layout.widget)},
                     {"logo", rect(layout.logo)},
                     {"merchant", st.session.merchant_code},
                     {"lang", i18n::locale_tag(st.locale)},
                     {"screen", st.signed_in ? client::console_section_name(st.section)
                                             : std::string_view("sign_in")}};
    if (editing) {
        j["theme"] = codec::encode_theme(st.themes.draft);
        j["logo_src"] = st.themes.draft.logo;
    }
    std::string text = j.dump();
    if (text == app.layout_json) return;
    app.layout_json = std::move(text);
    js_console_layout(app.layout_json.c_str());
}

// The preview's fonts follow the draft's font size and the preview frame's scale.
void follow_preview_fonts(App& app) {
    const float want = app.ui.preview_font_scale() * wasm::host::scale();
    const int size = app.flow.state().themes.draft.font_size_px;
    if (std::abs(want - app.fonts.preview_scale) < 0.001f && size == app.fonts_size_px) return;
    wasm::host::reload_fonts();
}

bool update(std::int64_t now) {
    App& app = *g_app;
    app.flow.tick(now);
    follow_preview_fonts(app);
    const auto& st = app.flow.state();
    // Throttled sign-in and pairing codes count down on screen.
    const bool counting = st.sign_in.retry_until_ms > now || st.kiosks.pairing.has_value();
    if (counting && now / 1000 != app.drawn_second) return true;
    if (app.flow.wheels().animating(now)) return true;  // the wheels' preview turns
    if (st.kiosks.pairing && st.kiosks.pairing->qr.empty() &&
        app.qr_asked != st.kiosks.pairing->code) {
        app.qr_asked = st.kiosks.pairing->code;
        js_make_qr(app.qr_asked.c_str());
    }
    return app.flow.revision() != app.drawn_revision;
}

void draw(std::int64_t now) {
    App& app = *g_app;
    app.drawn_revision = app.flow.revision();
    app.drawn_second = now / 1000;
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    const ui::Rect screen{vp->Pos, ImVec2(vp->Pos.x + vp->Size.x, vp->Pos.y + vp->Size.y)};
    const ui::ConsoleLayout layout = app.ui.draw(app.flow, app.texts, app.kiosk_texts, app.fonts,
                                                 screen, wasm::host::scale(), now);
    // Edits made in this frame bumped the revision: the next update draws again.
    if (app.mirrored_revision != app.drawn_revision) {
        app.mirrored_revision = app.drawn_revision;
        wasm::set_mirror_text(app.ui.mirror_text(app.flow, app.texts, now),
                              std::string(i18n::locale_tag(app.flow.state().locale)));
        wasm::set_screen(app.flow.state().signed_in
                             ? std::string(client::console_section_name(app.flow.state().section))
                             : "sign_in");
    }
    // One file picker for both (web/console/app.js): the logo, or a reward's picture.
    if (layout.pick_logo || !layout.pick_picture.empty()) {
        app.picking = layout.pick_logo ? std::string() : layout.pick_picture;
        js_pick_logo();
    }
    if (layout.pick_csv) js_pick_csv();
    // An export the person asked for (import section or a report card): the page downloads it.
    const std::string& token = app.flow.state().session.token;
    if (const auto d = app.flow.imports().take_download())
        js_download(d->path.c_str(), token.c_str(), d->file_name.c_str());
    if (const auto d = app.flow.reports().take_download())
        js_download(d->path.c_str(), token.c_str(), d->file_name.c_str());
    // A member's export: the page saves it as a file.
    if (auto d = app.flow.members().take_download())
        js_save_file(d->file_name.c_str(), d->body.c_str());
    tell_page(app, layout);
}

void load_fonts(float scale) {
    App& app = *g_app;
    const theme::Theme& draft = app.flow.state().themes.draft;
    app.fonts_size_px = draft.font_size_px;
    app.fonts = ui::load_console_fonts(kFont, draft, scale, app.ui.preview_font_scale() * scale);
    ui::apply_console_style(scale);
}

// A reward's picture file the page read (kopilka_console_logo, App::picking names the reward):
// into the program's draft, or the reason it was refused under the reward.
void reward_picture(App& app, const std::string& why, const std::string& url) {
    app.ui.picture_reward = app.picking;
    app.ui.picture_error = why;
    program::Program& draft = app.flow.program().draft();
    for (auto& r : draft.rewards)
        if (r.id == app.picking && why.empty() && !url.empty()) {
            r.image = url;
            app.flow.program().edited();
        }
    app.flow.changed();
}

}  // namespace

extern "C" {

// A logo file the page read (console.js): a data: URL, or an error code ("logo_type",
// "logo_size") when the file was refused. It shows in the previews at once. The same file picker
// reads a reward's picture when the program editor asked for one (App::picking).
EMSCRIPTEN_KEEPALIVE void kopilka_console_logo(const char* data_url, const char* error) {
    if (!g_app) return;
    App& app = *g_app;
    wasm::host::wake();
    std::string why = error ? error : "";
    const std::string url = data_url ? data_url : "";
    if (why.empty() && !codec::logo_problem(url).empty()) why = "logo_type";
    if (!app.picking.empty()) return reward_picture(app, why, url);
    app.ui.logo_error = why;
    if (app.ui.logo_error.empty() && !url.empty()) {
        app.flow.draft().logo = url;
        app.flow.draft_changed(wasm::wall_ms());
    } else {
        app.flow.changed();
    }
}

// The QR code of a pairing code (rows of '0'/'1' separated by '\n'), made by the page.
EMSCRIPTEN_KEEPALIVE void kopilka_console_qr(const char* code, const char* rows) {
    if (!g_app || !code || !rows) return;
    std::vector<std::string> out;
    std::string row;
    for (const char* p = rows;; ++p) {
        if (*p == '\n' || *p == 0) {
            if (!row.empty()) out.push_back(row);
            row.clear();
            if (*p == 0) break;
        } else {
            row += *p;
        }
    }
    wasm::host::wake();
    g_app->flow.set_pairing_qr(code, std::move(out));
}

// A CSV file the page read (console.js): its name and its text, which the page allocated with
// _malloc and this function frees (null: the file is over the server's limit). The file is
// checked by the server at once (a dry run).
EMSCRIPTEN_KEEPALIVE void kopilka_console_csv(const char* name, char* text) {
    if (!g_app) return std::free(text);
    if (!text) return g_app->flow.imports().file_too_big(name ? name : "");
    g_app->flow.imports().set_file(name ? name : "", text);
    std::free(text);
}

// The page could not download an export: why, in words ("HTTP 403", "offline").
EMSCRIPTEN_KEEPALIVE void kopilka_console_download_failed(const char* why) {
    if (g_app) g_app->flow.imports().download_failed(why ? why : "");
}

// For tests: {"signed_in", "section", "role", "theme_id", "dirty", "version", "accent",
// "devices", "pairing_code", "sign_in": {…}, "program": {…}, "import": {…}, "reports": {…},
// "wheels": {…}, "members": {…}, "layout": …, "items": [{"label", "id", "x", "y", "w", "h",
// "visible", "active"}]} (the controls of the last frame drawn).
EMSCRIPTEN_KEEPALIVE const char* kopilka_console_state() {
    static std::string out;
    if (!g_app) return "{}";
    const auto& st = g_app->flow.state();
    nlohmann::json j{{"signed_in", st.signed_in},
                     {"section", client::console_section_name(st.section)},
                     {"role", client::staff_role_name(st.session.role)},
                     {"theme_id", st.themes.id},
                     {"dirty", st.themes.dirty},
                     {"version", st.themes.version},
                     {"accent", codec::color_text(st.themes.draft.accent)},
                     {"devices", st.kiosks.devices.size()},
                     {"pairing_code", st.kiosks.pairing ? st.kiosks.pairing->code : ""}};
    // The sign-in form as typed so far (the password only by its length).
    j["sign_in"] = {{"merchant", st.sign_in.merchant},
                    {"email", st.sign_in.email},
                    {"password_length", st.sign_in.password.size()}};
    // The program editor: the draft's earn rate, its first problem's field, the test receipt's
    // points with the draft and with the published program, versions waiting and listed, the
    // simulation's receipts and points (draft and published); the test receipt's discount with
    // the draft, how many segment rules, action bonus rows and blackouts the draft holds.
    const client::ProgramEditorState& p = g_app->flow.program().state();
    j["program"] = {{"loaded", p.loaded},
                    {"version", p.version},
                    {"dirty", p.dirty},
                    {"can_save", g_app->flow.program().can_save()},
                    {"earn_bp", p.draft.bonus ? p.draft.bonus->earn_bp : 0},
                    {"problem_field", p.problem ? p.problem->field : ""},
                    {"error_field", p.error ? p.error->field : ""},
                    {"done", p.done},
                    {"draft_points", p.draft_quote ? p.draft_quote->points_earned : -1},
                    {"published_points",
                     p.published_quote ? p.published_quote->points_earned : -1},
                    {"latest_version", p.latest_version},
                    {"restored", p.restored},
                    {"scheduled", p.scheduled.size()},
                    {"history", p.history.versions.size()},
                    {"confirm_revert", p.history.confirm_revert},
                    {"reverted_to", p.history.reverted_to},
                    {"simulated", p.simulation.ran && !p.simulation.stale},
                    {"sim_receipts", p.simulation.draft.receipts},
                    {"sim_points", p.simulation.draft.points_issued},
                    {"sim_published_points",
                     p.simulation.published ? p.simulation.published->points_issued : -1},
                    {"draft_discount", p.draft_quote ? p.draft_quote->discount : -1},
                    {"segments", p.draft.segments.size()},
                    {"action_bonuses", p.action_bonuses.size()},
                    {"blackouts", p.draft.bonus ? p.draft.bonus->redeem_blackouts.size() : 0}};
    const client::ImportState& im = g_app->flow.imports().state();
    j["import"] = {{"has_file", im.has_file},
                   {"checked", im.check.has_value()},
                   {"rows_total", im.check ? im.check->rows_total : -1},
                   {"rows_bad", im.check ? im.check->rows_bad : -1},
                   {"bad_lines", nlohmann::json::array()},
                   {"can_import", g_app->flow.imports().can_import()},
                   {"job_status", im.job ? im.job->status : ""},
                   {"job_rows_done", im.job ? im.job->rows_done : 0},
                   {"job_rows_total", im.job ? im.job->rows_total : 0},
                   {"job_created", im.job ? im.job->created : 0},
                   {"job_matched", im.job ? im.job->matched : 0},
                   {"job_bad", im.job ? im.job->rows_bad : 0},
                   {"error", im.error ? im.error->message : ""},
                   {"download_error", im.download_error}};
    if (im.check)
        for (const auto& b : im.check->bad) j["import"]["bad_lines"].push_back(b.line);
    // Reports: the range, what was loaded, a few figures the e2e tests compare.
    const client::ReportsState& r = g_app->flow.reports().state();
    j["reports"] = {{"opened", r.opened},
                    {"busy", r.busy != client::ConsoleBusy::none},
                    {"preset", client::report_preset_name(r.preset)},
                    {"bucket", client::report_bucket_name(r.bucket)},
                    {"from_ms", r.range.from_ms},
                    {"to_ms", r.range.to_ms},
                    {"from_text", r.from_text},
                    {"to_text", r.to_text},
                    {"range_error", r.range_error ? r.range_error->code : ""},
                    {"error", r.error ? r.error->code : ""},
                    {"series_error", r.series_error ? r.series_error->code : ""},
                    {"summary_loaded", r.summary_loaded},
                    {"series_loaded", r.series_loaded},
                    {"series_points", r.series.size()},
                    {"receipts", r.summary.receipts},
                    {"receipts_with_card", r.summary.receipts_with_card},
                    {"revenue", r.summary.revenue},
                    {"deferred", r.summary.deferred.has_value()}};
    // The prize wheel editor: the open wheel, its weights, its first problem's field, the odds
    // of the draft as typed (ppm per segment, the win chance, the warning).
    const client::WheelsEditorState& w = g_app->flow.wheels().state();
    // Also its name, campaign window and phase now, each segment's colour ("" for the theme's)
    // and reward, the rewards offered and each listed wheel's phase.
    nlohmann::json weights = nlohmann::json::array(), colours = weights, rewards = weights;
    nlohmann::json phases = nlohmann::json::object(), offered = weights;
    for (const auto& prize : w.draft.prizes) {
        weights.push_back(prize.weight);
        colours.push_back(prize.colour ? client::colour_text(*prize.colour) : "");
        rewards.push_back(prize.reward_id);
    }
    for (const auto& r : w.rewards) offered.push_back(r.id);
    const std::int64_t now_ms = wasm::wall_ms();
    for (const auto& item : w.wheels)
        phases[item.id] = spins::wheel_phase_name(spins::wheel_phase(item.config, now_ms));
    const auto edge = [](const std::optional<std::int64_t>& ms) {
        return ms ? nlohmann::json(*ms) : nlohmann::json(nullptr);
    };
    j["wheels"] = {{"list", w.wheels.size()},
                   {"name", w.draft.name},
                   {"starts_at_ms", edge(w.draft.starts_at_ms)},
                   {"ends_at_ms", edge(w.draft.ends_at_ms)},
                   {"phase", spins::wheel_phase_name(spins::wheel_phase(w.draft, now_ms))},
                   {"phases", phases},
                   {"colours", colours},
                   {"reward_ids", rewards},
                   {"rewards", offered},
                   {"list_loaded", w.list_loaded},
                   {"id", w.id},
                   {"version", w.version},
                   {"dirty", w.dirty},
                   {"can_save", g_app->flow.wheels().can_save()},
                   {"weights", weights},
                   {"problem_field", w.problem ? w.problem->field : ""},
                   {"unreadable", w.unreadable},
                   {"error_field", w.error ? w.error->field : ""},
                   {"conflict", w.conflict},
                   {"done", w.done},
                   {"chance_ppm", w.odds.chance_ppm},
                   {"win_chance_ppm", w.odds.win_chance_ppm},
                   {"low_win_chance", w.odds.low_win_chance},
                   {"preview_segment", w.preview_segment}};
    // The members section: the table's rows known and cached, the fetches made, the open
    // member's balance, the adjustment's, the enrolment's and the edit's error fields, what was
    // just done, the history page shown (its first entry's place, entries, total, more older).
    const client::MembersState& m = g_app->flow.members().state();
    j["members"] = {{"rows", m.list.rows_known},
                    {"more", m.list.more},
                    {"loading", m.list.loading.has_value()},
                    {"cached_pages", m.list.pages.size()},
                    {"fetches", m.list.fetches},
                    {"shown_first", m.list.shown_first},
                    {"first_id", g_app->flow.members().row(0) ? g_app->flow.members().row(0)->id
                                                              : ""},
                    {"page_id", m.page.id},
                    {"page_loaded", m.page.loaded},
                    {"balance", m.page.member ? m.page.member->balance : -1},
                    {"erased", m.page.erased},
                    {"confirm_erase", m.page.confirm_erase},
                    {"done", m.page.done},
                    {"adjust_error_field", m.page.adjust.error ? m.page.adjust.error->field : ""},
                    {"enrol_open", m.enrol.has_value()},
                    {"enrol_error_field",
                     m.enrol && m.enrol->error ? m.enrol->error->field : ""},
                    {"history_first", m.page.history.first},
                    {"history_shown", m.page.history.entries.size()},
                    {"history_total", m.page.history.total},
                    {"history_older", m.page.history.older.has_value()},
                    {"history_loading", m.page.history.loading},
                    {"edit_open", m.page.edit.has_value()},
                    {"edit_conflict", m.page.edit && m.page.edit->conflict},
                    {"edit_error_field",
                     m.page.edit && m.page.edit->error ? m.page.edit->error->field : ""}};
    j["layout"] = nlohmann::json::parse(g_app->layout_json.empty() ? "{}" : g_app->layout_json);
    // Every labelled control of the last frame, in CSS pixels: tests click them by label.
    const float dpr = wasm::host::scale();
    nlohmann::json items = nlohmann::json::array();
    for (const ui::DrawnItem& i : ui::drawn_items())
        items.push_back({{"label", i.label},
                         {"id", i.id},
                         {"x", i.x / dpr},
                         {"y", i.y / dpr},
                         {"w", i.w / dpr},
                         {"h", i.h / dpr},
                         {"visible", i.visible},
                         {"active", i.active}});
    j["items"] = std::move(items);
    out = j.dump();
    return out.c_str();
}

}  // extern "C"

int main() {
    static App app;
    g_app = &app;
    for (const char* dir : client::console_catalogue_dirs)
        i18n::merge_catalogues(app.texts, wasm::load_catalogues(std::string("/assets/") + dir));
    app.kiosk_texts = wasm::load_catalogues("/assets/i18n");
    app.rules_texts = wasm::load_catalogues("/assets/i18n/rules");
    app.ui.rules_texts = &app.rules_texts;
    app.flow.start(wasm::wall_ms());
    if (auto l = i18n::locale_from_tag(wasm::url_param("lang"))) app.flow.set_locale(*l);
    if (const std::string m = wasm::url_param("merchant"); !m.empty())
        app.flow.sign_in_form().merchant = m;

    wasm::host::Options o;
    o.title = "Kopilka console";
    o.load_fonts = load_fonts;
    o.update = update;
    o.draw = draw;
    if (!wasm::host::init(o)) return 1;
    wasm::host::run();
    return 0;
}
