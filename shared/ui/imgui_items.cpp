// ImGui's test-engine hooks, filled in for kopilka::ui::drawn_items(): ItemAdd reports each
// item's box, ItemInfo (right after, same id) its label. Widgets skip ItemInfo for an item
// clipped away entirely, so those are left out, as are items without a label (windows, child
// regions, separators).
#include "ui/imgui_items.hpp"

#include <imgui.h>
#include <imgui_internal.h>

#include <cstring>
#include <string>

namespace kopilka::ui {

namespace {
struct Recorder {
    std::vector<DrawnItem> drawing;  // the frame being drawn
    std::vector<DrawnItem> drawn;    // the last one finished
    ImGuiID last_id = 0;
    ImRect last_bb;
    bool last_visible = false;
    // A tab tells its label before its box (TabItemEx): kept until the box with its id comes.
    ImGuiID early_id = 0;
    std::string early_label;
};
Recorder& recorder() {
    static Recorder r;
    return r;
}
}  // namespace

void record_items(bool on) {
    if (ImGuiContext* g = ImGui::GetCurrentContext()) g->TestEngineHookItems = on;
}

void begin_item_frame() {
    Recorder& r = recorder();
    r.drawing.clear();
    r.last_id = 0;
}

void end_item_frame() { recorder().drawn.swap(recorder().drawing); }

const std::vector<DrawnItem>& drawn_items() { return recorder().drawn; }

}  // namespace kopilka::ui

void ImGuiTestEngineHook_ItemAdd(ImGuiContext* ctx, const ImRect& bb, ImGuiID id) {
    auto& r = kopilka::ui::recorder();
    r.last_id = id;
    r.last_bb = bb;
    const ImGuiWindow* w = ctx->CurrentWindow;
    r.last_visible = w && w->ClipRect.Contains(bb.GetCenter());
    if (id == r.early_id && id != 0 && bb.GetWidth() > 0) {
        r.early_id = 0;
        ImGuiTestEngineHook_ItemInfo(ctx, id, r.early_label.c_str(), 0);
    }
}

void ImGuiTestEngineHook_ItemInfo(ImGuiContext* ctx, ImGuiID id, const char* label,
                                  ImGuiItemStatusFlags) {
    auto& r = kopilka::ui::recorder();
    if (!label || !*label) return;
    if (id != r.last_id) {  // a tab's label, its box still to come
        r.early_id = id;
        r.early_label = label;
        return;
    }
    kopilka::ui::DrawnItem item;
    item.id = label;
    const char* hidden = std::strstr(label, "##");
    item.label = hidden ? std::string(label, hidden) : item.id;
    item.x = r.last_bb.Min.x;
    item.y = r.last_bb.Min.y;
    item.w = r.last_bb.GetWidth();
    item.h = r.last_bb.GetHeight();
    item.visible = r.last_visible;
    item.active = ctx && ctx->ActiveId == id;
    r.drawing.push_back(std::move(item));
    r.last_id = 0;
}

void ImGuiTestEngineHook_Log(ImGuiContext*, const char*, ...) {}

const char* ImGuiTestEngine_FindItemDebugLabel(ImGuiContext*, ImGuiID) { return nullptr; }
