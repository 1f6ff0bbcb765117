#include "platform/host.hpp"

#include <GLES3/gl3.h>
#include <GLFW/glfw3.h>
#include <emscripten.h>
#include <emscripten/html5.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>
#include <imgui_internal.h>  // WantTextInputNextFrame: does this frame edit text

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <string>
#include <vector>

#include "platform/browser.hpp"
#include "ui/imgui_items.hpp"

namespace kopilka::wasm::host {

namespace {

constexpr int kSettleFrames = 3;  // ImGui needs a frame or two to settle after a change
// A still app checks its timers 10 times a second instead of at the display's rate (each
// tick costs the browser a task even when nothing is drawn); input, an answer or an
// animation brings back one tick per animation frame at once.
constexpr int kIdleTickMs = 100;
constexpr std::int64_t kIdleAfterMs = 2000;

// Presses and releases, one per frame: Dear ImGui 1.86 reads the button's state once a
// frame, so a quick tap (touchstart and touchend between two frames), or a second tap
// before the frame that saw the first, would otherwise be lost.
struct PointerEvent {
    bool down;
    ImVec2 at;  // canvas pixels, as ImGui's
};

struct KeyEvent {
    int key;  // GLFW key code
    bool down;
};

struct HeldChar {
    unsigned int codepoint;
    std::uint64_t after;  // typed after this many keys that order text were queued
};

struct Host {
    Options options;
    GLFWwindow* window = nullptr;
    float scale = 0;  // devicePixelRatio; 0: fonts and style to be (re)loaded
    float zoom = 1;   // Options::zoom for the canvas's CSS size
    int width_px = 0, height_px = 0;
    int frames_to_draw = kSettleFrames;
    std::deque<PointerEvent> pointer_events;
    bool pointer_down = false;
    ImVec2 pointer_at{-FLT_MAX, -FLT_MAX};
    bool pointer_away = false;     // after a tap: no hover until the pointer moves again
    bool release_pending = false;  // the last event was a release: park the pointer next frame
    bool fast = true;              // the loop runs every animation frame (else 10 times a second)
    bool looping = false;          // run() has started the loop
    std::int64_t busy_at = 0;      // the last time a frame was drawn or input arrived
    std::vector<int> swallowed_keys;
    // Key presses and releases, while a text field is edited, and always for navigation keys
    // (navigation_key()): Dear ImGui 1.86 reads keys as held or not once a frame, so a key
    // pressed and released between two frames (a quick Ctrl+C, a tap of Escape) would be lost.
    // Other keys outside a text field (a scanner's digits on the kiosk) reach ImGui at once.
    std::deque<KeyEvent> key_events;
    bool keys_live[GLFW_KEY_LAST + 1] = {};  // held, as the browser reported last
    bool editing = false;  // an ImGui text field is active: the page's text sink has focus
    // Text typed right after a Tab waits until ImGui has moved the focus to the next field (it
    // does so a frame after it sees the Tab), or it would land in the field before; text typed
    // right after Ctrl+A waits until ImGui has seen Ctrl let go. Each character keeps its place
    // among the queued keys: text typed between two Tabs goes to the field between them,
    // however quickly the second Tab follows.
    std::deque<HeldChar> held_chars;
    int chars_wait_frames = 0;
    // key_events that order text (orders_text()) ever queued, and ever fed to ImGui.
    std::uint64_t order_keys_queued = 0, order_keys_fed = 0;
    ImVec4 clear_color{1, 1, 1, 1};
    std::string clipboard;  // what GetClipboardTextFn returned last
    std::vector<ui::DrawnItem> last_items;  // the items the last layout pass drew (layout_moved)
    int unsettled_frames = 0;  // frames in a row drawn with their controls still moving
};

Host* g_host = nullptr;

// clang-format off
// Text input and the clipboard. While an ImGui text field is active, a hidden <textarea> (the
// text sink) has the page's focus, so typed text arrives the way the browser composed it:
// any keyboard layout, insertText, an IME's committed text, a paste. Its input events are
// ImGui's characters (kopilka_host_text); keys still reach GLFW's listeners on the window.
// The clipboard ImGui reads is the text of the page's last paste event (a page may not read
// navigator.clipboard without asking); a copy goes to the browser's clipboard as well.
EM_JS(void, js_text_install, (), {
    if (Module.kopilkaTextSink !== undefined) return;
    Module.kopilkaClipboard = "";
    const sink = document.createElement('textarea');
    sink.setAttribute('aria-hidden', 'true');
    sink.setAttribute('autocomplete', 'off');
    sink.setAttribute('autocapitalize', 'off');
    sink.setAttribute('spellcheck', 'false');
    sink.tabIndex = -1;
    sink.style.cssText = 'position:fixed;left:0;top:0;width:1px;height:1px;padding:0;' +
        'border:0;opacity:0;resize:none;overflow:hidden;font-size:16px;pointer-events:none;' +
        'user-select:text;-webkit-user-select:text';
    document.body.appendChild(sink);
    Module.kopilkaTextSink = sink;
    const send = (text, paste) => {
        if (!text) return;
        const n = lengthBytesUTF8(text) + 1;
        const p = _malloc(n);
        stringToUTF8(text, p, n);
        _kopilka_host_text(p, paste);
        _free(p);
    };
    // Typed text (an IME's text once composed); the sink keeps nothing.
    sink.addEventListener('input', (e) => {
        if (e.isComposing) return;
        if (e.data && e.inputType && e.inputType.startsWith('insert')) send(e.data, 0);
        sink.value = "";
    });
    sink.addEventListener('compositionend', (e) => { send(e.data, 0); sink.value = ""; });
    document.addEventListener('paste', (e) => {
        const text = (e.clipboardData && e.clipboardData.getData('text')) || "";
        Module.kopilkaClipboard = text;
        if (document.activeElement !== sink) return;
        e.preventDefault();  // ImGui gets it from kopilka_host_text, once
        send(text, 1);
    });
});

// Gives the sink the page's focus while ImGui edits text, and takes it back after.
EM_JS(void, js_text_focus, (int editing), {
    const sink = Module.kopilkaTextSink;
    if (!sink) return;
    if (editing && document.activeElement !== sink) sink.focus({preventScroll: true});
    if (!editing && document.activeElement === sink) sink.blur();
});

EM_JS(int, js_text_focused, (), {
    const sink = Module.kopilkaTextSink;
    return sink !== undefined && document.activeElement === sink;
});

// An IME shows its candidates next to the sink: keep it at the text cursor (CSS pixels).
EM_JS(void, js_text_at, (double x, double y), {
    const sink = Module.kopilkaTextSink;
    if (!sink) return;
    sink.style.left = x + 'px';
    sink.style.top = y + 'px';
});

EM_JS(char*, js_clipboard_get, (), {
    const v = Module.kopilkaClipboard || "";
    const n = lengthBytesUTF8(v) + 1;
    const p = _malloc(n);
    stringToUTF8(v, p, n);
    return p;
});

EM_JS(void, js_clipboard_set, (const char* text), {
    const v = UTF8ToString(text);
    Module.kopilkaClipboard = v;
    const c = navigator.clipboard;
    if (c && c.writeText) c.writeText(v).catch(() => {});
});
// clang-format on

const char* get_clipboard(void*) {
    char* p = js_clipboard_get();
    g_host->clipboard = p;
    std::free(p);
    return g_host->clipboard.c_str();
}

void set_clipboard(void*, const char* text) {
    js_clipboard_set(text ? text : "");
}

void set_ime_position(int x, int y) {
    const float k = scale();
    js_text_at(x / k, y / k);
}

void sleep_if_idle(Host& h, std::int64_t now) {
    if (!h.fast || now - h.busy_at < kIdleAfterMs) return;
    h.fast = false;
    emscripten_set_main_loop_timing(EM_TIMING_SETTIMEOUT, kIdleTickMs);
}

// ---- input ------------------------------------------------------------------------------
template <typename F>
void for_each_char(const char* utf8, F f) {
    const char* end = utf8 + std::strlen(utf8);
    for (const char* p = utf8; p < end;) {
        unsigned int c = 0;
        const int n = ImTextCharFromUtf8(&c, p, end);
        if (n <= 0) break;
        p += n;
        f(c);
    }
}

// A character ImGui and the app get; a text field being edited sees it in a drawn frame.
void deliver_char(unsigned int codepoint) {
    if (g_host->options.on_char) g_host->options.on_char(codepoint);
    ImGui::GetIO().AddInputCharacter(codepoint);
    if (g_host->editing) redraw();
}

bool modifier(int key) {
    switch (key) {
        case GLFW_KEY_LEFT_CONTROL:
        case GLFW_KEY_RIGHT_CONTROL:
        case GLFW_KEY_LEFT_ALT:
        case GLFW_KEY_RIGHT_ALT:
        case GLFW_KEY_LEFT_SUPER:
        case GLFW_KEY_RIGHT_SUPER:
            return true;
        default:
            return false;
    }
}

// Keys that text typed around them must keep its order with: a Tab (its focus change), Enter
// (a form sent without the text typed before it) and a change of Ctrl, Alt or Super (ImGui
// drops characters typed while it still sees one held: Ctrl+A, then typing at once would lose
// the text). Other keys (letters, Shift) never hold text back.
bool orders_text(const KeyEvent& e) {
    const bool tab_or_enter =
        e.key == GLFW_KEY_TAB || e.key == GLFW_KEY_ENTER || e.key == GLFW_KEY_KP_ENTER;
    return (tab_or_enter && e.down) || modifier(e.key);
}

bool text_waits_for_keys(const Host& h) {
    return std::any_of(h.key_events.begin(), h.key_events.end(), orders_text);
}

// Typed text, held while a Tab's focus change or a modifier's change is pending (see
// Host::held_chars).
void add_char(unsigned int codepoint) {
    Host& h = *g_host;
    if (h.editing &&
        (h.chars_wait_frames > 0 || !h.held_chars.empty() || text_waits_for_keys(h))) {
        h.held_chars.push_back({codepoint, h.order_keys_queued});
        redraw();
        return;
    }
    deliver_char(codepoint);
}

// Before a frame: the held text goes once the keys typed before it that order text have
// reached ImGui and a Tab among them has had its frames.
void feed_held_chars(Host& h) {
    if (h.chars_wait_frames > 0) {
        --h.chars_wait_frames;
    } else {
        while (!h.held_chars.empty() && h.held_chars.front().after <= h.order_keys_fed) {
            deliver_char(h.held_chars.front().codepoint);
            h.held_chars.pop_front();
        }
    }
    if (!h.held_chars.empty()) h.frames_to_draw = std::max(h.frames_to_draw, 2);
}

// A key that orders text, typed after text still held, waits for that text (the next Tab
// must not move the focus before the text typed ahead of it has reached its field).
bool key_waits_for_text(const Host& h, const KeyEvent& e) {
    return orders_text(e) && !h.held_chars.empty() &&
           h.held_chars.front().after <= h.order_keys_fed;
}

// GLFW's characters (keypress events); while the text sink has focus its input events bring
// the same text, so these are dropped.
void on_char(GLFWwindow*, unsigned int codepoint) {
    wake();
    if (g_host->editing && js_text_focused()) return;
    add_char(codepoint);
}

bool ctrl(const bool* k) { return k[GLFW_KEY_LEFT_CONTROL] || k[GLFW_KEY_RIGHT_CONTROL]; }
bool shift(const bool* k) { return k[GLFW_KEY_LEFT_SHIFT] || k[GLFW_KEY_RIGHT_SHIFT]; }
bool super(const bool* k) { return k[GLFW_KEY_LEFT_SUPER] || k[GLFW_KEY_RIGHT_SUPER]; }

void set_modifiers(ImGuiIO& io, const bool* k) {
    io.KeyCtrl = ctrl(k);
    io.KeyShift = shift(k);
    io.KeyAlt = k[GLFW_KEY_LEFT_ALT] || k[GLFW_KEY_RIGHT_ALT];
    io.KeySuper = super(k);
}

// Dear ImGui's navigation keys (and Escape, which closes dialogs): it sees them only in frames
// it draws, and a press and release that both arrive before one would be missed, so they always
// go through the queue (feed_keys), a change per frame. A scanner's digits need neither:
// drawing frames for each would stretch its burst on a slow GPU.
bool navigation_key(int key) {
    switch (key) {
        case GLFW_KEY_UP:
        case GLFW_KEY_DOWN:
        case GLFW_KEY_LEFT:
        case GLFW_KEY_RIGHT:
        case GLFW_KEY_PAGE_UP:
        case GLFW_KEY_PAGE_DOWN:
        case GLFW_KEY_TAB:
        case GLFW_KEY_SPACE:
        case GLFW_KEY_ENTER:
        case GLFW_KEY_KP_ENTER:
        case GLFW_KEY_ESCAPE:
            return true;
        default:
            return false;
    }
}

// Instead of the ImGui backend's key callback (init() installs it after the backend's).
void on_key(GLFWwindow*, int key, int, int action, int) {
    wake();
    Host& h = *g_host;
    ImGuiIO& io = ImGui::GetIO();
    if (h.editing) redraw();  // a text field's keys, and ImGui's repeat of a held one
    if (key >= 0 && key <= GLFW_KEY_LAST && action != GLFW_REPEAT) {
        const bool down = action == GLFW_PRESS;
        h.keys_live[key] = down;
        if (h.editing || !h.key_events.empty() || navigation_key(key)) {
            h.key_events.push_back({key, down});
            if (orders_text(h.key_events.back())) ++h.order_keys_queued;
        } else {
            io.KeysDown[key] = down;
            set_modifiers(io, io.KeysDown);
        }
    }
    if (navigation_key(key)) redraw();
    if (g_host->options.on_key) g_host->options.on_key(key, action);
}

void queue_pointer(bool down, ImVec2 at) {
    g_host->pointer_events.push_back({down, at});
    wake();
}

// Presses and releases come from the page's own mouse and touch events, which carry where
// they happened (GLFW's button callback only has the last known cursor, which a touch may
// not have moved yet). A handled touch is not also delivered as a mouse event.
void push_pointer(bool down, double css_x, double css_y) {
    const float dpr = g_host->scale > 0 ? g_host->scale : 1.f;
    queue_pointer(down, ImVec2(static_cast<float>(css_x) * dpr, static_cast<float>(css_y) * dpr));
    if (g_host->options.on_press) g_host->options.on_press();
}

// While a field is edited, a press on the canvas keeps the page's focus on the text sink (its
// blur would release held keys in GLFW: no Shift+click to extend a selection).
EM_BOOL on_html_mouse(int type, const EmscriptenMouseEvent* e, void*) {
    if (e->button != 0) return EM_FALSE;
    push_pointer(type == EMSCRIPTEN_EVENT_MOUSEDOWN, e->targetX, e->targetY);
    return type == EMSCRIPTEN_EVENT_MOUSEDOWN && g_host->editing;
}

EM_BOOL on_html_touch(int type, const EmscriptenTouchEvent* e, void*) {
    for (int i = 0; i < e->numTouches; ++i) {
        if (!e->touches[i].isChanged) continue;
        const EmscriptenTouchPoint& t = e->touches[i];
        if (type == EMSCRIPTEN_EVENT_TOUCHCANCEL)
            push_pointer(false, -1e6, -1e6);  // lifted nowhere: no click
        else
            push_pointer(type == EMSCRIPTEN_EVENT_TOUCHSTART, t.targetX, t.targetY);
        break;  // one finger is the pointer
    }
    return EM_TRUE;
}

// The mouse wheel and touchpad scrolling, from the page's wheel events rather than GLFW's
// (Emscripten 3.1.6 hands GLFW the browser's deltaY unconverted: pixels, and down positive,
// where GLFW and Dear ImGui count notches, up positive). One notch is 100 px in Chromium, 3
// lines in Firefox, a page is one; the pointer moves to where the wheel turned and a frame is
// drawn, so the window under it scrolls at once.
EM_BOOL on_html_wheel(int, const EmscriptenWheelEvent* e, void*) {
    const double per_notch = e->deltaMode == DOM_DELTA_LINE   ? 3
                             : e->deltaMode == DOM_DELTA_PAGE ? 1
                                                              : 100;
    const float dpr = g_host->scale > 0 ? g_host->scale : 1.f;
    ImGuiIO& io = ImGui::GetIO();
    io.MouseWheelH -= static_cast<float>(e->deltaX / per_notch);
    io.MouseWheel -= static_cast<float>(e->deltaY / per_notch);
    g_host->pointer_away = false;
    g_host->pointer_at = ImVec2(static_cast<float>(e->mouse.targetX) * dpr,
                                static_cast<float>(e->mouse.targetY) * dpr);
    wake();
    redraw();
    return EM_TRUE;  // the page itself does not scroll
}

void on_cursor(GLFWwindow*, double x, double y) {
    wake();
    g_host->pointer_away = false;
    g_host->pointer_at = ImVec2(static_cast<float>(x), static_cast<float>(y));
    g_host->frames_to_draw = kSettleFrames;
}

// The window lost focus: keys held now will never report their release, and neither will
// a pressed pointer; let go of all of them so nothing stays pressed on return.
EM_BOOL on_blur(int, const EmscriptenFocusEvent*, void*) {
    ImGuiIO& io = ImGui::GetIO();
    std::fill(std::begin(io.KeysDown), std::end(io.KeysDown), false);
    g_host->order_keys_fed = g_host->order_keys_queued;
    g_host->key_events.clear();
    for (const HeldChar& c : g_host->held_chars) deliver_char(c.codepoint);
    g_host->held_chars.clear();
    std::fill(std::begin(g_host->keys_live), std::end(g_host->keys_live), false);
    io.KeyCtrl = io.KeyShift = io.KeyAlt = io.KeySuper = false;
    const bool down =
        g_host->pointer_events.empty() ? g_host->pointer_down : g_host->pointer_events.back().down;
    if (down) queue_pointer(false, ImVec2(-FLT_MAX, -FLT_MAX));
    redraw();
    return EM_FALSE;
}

EM_BOOL on_focus(int, const EmscriptenFocusEvent*, void*) {
    wake();
    redraw();
    return EM_FALSE;
}

// The pointer ImGui sees this frame: the next queued press or release, else where it is.
void feed_pointer(Host& h, ImGuiIO& io) {
    if (!h.pointer_events.empty()) {
        const PointerEvent e = h.pointer_events.front();
        h.pointer_events.pop_front();
        h.pointer_down = e.down;
        h.pointer_at = e.at;
        // After a release the finger is gone: from the next frame on, the button that is now
        // under where it was must not look pressed.
        h.pointer_away = false;
        if (!e.down) h.release_pending = true;
    } else if (h.release_pending) {
        h.release_pending = false;
        h.pointer_away = true;
    }
    if (!h.pointer_events.empty() || h.release_pending)
        h.frames_to_draw = std::max(h.frames_to_draw, 2);
    io.MouseDown[0] = h.pointer_down;
    io.MousePos = h.pointer_away && !h.pointer_down ? ImVec2(-FLT_MAX, -FLT_MAX) : h.pointer_at;
}

// The keys ImGui sees this frame: the queued changes up to a key's second change (which
// waits for the next frame), then the app's swallowed keys let go.
void feed_keys(Host& h, ImGuiIO& io) {
    std::vector<int> changed;
    while (!h.key_events.empty()) {
        const KeyEvent e = h.key_events.front();
        if (std::find(changed.begin(), changed.end(), e.key) != changed.end()) break;
        // Enter waits while text typed after a Tab is still held for the focus to move
        // (chars_wait_frames counts down on its own): a form must not be sent without the text
        // typed before its Enter. The text and Enter then reach ImGui in the same frame, the
        // text first.
        const bool enter = e.key == GLFW_KEY_ENTER || e.key == GLFW_KEY_KP_ENTER;
        if (enter && e.down && h.chars_wait_frames > 0) break;
        if (key_waits_for_text(h, e)) break;
        io.KeysDown[e.key] = e.down;
        if (e.key == GLFW_KEY_TAB && e.down) h.chars_wait_frames = 2;
        changed.push_back(e.key);
        h.key_events.pop_front();
        if (orders_text(e)) ++h.order_keys_fed;
    }
    if (!h.key_events.empty()) h.frames_to_draw = std::max(h.frames_to_draw, 2);
    for (int key : h.swallowed_keys) io.KeysDown[key] = false;
    h.swallowed_keys.clear();
    set_modifiers(io, io.KeysDown);
}

// ---- frame ------------------------------------------------------------------------------
void load_default_fonts(const Options& o, float scale) {
    ImGuiIO& io = ImGui::GetIO();
    io.Fonts->Clear();
    if (!o.font_file ||
        !io.Fonts->AddFontFromFileTTF(o.font_file, o.font_size_px * scale, nullptr, o.glyph_ranges))
        io.Fonts->AddFontDefault();
    ImGuiStyle style;
    ImGui::StyleColorsLight(&style);
    style.ScaleAllSizes(scale);
    ImGui::GetStyle() = style;
}

// Keeps the drawing buffer at CSS size × devicePixelRatio; reloads fonts when the ratio changes.
void fit_canvas(Host& h) {
    const CanvasSize s = canvas_size(h.options.canvas);
    const int w = static_cast<int>(std::lround(s.css_w * s.dpr));
    const int ht = static_cast<int>(std::lround(s.css_h * s.dpr));
    if (w != h.width_px || ht != h.height_px) {
        h.width_px = w;
        h.height_px = ht;
        // Not glfwSetWindowSize: Emscripten's GLFW asks for fullscreen when the size equals
        // the screen's, which a kiosk page (canvas = viewport) hits at devicePixelRatio 1.
        emscripten_set_canvas_element_size(h.options.canvas, w, ht);
        h.frames_to_draw = kSettleFrames;
    }
    const float dpr = static_cast<float>(s.dpr);
    const float zoom =
        h.options.zoom ? h.options.zoom(static_cast<float>(s.css_w), static_cast<float>(s.css_h))
                       : 1.f;
    if (dpr == h.scale && zoom == h.zoom) return;
    h.scale = dpr;
    h.zoom = zoom;
    if (h.options.load_fonts)
        h.options.load_fonts(dpr * zoom);
    else
        load_default_fonts(h.options, dpr * zoom);
    ImGui_ImplOpenGL3_DestroyFontsTexture();
    ImGui_ImplOpenGL3_CreateFontsTexture();
    h.frames_to_draw = kSettleFrames;
}

// Dear ImGui lays some things out over several frames: a table's columns fit their contents,
// and a region sized by last frame's content (the kiosk's body) takes its height, a frame or
// two after the contents change. A frame is therefore laid out again, without being shown,
// while the recorded items (ui::drawn_items) still move, a window is still being measured
// (window_being_measured) or a scrollbar follows last frame's size (scrollbar_stale), up to
// kMaxLayoutPasses: the first frame a shopper sees of a new screen is the settled one, and a
// tap lands where the button is shown (a button that jumped a frame after it appeared took
// the tap meant for it to the empty space it left).
constexpr int kMaxLayoutPasses = 6;
constexpr int kMaxUnsettledFrames = 2;

// True when the items of the pass just ended differ from the ones before (the pass before, or
// the last frame shown); remembers them.
bool layout_moved(Host& h) {
    const std::vector<ui::DrawnItem>& now = ui::drawn_items();
    const bool moved =
        now.size() != h.last_items.size() ||
        !std::equal(now.begin(), now.end(), h.last_items.begin(),
                    [](const ui::DrawnItem& a, const ui::DrawnItem& b) {
                        return a.id == b.id && a.x == b.x && a.y == b.y && a.w == b.w && a.h == b.h;
                    });
    if (moved) h.last_items = now;
    return moved;
}

// True when a window of the pass just ended was laid out hidden, to be measured: a new window,
// or a popup opened again, is hidden for one frame while ImGui fits its size. Its items are
// where the shown frame will draw them, so they do not move; but a frame shown then lacks the
// window, and a click in the next frame finds nothing to hover (a confirmation's button
// clicked as it appeared did nothing).
bool window_being_measured() {
    for (const ImGuiWindow* w : GImGui->Windows)
        if (w->Active && w->HiddenFramesCannotSkipItems > 0) return true;
    return false;
}

// True when a window of the pass just ended shows a scrollbar its content no longer needs, or
// lacks one it needs: ImGui decides a scrollbar from the size the window had the frame before,
// so a region sized by its content (the kiosk's body) shows one for a frame after it grew.
bool scrollbar_stale() {
    for (const ImGuiWindow* w : GImGui->Windows)
        if (w->Active &&
            !(w->Flags &
              (ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_AlwaysVerticalScrollbar)) &&
            w->ScrollbarY != (w->ScrollMax.y > 0.f))
            return true;
    return false;
}

void render(Host& h) {
    ImGui::Render();
    glViewport(0, 0, h.width_px, h.height_px);
    glClearColor(h.clear_color.x, h.clear_color.y, h.clear_color.z, 1.f);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
}

void frame() {
    Host& h = *g_host;
    const std::int64_t now = wall_ms();
    const bool changed = h.options.update && h.options.update(now);
    fit_canvas(h);
    if (changed) h.frames_to_draw = kSettleFrames;
    if (!h.pointer_events.empty() || h.release_pending || !h.key_events.empty() ||
        !h.held_chars.empty())
        h.frames_to_draw = std::max(h.frames_to_draw, 1);
    if (h.frames_to_draw <= 0) return sleep_if_idle(h, now);  // WebGL keeps the last frame
    wake();
    --h.frames_to_draw;

    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    ImGuiIO& io = ImGui::GetIO();
    io.DisplaySize = ImVec2(static_cast<float>(h.width_px), static_cast<float>(h.height_px));
    io.DisplayFramebufferScale = ImVec2(1, 1);
    feed_keys(h, io);
    feed_held_chars(h);
    feed_pointer(h, io);
    // The input reaches the first pass; a pass after it sees the same keys and pointer held,
    // nothing newly pressed or typed (ImGui clears those at the end of a frame), and no time
    // passing.
    for (int pass = 1;; ++pass) {
        ui::begin_item_frame();
        ImGui::NewFrame();
        if (h.options.draw) h.options.draw(now);
        ImGui::EndFrame();
        ui::end_item_frame();
        if (!layout_moved(h) && !window_being_measured() && !scrollbar_stale()) {
            h.unsettled_frames = 0;
            break;
        }
        // Still moving after every pass: a slow settle gets a few more frames; a layout that
        // never settles (two sizes taking turns) does not keep an idle screen drawing.
        if (pass == kMaxLayoutPasses) {
            if (++h.unsettled_frames <= kMaxUnsettledFrames)
                h.frames_to_draw = std::max(h.frames_to_draw, 1);
            break;
        }
        io.DeltaTime = 1e-6f;
    }
    render(h);
    // A text field became active or inactive this frame: the text sink follows (a tap that
    // moved the page's focus away from it while editing gets it back).
    const bool editing = GImGui->WantTextInputNextFrame == 1;
    if (editing != h.editing) redraw();
    h.editing = editing;
    js_text_focus(editing);
}

void install_callbacks(Host& h) {
    const char* c = h.options.canvas;
    // Ours first: the ImGui backend chains to callbacks installed before it (keys and
    // characters: init() replaces the backend's callbacks with on_key and on_char).
    glfwSetCursorPosCallback(h.window, on_cursor);
    emscripten_set_mousedown_callback(c, nullptr, true, on_html_mouse);
    emscripten_set_mouseup_callback(EMSCRIPTEN_EVENT_TARGET_WINDOW, nullptr, true, on_html_mouse);
    emscripten_set_touchstart_callback(c, nullptr, true, on_html_touch);
    emscripten_set_touchend_callback(c, nullptr, true, on_html_touch);
    emscripten_set_touchcancel_callback(c, nullptr, true, on_html_touch);
    emscripten_set_wheel_callback(c, nullptr, true, on_html_wheel);
    // The window's own blur and focus only (not captured: an element of the page losing focus,
    // like the text sink, must not let go of a held pointer).
    emscripten_set_blur_callback(EMSCRIPTEN_EVENT_TARGET_WINDOW, nullptr, false, on_blur);
    emscripten_set_focus_callback(EMSCRIPTEN_EVENT_TARGET_WINDOW, nullptr, false, on_focus);
}

}  // namespace

bool init(const Options& options) {
    static Host host;
    g_host = &host;
    host.options = options;
    if (!glfwInit()) {
        std::fprintf(stderr, "kopilka: glfwInit failed\n");
        return false;
    }
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
    host.window = glfwCreateWindow(800, 600, options.title, nullptr, nullptr);
    if (!host.window) {
        std::fprintf(stderr, "kopilka: WebGL2 is not available\n");
        return false;
    }
    glfwMakeContextCurrent(host.window);
    install_callbacks(host);

    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.ConfigFlags |= ImGuiConfigFlags_NavEnableKeyboard;
    io.ConfigInputTextCursorBlink = false;
    // The layout passes (layout_moved) compare the labelled items each pass draws.
    ui::record_items(true);
    ImGui_ImplGlfw_InitForOpenGL(host.window, true);
    // Keys and characters go through the host (which queues keys and has the text sink).
    glfwSetKeyCallback(host.window, on_key);
    glfwSetCharCallback(host.window, on_char);
    glfwSetScrollCallback(host.window, nullptr);  // on_html_wheel instead
    ImGui_ImplOpenGL3_Init("#version 300 es");
    js_text_install();
    io.ImeSetInputScreenPosFn = set_ime_position;
    io.GetClipboardTextFn = get_clipboard;  // after the backend's, which would use GLFW's
    io.SetClipboardTextFn = set_clipboard;
    io.ClipboardUserData = nullptr;
    set_activity_hook(wake);  // a fetch's answer or a storage result wakes the loop
    return true;
}

void run() {
    g_host->looping = true;
    emscripten_set_main_loop(frame, 0, false);
}

void wake() {
    if (!g_host) return;  // an answer before init(): the first frames are drawn anyway
    g_host->busy_at = wall_ms();
    if (g_host->fast) return;
    g_host->fast = true;
    if (!g_host->looping) return;
    // Changing the timing alone would wait for the idle tick already scheduled (up to
    // kIdleTickMs: a scanned card's lookup would start that much later). A new loop starts at
    // the next animation frame; the old one's pending tick sees it was replaced and stops.
    emscripten_cancel_main_loop();
    emscripten_set_main_loop(frame, 0, false);
}

void redraw(int frames) {
    g_host->frames_to_draw = std::max(g_host->frames_to_draw, frames);
}
void reload_fonts() {
    g_host->scale = 0;
}
void set_clear_color(const ImVec4& c) {
    g_host->clear_color = c;
}
void swallow_key(int key) {
    g_host->swallowed_keys.push_back(key);
}
int missing_glyphs(const char* utf8, const ImFont* font) {
    const ImGuiIO& io = ImGui::GetIO();
    if (!font) font = io.Fonts->Fonts.empty() ? nullptr : io.Fonts->Fonts[0];
    if (!font || !utf8) return -1;
    int missing = 0;
    for_each_char(utf8, [&](unsigned int c) {
        missing += c >= 0x20 && !font->FindGlyphNoFallback(static_cast<ImWchar>(c));
    });
    return missing;
}
float scale() {
    return g_host && g_host->scale > 0 ? g_host->scale : 1.f;
}
float ui_scale() {
    return scale() * (g_host ? g_host->zoom : 1.f);
}

}  // namespace kopilka::wasm::host

// Dear ImGui's OpenGL3 backend reads GL state before every frame it renders, to restore it
// after. Chromium's WebGL answers most of those reads in the page (bindings, enabled caps), but
// the viewport, the scissor box and the blend functions are asked of the GPU process, which
// answers only after every command queued before: with a software GPU, the previous frames'
// drawing, up to hundreds of milliseconds (a card's balance waited on it). Nothing but ImGui
// draws on the app's canvas, so those are answered here: the frame's viewport (render sets
// it) and the blending ImGui itself sets; restoring them is then a no-op.
extern "C" void kopilka_gl_get_integerv(unsigned int pname, int* data) {
    using kopilka::wasm::host::g_host;
    const int w = g_host ? g_host->width_px : 0, h = g_host ? g_host->height_px : 0;
    switch (pname) {
        case GL_VIEWPORT:
        case GL_SCISSOR_BOX:
            data[0] = 0, data[1] = 0, data[2] = w, data[3] = h;
            return;
        case GL_BLEND_SRC_RGB:
            *data = GL_SRC_ALPHA;
            return;
        case GL_BLEND_DST_RGB:
        case GL_BLEND_DST_ALPHA:
            *data = GL_ONE_MINUS_SRC_ALPHA;
            return;
        case GL_BLEND_SRC_ALPHA:
            *data = GL_ONE;
            return;
        case GL_BLEND_EQUATION_RGB:
        case GL_BLEND_EQUATION_ALPHA:
            *data = GL_FUNC_ADD;
            return;
        default:
            glGetIntegerv(pname, data);
    }
}

// The text sink's typed or pasted text (UTF-8), as characters for ImGui and the app. A paste
// by ImGui's own shortcut (Ctrl+V, Shift+Insert: the paste event comes while its key is down)
// is ImGui's: it reads the text from the clipboard buffer in the next frame (as characters the
// text would be dropped, as ImGui ignores typing while Ctrl is held).
extern "C" EMSCRIPTEN_KEEPALIVE void kopilka_host_text(const char* utf8, int paste) {
    using namespace kopilka::wasm::host;
    if (!g_host || !utf8) return;
    wake();
    const bool* k = g_host->keys_live;  // held now (what ImGui sees may lag behind, queued)
    const bool shortcut = (ctrl(k) && !super(k) && k[GLFW_KEY_V]) ||
                          (shift(k) && !ctrl(k) && k[GLFW_KEY_INSERT]);
    if (paste && shortcut) return redraw();
    for_each_char(utf8, add_char);
}
