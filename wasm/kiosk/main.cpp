// The in-store kiosk, compiled to WebAssembly: Dear ImGui on WebGL2 through GLFW.
// The page (web/kiosk/) hands camera-decoded text to kopilka_scan() and the browser's
// online/offline events to kopilka_set_online(); USB wedge scanners, the on-screen keypad
// and a keyboard on the pairing screen arrive here as keys and taps. The flow lives in
// shared/client, the drawing in shared/ui; writes go through the outbox (IndexedDB), the
// device token, config and recent snapshots live in localStorage. Frames are drawn only
// when something changed (input, data, countdown) or the wheel turns, so a still kiosk
// costs next to no CPU.
#include <GLES3/gl3.h>
#include <GLFW/glfw3.h>
#include <emscripten.h>
#include <emscripten/html5.h>
#include <imgui.h>
#include <imgui_internal.h>  // ImTextCharFromUtf8
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>

#include <cfloat>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <deque>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "client/kiosk_flow.hpp"
#include "client/kiosk_state_json.hpp"
#include "client/kiosk_view.hpp"
#include "codec/catalogue_json.hpp"
#include "platform/browser.hpp"
#include "platform/fetch_transport.hpp"
#include "platform/storage.hpp"
#include "ui/kiosk_screens.hpp"

using namespace kopilka;

namespace {

constexpr const char* kCanvas = "#canvas";
constexpr const char* kFont = "/fonts/DejaVuSans.ttf";
constexpr int kSettleFrames = 3;  // ImGui needs a frame or two to settle after a change

client::KioskFlowOptions flow_options() {
    client::KioskFlowOptions o;
    o.new_operation_id = wasm::random_op_id;
    return o;
}

struct App {
    GLFWwindow* window = nullptr;
    wasm::FetchTransport transport;
    wasm::LocalStorage storage;
    wasm::IndexedDbOutboxStore outbox_store;
    client::Outbox outbox{outbox_store, transport};
    client::KioskFlow flow{transport, storage, outbox, flow_options()};
    client::WedgeDetector wedge;
    i18n::Catalogues catalogues;
    theme::Theme theme;
    ui::Fonts fonts;
    float scale = 0;
    int width_px = 0, height_px = 0;
    std::uint64_t drawn_revision = 0;
    std::uint64_t mirrored_revision = 0;
    int frames_to_draw = kSettleFrames;
    // Presses and releases, one per frame: Dear ImGui 1.86 reads the button's state once a
    // frame, so a quick tap (touchstart and touchend between two frames), or a second tap
    // before the frame that saw the first, would otherwise be lost.
    struct PointerEvent {
        bool down;
        ImVec2 at;  // canvas pixels, as ImGui's
    };
    std::deque<PointerEvent> pointer_events;
    bool pointer_down = false;
    ImVec2 pointer_at{-FLT_MAX, -FLT_MAX};
    bool pointer_away = false;     // after a tap: no hover until the pointer moves again
    bool release_pending = false;  // the last event was a release: park the pointer next frame
    bool fast = true;              // the main loop runs every animation frame (else 10 times a second)
    std::int64_t busy_at = 0;      // the last time a frame was drawn or input arrived
    bool swallow_enter = false;    // a scanner's Enter must not press a focused button
    std::vector<ui::DrawnButton> buttons;  // where the last frame drew its buttons (state JSON)
    std::string state_json;
    std::string camera_json;
    std::string theme_version = "-";  // the config version whose theme is applied
};

App* g_app = nullptr;

// A still kiosk checks its timers 10 times a second instead of at the display's rate (each
// tick costs the browser a task even when nothing is drawn); input, an answer or an animation
// brings back one tick per animation frame at once.
constexpr int kIdleTickMs = 100;
constexpr std::int64_t kIdleAfterMs = 2000;

void wake(App& app) {
    app.busy_at = wasm::wall_ms();
    if (app.fast) return;
    app.fast = true;
    emscripten_set_main_loop_timing(EM_TIMING_RAF, 1);
}

void maybe_sleep(App& app, std::int64_t now) {
    if (!app.fast || now - app.busy_at < kIdleAfterMs) return;
    app.fast = false;
    emscripten_set_main_loop_timing(EM_TIMING_SETTIMEOUT, kIdleTickMs);
}


std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void load_catalogues(App& app) {
    std::map<i18n::Locale, std::string> texts;
    for (i18n::Locale l : i18n::all_locales)
        texts[l] = read_file("/assets/i18n/" + std::string(i18n::locale_tag(l)) + ".json");
    auto decoded = codec::decode_catalogues(texts);
    if (decoded.ok()) app.catalogues = std::move(*decoded.value);
    else std::fprintf(stderr, "kopilka: message catalogues: %s\n", decoded.error.message.c_str());
}

// ---- input ----------------------------------------------------------------------------
void on_char(GLFWwindow*, unsigned int codepoint) {
    App& app = *g_app;
    wake(app);
    const std::int64_t now = wasm::wall_ms();
    if (codepoint < 0x20 || codepoint > 0x7e) return;
    const char c = static_cast<char>(codepoint);
    if (app.flow.state().screen == client::Screen::pairing) return app.flow.pairing_type(c, now);
    app.wedge.key(c, now);
    if (app.flow.state().keypad_open && ((c >= '0' && c <= '9') || c == '+')) app.flow.keypad_press(c, now);
    else app.flow.touch(now);
}

void on_key(GLFWwindow*, int key, int, int action, int) {
    App& app = *g_app;
    wake(app);
    // Dear ImGui sees its navigation keys only in frames it draws (a scanner's digits need
    // none: drawing three frames for each would stretch its burst on a slow GPU).
    switch (key) {
        case GLFW_KEY_UP: case GLFW_KEY_DOWN: case GLFW_KEY_LEFT: case GLFW_KEY_RIGHT:
        case GLFW_KEY_TAB: case GLFW_KEY_SPACE: case GLFW_KEY_ENTER: case GLFW_KEY_KP_ENTER:
            app.frames_to_draw = std::max(app.frames_to_draw, kSettleFrames);
            break;
        default: break;
    }
    if (action != GLFW_PRESS && action != GLFW_REPEAT) return;
    const std::int64_t now = wasm::wall_ms();
    if (app.flow.state().screen == client::Screen::pairing) {
        if (key == GLFW_KEY_ENTER || key == GLFW_KEY_KP_ENTER) {
            app.swallow_enter = true;
            app.flow.pairing_submit(now);
        } else if (key == GLFW_KEY_BACKSPACE) {
            app.flow.pairing_backspace(now);
        }
        return;
    }
    if (action != GLFW_PRESS) return;
    if (key == GLFW_KEY_ENTER || key == GLFW_KEY_KP_ENTER) {
        if (auto text = app.wedge.enter(now)) {
            app.swallow_enter = true;
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

// Presses and releases come from the page's own mouse and touch events, which carry where
// they happened (GLFW's button callback only has the last known cursor, which a touch may
// not have moved yet). A handled touch is not also delivered as a mouse event.
void push_pointer(bool down, double css_x, double css_y) {
    App& app = *g_app;
    const float dpr = app.scale > 0 ? app.scale : 1.f;
    app.pointer_events.push_back({down, ImVec2(static_cast<float>(css_x) * dpr, static_cast<float>(css_y) * dpr)});
    wake(app);
    app.flow.touch(wasm::wall_ms());
}

EM_BOOL on_html_mouse(int type, const EmscriptenMouseEvent* e, void*) {
    if (e->button != 0) return EM_FALSE;
    push_pointer(type == EMSCRIPTEN_EVENT_MOUSEDOWN, e->targetX, e->targetY);
    return EM_FALSE;
}

EM_BOOL on_html_touch(int type, const EmscriptenTouchEvent* e, void*) {
    for (int i = 0; i < e->numTouches; ++i) {
        if (!e->touches[i].isChanged) continue;
        if (type == EMSCRIPTEN_EVENT_TOUCHCANCEL) push_pointer(false, -1e6, -1e6);  // lifted nowhere: no click
        else push_pointer(type == EMSCRIPTEN_EVENT_TOUCHSTART, e->touches[i].targetX, e->touches[i].targetY);
        break;  // one finger is the pointer
    }
    return EM_TRUE;
}

void on_cursor(GLFWwindow*, double x, double y) {
    wake(*g_app);
    g_app->pointer_away = false;
    g_app->pointer_at = ImVec2(static_cast<float>(x), static_cast<float>(y));
    g_app->frames_to_draw = kSettleFrames;
}

// The pointer ImGui sees this frame: the next queued press or release, else where it is.
void feed_pointer(App& app, ImGuiIO& io) {
    if (!app.pointer_events.empty()) {
        const App::PointerEvent e = app.pointer_events.front();
        app.pointer_events.pop_front();
        app.pointer_down = e.down;
        app.pointer_at = e.at;
        // After a release the finger is gone: from the next frame on, the button that is now
        // under where it was must not look pressed.
        app.pointer_away = false;
        if (!e.down) app.release_pending = true;
    } else if (app.release_pending) {
        app.release_pending = false;
        app.pointer_away = true;
    }
    if (!app.pointer_events.empty() || app.release_pending) app.frames_to_draw = std::max(app.frames_to_draw, 2);
    io.MouseDown[0] = app.pointer_down;
    io.MousePos = app.pointer_away && !app.pointer_down ? ImVec2(-FLT_MAX, -FLT_MAX) : app.pointer_at;
}

// ---- frame ----------------------------------------------------------------------------
void apply_ui_input(App& app, const ui::UiInput& in, std::int64_t now) {
    client::KioskFlow& flow = app.flow;
    if (in.locale) flow.set_locale(*in.locale, now);
    if (in.keypad_key) flow.keypad_press(*in.keypad_key, now);
    if (in.keypad_backspace) flow.keypad_backspace(now);
    if (in.keypad_ok) flow.keypad_submit(now);
    if (!in.action) return;
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
        case client::Action::reduced_motion: flow.set_reduced_motion(!flow.state().reduced_motion, now); break;
        case client::Action::pair: flow.pairing_submit(now); break;
    }
}

// Keeps the drawing buffer at CSS size × devicePixelRatio; reloads fonts when the ratio changes.
void fit_canvas(App& app) {
    const wasm::CanvasSize s = wasm::canvas_size(kCanvas);
    const int w = static_cast<int>(std::lround(s.css_w * s.dpr));
    const int h = static_cast<int>(std::lround(s.css_h * s.dpr));
    if (w != app.width_px || h != app.height_px) {
        app.width_px = w;
        app.height_px = h;
        // Not glfwSetWindowSize: Emscripten's GLFW asks for fullscreen when the size equals
        // the screen's, which a kiosk page (canvas = viewport) hits at devicePixelRatio 1.
        emscripten_set_canvas_element_size(kCanvas, w, h);
        app.frames_to_draw = kSettleFrames;
    }
    const float scale = static_cast<float>(s.dpr);
    if (scale != app.scale) {
        app.scale = scale;
        app.fonts = ui::load_fonts(kFont, app.theme, scale);
        ui::apply_style(app.theme, scale);
        ImGui_ImplOpenGL3_DestroyFontsTexture();
        ImGui_ImplOpenGL3_CreateFontsTexture();
        app.frames_to_draw = kSettleFrames;
    }
}

// The merchant's theme from the config (the built-in one until there is a config); fonts
// and style are rebuilt when it changes.
void follow_theme(App& app) {
    const auto& config = app.flow.state().config;
    const std::string version = config ? config->version : std::string();
    if (version == app.theme_version) return;
    app.theme_version = version;
    app.theme = config && config->has_theme ? config->theme : theme::Theme{};
    if (config && !config->has_theme && !config->merchant_name.empty()) app.theme.name = config->merchant_name;
    wasm::set_logo(app.theme.logo, app.theme.name);
    app.scale = 0;  // fit_canvas reloads fonts and style
}

void frame() {
    App& app = *g_app;
    const std::int64_t now = wasm::wall_ms();
    if (auto text = app.wedge.poll(now)) app.flow.scan(*text, client::ScanSource::wedge, now);
    app.outbox.tick(now);
    app.flow.tick(now);
    follow_theme(app);
    fit_canvas(app);
    if (app.flow.revision() != app.drawn_revision || app.flow.animating()) app.frames_to_draw = kSettleFrames;
    if (!app.pointer_events.empty() || app.release_pending) app.frames_to_draw = std::max(app.frames_to_draw, 1);
    if (app.frames_to_draw <= 0) return maybe_sleep(app, now);  // nothing changed: WebGL keeps the last frame
    wake(app);
    --app.frames_to_draw;
    app.drawn_revision = app.flow.revision();

    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    ImGuiIO& io = ImGui::GetIO();
    io.DisplaySize = ImVec2(static_cast<float>(app.width_px), static_cast<float>(app.height_px));
    io.DisplayFramebufferScale = ImVec2(1, 1);
    if (app.swallow_enter) {
        io.KeysDown[GLFW_KEY_ENTER] = false;
        app.swallow_enter = false;
    }
    feed_pointer(app, io);
    ImGui::NewFrame();
    const client::KioskView view = client::compose_kiosk_view(app.flow.state(), app.catalogues, client::branding_of(app.flow.state()));
    const ui::UiInput in =
        ui::draw_kiosk(app.flow.state(), view, app.theme, app.fonts, app.scale, app.flow.wheel_turns(now), &app.buttons);
    ImGui::Render();
    glViewport(0, 0, app.width_px, app.height_px);
    const ImVec4 bg = ui::to_imgui(app.theme.background);
    glClearColor(bg.x, bg.y, bg.z, 1.f);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());

    if (app.mirrored_revision != app.drawn_revision) {
        app.mirrored_revision = app.drawn_revision;
        wasm::set_mirror_text(client::mirror_text(view), std::string(i18n::locale_tag(app.flow.state().locale)));
        wasm::set_screen(std::string(client::screen_name(app.flow.state().screen)));
    }
    apply_ui_input(app, in, now);
}

}  // namespace

extern "C" {

EMSCRIPTEN_KEEPALIVE void kopilka_scan(const char* text, const char* source) {
    if (!g_app || !text) return;
    const auto s = client::scan_source_from_name(source ? source : "camera").value_or(client::ScanSource::camera);
    wake(*g_app);
    g_app->flow.scan(text, s, wasm::wall_ms());
}

// What the camera needs to know 8 times a second, without composing the whole state JSON:
// {"scanning": bool, "screen": "…"}.
EMSCRIPTEN_KEEPALIVE const char* kopilka_camera_state() {
    if (!g_app) return "{}";
    g_app->camera_json = std::string("{\"scanning\":") + (g_app->flow.wants_camera() ? "true" : "false") + ",\"screen\":\"" +
                         std::string(client::screen_name(g_app->flow.state().screen)) + "\"}";
    return g_app->camera_json.c_str();
}

// The browser's online/offline events (app.js).
EMSCRIPTEN_KEEPALIVE void kopilka_set_online(int online) {
    if (g_app) g_app->flow.set_online(online != 0, wasm::wall_ms());
}

EMSCRIPTEN_KEEPALIVE const char* kopilka_state_json() {
    if (!g_app) return "{}";
    const client::KioskView view =
        client::compose_kiosk_view(g_app->flow.state(), g_app->catalogues, client::branding_of(g_app->flow.state()));
    // Plus where the last frame drew each button, in CSS pixels (a tap there presses it).
    nlohmann::json j = nlohmann::json::parse(client::encode_kiosk_state(g_app->flow, view));
    nlohmann::json buttons = nlohmann::json::array();
    const float k = g_app->scale > 0 ? g_app->scale : 1.f;
    for (const ui::DrawnButton& b : g_app->buttons)
        buttons.push_back({{"name", b.name}, {"arg", b.arg}, {"enabled", b.enabled},
                           {"x", b.x / k}, {"y", b.y / k}, {"w", b.w / k}, {"h", b.h / k}});
    j["buttons"] = std::move(buttons);
    g_app->state_json = j.dump();
    return g_app->state_json.c_str();
}

// How many characters of utf8 the loaded body font has no glyph for (tests: no "?" boxes).
EMSCRIPTEN_KEEPALIVE int kopilka_missing_glyphs(const char* utf8) {
    if (!g_app || !g_app->fonts.body || !utf8) return -1;
    int missing = 0;
    const char* p = utf8;
    const char* end = p + std::strlen(p);
    while (p < end) {
        unsigned int c = 0;
        const int n = ImTextCharFromUtf8(&c, p, end);
        if (n <= 0) break;
        p += n;
        if (c >= 0x20 && !g_app->fonts.body->FindGlyphNoFallback(static_cast<ImWchar>(c))) ++missing;
    }
    return missing;
}

}  // extern "C"

int main() {
    static App app;
    g_app = &app;
    load_catalogues(app);
    wasm::set_activity_hook([] { wake(*g_app); });
    const std::int64_t now = wasm::wall_ms();
    app.outbox.restore(now);
    app.flow.start(now);
    if (auto l = i18n::locale_from_tag(wasm::url_param("lang"))) app.flow.set_locale(*l, now);
    if (wasm::prefers_reduced_motion() || wasm::url_param("motion") == "reduce") app.flow.set_reduced_motion(true, now);
    // A pairing code in the URL (the console's link or QR): pair at once.
    if (const std::string code = wasm::url_param("pair"); !code.empty() && !app.flow.state().paired) app.flow.scan(code, client::ScanSource::keypad, now);

    if (!glfwInit()) {
        std::fprintf(stderr, "kopilka: glfwInit failed\n");
        return 1;
    }
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
    app.window = glfwCreateWindow(800, 600, "Kopilka", nullptr, nullptr);
    if (!app.window) {
        std::fprintf(stderr, "kopilka: WebGL2 is not available\n");
        return 1;
    }
    glfwMakeContextCurrent(app.window);
    // Ours first: the ImGui backend chains to callbacks installed before it.
    glfwSetCharCallback(app.window, on_char);
    glfwSetKeyCallback(app.window, on_key);
    emscripten_set_mousedown_callback(kCanvas, nullptr, true, on_html_mouse);
    emscripten_set_mouseup_callback(EMSCRIPTEN_EVENT_TARGET_WINDOW, nullptr, true, on_html_mouse);
    emscripten_set_touchstart_callback(kCanvas, nullptr, true, on_html_touch);
    emscripten_set_touchend_callback(kCanvas, nullptr, true, on_html_touch);
    emscripten_set_touchcancel_callback(kCanvas, nullptr, true, on_html_touch);
    glfwSetCursorPosCallback(app.window, on_cursor);

    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.ConfigFlags |= ImGuiConfigFlags_NavEnableKeyboard;
    io.ConfigInputTextCursorBlink = false;
    ImGui_ImplGlfw_InitForOpenGL(app.window, true);
    ImGui_ImplOpenGL3_Init("#version 300 es");

    emscripten_set_main_loop(frame, 0, false);
    return 0;
}
