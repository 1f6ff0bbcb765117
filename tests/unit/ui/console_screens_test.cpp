// The console's screens drawn headless (Dear ImGui without a backend) from a flow fed by a held
// network: sign-in, overview, the theme editor with its previews, kiosks with a pairing code and
// the audit log, in every locale at 1280×800 and 1920×1080 (and at 2× pixels). Every window
// stays on screen, the website widget's box overlaps none of the controls or the kiosk preview,
// every text has its glyphs, and the screens react to the keyboard and pointer.
#include "ui/console_screens.hpp"

#include <doctest/doctest.h>
#include <imgui.h>
#include <imgui_internal.h>  // the windows a frame drew, to check where they went

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "../client/fakes.hpp"
#include "../test_assets.hpp"
#include "codec/catalogue_json.hpp"
#include "codec/theme_json.hpp"
#include "ui/imgui_items.hpp"

using namespace kopilka;
using namespace kopilka::client;

namespace {

// "console/i18n": the console's sets merged (client::console_catalogue_dirs).
const i18n::Catalogues& catalogues(const char* dir) {
    static std::map<std::string, i18n::Catalogues> all;
    auto it = all.find(dir);
    if (it == all.end())
        it = all.emplace(dir, std::string(dir) == "console/i18n"
                                  ? testing::merged_catalogues(console_catalogue_dirs)
                                  : testing::merged_catalogues(std::array{dir}))
                 .first;
    return it->second;
}

const std::string kTheme = [] {
    theme::Theme t;
    t.name = "Demo";
    t.logo = "data:image/png;base64,iVBORw0KGgo=";
    return codec::encode_theme(t).dump();
}();

// The published program: points, three tiers, a reward and a referral (EUR, as the merchant).
constexpr const char* kProgram =
    R"({"version":2,"program":{"id":"p","name":"Demo points","currency":"EUR",)"
    R"("point_value_minor":100,"bonus":{"earn_bp":500,"expiry_days":365},)"
    R"("tiers":{"levels":[{"id":"base","name":"Base","threshold":0},)"
    R"({"id":"silver","name":"Silver","threshold":1000},)"
    R"({"id":"gold","name":"Gold","threshold":5000,"discount_bp":300}]},)"
    R"("referral":{"inviter_bonus":200,"invitee_bonus":100},)"
    R"("rewards":[{"id":"coffee","name":"Coffee","cost_points":300}]}})";

// A console signed in as `role` whose every list has something in it.
struct Fed {
    fakes::HeldTransport net;
    fakes::MemoryStorage session_store, draft_store;
    ConsoleFlow flow{net, session_store, draft_store};

    explicit Fed(const char* role = "owner") {
        flow.start(0);
        flow.sign_in_form() = {"demo", "owner@demo.example", "long password", false, {}, 0};
        flow.sign_in(0);
        net.answer(200,
                   std::string(R"({"token":"kcs_t","user":{"id":"u","email":"o@d.e",)") +
                       R"("name":"Olga","role":")" + role +
                       R"("},"merchant":{"code":"demo","name":"Demo Shop","currency":"EUR"}})");
        respond();
    }
    // Answers whatever the flow asked for.
    void respond() {
        while (!net.pending.empty()) {
            const std::string path = net.pending.front().first.path;
            if (path == "/v1/admin/themes")
                net.answer(200, R"({"themes":[{"id":"main","version":2,"theme":)" + kTheme + "}]}");
            else if (path == "/v1/admin/themes/published")
                net.answer(200, R"({"theme_id":"main","version":2})");
            else if (path.find("/versions") != std::string::npos)
                net.answer(200, R"({"versions":[{"version":2,"updated_at_ms":1,"by":{"kind":)"
                                R"("user","label":"Olga"}},{"version":1,"updated_at_ms":1}]})");
            else if (path == "/v1/admin/devices")
                net.answer(200,
                           R"({"devices":[{"id":"d1","name":"Till by the door","last_seen_ms":)"
                           R"(1,"app_version":"0a1b2c3d4e5f","online":false,"version":1},)"
                           R"({"id":"d2","name":"Café","online":true,"version":1}]})");
            else if (path == "/v1/admin/devices/pairing-codes")
                net.answer(200, R"({"code":"ABCD-EFGH","expires_at_ms":600000})");
            else if (path == "/v1/admin/program")
                net.answer(200, kProgram);
            else if (path.rfind("/v1/admin/audit", 0) == 0)
                net.answer(200, R"({"entries":[{"id":3,"at_ms":1764855000000,"actor":{"kind":)"
                                R"("user","label":"Olga"},"address":"10.0.0.7","action":)"
                                R"("theme.publish","target":"main","before":{"version":1},)"
                                R"("after":{"version":2}}],"next_before":3})");
            else
                net.answer(200, "{}");
        }
    }
};

struct Headless {
    ImGuiContext* context = ImGui::CreateContext();
    ui::ConsoleUi ui;
    ui::ConsoleFonts fonts;
    ImVec2 display;
    float scale;
    Headless(ImVec2 display_, float scale_) : display(display_), scale(scale_) {
        ImGui::SetCurrentContext(context);
        ImGuiIO& io = ImGui::GetIO();
        io.IniFilename = nullptr;
        io.DisplaySize = display;
        io.DeltaTime = 1.f / 60.f;
        io.ConfigFlags |= ImGuiConfigFlags_NavEnableKeyboard;
        fonts = ui::load_console_fonts(KOPILKA_FONT_FILE, theme::Theme{}, scale, 0.4f * scale);
        ui::apply_console_style(scale);
        unsigned char* pixels = nullptr;
        int w = 0, h = 0;
        io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);
    }
    ~Headless() { ImGui::DestroyContext(context); }

    ui::ConsoleLayout frame(ConsoleFlow& flow) {
        ImGui::SetCurrentContext(context);
        ImGui::NewFrame();
        const ui::ConsoleLayout l =
            ui.draw(flow, catalogues("console/i18n"), catalogues("i18n"), fonts,
                    ui::Rect{ImVec2(0, 0), display}, scale, 1764856000000);
        ImGui::Render();
        return l;
    }
    ui::ConsoleLayout draw(ConsoleFlow& flow) {
        ui::ConsoleLayout l;
        for (int i = 0; i < 3; ++i) l = frame(flow);
        return l;
    }
};

bool overlaps(const ImRect& a, const ui::Rect& b) {
    return a.Min.x < b.max.x - 0.5f && b.min.x < a.Max.x - 0.5f && a.Min.y < b.max.y - 0.5f &&
           b.min.y < a.Max.y - 0.5f;
}

// Every window drawn last frame lies on screen; none but the console's own overlaps `box`.
void check_windows(const ImVec2& display, const std::optional<ui::Rect>& box) {
    int drawn = 0;
    for (ImGuiWindow* w : GImGui->Windows) {
        if (!w->WasActive || w->Hidden) continue;
        ++drawn;
        INFO("window ", w->Name, " at ", w->Rect().Min.x, ",", w->Rect().Min.y, " - ",
             w->Rect().Max.x, ",", w->Rect().Max.y);
        const ImRect r = w->Rect();
        CHECK(r.Min.x >= -0.5f);
        CHECK(r.Min.y >= -0.5f);
        CHECK(r.Max.x <= display.x + 0.5f);
        CHECK(r.Max.y <= display.y + 0.5f);
        if (box && w != GImGui->Windows[0] && std::string(w->Name) != "console")
            CHECK_FALSE(overlaps(w->OuterRectClipped, *box));
    }
    CHECK(drawn > 0);
}

}  // namespace

TEST_CASE("console screens: every section in every locale stays on screen, widget box clear") {
    struct Size {
        ImVec2 display;
        float scale;
    };
    for (const Size size :
         {Size{{1280, 800}, 1.f}, Size{{1920, 1080}, 1.f}, Size{{2560, 1600}, 2.f}}) {
        Headless imgui(size.display, size.scale);
        Fed signed_out;
        signed_out.flow.sign_out();
        Fed fed;
        for (i18n::Locale l : i18n::all_locales) {
            INFO(size.display.x, "x", size.display.y, " in ", std::string(i18n::locale_tag(l)));
            signed_out.flow.set_locale(l);
            fed.flow.set_locale(l);
            check_windows(size.display, imgui.draw(signed_out.flow).widget);
            for (ConsoleSection s : visible_sections(StaffRole::owner)) {
                INFO(std::string(console_section_name(s)));
                fed.flow.open_section(s);
                fed.respond();
                if (s == ConsoleSection::kiosks && !fed.flow.state().kiosks.pairing) {
                    fed.flow.create_pairing_code("Door");
                    fed.respond();
                }
                const ui::ConsoleLayout layout = imgui.draw(fed.flow);
                check_windows(size.display, layout.widget);
                if (s == ConsoleSection::themes) {
                    REQUIRE(layout.widget);
                    CHECK(layout.widget->width() >= 300 * size.scale);
                    CHECK(layout.widget->height() >= 120 * size.scale);
                    REQUIRE(layout.logo);  // the draft has a logo; the preview is on attract
                    CHECK(layout.logo->width() > 0);
                } else {
                    CHECK_FALSE(layout.widget);
                }
            }
        }
    }
}

TEST_CASE("console screens: every text of the catalogues has its glyphs in the loaded font") {
    Headless imgui({1280, 800}, 1.f);
    const i18n::Catalogues& texts = catalogues("console/i18n");
    for (const auto& [locale, catalogue] : texts.by_locale)
        for (const auto& [key, message] : catalogue.messages)
            for (const auto& [plural, text] : message.forms) {
                const char* p = text.c_str();
                const char* end = p + text.size();
                while (p < end) {
                    unsigned int c = 0;
                    p += ImTextCharFromUtf8(&c, p, end);
                    INFO(key, " in ", std::string(i18n::locale_tag(locale)));
                    CHECK(imgui.fonts.body->FindGlyphNoFallback(static_cast<ImWchar>(c)));
                }
            }
}

TEST_CASE("console screens: a support user's console opens on the overview, no theme editor") {
    Headless imgui({1280, 800}, 1.f);
    Fed fed("support");
    imgui.draw(fed.flow);
    CHECK(fed.flow.state().section == ConsoleSection::overview);
    const std::string mirror =
        imgui.ui.mirror_text(fed.flow, catalogues("console/i18n"), 1764856000000);
    CHECK(mirror.find("Overview") == 0);
    // Nothing in the navigation leads to the theme editor.
    for (ImGuiWindow* w : GImGui->Windows)
        CHECK(std::string(w->Name).find("theme_controls") == std::string::npos);
}

TEST_CASE("console screens: typing into the sign-in form and Enter signs in") {
    Headless imgui({1280, 800}, 1.f);
    fakes::HeldTransport net;
    fakes::MemoryStorage a, b;
    ConsoleFlow flow(net, a, b);
    flow.start(0);
    imgui.draw(flow);  // the shop code field has the keyboard focus
    ImGuiIO& io = ImGui::GetIO();
    io.AddInputCharactersUTF8("demo");
    imgui.frame(flow);
    CHECK(flow.state().sign_in.merchant == "demo");
    const int tab = io.KeyMap[ImGuiKey_Tab];
    const int enter = io.KeyMap[ImGuiKey_Enter];
    if (tab >= 0 && enter >= 0) {
        io.KeysDown[tab] = true;
        imgui.frame(flow);
        io.KeysDown[tab] = false;
        imgui.frame(flow);
        io.AddInputCharactersUTF8("ņina@example.lv");
        imgui.frame(flow);
        CHECK(flow.state().sign_in.email == "ņina@example.lv");
    }
    // The mirror says where the person is.
    CHECK(imgui.ui.mirror_text(flow, catalogues("console/i18n"), 0).find("Sign in") == 0);
}

TEST_CASE("console screens: a theme edit in the editor marks the draft and the previews follow") {
    Headless imgui({1920, 1080}, 1.f);
    Fed fed;
    imgui.draw(fed.flow);
    CHECK(fed.flow.state().section == ConsoleSection::themes);
    CHECK_FALSE(fed.flow.state().themes.dirty);
    const std::uint64_t revision = fed.flow.revision();
    // What the hex field does with a typed colour.
    fed.flow.draft().accent = *codec::parse_color("#123456");
    fed.flow.draft_changed(1);
    CHECK(fed.flow.revision() > revision);
    const ui::ConsoleLayout portrait = [&] {
        imgui.ui.portrait = true;
        return imgui.draw(fed.flow);
    }();
    imgui.ui.portrait = false;
    const ui::ConsoleLayout landscape = imgui.draw(fed.flow);
    REQUIRE(portrait.logo);
    REQUIRE(landscape.logo);
    // The kiosk's own layout places it: above the title in portrait's one column, beside the
    // viewfinder in landscape; a box no wider than a 3:1 wordmark.
    CHECK(portrait.logo->min.x != doctest::Approx(landscape.logo->min.x));
    for (const ui::Rect& r : {*portrait.logo, *landscape.logo}) {
        CHECK(r.height() > 0);
        CHECK(r.width() <= 3 * r.height() + 0.5f);
    }
    CHECK(imgui.ui.preview_font_scale() > 0.1f);
}

TEST_CASE("console screens: the simulator answers PRODUCT.md's example and names a bad field") {
    Headless imgui({1280, 800}, 1.f);
    Fed fed("viewer");  // planning only: a viewer has it too
    fed.flow.open_section(ConsoleSection::simulator);
    REQUIRE(fed.flow.state().section == ConsoleSection::simulator);
    fed.flow.simulator_form().customers = "1";
    imgui.draw(fed.flow);
    const auto mirror = [&] {
        return imgui.ui.mirror_text(fed.flow, catalogues("console/i18n"), 1764856000000);
    };
    std::string m = mirror();
    INFO(m);
    CHECK(m.find("Simulator") == 0);
    CHECK(m.find("The bonus earns you €450 more than the discount.") != std::string::npos);
    CHECK(m.find("Share of the margin given away: Discount 16.67%, Bonus 8.33%") !=
          std::string::npos);
    CHECK(m.find("Profit: Discount €4,500, Bonus €4,950") != std::string::npos);
    CHECK(m.find("2: No program €2,700, Discount €2,250, Bonus €2,475") != std::string::npos);
    // Both charts and every field were drawn where a pointer (and the e2e tests) find them.
    ui::record_items(true);
    ui::begin_item_frame();
    imgui.frame(fed.flow);
    ui::end_item_frame();
    std::vector<std::string> ids;
    for (const ui::DrawnItem& i : ui::drawn_items()) ids.push_back(i.id);
    for (const char* id :
         {"##sim.price", "##sim.customers", "##sim.chart.profit", "##sim.chart.share"}) {
        INFO(id);
        CHECK(std::any_of(ids.begin(), ids.end(), [&](const std::string& s) {
            return s.size() >= std::strlen(id) &&
                   s.compare(s.size() - std::strlen(id), std::string::npos, id) == 0;
        }));
    }

    fed.flow.simulator_form().price = "9000.00 EUR";
    fed.flow.set_locale(i18n::Locale::ru);
    imgui.draw(fed.flow);
    m = mirror();
    CHECK(m.find("Цена одной покупки, EUR: Цифры и, если нужно, запятая или точка: 9000,00.") !=
          std::string::npos);
    CHECK(m.find("Бонусы приносят") == std::string::npos);
}

TEST_CASE("console screens: the program editor shows a wrong threshold at its field, in words") {
    Headless imgui({1280, 3600}, 1.f);  // tall enough for the whole form without scrolling
    imgui.ui.rules_texts = &catalogues("i18n/rules");
    ui::record_items(true);
    Fed fed;
    fed.flow.open_section(ConsoleSection::program);
    fed.respond();
    REQUIRE(fed.flow.program().state().loaded);
    imgui.draw(fed.flow);
    const auto frame_items = [&] {
        ui::begin_item_frame();
        imgui.frame(fed.flow);
        ui::end_item_frame();
        return ui::drawn_items();
    };
    const auto drawn = [](const std::vector<ui::DrawnItem>& items, const std::string& id) {
        for (const auto& i : items)
            if (i.id == id) return true;
        return false;
    };
    auto items = frame_items();
    CHECK(drawn(items, "##bonus.earn_bp"));
    CHECK(drawn(items, "##tiers.levels[2].threshold"));
    CHECK(drawn(items, "##receipt[0].price"));
    for (const char* header : {"##on.coalition", "##on.cashback", "##on.referral"})
        CHECK(drawn(items, header));
    std::string mirror = imgui.ui.mirror_text(fed.flow, catalogues("console/i18n"), 0);
    CHECK(mirror.find("Program") == 0);
    CHECK(mirror.find("1 point per €20") != std::string::npos);  // in plain words: 5 % paid
    CHECK(mirror.find("50 → 50 points") != std::string::npos);   // the what-if

    fed.flow.program().draft().tiers->levels[2].threshold = 10;
    fed.flow.program().edited();
    imgui.draw(fed.flow);
    items = frame_items();
    // The field is still drawn with the problem under it; the mirror names the field.
    CHECK(drawn(items, "##tiers.levels[2].threshold"));
    mirror = imgui.ui.mirror_text(fed.flow, catalogues("console/i18n"), 0);
    CHECK(mirror.find("tiers.levels[2].threshold") != std::string::npos);
    CHECK_FALSE(fed.flow.program().can_save());
    ui::record_items(false);
}
