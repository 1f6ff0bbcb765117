// The console's charts (shared/ui/charts.hpp) and the Reports section that draws them, headless:
// the heat map's shades and its words for the mirror, then the section fed with a server's
// answers at 1280 and 1920 pixels wide — 2 and 3 columns of chart cards, every card's chart
// and CSV button drawn, the figures in the merchant's currency and language in the mirror
// lines, and a CSV button that hands its download to the page.
#include "ui/charts.hpp"

#include <doctest/doctest.h>
#include <imgui.h>
#include <imgui_internal.h>  // SetFocusID: the keyboard focus on the chart

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "../client/console_reports_fixtures.hpp"
#include "../test_assets.hpp"
#include "client/console_flow.hpp"
#include "core/program/lifecycle.hpp"
#include "ui/console_reports.hpp"
#include "ui/imgui_items.hpp"

using namespace kopilka;

namespace {

const std::int64_t kNow = program::ms_of({2026, 12, 4}) + 3600000;

struct Screen {
    ImGuiContext* ctx = ImGui::CreateContext();
    ImVec2 display;
    const i18n::Catalogues texts = testing::merged_catalogues(client::console_catalogue_dirs);
    std::vector<std::string> asked;
    client::ReportsView view{
        [this](client::Request r, std::function<void(client::TransportReply)> done) {
            asked.push_back(r.path);
            const bool series = r.path.find("/series") != std::string::npos;
            done({true, 200, series ? client::fixtures::kSeries : client::fixtures::kSummary, ""});
        },
        [](const client::TransportReply&, std::optional<client::ConsoleError>* e) {
            e->reset();
            return false;
        },
        [] {}};

    explicit Screen(ImVec2 size) : display(size) {
        ImGuiIO& io = ImGui::GetIO();
        io.IniFilename = nullptr;
        io.DisplaySize = size;
        io.DeltaTime = 1.f / 60.f;
        unsigned char* pixels = nullptr;
        int w = 0, h = 0;
        io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);
    }
    ~Screen() { ImGui::DestroyContext(ctx); }
    ui::ReportsScreen screen(i18n::Locale l = i18n::Locale::en) const {
        return {texts, l, money::Currency::EUR, nullptr, 1.f, kNow};
    }
    void frame() {
        ImGui::SetCurrentContext(ctx);
        ui::begin_item_frame();
        ImGui::NewFrame();
        ImGui::SetNextWindowPos(ImVec2(0, 0));
        ImGui::SetNextWindowSize(display);
        ImGui::Begin("console", nullptr, ImGuiWindowFlags_NoDecoration);
        // The navigation's width left of it, as in the console.
        ui::draw_reports(screen(), view, ui::Rect{ImVec2(220, 60), display});
        ImGui::End();
        ImGui::Render();
        ui::end_item_frame();
    }
    const ui::DrawnItem* item(const std::string& id) const {
        const auto& items = ui::drawn_items();
        const auto it = std::find_if(items.begin(), items.end(),
                                     [&](const ui::DrawnItem& i) { return i.id == id; });
        return it == items.end() ? nullptr : &*it;
    }
};

bool has(const std::vector<std::string>& lines, const std::string& line) {
    return std::find(lines.begin(), lines.end(), line) != lines.end();
}

}  // namespace

TEST_CASE("charts: a heat map's shade grows with the value up to its maximum") {
    CHECK(ui::heat_alpha(-5, 1000) == 0);
    CHECK(ui::heat_alpha(0, 1000) == 0);
    CHECK(ui::heat_alpha(500, 1000) == 127);
    CHECK(ui::heat_alpha(1000, 1000) == 255);
    CHECK(ui::heat_alpha(1700, 1000) == 255);
    CHECK(ui::heat_alpha(10, 0) == 0);

    ui::HeatMap h;
    h.title = "Retention";
    h.row_labels = {"Oct", "Nov"};
    h.column_labels = {"0", "1", "2"};
    h.cells = {{1000, 500, std::nullopt}, {1000}};
    h.value_text = [](std::int64_t v) { return std::to_string(v / 10) + "%"; };
    CHECK(ui::heat_map_lines(h) ==
          std::vector<std::string>{"Retention", "Oct: 0 100%, 1 50%", "Nov: 0 100%"});
}

TEST_CASE("charts: the reports section lays its cards in 2 columns at 1280, 3 at 1920") {
    for (const auto& [size, columns] :
         {std::pair{ImVec2(1280, 800), 2}, std::pair{ImVec2(1920, 1080), 3}}) {
        INFO(size.x);
        Screen s(size);
        s.view.open(kNow, i18n::Locale::en);
        REQUIRE(s.asked.size() == 2);
        ui::record_items(true);
        for (int i = 0; i < 3; ++i) s.frame();
        // The range controls and the first row of cards are on screen.
        for (const char* id : {"Last 7 days##reports.preset.last_7", "##reports.from",
                               "##reports.to", "Show##reports.apply", "Week##reports.bucket.week",
                               "Download all figures (CSV)##reports.csv.all"}) {
            INFO(id);
            const ui::DrawnItem* i = s.item(id);
            REQUIRE(i);
            CHECK(i->visible);
        }
        std::set<float> xs;
        for (const std::string& card : ui::report_card_ids()) {
            const ui::DrawnItem* chart = s.item("##reports.chart." + card);
            if (chart && chart->visible) xs.insert(chart->x);
        }
        CHECK(static_cast<int>(xs.size()) == columns);
        const ui::DrawnItem* first = s.item("##reports.chart.card_share");
        const ui::DrawnItem* second = s.item("##reports.chart.average");
        REQUIRE(first);
        REQUIRE(second);
        CHECK(first->x + first->w < second->x);  // side by side, not overlapping
        CHECK(second->x + second->w <= size.x);

        // A card's CSV button: its download waits for the page.
        const ui::DrawnItem* csv = s.item("CSV##reports.csv.card_share");
        REQUIRE(csv);
        ImGui::GetIO().MousePos = ImVec2(csv->x + csv->w / 2, csv->y + csv->h / 2);
        ImGui::GetIO().MouseDown[0] = true;
        s.frame();
        ImGui::GetIO().MouseDown[0] = false;
        s.frame();
        const auto d = s.view.take_download();
        REQUIRE(d);
        CHECK(d->path.find("/v1/admin/reports/series?") == 0);
        CHECK(d->path.find("&format=csv") != std::string::npos);
        ui::record_items(false);
    }
}

TEST_CASE("charts: the reports' mirror gives every figure and series in words") {
    Screen s({1280, 800});
    s.view.open(kNow, i18n::Locale::en);
    const std::vector<std::string> l = ui::reports_lines(s.screen(), s.view.state());
    INFO(l.size());
    CHECK(l.front() == "5 Nov 2026 – 4 Dec 2026, by week");
    CHECK(has(l, "Revenue: €1,500"));
    CHECK(has(l, "Share of receipts with a card"));
    CHECK(has(l, "4 of 10 receipts: 40%"));
    CHECK(has(l, "Redemption ratio: 33.3%"));
    CHECK(has(l, "Deferred revenue: €4.80"));
    CHECK(has(l,
              "Inputs: point value €0.01, expected breakage 10% (from the last 12 months), "
              "points outstanding 505."));
    CHECK(has(l, "Members by tier"));
    CHECK(has(l, "Gold: Members 2"));
    CHECK(has(l, "Oct 2026 (4 members): 0 100%, 1 50%, 2 25%"));
    CHECK(has(l, "1 of 2 members active before: 50%"));
    CHECK(has(l, "Budget: unlimited"));
    // The weekly series: the first bucket's card share and average receipts.
    CHECK(has(l, "1 Jan: With a card 50%"));
    CHECK(has(l, "1 Jan: Members €2, Others €1"));

    // German: dates, money and plural forms of the merchant's language.
    const std::vector<std::string> de =
        ui::reports_lines(s.screen(i18n::Locale::de), s.view.state());
    CHECK(de.front() == "05.11.2026 – 04.12.2026, pro Woche");
    CHECK(has(de, "4 von 10 Bons: 40\u00A0%"));
}

TEST_CASE("charts: with the keyboard focus, ← and → step the tooltip through the buckets") {
    ImGuiContext* ctx = ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.DisplaySize = ImVec2(800, 600);
    io.DeltaTime = 1.f / 60.f;
    io.ConfigFlags |= ImGuiConfigFlags_NavEnableKeyboard;
    io.KeyMap[ImGuiKey_LeftArrow] = 1;
    io.KeyMap[ImGuiKey_RightArrow] = 2;
    io.KeyMap[ImGuiKey_Tab] = 3;
    unsigned char* pixels = nullptr;
    int w = 0, h = 0;
    io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);
    ui::Chart chart;
    chart.x_labels = {"Mon", "Tue", "Wed"};
    chart.series = {{"Receipts", IM_COL32(0, 0, 255, 255), {3, 5, 4}}};
    bool focus = false;
    // One frame with `key` held (0: none); the chart's answer.
    const auto frame = [&](int key) {
        io.KeysDown[1] = key == 1;
        io.KeysDown[2] = key == 2;
        ImGui::NewFrame();
        ImGui::SetNextWindowPos(ImVec2(0, 0));
        ImGui::SetNextWindowSize(io.DisplaySize);
        ImGui::Begin("charts", nullptr, ImGuiWindowFlags_NoDecoration);
        ImGui::Button("before");
        const int at =
            ui::draw_chart("##chart", ui::Rect{ImVec2(20, 60), ImVec2(780, 560)}, chart, 1.f);
        if (focus) ImGui::SetFocusID(ImGui::GetItemID(), ImGui::GetCurrentWindow());
        focus = false;
        ImGui::End();
        ImGui::Render();
        return at;
    };
    const auto press = [&](int key) {
        frame(key);
        return frame(0);
    };
    frame(0);  // the window's first frame gives the keyboard focus to its first item
    focus = true;
    CHECK(frame(0) == -1);
    CHECK(frame(0) == 2);  // the newest bucket first
    CHECK(press(1) == 1);
    CHECK(press(1) == 0);
    CHECK(press(2) == 1);
    CHECK(press(2) == 2);
    CHECK(press(2) == 2);  // the last stays; → leaves it to the navigation
    ImGui::DestroyContext(ctx);
}
