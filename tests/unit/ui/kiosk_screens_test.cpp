// The kiosk's screens drawn headless (Dear ImGui without a backend): every screen, in every
// locale, full-screen and shrunk into a small rectangle of a larger display, stays inside
// the rectangle it was given and draws its buttons there.
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
    Headless(ImVec2 display, float scale_) : scale(scale_) {
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

    // Draws a few frames (ImGui settles in two or three) and returns the last one's buttons.
    std::vector<ui::DrawnButton> draw(const client::KioskState& s, const ui::Rect& r) {
        const client::KioskView view =
            client::compose_kiosk_view(s, messages(), client::branding_of(s));
        std::vector<ui::DrawnButton> drawn;
        for (int i = 0; i < 3; ++i) {
            ImGui::NewFrame();
            ui::draw_kiosk(s, view, theme, fonts, r, scale, 0.3, &drawn);
            ImGui::Render();
        }
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

// Everything the last frame drew (what each draw command shows) and every button lies
// inside r; the language bar's four buttons are always there.
void check_inside(const std::vector<ui::DrawnButton>& drawn, const ui::Rect& r) {
    const ImDrawData* data = ImGui::GetDrawData();
    REQUIRE(data != nullptr);
    int commands = 0;
    for (int i = 0; i < data->CmdListsCount; ++i)
        for (const ImDrawCmd& cmd : data->CmdLists[i]->CmdBuffer) {
            const ui::Rect shown = visible(*data->CmdLists[i], cmd);
            if (shown.width() <= 0 || shown.height() <= 0) continue;
            ++commands;
            INFO("drawn at ", shown.min.x, ",", shown.min.y, " - ", shown.max.x, ",", shown.max.y);
            CHECK(inside(r, shown.min, shown.max));
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
        for (client::Screen screen : kScreens)
            for (i18n::Locale locale : i18n::all_locales)
                for (bool keypad : {false, true}) {
                    if (keypad && screen != client::Screen::scan) continue;
                    client::KioskState s = state_on(screen, locale);
                    s.keypad_open = keypad;
                    INFO(c.what, ": ", std::string(client::screen_name(screen)), " in ",
                         std::string(i18n::locale_tag(locale)), keypad ? " with the keypad" : "");
                    check_inside(imgui.draw(s, c.rect), c.rect);
                }
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

TEST_CASE("kiosk screens: a tap on a button drawn into a small rectangle presses it") {
    Headless imgui({1280, 800}, 0.5f);
    const ui::Rect corner{{600, 320}, {1000, 570}};
    const client::KioskState s = state_on(client::Screen::attract, i18n::Locale::en);
    const client::KioskView view =
        client::compose_kiosk_view(s, messages(), client::branding_of(s));
    const std::vector<ui::DrawnButton> drawn = imgui.draw(s, corner);
    const ui::DrawnButton* de = nullptr;
    for (const auto& b : drawn)
        if (b.name == "lang:de") de = &b;
    REQUIRE(de != nullptr);
    ImGuiIO& io = ImGui::GetIO();
    io.MousePos = ImVec2(de->x + de->w / 2, de->y + de->h / 2);
    std::optional<i18n::Locale> chosen;
    for (bool down : {false, true, false}) {  // hover, press, release
        io.MouseDown[0] = down;
        ImGui::NewFrame();
        const ui::UiInput in =
            ui::draw_kiosk(s, view, imgui.theme, imgui.fonts, corner, 0.5f, 0, nullptr);
        ImGui::Render();
        if (in.locale) chosen = in.locale;
    }
    CHECK(chosen == i18n::Locale::de);
}
