// The website widget's panel, compiled to WebAssembly: the widget's flow (shared/client) and
// the core, with no drawing of its own. web/widget/panel.js creates the module, hands it the
// visitor's actions and member tokens, and turns kw_view()'s blocks into DOM in the widget's
// shadow root; Module.onKopilkaChange() tells it when to ask again.
//
// Exports (ccall): kw_start, kw_set_token, kw_act, kw_tick, kw_view, kw_points,
// kw_preview_theme.
#include <emscripten.h>

#include <map>
#include <string>

#include "catalogue_files.hpp"
#include "client/product_points.hpp"
#include "client/widget_flow.hpp"
#include "client/widget_view.hpp"
#include "codec/catalogue_json.hpp"
#include "codec/theme_json.hpp"
#include "platform/browser.hpp"
#include "platform/fetch_transport.hpp"

namespace kopilka {
namespace {

// Writes go straight out: a website keeps nothing for a visitor between pages.
struct MemoryOutboxStore : client::OutboxStore {
    void save(const client::OutboxItem&, std::function<void(bool)> done) override { done(true); }
    void remove(const std::string&) override {}
    void load(std::function<void(std::vector<client::OutboxItem>)> done) override { done({}); }
};

struct NoStorage : client::KioskStorage {
    std::string get(const std::string&) override { return ""; }
    void set(const std::string&, const std::string&) override {}
    void remove(const std::string&) override {}
};

i18n::Catalogues load_catalogues() {
    i18n::Catalogues all;
    for (const char* set : {"i18n/", "i18n/rules/", "widget/i18n/"}) {
        std::map<i18n::Locale, std::string> texts;
        for (const auto& f : wasm::catalogue_files())
            for (const i18n::Locale l : i18n::all_locales)
                if (f.path == set + std::string(i18n::locale_tag(l)) + ".json")
                    texts[l] = std::string(f.json);
        auto decoded = codec::decode_catalogues(texts);
        if (decoded.ok()) i18n::merge_catalogues(all, *decoded.value);
    }
    return all;
}

struct Panel {
    explicit Panel(const std::string& base_url)
        : transport(base_url),
          outbox(outbox_store, transport),
          flow(transport, outbox, storage, [] {
              client::WidgetFlowOptions o;
              o.new_operation_id = wasm::random_op_id;
              return o;
          }()) {
        outbox.restore(wasm::wall_ms());
    }
    wasm::FetchTransport transport;
    MemoryOutboxStore outbox_store;
    NoStorage storage;
    client::Outbox outbox;
    client::WidgetFlow flow;
    i18n::Catalogues catalogues = load_catalogues();
    std::string view_json;
    std::uint64_t viewed_revision = 0;  // the state kw_view() last gave
};

Panel* g_panel = nullptr;

// clang-format off
EM_JS(void, js_changed, (), {
    if (Module.onKopilkaChange) Module.onKopilkaChange();
});
// clang-format on

void changed() { js_changed(); }

}  // namespace
}  // namespace kopilka

using namespace kopilka;

extern "C" {

// base_url: the server, "https://host" (no trailing slash); lang: "ru", "de", "lv", "en".
EMSCRIPTEN_KEEPALIVE void kw_start(const char* base_url, const char* merchant, const char* lang,
                                   int reduced_motion) {
    if (g_panel) return;
    static Panel panel(base_url);
    g_panel = &panel;
    wasm::set_activity_hook(changed);
    if (const auto l = i18n::locale_from_tag(lang)) panel.flow.set_locale(*l);
    panel.flow.set_reduced_motion(reduced_motion != 0);
    panel.flow.start(merchant, wasm::wall_ms());
}

// A member token from the page (Kopilka.setMemberToken); "" signs out.
EMSCRIPTEN_KEEPALIVE void kw_set_token(const char* token) {
    if (g_panel) g_panel->flow.set_member_token(token, wasm::wall_ms());
}

// The visitor's action, as the view's blocks name them: open <screen>, back, reward <id>,
// confirm, spin, odds, more_history, lang <tag>.
EMSCRIPTEN_KEEPALIVE void kw_act(const char* action, const char* arg) {
    if (!g_panel) return;
    client::WidgetFlow& f = g_panel->flow;
    const std::string a = action;
    const std::int64_t now = wasm::wall_ms();
    if (a == "open") {
        if (const auto s = client::widget_screen_from_name(arg)) f.open(*s, now);
    } else if (a == "back") {
        f.back(now);
    } else if (a == "reward") {
        f.choose_reward(arg, now);
    } else if (a == "confirm") {
        f.confirm(now);
    } else if (a == "spin") {
        f.spin(now);
    } else if (a == "odds") {
        f.toggle_odds();
    } else if (a == "more_history") {
        f.more_history(now);
    } else if (a == "lang") {
        if (const auto l = i18n::locale_from_tag(arg)) f.set_locale(*l);
    }
}

// Timers (the wheel's turn, the session's end, the outbox's retries). Returns bit 1 when the
// page should hand over a member token now (Kopilka.setMemberToken's function is called), bit 2
// when the view changed since kw_view() last gave it, so a still panel is not drawn again.
EMSCRIPTEN_KEEPALIVE int kw_tick() {
    if (!g_panel) return 0;
    const std::int64_t now = wasm::wall_ms();
    g_panel->outbox.tick(now);
    g_panel->flow.tick(now);
    const bool changed = g_panel->flow.state().revision != g_panel->viewed_revision;
    return (g_panel->flow.token_wanted(now) ? 1 : 0) | (changed ? 2 : 0);
}

// The console's draft theme (the theme codec's JSON) for a live preview; "" goes back to the
// published theme. Returns 0 (and changes nothing) when the draft doesn't decode.
EMSCRIPTEN_KEEPALIVE int kw_preview_theme(const char* json) {
    if (!g_panel) return 0;
    if (!*json) {
        g_panel->flow.set_preview_theme(std::nullopt);
        return 1;
    }
    codec::DecodeError e;
    const auto j = codec::parse_json(json, &e);
    auto t = j ? codec::decode_theme(*j) : codec::Decoded<theme::Theme>{};
    if (!t.ok()) return 0;
    g_panel->flow.set_preview_theme(std::move(t.value));
    return 1;
}

// What a product costs in points for this visitor (tier-aware when signed in), for
// <kopilka-points price sku category>: {"points", "text"}, {"error"} for a price that can't be
// read, or {} until the program is known.
EMSCRIPTEN_KEEPALIVE const char* kw_points(const char* price, const char* sku,
                                           const char* category) {
    static std::string out;
    if (!g_panel || !g_panel->flow.state().config) return "{}";
    const client::WidgetState& s = g_panel->flow.state();
    const client::ParsedPrice parsed = client::parse_price(price, s.config->program.currency);
    codec::Json j;
    if (parsed.status != client::PriceStatus::ok) {
        j = {{"error", parsed.message}};
    } else {
        client::ProductQuery q{parsed.minor, sku, category, "", ""};
        if (s.auth == client::WidgetAuth::signed_in && s.member) q.tier_id = s.member->tier.id;
        const client::ProductPoints p =
            client::product_points(s.config->program, q, g_panel->catalogues, s.locale);
        j = p.status == client::ProductPointsStatus::ok
                ? codec::Json{{"points", p.points}, {"text", p.text}}
                : codec::Json{{"error", "price is out of range"}};
    }
    out = j.dump();
    return out.c_str();
}

// {"revision", "view": the blocks (client/widget_view.hpp)}.
EMSCRIPTEN_KEEPALIVE const char* kw_view() {
    if (!g_panel) return "{}";
    const client::WidgetState& s = g_panel->flow.state();
    g_panel->viewed_revision = s.revision;
    const codec::Json j = {{"revision", s.revision},
                           {"view", client::encode_widget_view(
                                        client::compose_widget_view(s, g_panel->catalogues))}};
    g_panel->view_json = j.dump();
    return g_panel->view_json.c_str();
}

}  // extern "C"

int main() { return 0; }
