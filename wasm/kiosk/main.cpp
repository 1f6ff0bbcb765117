// The in-store kiosk, compiled to WebAssembly: Dear ImGui on the browser host
// (platform/host.hpp: WebGL2, HiDPI, touch, frames drawn only when something changed).
// The page (web/kiosk/) hands camera-decoded text to kopilka_scan() and the browser's
// online/offline events to kopilka_set_online(); USB wedge scanners, the on-screen keypad
// and a keyboard on the pairing screen arrive here as keys and taps. The flow lives in
// shared/client, the drawing in shared/ui; writes go through the outbox (IndexedDB), the
// device token, config and recent snapshots live in localStorage.
#include <GLFW/glfw3.h>  // key codes
#include <emscripten.h>
#include <imgui.h>

#include <cmath>
#include <cstdio>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "client/kiosk_flow.hpp"
#include "client/kiosk_state_json.hpp"
#include "client/kiosk_view.hpp"
#include "platform/assets.hpp"
#include "platform/browser.hpp"
#include "platform/fetch_transport.hpp"
#include "platform/host.hpp"
#include "platform/storage.hpp"
#include "ui/kiosk_screens.hpp"

using namespace kopilka;

namespace {

constexpr const char* kFont = "/fonts/DejaVuSans.ttf";

client::KioskFlowOptions flow_options() {
    client::KioskFlowOptions o;
    o.new_operation_id = wasm::random_op_id;
    return o;
}

// A reward's picture as last sent to the page (set_pictures), in CSS pixels.
struct ShownPicture {
    std::string id;
    std::size_t src_hash = 0;
    float x = 0, y = 0, w = 0, h = 0;
    bool operator==(const ShownPicture& o) const {
        return id == o.id && src_hash == o.src_hash && x == o.x && y == o.y && w == o.w && h == o.h;
    }
};

struct App {
    wasm::FetchTransport transport;
    wasm::LocalStorage storage;
    wasm::IndexedDbOutboxStore outbox_store;
    client::Outbox outbox{outbox_store, transport};
    client::KioskFlow flow{transport, storage, outbox, flow_options()};
    client::WedgeDetector wedge;
    i18n::Catalogues catalogues;
    theme::Theme theme;
    ui::Fonts fonts;
    std::uint64_t drawn_revision = 0;
    std::uint64_t mirrored_revision = 0;
    client::FeedbackWatch feedback;  // a card read, a win: a flash, and a sound if switched on
    std::vector<ui::DrawnButton> buttons;  // where the last frame drew its buttons (state JSON)
    std::string state_json;
    std::string camera_json;
    std::optional<ui::Rect> viewfinder;  // where the last frame wants the camera's preview
    std::vector<ShownPicture> pictures_shown;  // the merchant's pictures the page shows
    std::optional<ShownPicture> logo_shown;    // where the page shows the logo (src_hash 0)
    bool overflow = false;  // the last frame's body scrolled (state JSON; no main screen should)
    std::string theme_version = "-";  // the config version whose theme is applied
};

App* g_app = nullptr;

// ---- input ----------------------------------------------------------------------------
void on_char(unsigned int codepoint) {
    App& app = *g_app;
    const std::int64_t now = wasm::wall_ms();
    if (codepoint < 0x20 || codepoint > 0x7e) return;
    const char c = static_cast<char>(codepoint);
    if (app.flow.state().screen == client::Screen::pairing) return app.flow.pairing_type(c, now);
    app.wedge.key(c, now);
    if (app.flow.state().keypad_open && ((c >= '0' && c <= '9') || c == '+'))
        app.flow.keypad_press(c, now);
    else
        app.flow.touch(now);
}

void on_key(int key, int action) {
    App& app = *g_app;
    if (action != GLFW_PRESS && action != GLFW_REPEAT) return;
    const std::int64_t now = wasm::wall_ms();
    const bool enter = key == GLFW_KEY_ENTER || key == GLFW_KEY_KP_ENTER;
    if (app.flow.state().screen == client::Screen::pairing) {
        if (enter) {
            wasm::host::swallow_key(GLFW_KEY_ENTER);
            app.flow.pairing_submit(now);
        } else if (key == GLFW_KEY_BACKSPACE) {
            app.flow.pairing_backspace(now);
        }
        return;
    }
    if (action != GLFW_PRESS) return;
    if (enter) {
        if (auto text = app.wedge.enter(now)) {
            wasm::host::swallow_key(
                GLFW_KEY_ENTER);  // a scanner's Enter must not press a focused button
            app.flow.scan(*text, client::ScanSource::wedge, now);
        } else if (app.flow.state().keypad_open) {
            app.flow.keypad_submit(now);
        }
    } else if (key == GLFW_KEY_BACKSPACE && app.flow.state().keypad_open) {
        app.flow.keypad_backspace(now);
    } else if (key == GLFW_KEY_ESCAPE) {
        app.flow.back(now);
    }
    app.flow.touch(now);
}

// ---- frame ----------------------------------------------------------------------------
void apply_ui_input(App& app, const ui::UiInput& in, std::int64_t now) {
    client::KioskFlow& flow = app.flow;
    if (in.locale) flow.set_locale(*in.locale, now);
    if (in.keypad_key) flow.keypad_press(*in.keypad_key, now);
    if (in.keypad_backspace) flow.keypad_backspace(now);
    if (in.keypad_ok) flow.keypad_submit(now);
    if (!in.action) return;
    // clang-format off
    switch (*in.action) {
        case client::Action::start: flow.open_scan(now); break;
        case client::Action::keypad: flow.keypad_open(true, now); break;
        case client::Action::sign_out: flow.sign_out(now); break;
        case client::Action::stay: flow.touch(now); break;
        case client::Action::back: flow.back(now); break;
        case client::Action::rewards: flow.open_rewards(now); break;
        case client::Action::reward: flow.choose_reward(in.action_arg, now); break;
        case client::Action::confirm: flow.confirm_redeem(now); break;
        case client::Action::open_spin: flow.open_spin(now); break;
        case client::Action::spin: flow.spin(now); break;
        case client::Action::odds: flow.toggle_odds(now); break;
        case client::Action::reduced_motion:
            flow.set_reduced_motion(!flow.state().reduced_motion, now); break;
        case client::Action::pair: flow.pairing_submit(now); break;
    }
    // clang-format on
}

// The merchant's theme from the config (the built-in one until there is a config); fonts
// and style are rebuilt when it changes.
void follow_theme(App& app) {
    const auto& config = app.flow.state().config;
    const std::string version = config ? config->version : std::string();
    if (version == app.theme_version) return;
    app.theme_version = version;
    app.theme = config && config->has_theme ? config->theme : theme::Theme{};
    if (config && !config->has_theme && !config->merchant_name.empty())
        app.theme.name = config->merchant_name;
    wasm::set_logo(app.theme.logo, app.theme.name);
    wasm::host::set_clear_color(ui::to_imgui(app.theme.background));
    wasm::host::reload_fonts();
}

// Every tick: scanner bursts, the outbox, the flow's timers. True when the screen changed
// or the wheel turns.
bool update(std::int64_t now) {
    App& app = *g_app;
    if (auto text = app.wedge.poll(now)) app.flow.scan(*text, client::ScanSource::wedge, now);
    app.outbox.tick(now);
    app.flow.tick(now);
    follow_theme(app);
    return app.flow.revision() != app.drawn_revision || app.flow.animating();
}

// A picture's box in CSS pixels, rounded to a tenth (a frame that moves nothing compares
// equal).
ShownPicture css_box(std::string id, std::size_t src_hash, const ui::Rect& r) {
    const float k = wasm::host::scale();
    const auto css = [k](float v) { return std::round(v / k * 10.f) / 10.f; };
    return {std::move(id), src_hash, css(r.min.x), css(r.min.y), css(r.width()), css(r.height())};
}

// The reward tiles' pictures to the page, when where or which changed. Compared by id, place
// and a hash of the source, so a frame that moves nothing builds no JSON (a picture's data URL
// may be 48 KiB).
void show_pictures(App& app, const std::vector<ui::UiInput::Picture>& pictures) {
    std::vector<ShownPicture> shown;
    shown.reserve(pictures.size());
    for (const auto& p : pictures)
        shown.push_back(css_box(p.id, std::hash<std::string>{}(p.src), p.rect));
    if (shown == app.pictures_shown) return;
    nlohmann::json list = nlohmann::json::array();
    for (std::size_t i = 0; i < shown.size(); ++i)
        list.push_back({{"id", shown[i].id},
                        {"src", pictures[i].src},
                        {"x", shown[i].x},
                        {"y", shown[i].y},
                        {"w", shown[i].w},
                        {"h", shown[i].h}});
    app.pictures_shown = std::move(shown);
    wasm::set_pictures(list.dump());
}

// The logo's box to the page when it moved, appeared or went.
void show_logo(App& app, const std::optional<ui::Rect>& logo) {
    std::optional<ShownPicture> shown;
    if (logo) shown = css_box("logo", 0, *logo);
    if (shown == app.logo_shown) return;
    app.logo_shown = shown;
    if (shown)
        wasm::place_logo(true, shown->x, shown->y, shown->w, shown->h);
    else
        wasm::place_logo(false, 0, 0, 0, 0);
}

void draw(std::int64_t now) {
    App& app = *g_app;
    app.drawn_revision = app.flow.revision();
    const client::KioskView view = client::compose_kiosk_view(
        app.flow.state(), app.catalogues, client::branding_of(app.flow.state()));
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    const ui::Rect screen{vp->Pos, ImVec2(vp->Pos.x + vp->Size.x, vp->Pos.y + vp->Size.y)};
    const ui::UiInput in =
        ui::draw_kiosk(app.flow.state(), view, app.theme, app.fonts, screen, wasm::host::ui_scale(),
                       app.flow.wheel_turns(now), &app.buttons);
    if (app.mirrored_revision != app.drawn_revision) {
        app.mirrored_revision = app.drawn_revision;
        wasm::set_mirror_text(client::mirror_text(view),
                              std::string(i18n::locale_tag(app.flow.state().locale)));
        wasm::set_screen(std::string(client::screen_name(app.flow.state().screen)));
    }
    if (const client::Feedback f = app.feedback.next(app.flow.state());
        f != client::Feedback::none) {
        const auto& config = app.flow.state().config;
        wasm::feedback(std::string(client::feedback_name(f)), config && config->device_sound);
    }
    app.viewfinder = in.viewfinder;
    show_pictures(app, in.pictures);
    show_logo(app, in.logo);
    app.overflow = in.overflow;
    apply_ui_input(app, in, now);
}

}  // namespace

extern "C" {

EMSCRIPTEN_KEEPALIVE void kopilka_scan(const char* text, const char* source) {
    if (!g_app || !text) return;
    const auto s = client::scan_source_from_name(source ? source : "camera")
                       .value_or(client::ScanSource::camera);
    wasm::host::wake();
    g_app->flow.scan(text, s, wasm::wall_ms());
}

// What the camera needs to know 8 times a second, without composing the whole state JSON:
// {"scanning": bool, "screen": "…", "preview": {x, y, w, h} in CSS pixels (the viewfinder the
// last frame drew) or false (no preview)}.
EMSCRIPTEN_KEEPALIVE const char* kopilka_camera_state() {
    if (!g_app) return "{}";
    std::string preview = "false";
    if (const auto& r = g_app->viewfinder) {
        const float k = wasm::host::scale();
        char box[160];
        std::snprintf(box, sizeof box, "{\"x\":%.1f,\"y\":%.1f,\"w\":%.1f,\"h\":%.1f}",
                      r->min.x / k, r->min.y / k, r->width() / k, r->height() / k);
        preview = box;
    }
    g_app->camera_json = std::string("{\"scanning\":") +
                         (g_app->flow.wants_camera() ? "true" : "false") + ",\"screen\":\"" +
                         std::string(client::screen_name(g_app->flow.state().screen)) +
                         "\",\"preview\":" + preview + "}";
    return g_app->camera_json.c_str();
}

// The browser's online/offline events (app.js).
EMSCRIPTEN_KEEPALIVE void kopilka_set_online(int online) {
    if (g_app) g_app->flow.set_online(online != 0, wasm::wall_ms());
}

EMSCRIPTEN_KEEPALIVE const char* kopilka_state_json() {
    if (!g_app) return "{}";
    const client::KioskView view = client::compose_kiosk_view(
        g_app->flow.state(), g_app->catalogues, client::branding_of(g_app->flow.state()));
    // Plus where the last frame drew each button, in CSS pixels (a tap there presses it).
    nlohmann::json j = nlohmann::json::parse(client::encode_kiosk_state(g_app->flow, view));
    nlohmann::json buttons = nlohmann::json::array();
    const float k = wasm::host::scale();
    for (const ui::DrawnButton& b : g_app->buttons)
        buttons.push_back({{"name", b.name},
                           {"arg", b.arg},
                           {"enabled", b.enabled},
                           {"x", b.x / k},
                           {"y", b.y / k},
                           {"w", b.w / k},
                           {"h", b.h / k}});
    j["buttons"] = std::move(buttons);
    // The camera preview's box, as the camera reads it (false: none).
    j["preview"] = nlohmann::json::parse(kopilka_camera_state())["preview"];
    // The screen's words took more than their room last frame (they scroll).
    j["overflow"] = g_app->overflow;
    g_app->state_json = j.dump();
    return g_app->state_json.c_str();
}

// How many characters of utf8 the loaded body font has no glyph for (tests: no "?" boxes).
EMSCRIPTEN_KEEPALIVE int kopilka_missing_glyphs(const char* utf8) {
    if (!g_app || !g_app->fonts.body || !utf8) return -1;
    return wasm::host::missing_glyphs(utf8, g_app->fonts.body);
}

}  // extern "C"

int main() {
    static App app;
    g_app = &app;
    // The staged page names the build (tools/build.sh); the console lists it per kiosk.
    app.transport.set_app_version(wasm::page_meta("kopilka-app-version"));
    app.catalogues = wasm::load_catalogues("/assets/i18n");
    const std::int64_t now = wasm::wall_ms();
    app.outbox.set_batch(client::kiosk_batch());  // a backlog from offline goes in one request
    app.outbox.restore(now);
    app.flow.start(now);
    if (auto l = i18n::locale_from_tag(wasm::url_param("lang"))) app.flow.set_locale(*l, now);
    if (wasm::prefers_reduced_motion() || wasm::url_param("motion") == "reduce")
        app.flow.set_reduced_motion(true, now);
    // A pairing code in the URL (the console's link or QR): pair at once.
    if (const std::string code = wasm::url_param("pair"); !code.empty() && !app.flow.state().paired)
        app.flow.scan(code, client::ScanSource::keypad, now);

    wasm::host::Options o;
    o.load_fonts = [](float scale) {
        g_app->fonts = ui::load_fonts(kFont, g_app->theme, scale);
        ui::apply_style(g_app->theme, scale);
    };
    o.zoom = [](float css_width, float css_height) {
        return ui::kiosk_zoom(css_width, css_height, g_app->theme.font_size_px);
    };
    o.update = update;
    o.draw = draw;
    o.on_char = on_char;
    o.on_key = on_key;
    o.on_press = [] { g_app->flow.touch(wasm::wall_ms()); };
    if (!wasm::host::init(o)) return 1;
    wasm::host::run();
    return 0;
}
