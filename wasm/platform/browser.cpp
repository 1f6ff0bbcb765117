#include "platform/browser.hpp"

#include <emscripten.h>
#include <emscripten/html5.h>

#include <cstdlib>

namespace kopilka::wasm {

namespace {
// clang-format off
EM_JS(char*, js_url_param, (const char* name, int meta), {
    const key = UTF8ToString(name);
    const m = meta ? document.querySelector('meta[name="' + CSS.escape(key) + '"]') : null;
    const v = (meta ? m && m.content : new URLSearchParams(location.search).get(key)) || "";
    const n = lengthBytesUTF8(v) + 1;
    const p = _malloc(n);
    stringToUTF8(v, p, n);
    return p;
});

EM_JS(void, js_set_mirror, (const char* text, const char* lang), {
    const el = document.getElementById('kopilka-mirror');
    if (!el) return;
    const t = UTF8ToString(text);
    if (el.textContent !== t) el.textContent = t;
    const l = UTF8ToString(lang);
    if (document.documentElement.lang !== l) document.documentElement.lang = l;
});
EM_JS(char*, js_random_op_id, (), {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    const v = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
    const p = _malloc(33);
    stringToUTF8(v, p, 33);
    return p;
});

EM_JS(int, js_reduced_motion, (), {
    const query = '(prefers-reduced-motion: reduce)';
    return window.matchMedia && window.matchMedia(query).matches ? 1 : 0;
});

EM_JS(double, js_wall_ms, (), { return Date.now(); });

EM_JS(void, js_set_screen, (const char* screen), {
    const s = UTF8ToString(screen);
    if (document.body && document.body.dataset.screen !== s) document.body.dataset.screen = s;
});

EM_JS(void, js_feedback, (const char* kind, int sound), {
    const feedback = window.kopilkaFeedback;
    if (typeof feedback === 'function') feedback(UTF8ToString(kind), !!sound);
});

EM_JS(void, js_set_logo, (const char* url, const char* alt), {
    const img = document.getElementById('kopilka-logo');
    if (!img) return;
    const u = UTF8ToString(url);
    img.alt = UTF8ToString(alt);
    if (!u) { img.removeAttribute('src'); img.hidden = true; return; }
    if (img.getAttribute('src') !== u) img.src = u;
    img.hidden = false;
});
EM_JS(void, js_place_logo, (int shown, double x, double y, double w, double h), {
    const img = document.getElementById('kopilka-logo');
    if (!img) return;
    img.classList.toggle('logo--placed', !!shown);
    if (!shown) return;
    Object.assign(img.style, {left: x + 'px', top: y + 'px', width: w + 'px', height: h + 'px'});
});
EM_JS(void, js_set_pictures, (const char* json), {
    if (typeof window.kopilkaPictures === 'function') window.kopilkaPictures(UTF8ToString(json));
});
// clang-format on
}  // namespace

namespace {
void (*g_activity_hook)() = nullptr;
}

void set_activity_hook(void (*hook)()) { g_activity_hook = hook; }
void activity() {
    if (g_activity_hook) g_activity_hook();
}

std::int64_t now_ms() { return static_cast<std::int64_t>(emscripten_get_now()); }
std::int64_t wall_ms() { return static_cast<std::int64_t>(js_wall_ms()); }

std::string random_op_id() {
    char* p = js_random_op_id();
    std::string v(p);
    std::free(p);
    return v;
}

bool prefers_reduced_motion() { return js_reduced_motion() != 0; }

CanvasSize canvas_size(const char* selector) {
    CanvasSize s;
    emscripten_get_element_css_size(selector, &s.css_w, &s.css_h);
    s.dpr = emscripten_get_device_pixel_ratio();
    if (s.dpr <= 0) s.dpr = 1;
    return s;
}

namespace {
std::string page_string(const char* name, bool meta) {
    char* p = js_url_param(name, meta ? 1 : 0);
    std::string v(p);
    std::free(p);
    return v;
}
}  // namespace

std::string url_param(const char* name) { return page_string(name, false); }
std::string page_meta(const char* name) { return page_string(name, true); }

void set_mirror_text(const std::string& text, const std::string& lang) {
    js_set_mirror(text.c_str(), lang.c_str());
}
void set_screen(const std::string& screen) { js_set_screen(screen.c_str()); }
void feedback(const std::string& kind, bool sound) {
    js_feedback(kind.c_str(), sound ? 1 : 0);
}
void set_pictures(const std::string& json) {
    js_set_pictures(json.c_str());
}

void set_logo(const std::string& url, const std::string& alt) {
    js_set_logo(url.c_str(), alt.c_str());
}

void place_logo(bool shown, float x, float y, float w, float h) {
    js_place_logo(shown ? 1 : 0, x, y, w, h);
}

}  // namespace kopilka::wasm
