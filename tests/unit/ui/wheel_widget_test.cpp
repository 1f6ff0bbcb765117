// ui::wheel drawn headless: a segment the merchant coloured is filled with its colour and
// labelled in whichever of the theme's text colours reads better on it (black or white when
// neither reaches WCAG AA); segments without a colour keep the theme's alternating colours.
#include <doctest/doctest.h>
#include <imgui.h>

#include <set>
#include <string>
#include <vector>

#include "ui/widgets.hpp"

using namespace kopilka;

namespace {

ImVec4 rgb(int r, int g, int b) {
    return ImVec4(r / 255.f, g / 255.f, b / 255.f, 1.f);
}

// The colours of every vertex ui::wheel put into a window's draw list in one headless frame.
std::set<ImU32> wheel_colours(const ui::WidgetStyle& s, const std::vector<std::string>& labels,
                              const ui::SegmentColours& colours) {
    ImGuiContext* context = ImGui::CreateContext();
    ImGui::SetCurrentContext(context);
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.DisplaySize = ImVec2(800, 600);
    io.DeltaTime = 1.f / 60.f;
    unsigned char* pixels = nullptr;
    int w = 0, h = 0;
    io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);  // builds the default font's atlas
    ImGui::NewFrame();
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(io.DisplaySize);
    ImGui::Begin("wheel", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoBackground);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const int first = dl->VtxBuffer.Size;
    ui::wheel(dl, {ImVec2(100, 50), ImVec2(600, 550)}, s, labels, 0.0, colours);
    std::set<ImU32> out;
    for (int i = first; i < dl->VtxBuffer.Size; ++i) out.insert(dl->VtxBuffer[i].col);
    ImGui::End();
    ImGui::Render();
    ImGui::DestroyContext(context);
    return out;
}

ui::WidgetStyle style() {
    ui::WidgetStyle s;
    s.text = rgb(0x1F, 0x24, 0x2B);         // dark
    s.accent = rgb(0xD9, 0x4F, 0x2B);       // the default theme's orange
    s.accent_text = rgb(0xFF, 0xFF, 0xFF);  // white
    s.surface = rgb(0xF5, 0xEE, 0xE0);      // cream
    return s;
}

}  // namespace

TEST_CASE("wheel widget: a coloured segment is filled with its colour, its label readable") {
    const ui::WidgetStyle s = style();
    const ImU32 blue = IM_COL32(0x1E, 0x6B, 0xB8, 255), yellow = IM_COL32(0xFF, 0xEB, 0x3B, 255);
    const ImU32 white = IM_COL32(255, 255, 255, 255), dark = IM_COL32(0x1F, 0x24, 0x2B, 255);
    const ImU32 cream = IM_COL32(0xF5, 0xEE, 0xE0, 255), orange = IM_COL32(0xD9, 0x4F, 0x2B, 255);

    // Without colours: the theme's accent and surface, and the blue nowhere.
    std::set<ImU32> drawn = wheel_colours(s, {"A", "B"}, {});
    CHECK(drawn.count(orange));
    CHECK(drawn.count(cream));
    CHECK_FALSE(drawn.count(blue));

    // Blue takes the white accent text (5.4:1; the dark text is under 3:1 there); yellow the dark
    // text; the uncoloured second segment stays the surface colour with dark text.
    drawn = wheel_colours(s, {"A", "B", "C"},
                          {theme::Rgba{0x1E, 0x6B, 0xB8, 255}, std::nullopt,
                           theme::Rgba{0xFF, 0xEB, 0x3B, 255}});
    CHECK(drawn.count(blue));
    CHECK(drawn.count(yellow));
    CHECK(drawn.count(cream));
    CHECK_FALSE(drawn.count(orange));  // segment 0 is the accent's, but has its own colour
    CHECK(drawn.count(white));
    CHECK(drawn.count(dark));

    // A grey where neither theme text reaches 4.5:1: black (5.3:1) rather than white (3.9:1).
    ui::WidgetStyle grey = s;
    grey.text = rgb(0x70, 0x70, 0x70);
    grey.accent_text = rgb(0x90, 0x90, 0x90);
    drawn = wheel_colours(grey, {"A"}, {theme::Rgba{0x80, 0x80, 0x80, 255}});
    CHECK(drawn.count(IM_COL32(0x80, 0x80, 0x80, 255)));
    CHECK(drawn.count(IM_COL32(0, 0, 0, 255)));
}
