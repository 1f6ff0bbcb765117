// The kiosk's widgets: each draws into the rectangle it is given, in the style it is given,
// so a screen can be drawn at any scale into any part of a window (the console previews the
// kiosk inside its own). No globals: what a drawing collects goes into the caller's Frame.
//
// A widget that takes input (button, keypad) is an ImGui item placed at its rectangle's
// top-left corner, so ImGui's layout continues below it; the others (wheel, QR code) only
// paint into a draw list. Text blocks start at the top of their rectangle, wrap at its width
// and take the height they need.
#pragma once

#include <imgui.h>

#include <optional>
#include <string>
#include <vector>

#include "core/theme/theme.hpp"
#include "ui/style.hpp"

namespace kopilka::ui {

struct Rect {
    ImVec2 min, max;  // screen pixels
    float width() const { return max.x - min.x; }
    float height() const { return max.y - min.y; }
    ImVec2 size() const { return ImVec2(width(), height()); }
};

// A rectangle of this size at ImGui's cursor (where the next item would go); reserve() also
// takes it as an item, so the layout continues past it (for the paint-only widgets).
Rect at_cursor(ImVec2 size);
Rect reserve(ImVec2 size);

// Where a button was drawn (pixels, the visible part), for tests and diagnostics: a tap there
// presses it.
//   name: an action's name ("start", "reward", …), "lang:<tag>", "key:<digit or +>", "key:back",
//   "key:ok"
struct DrawnButton {
    std::string name;
    std::string arg;  // the action's ViewAction::arg
    float x = 0, y = 0, w = 0, h = 0;
    bool enabled = true;
};

// One drawing of a screen: the buttons it drew, in order, into the caller's list (or none).
class Frame {
  public:
    explicit Frame(std::vector<DrawnButton>* drawn);
    // Notes where the last item (a button) was drawn, clipped to its window.
    void record_button(std::string name, std::string arg, bool enabled);

  private:
    std::vector<DrawnButton>* drawn_;
};

struct ButtonSpec {
    std::string label;     // ImGui label ("##id" suffixes allowed)
    std::string name;      // DrawnButton::name
    std::string arg;       // DrawnButton::arg
    bool primary = false;  // accent colours, else the surface's
    bool enabled = true;   // greyed out and inert when false
};

// A large touch button filling r; true when pressed this frame.
bool button(Frame& frame, const Rect& r, const WidgetStyle& s, const ButtonSpec& spec);

// Text centred line by line in r's width, from r's top down; font null: the current one.
void text_block(const Rect& r, const std::string& text, ImFont* font, ImU32 color);

// The numeric keypad in r (its height is the room it may take: keys shrink to fit, down to
// a size a finger still hits). Key presses set key ('0'..'9', '+'), backspace or ok.
struct KeypadInput {
    std::optional<char> key;
    bool backspace = false;
    bool ok = false;
};
KeypadInput keypad(Frame& frame, const Rect& r, const WidgetStyle& s);

// The prize wheel in r's largest centred square: segments clockwise from the top, turned by
// `turns`, with a pointer at the top. A segment is filled with its colour when colours has one
// for it (the merchant's, labelled in the theme's text or accent text, whichever reads better
// on it, or black or white when neither reaches WCAG AA); the others alternate the accent and
// surface colours.
using SegmentColours = std::vector<std::optional<theme::Rgba>>;  // by segment; may be shorter
void wheel(ImDrawList* dl, const Rect& r, const WidgetStyle& s,
           const std::vector<std::string>& labels, double turns,
           const SegmentColours& colours = {});

// A coupon's QR code centred in r: black modules on a white square with a quiet zone,
// whole pixels per module on whole-pixel edges so a till's scanner sees sharp modules.
// Draws nothing when r is too small for one pixel per module.
constexpr int kQrQuietModules = 4;
float qr_side_min(const std::vector<std::string>& rows);  // 2 pixels a module, quiet zone included
void qr_code(ImDrawList* dl, const Rect& r, const std::vector<std::string>& rows);

// A progress bar filling r, permille of it in the accent colour.
void progress(const Rect& r, const WidgetStyle& s, int permille);

}  // namespace kopilka::ui
