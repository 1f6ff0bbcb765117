// host_probe: a test-only browser app (tests/e2e/host.test.mjs) that exercises what the kiosk
// does not: a text field on the browser host (wasm/platform/host.hpp) with its default fonts
// (no load_fonts), the clipboard and focus, and a confirmation popup opened again and again.
// It draws one InputText, a "Copy" button and an "Ask" button opening a popup with "OK", and
// answers kopilka_probe_state() with what ImGui sees, as JSON.
#include <emscripten.h>
#include <imgui.h>
#include <imgui_internal.h>  // a window's Hidden

#include <cstdint>
#include <string>

#include "platform/host.hpp"

namespace {

// Latin, Latin-1, Latin Extended-A (Latvian), Cyrillic, punctuation, € and ₽.
const ImWchar kGlyphs[] = {0x20, 0xFF, 0x100, 0x17F, 0x400, 0x52F, 0x2010, 0x205E,
                           0x20AC, 0x20AC, 0x20BD, 0x20BD, 0};

struct Probe {
    char text[256] = "";
    ImVec2 field_min, field_max;    // where the field was drawn (canvas pixels)
    ImVec2 copy_min, copy_max;      // and the Copy button
    int copies = 0;                 // Copy button presses
    int frames = 0;
    ImVec2 ask_min, ask_max, ok_min, ok_max;
    int asks = 0, oks = 0;        // Ask and OK presses
    bool popup_hidden = false;    // the popup, open, was hidden in the last pass so far
    int hidden_popup_frames = 0;  // frames shown with the popup open but hidden
    std::int64_t pass_time = -1;  // the time of the last pass: a new time is a new frame
    std::string json;
};

Probe g_probe;

void draw(std::int64_t now) {
    Probe& p = g_probe;
    ++p.frames;
    // The host lays a frame out in passes with the same time and shows the last one.
    if (now != p.pass_time && p.popup_hidden) ++p.hidden_popup_frames;
    p.pass_time = now;
    p.popup_hidden = false;
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImGui::GetIO().DisplaySize);
    ImGui::Begin("probe", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove);
    ImGui::TextUnformatted("Привет, āčēģīķļņšūž");
    ImGui::InputText("##field", p.text, sizeof p.text);
    p.field_min = ImGui::GetItemRectMin();
    p.field_max = ImGui::GetItemRectMax();
    if (ImGui::Button("Copy")) {
        ++p.copies;
        ImGui::SetClipboardText(p.text);
    }
    p.copy_min = ImGui::GetItemRectMin();
    p.copy_max = ImGui::GetItemRectMax();
    if (ImGui::Button("Ask")) {
        ++p.asks;
        ImGui::OpenPopup("##ask");
    }
    p.ask_min = ImGui::GetItemRectMin();
    p.ask_max = ImGui::GetItemRectMax();
    ImGui::SetNextWindowSize(ImVec2(300, 0));
    if (ImGui::BeginPopupModal("##ask", nullptr,
                               ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_AlwaysAutoResize)) {
        p.popup_hidden = ImGui::GetCurrentWindow()->Hidden;
        ImGui::TextWrapped("Sure?");
        if (ImGui::Button("OK")) {
            ++p.oks;
            ImGui::CloseCurrentPopup();
        }
        p.ok_min = ImGui::GetItemRectMin();
        p.ok_max = ImGui::GetItemRectMax();
        ImGui::EndPopup();
    }
    ImGui::End();
}

std::string quoted(const char* s) {
    std::string out = "\"";
    for (const char* c = s; *c; ++c) {
        if (*c == '"' || *c == '\\') out += '\\';
        if (static_cast<unsigned char>(*c) < 0x20) continue;
        out += *c;
    }
    return out + '"';
}

std::string box(const char* name, ImVec2 a, ImVec2 b) {
    const float k = kopilka::wasm::host::scale();  // canvas pixels → CSS pixels
    return "\"" + std::string(name) + "\":{\"x\":" + std::to_string(a.x / k) +
           ",\"y\":" + std::to_string(a.y / k) + ",\"w\":" + std::to_string((b.x - a.x) / k) +
           ",\"h\":" + std::to_string((b.y - a.y) / k) + "}";
}

}  // namespace

extern "C" {

// {"text", "keys_held": [GLFW key codes ImGui sees down], "mouse_held", "ctrl", "editing",
//  "copies", "frames", "font", "asks", "oks", "hidden_popup_frames", "field": {x, y, w, h}
//  (CSS pixels), "copy", "ask", "ok": {…}}
EMSCRIPTEN_KEEPALIVE const char* kopilka_probe_state() {
    Probe& p = g_probe;
    const ImGuiIO& io = ImGui::GetIO();
    std::string keys;
    for (int k = 0; k < IM_ARRAYSIZE(io.KeysDown); ++k)
        if (io.KeysDown[k]) keys += (keys.empty() ? "" : ",") + std::to_string(k);
    bool mouse = false;
    for (bool b : io.MouseDown) mouse |= b;
    const ImFont* font = io.Fonts->Fonts.empty() ? nullptr : io.Fonts->Fonts[0];
    p.json = "{\"text\":" + quoted(p.text) + ",\"keys_held\":[" + keys + "]" +
             ",\"mouse_held\":" + (mouse ? "true" : "false") +
             ",\"ctrl\":" + (io.KeyCtrl ? "true" : "false") +
             ",\"editing\":" + (io.WantTextInput ? "true" : "false") +
             ",\"copies\":" + std::to_string(p.copies) + ",\"frames\":" + std::to_string(p.frames) +
             ",\"font\":" + quoted(font ? font->GetDebugName() : "") +
             ",\"asks\":" + std::to_string(p.asks) + ",\"oks\":" + std::to_string(p.oks) +
             ",\"hidden_popup_frames\":" + std::to_string(p.hidden_popup_frames) + "," +
             box("field", p.field_min, p.field_max) + "," + box("copy", p.copy_min, p.copy_max) +
             "," + box("ask", p.ask_min, p.ask_max) + "," + box("ok", p.ok_min, p.ok_max) + "}";
    return p.json.c_str();
}

// How many characters of utf8 the default font lacks (0: no "?" boxes).
EMSCRIPTEN_KEEPALIVE int kopilka_probe_missing_glyphs(const char* utf8) {
    return kopilka::wasm::host::missing_glyphs(utf8);
}

}  // extern "C"

int main() {
    kopilka::wasm::host::Options o;
    o.title = "host probe";
    o.font_file = "/fonts/DejaVuSans.ttf";
    o.font_size_px = 20;
    o.glyph_ranges = kGlyphs;
    o.draw = draw;
    if (!kopilka::wasm::host::init(o)) return 1;
    kopilka::wasm::host::run();
    return 0;
}
