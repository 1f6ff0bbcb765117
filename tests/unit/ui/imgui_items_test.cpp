// Where the last frame drew each labelled item (shared/ui/imgui_items.hpp), headless: buttons and
// a text field are found by label with their boxes; "##" parts are not shown; an item whose centre
// its window's edge cuts off is not visible, one clipped away entirely is not there; nothing is
// recorded while recording is off.
#include "ui/imgui_items.hpp"

#include <doctest/doctest.h>
#include <imgui.h>

#include <algorithm>
#include <string>

using namespace kopilka;

namespace {

struct Headless {
    ImGuiContext* ctx = ImGui::CreateContext();
    Headless() {
        ImGuiIO& io = ImGui::GetIO();
        io.DisplaySize = ImVec2(800, 600);
        io.IniFilename = nullptr;
        unsigned char* pixels = nullptr;
        int w = 0, h = 0;
        io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);
    }
    ~Headless() { ImGui::DestroyContext(ctx); }
    // One frame: two buttons, a text field and a button scrolled out of a small child region.
    void frame() {
        ui::begin_item_frame();
        ImGui::NewFrame();
        ImGui::SetNextWindowPos(ImVec2(0, 0));
        ImGui::SetNextWindowSize(ImVec2(800, 600));
        ImGui::Begin("screen", nullptr, ImGuiWindowFlags_NoDecoration);
        ImGui::Button("Publish##publish");
        ImGui::SameLine();
        ImGui::Button("Save");
        static char text[16] = "#D94F2B";
        ImGui::InputText("##accent", text, sizeof text);
        ImGui::BeginChild("list", ImVec2(200, 40));
        for (int i = 0; i < 6; ++i)
            ImGui::Button(("Row " + std::to_string(i)).c_str(), ImVec2(0, i == 1 ? 40 : 0));
        ImGui::EndChild();
        ImGui::End();
        ImGui::Render();
        ui::end_item_frame();
    }
};

const ui::DrawnItem* find(const std::string& id) {
    const auto& items = ui::drawn_items();
    const auto it = std::find_if(items.begin(), items.end(),
                                 [&](const ui::DrawnItem& i) { return i.id == id; });
    return it == items.end() ? nullptr : &*it;
}

}  // namespace

TEST_CASE("imgui items: each labelled item of the last frame with its box") {
    Headless h;
    ui::record_items(true);
    h.frame();
    const ui::DrawnItem* publish = find("Publish##publish");
    const ui::DrawnItem* save = find("Save");
    REQUIRE(publish);
    REQUIRE(save);
    CHECK(publish->label == "Publish");
    CHECK(save->label == "Save");
    CHECK(publish->visible);
    CHECK(publish->w > 0);
    CHECK(publish->h > 0);
    CHECK(save->x >= publish->x + publish->w);  // drawn on the same line, to its right
    CHECK(save->y == doctest::Approx(publish->y));
    const ui::DrawnItem* field = find("##accent");
    REQUIRE(field);
    CHECK(field->label.empty());
    CHECK(field->y > publish->y);
    REQUIRE(find("Row 0"));
    REQUIRE(find("Row 1"));
    CHECK(find("Row 0")->visible);
    CHECK_FALSE(find("Row 1")->visible);  // 40 px tall from y 23: its centre is below the 40 px
    CHECK_FALSE(find("Row 5"));           // below it

    ui::record_items(false);
    h.frame();
    CHECK(ui::drawn_items().empty());
}
