// The kiosk's screens drawn headless (Dear ImGui without a backend): every screen, in every
// locale, full-screen, shrunk into a small rectangle of a larger display, or drawn into a
// child region of another window (the console's preview), stays inside the rectangle it was
// given and draws its buttons there.
#include "ui/kiosk_screens.hpp"

#include <doctest/doctest.h>
#include <imgui.h>

#include <algorithm>
#include <cfloat>
#include <string>
#include <vector>

#include "../test_assets.hpp"
#include "client/kiosk_config.hpp"
#include "client/kiosk_flow.hpp"
#include "client/kiosk_view.hpp"
#include "codec/catalogue_json.hpp"

using namespace kopilka;

namespace {

// A merchant with two rewards and a wheel of three prizes, in the built-in theme.
client::KioskConfig demo_config() {
    client::KioskConfig c;
    c.version = "v1";
    c.merchant_name = "Kopilka Demo Shop";
    c.rewards = {{"coffee", "Coffee", 300}, {"cake", "Cake", 5000}};
    c.wheel = client::WheelView{"w",
                                {{"p50", "50 points", "points", 300000},
                                 {"cup", "A cup of coffee", "coupon", 300000},
                                 {"none", "Next time", "nothing", 400000}},
                                600000,
                                false};
    return c;
}

// The message catalogues of assets/i18n, decoded once.
const i18n::Catalogues& messages() {
    static const auto decoded = codec::decode_catalogues(testing::catalogue_texts());
    return *decoded.value;
}

// A QR-like module matrix: finder squares in three corners, a checkerboard elsewhere.
std::vector<std::string> qr_rows(int n) {
    std::vector<std::string> rows(static_cast<std::size_t>(n),
                                  std::string(static_cast<std::size_t>(n), '0'));
    for (int y = 0; y < n; ++y)
        for (int x = 0; x < n; ++x) {
            const bool finder = (x < 7 && y < 7) || (x >= n - 7 && y < 7) || (x < 7 && y >= n - 7);
            rows[static_cast<std::size_t>(y)][static_cast<std::size_t>(x)] =
                finder || (x + y) % 2 == 0 ? '1' : '0';
        }
    return rows;
}

// A signed-in member with a coupon and a spin result at hand, on screen `s`.
client::KioskState state_on(client::Screen screen, i18n::Locale locale) {
    client::KioskState s;
    s.screen = screen;
    s.locale = locale;
    s.paired = true;
    s.config = demo_config();
    members::MemberSnapshot m;
    m.id = "demo-anna";
    m.name = "Anna";
    m.merchant = "DEMO";
    m.balance = m.available = 1250;
    m.spins_available = 2;
    m.as_of_ms = 86400000LL * 365 * 56;
    m.tier = {"silver", "Silver", "Gold", 3750, 62};
    m.expiring = {{300, 86400000LL * (365 * 56 + 30)}};
    m.history = {{"earn", "bonus", m.as_of_ms, 56}, {"redeem", "bonus", m.as_of_ms, -100}};
    s.member = m;
    client::CouponView c{"KC-7Q4M-2XPA", "Coffee", m.as_of_ms + 86400000LL * 30, qr_rows(25)};
    s.coupon = c;
    s.reward_id = "coffee";
    client::SpinView spin;
    spin.phase = client::SpinView::Phase::result;
    spin.prize = client::PrizeView{1, "cup", "A cup of coffee", "coupon", 0};
    spin.coupon = c;
    s.spin = spin;
    s.error = client::FlowError{"not_found", "no such card"};
    s.pairing_code = "ABCD-1234";
    return s;
}

bool inside(const ui::Rect& outer, ImVec2 a, ImVec2 b) {
    const float e = 0.5f;  // rounding of pixel edges
    return a.x >= outer.min.x - e && a.y >= outer.min.y - e && b.x <= outer.max.x + e &&
           b.y <= outer.max.y + e;
}

// Headless Dear ImGui: a context with the kiosk's fonts (the TTF the kiosk ships) and style.
struct Headless {
    ImGuiContext* context = ImGui::CreateContext();
    theme::Theme theme;
    ui::Fonts fonts;
    float scale;
    ImVec2 after_preview;  // the console's cursor after the last child preview
    Headless(ImVec2 display, float scale_, theme::Theme theme_ = {})
        : theme(std::move(theme_)), scale(scale_) {
        ImGui::SetCurrentContext(context);
        ImGuiIO& io = ImGui::GetIO();
        io.IniFilename = nullptr;
        io.DisplaySize = display;
        io.DeltaTime = 1.f / 60.f;
        fonts = ui::load_fonts(KOPILKA_FONT_FILE, theme, scale);
        ui::apply_style(theme, scale);
        unsigned char* pixels = nullptr;
        int w = 0, h = 0;
        io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);  // builds the atlas
    }
    ~Headless() { ImGui::DestroyContext(context); }

    // One frame. As a child: inside a window "console" filling the display, after controls
    // of its own on the left (the console's theme controls beside its preview).
    ui::UiInput frame(const client::KioskState& s, const client::KioskView& view,
                      const ui::Rect& r, ui::Placement placement,
                      std::vector<ui::DrawnButton>* drawn) {
        ImGui::NewFrame();
        if (placement == ui::Placement::child) {
            ImGui::SetNextWindowPos(ImVec2(0, 0));
            ImGui::SetNextWindowSize(ImGui::GetIO().DisplaySize);
            ImGui::Begin("console", nullptr, ImGuiWindowFlags_NoDecoration);
            ImGui::TextUnformatted("Theme");
            ImGui::Button("Accent colour");
        }
        const ui::UiInput in =
            ui::draw_kiosk(s, view, theme, fonts, r, scale, 0.3, drawn, placement);
        if (placement == ui::Placement::child) {
            after_preview = ImGui::GetCursorScreenPos();
            ImGui::TextUnformatted("under the preview");
            ImGui::End();
        }
        ImGui::Render();
        return in;
    }

    // Draws a few frames (ImGui settles in two or three) and returns the last one's buttons.
    std::vector<ui::DrawnButton> draw(const client::KioskState& s, const ui::Rect& r,
                                      ui::Placement placement = ui::Placement::window) {
        const client::KioskView view =
            client::compose_kiosk_view(s, messages(), client::branding_of(s));
        std::vector<ui::DrawnButton> drawn;
        for (int i = 0; i < 3; ++i) frame(s, view, r, placement, &drawn);
        return drawn;
    }
};

// What a draw command shows: its triangles' bounding box cut to its clip rectangle.
ui::Rect visible(const ImDrawList& list, const ImDrawCmd& cmd) {
    ImVec2 a(FLT_MAX, FLT_MAX), b(-FLT_MAX, -FLT_MAX);
    for (unsigned int i = 0; i < cmd.ElemCount; ++i) {
        const ImDrawVert& v = list.VtxBuffer[static_cast<int>(
            cmd.VtxOffset + list.IdxBuffer[static_cast<int>(cmd.IdxOffset + i)])];
        a = ImVec2(std::min(a.x, v.pos.x), std::min(a.y, v.pos.y));
        b = ImVec2(std::max(b.x, v.pos.x), std::max(b.y, v.pos.y));
    }
    return {ImVec2(std::max(a.x, cmd.ClipRect.x), std::max(a.y, cmd.ClipRect.y)),
            ImVec2(std::min(b.x, cmd.ClipRect.z), std::min(b.y, cmd.ClipRect.w))};
}

// Everything the last frame drew (what each draw command shows; only the windows whose name
// starts with `windows`, when given) and every button lies inside r; the language bar's four
// buttons are always there.
void check_inside(const std::vector<ui::DrawnButton>& drawn, const ui::Rect& r,
                  const std::string& windows = "") {
    const ImDrawData* data = ImGui::GetDrawData();
    REQUIRE(data != nullptr);
    int commands = 0;
    for (int i = 0; i < data->CmdListsCount; ++i) {
        const char* owner = data->CmdLists[i]->_OwnerName;
        if (!windows.empty() && std::string(owner ? owner : "").rfind(windows, 0) != 0) continue;
        for (const ImDrawCmd& cmd : data->CmdLists[i]->CmdBuffer) {
            const ui::Rect shown = visible(*data->CmdLists[i], cmd);
            if (shown.width() <= 0 || shown.height() <= 0) continue;
            ++commands;
            INFO("drawn at ", shown.min.x, ",", shown.min.y, " - ", shown.max.x, ",", shown.max.y);
            CHECK(inside(r, shown.min, shown.max));
        }
    }
    CHECK(commands > 0);
    int languages = 0;
    for (const ui::DrawnButton& b : drawn) {
        INFO("button ", b.name);
        CHECK(b.w > 0);
        CHECK(b.h > 0);
        CHECK(inside(r, ImVec2(b.x, b.y), ImVec2(b.x + b.w, b.y + b.h)));
        languages += b.name.rfind("lang:", 0) == 0;
    }
    CHECK(languages == 4);
}

const client::Screen kScreens[] = {
    client::Screen::pairing,    client::Screen::attract, client::Screen::scan,
    client::Screen::looking_up, client::Screen::member,  client::Screen::rewards,
    client::Screen::confirm,    client::Screen::coupon,  client::Screen::spin,
    client::Screen::error,
};

// f(state, "<screen> in <locale>[ with the keypad]") for every screen in every locale, and
// the scan screen with its keypad open.
template <typename F>
void for_each_screen(F f) {
    for (client::Screen screen : kScreens)
        for (i18n::Locale locale : i18n::all_locales)
            for (bool keypad : {false, true}) {
                if (keypad && screen != client::Screen::scan) continue;
                client::KioskState s = state_on(screen, locale);
                s.keypad_open = keypad;
                f(s, std::string(client::screen_name(screen)) + " in " +
                         std::string(i18n::locale_tag(locale)) +
                         (keypad ? " with the keypad" : ""));
            }
}

}  // namespace

TEST_CASE("kiosk screens: every screen and locale stays inside the rectangle it is drawn into") {
    struct Case {
        const char* what;
        ImVec2 display;
        ui::Rect rect;
        float scale;
    };
    const Case cases[] = {
        {"full screen, landscape", {1280, 800}, {{0, 0}, {1280, 800}}, 1.f},
        {"full screen, portrait", {800, 1280}, {{0, 0}, {800, 1280}}, 1.f},
        {"400x250 inside 1280x800 at half size", {1280, 800}, {{600, 320}, {1000, 570}}, 0.5f},
        {"250x400 inside 1280x800 at 0.4", {1280, 800}, {{100, 200}, {350, 600}}, 0.4f},
    };
    for (const Case& c : cases) {
        Headless imgui(c.display, c.scale);
        for_each_screen([&](const client::KioskState& s, const std::string& what) {
            INFO(c.what, ": ", what);
            check_inside(imgui.draw(s, c.rect), c.rect);
        });
    }
}

// Two buttons share no pixel (edges may touch).
bool overlap(const ui::DrawnButton& a, const ui::DrawnButton& b) {
    const float e = 0.5f;
    return a.x + a.w > b.x + e && b.x + b.w > a.x + e && a.y + a.h > b.y + e && b.y + b.h > a.y + e;
}

TEST_CASE(
    "kiosk screens: any theme a merchant may publish (text 12 to 72 px, square or round "
    "corners) keeps every control on screen, apart and large enough to touch") {
    struct Size {
        const char* what;
        ImVec2 display;
    };
    const Size sizes[] = {
        {"1280x800", {1280, 800}}, {"1920x1080", {1920, 1080}}, {"1080x1920", {1080, 1920}}};
    for (const int font : {theme::font_size_px_min, 30, theme::font_size_px_max})
        for (const int corners : {0, theme::corner_radius_px_max}) {
            theme::Theme t;
            t.font_size_px = font;
            t.corner_radius_px = corners;
            for (const Size& size : sizes) {
                Headless imgui(size.display, ui::kiosk_zoom(size.display.x, size.display.y, font),
                               t);
                const ui::Rect whole{{0, 0}, size.display};
                for_each_screen([&](const client::KioskState& s, const std::string& what) {
                    INFO("text ", font, " px, corners ", corners, " px, ", std::string(size.what),
                         ": ", what);
                    const auto drawn = imgui.draw(s, whole);
                    check_inside(drawn, whole);
                    for (std::size_t i = 0; i < drawn.size(); ++i) {
                        INFO("button ", drawn[i].name, " ", drawn[i].w, "x", drawn[i].h);
                        CHECK(drawn[i].w >= 44.f);
                        CHECK(drawn[i].h >= 44.f);
                        for (std::size_t j = i + 1; j < drawn.size(); ++j) {
                            INFO("and ", drawn[j].name);
                            CHECK_FALSE(overlap(drawn[i], drawn[j]));
                        }
                    }
                });
            }
        }
}

TEST_CASE("kiosk screens: a larger kiosk draws larger, in both orientations, within bounds") {
    CHECK(ui::kiosk_zoom(1280, 800) == 1.f);
    CHECK(ui::kiosk_zoom(1024, 768) == 1.f);  // smaller: as before, never shrunk
    CHECK(ui::kiosk_zoom(800, 1280) == 1.f);
    CHECK(ui::kiosk_zoom(1920, 1080) == doctest::Approx(1.35f));
    CHECK(ui::kiosk_zoom(1080, 1920) == doctest::Approx(1.35f));
    CHECK(ui::kiosk_zoom(1920, 800) == 1.f);  // as tall as the base: the height decides
    CHECK(ui::kiosk_zoom(3840, 2160) == 1.5f);
    CHECK(ui::kiosk_zoom(1921, 1081) == ui::kiosk_zoom(1920, 1080));  // steps, not every pixel
    CHECK(ui::kiosk_zoom(1920, 1080, 40) == doctest::Approx(1.1f));   // text up to 45 px
    CHECK(ui::kiosk_zoom(1920, 1080, 72) == 1.f);
}

TEST_CASE(
    "kiosk screens: the main screens fit a kiosk's screen without scrolling, and the attract "
    "screen leaves the merchant's logo a box of its own") {
    theme::Theme t;
    t.logo = "data:image/png;base64,iVBORw0KGgo=";
    const ImVec2 sizes[] = {{1280, 800}, {1920, 1080}, {1080, 1920}};
    for (const ImVec2& size : sizes) {
        Headless imgui(size, ui::kiosk_zoom(size.x, size.y), t);
        const ui::Rect whole{{0, 0}, size};
        for_each_screen([&](const client::KioskState& s, const std::string& what) {
            INFO(size.x, "x", size.y, ": ", what);
            const client::KioskView view =
                client::compose_kiosk_view(s, messages(), client::branding_of(s));
            std::vector<ui::DrawnButton> drawn;
            ui::UiInput in;
            for (int i = 0; i < 3; ++i)
                in = imgui.frame(s, view, whole, ui::Placement::window, &drawn);
            const bool main =
                s.screen == client::Screen::attract || s.screen == client::Screen::scan ||
                s.screen == client::Screen::member || s.screen == client::Screen::rewards;
            if (main) CHECK_FALSE(in.overflow);
            CHECK(in.logo.has_value() == (s.screen == client::Screen::attract));
            if (!in.logo) return;
            const ui::Rect& logo = *in.logo;
            CHECK(inside(whole, logo.min, logo.max));
            CHECK(logo.height() >= 64.f);
            for (const ui::DrawnButton& b : drawn) {
                INFO("button ", b.name);
                CHECK_FALSE(overlap(
                    b, {"logo", "", logo.min.x, logo.min.y, logo.width(), logo.height(), true}));
            }
        });
    }
}

TEST_CASE("kiosk screens: a full screen shows every action, a small rectangle the same ones") {
    Headless full({1280, 800}, 1.f);
    Headless small({1280, 800}, 0.5f);
    const ui::Rect whole{{0, 0}, {1280, 800}};
    const ui::Rect corner{{600, 320}, {1000, 570}};
    for (client::Screen screen : kScreens) {
        const client::KioskState s = state_on(screen, i18n::Locale::lv);
        const client::KioskView view =
            client::compose_kiosk_view(s, messages(), client::branding_of(s));
        INFO(std::string(client::screen_name(screen)));
        auto names = [](const std::vector<ui::DrawnButton>& drawn) {
            std::vector<std::string> n;
            for (const auto& b : drawn)
                if (b.name.rfind("lang:", 0) != 0 && b.name.rfind("key:", 0) != 0)
                    n.push_back(b.name + "/" + b.arg);
            return n;
        };
        ImGui::SetCurrentContext(full.context);
        const auto big = names(full.draw(s, whole));
        ImGui::SetCurrentContext(small.context);
        const auto little = names(small.draw(s, corner));
        std::vector<std::string> expected;
        for (const auto& a : view.actions)
            expected.push_back(std::string(client::action_name(a.action)) + "/" + a.arg);
        CHECK(big == expected);
        CHECK(little == expected);
    }
}

// Taps (hover, press, release at its centre) the button named `name` of the last drawing.
std::optional<i18n::Locale> tap_language(Headless& imgui, const client::KioskState& s,
                                         const ui::Rect& r, ui::Placement placement,
                                         const std::string& name) {
    const client::KioskView view =
        client::compose_kiosk_view(s, messages(), client::branding_of(s));
    const std::vector<ui::DrawnButton> drawn = imgui.draw(s, r, placement);
    const ui::DrawnButton* b = nullptr;
    for (const auto& d : drawn)
        if (d.name == name) b = &d;
    REQUIRE(b != nullptr);
    ImGuiIO& io = ImGui::GetIO();
    io.MousePos = ImVec2(b->x + b->w / 2, b->y + b->h / 2);
    std::optional<i18n::Locale> chosen;
    for (bool down : {false, true, false}) {  // hover, press, release
        io.MouseDown[0] = down;
        const ui::UiInput in = imgui.frame(s, view, r, placement, nullptr);
        if (in.locale) chosen = in.locale;
    }
    return chosen;
}

TEST_CASE("kiosk screens: a tap on a button drawn into a small rectangle presses it") {
    Headless imgui({1280, 800}, 0.5f);
    const ui::Rect corner{{600, 320}, {1000, 570}};
    const client::KioskState s = state_on(client::Screen::attract, i18n::Locale::en);
    CHECK(tap_language(imgui, s, corner, ui::Placement::window, "lang:de") == i18n::Locale::de);
}

TEST_CASE("kiosk screens: drawn into a child of another window, every screen stays inside") {
    struct Case {
        const char* what;
        ui::Rect rect;
        float scale;
    };
    const Case cases[] = {
        {"400x250 preview at half size", {{600, 320}, {1000, 570}}, 0.5f},
        {"250x400 preview at 0.4", {{300, 200}, {550, 600}}, 0.4f},
    };
    for (const Case& c : cases) {
        Headless imgui({1280, 800}, c.scale);
        for (client::Screen screen : kScreens)
            for (i18n::Locale locale : i18n::all_locales) {
                const client::KioskState s = state_on(screen, locale);
                INFO(c.what, ": ", std::string(client::screen_name(screen)), " in ",
                     std::string(i18n::locale_tag(locale)));
                const auto drawn = imgui.draw(s, c.rect, ui::Placement::child);
                // The kiosk's child ("console/kiosk_…") and its own children.
                check_inside(drawn, c.rect, "console/kiosk");
                // The console's own window goes on below the preview.
                CHECK(imgui.after_preview.y >= c.rect.max.y);
            }
    }
}

TEST_CASE("kiosk screens: a tap on a button of the preview in a child region presses it") {
    Headless imgui({1280, 800}, 0.5f);
    const ui::Rect preview{{600, 320}, {1000, 570}};
    const client::KioskState s = state_on(client::Screen::attract, i18n::Locale::en);
    CHECK(tap_language(imgui, s, preview, ui::Placement::child, "lang:lv") == i18n::Locale::lv);
    // The same tap with the console's other controls around: the kiosk keeps no focus of its
    // own, and a second tap on another language still lands.
    CHECK(tap_language(imgui, s, preview, ui::Placement::child, "lang:ru") == i18n::Locale::ru);
}
