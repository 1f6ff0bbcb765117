// The browser host for Dear ImGui apps: GLFW + WebGL2 through Emscripten, shaped like Dear
// ImGui's backends (init, then a main loop that calls the app once per drawn frame).
// Implemented:
//  - init: WebGL2 context on a canvas, the ImGui context, GLFW + OpenGL3 backends, fonts
//  - HiDPI: the drawing buffer follows CSS size × devicePixelRatio; fonts and style are
//    reloaded when the ratio or the app's zoom for the canvas's size changes (or when the app
//    asks, e.g. after a theme change)
//  - idle: frames are drawn only when input, an answer from outside (wake()), the app's
//    update or a settling ImGui asks for one; a still app ticks 10 times a second
//  - layout: a frame whose labelled items (ui::drawn_items) still move is laid out again
//    before it is drawn, so a new screen is first shown where it stays (ImGui sizes some
//    things by the frame before's content)
//  - touch and mouse: presses and releases are queued and fed one per frame, with the
//    position they happened at; after a release the pointer is parked off-screen
//  - text: while an ImGui text field is active a hidden <textarea> has the page's focus and
//    its input events are ImGui's characters (any keyboard layout, insertText, the text an
//    IME commits; it sits at ImGui's text cursor for the IME's window); a key pressed and
//    released between two frames is held for one frame (Ctrl+C, Ctrl+A); text typed right
//    after a Tab waits until the focus has moved to the next field; typing draws
//  - clipboard: ImGui's Get/SetClipboardTextFn backed by a buffer that the browser's paste
//    event fills, and navigator.clipboard.writeText for copies; ImGui pastes on Ctrl+V or
//    Shift+Insert, other pastes into an active field (a menu's, a phone's) go as typed text
//  - focus: when the window loses focus all keys and the pointer are released
//  - default fonts (no load_fonts): font_file with glyph_ranges; missing_glyphs() checks them
// Missing: showing an IME's text while it is composed, a phone's on-screen keyboard (the text
// sink gets the focus in a frame, not in the tap's own event handler), more than one finger,
// gamepads, cursors.
#pragma once

#include <imgui.h>

#include <cstdint>

namespace kopilka::wasm::host {

struct Options {
    const char* canvas = "#canvas";  // CSS selector of the <canvas> to draw into
    const char* title = "Kopilka";
    // The default fonts: font_file at font_size_px × scale with glyph_ranges (null: ImGui's
    // Latin); ImGui's light style scaled. An app with its own fonts and style sets load_fonts.
    const char* font_file = nullptr;
    float font_size_px = 16;
    const ImWchar* glyph_ranges = nullptr;
    void (*load_fonts)(float scale) = nullptr;  // fonts into io.Fonts and style, at scale
    // The app's own zoom for a canvas of this CSS size (null: 1): fonts and style are loaded at
    // devicePixelRatio × zoom (ui_scale()), again when either changes.
    float (*zoom)(float css_width, float css_height) = nullptr;
    // Every tick of the main loop (10 times a second when idle, else every animation frame):
    // the app's timers and polling. True: something changed that must be drawn.
    bool (*update)(std::int64_t wall_ms) = nullptr;
    // Once per drawn frame, between ImGui::NewFrame() and ImGui::Render().
    void (*draw)(std::int64_t wall_ms) = nullptr;
    // Input as it arrives, before ImGui sees it (GLFW key codes and actions).
    void (*on_char)(unsigned int codepoint) = nullptr;
    void (*on_key)(int key, int action) = nullptr;
    void (*on_press)() = nullptr;  // a mouse or touch press or release on the canvas
};

// Creates the context and installs the callbacks; false (with a message on stderr) when
// WebGL2 is not available. Then run() hands the page's animation frames to the main loop.
bool init(const Options& options);
void run();

void wake();                            // something arrived from outside: tick at full rate now
void redraw(int frames = 3);            // draw at least this many frames (ImGui settles in 2-3)
void reload_fonts();                    // load fonts and style again before the next frame
void set_clear_color(const ImVec4& c);  // what shows where ImGui draws nothing
void swallow_key(int key);              // this key's press must not reach ImGui's next frame
float scale();     // devicePixelRatio in use (1 before the first frame): canvas px per CSS px
float ui_scale();  // what fonts and style are loaded at: scale() × the app's zoom
// How many characters of utf8 font (null: the first loaded) has no glyph for (tests: no "?").
int missing_glyphs(const char* utf8, const ImFont* font = nullptr);

}  // namespace kopilka::wasm::host
