// Small browser facts the apps need: time, canvas size, URL parameters, the DOM text mirror.
// Implemented: the page's screen attribute and the merchant's logo, monotonic clock, wall clock,
// CSS size and devicePixelRatio, ?param and <meta> lookup, aria-live mirror text and the page's
// lang attribute, random operation ids (crypto), prefers-reduced-motion. Storage: storage.hpp.
#pragma once

#include <cstdint>
#include <string>

namespace kopilka::wasm {

// Called whenever something arrives from outside the main loop (a fetch's answer, an
// IndexedDB result), so an app that slows its loop when idle can wake up at once.
void set_activity_hook(void (*hook)());
void activity();

std::int64_t now_ms();   // monotonic, ms
std::int64_t wall_ms();  // ms since the epoch (Date.now()), for what the server's times mean
std::string random_op_id();      // 32 hex digits from crypto.getRandomValues
bool prefers_reduced_motion();
struct CanvasSize {
    double css_w = 0, css_h = 0, dpr = 1;
};
CanvasSize canvas_size(const char* selector);
std::string url_param(const char* name);  // "" when absent
std::string page_meta(const char* name);  // <meta name="…" content="…"> of the page; "" when none

// Replaces the text of the page's #kopilka-mirror (aria-live) element when it changed.
void set_mirror_text(const std::string& text, const std::string& lang);

// The page's <body data-screen="…">: the page's own elements (the logo) follow the screen.
void set_screen(const std::string& screen);
// The merchant's logo (a data: or https: URL the server's theme codec accepted; "" for none)
// in #kopilka-logo, which the page shows on the attract screen; alt: the merchant's name.
void set_logo(const std::string& url, const std::string& alt);
// Where #kopilka-logo goes (CSS pixels; the picture keeps its proportions inside the box), or
// shown = false: nowhere this frame.
void place_logo(bool shown, float x, float y, float w, float h);
// The merchant's pictures on the screen: a JSON array of {id, src, x, y, w, h} (CSS pixels) for
// window.kopilkaPictures, which the page defines (web/kiosk/app.js) to show them as images there.
void set_pictures(const std::string& json);
// A confirmation for the shopper (kind: "card_read", "win"): window.kopilkaFeedback, when the
// page defines it (web/kiosk/feedback.js), flashes the screen's edge and, with sound, plays a
// short sound.
void feedback(const std::string& kind, bool sound);

}  // namespace kopilka::wasm
