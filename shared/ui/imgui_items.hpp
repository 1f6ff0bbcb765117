// Where the last frame drew each labelled Dear ImGui item that shows at least in part (buttons,
// text fields, checkboxes, sliders, tabs): what a browser test clicks by its label instead of by
// coordinates, through
// ImGui's test-engine hooks (IMGUI_ENABLE_TEST_ENGINE, defined for kopilka_imgui). Off until
// record_items(true); recording costs a few comparisons per item.
#pragma once

#include <string>
#include <vector>

namespace kopilka::ui {

struct DrawnItem {
    std::string label;  // what the item shows: its ImGui label up to "##"
    std::string id;     // the whole ImGui label ("Publish##publish"), unique in its window
    float x = 0, y = 0, w = 0, h = 0;  // screen pixels
    bool visible = false;              // its centre shows (not cut off by its window's edges)
    bool active = false;  // ImGui's active item: a text field being edited, a button held down
};

// Starts or stops recording in the current ImGui context.
void record_items(bool on);
// Around a frame: begin before ImGui::NewFrame(), end after ImGui::Render(); the frame's items
// then replace the last ones.
void begin_item_frame();
void end_item_frame();
// The labelled items of the last frame ended, in the order they were drawn.
const std::vector<DrawnItem>& drawn_items();

}  // namespace kopilka::ui
