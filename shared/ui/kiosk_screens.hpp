// Draws the kiosk's current screen with Dear ImGui and reports what the person did.
// Pure drawing: every word comes from client::KioskView, every decision from the flow.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "client/kiosk_flow.hpp"
#include "client/kiosk_view.hpp"
#include "core/theme/theme.hpp"
#include "ui/style.hpp"
#include "ui/widgets.hpp"

namespace kopilka::ui {

struct UiInput {
    std::optional<client::Action> action;
    std::string action_arg;  // the pressed action's ViewAction::arg
    std::optional<i18n::Locale> locale;
    std::optional<char> keypad_key;  // '0'..'9' or '+'
    bool keypad_backspace = false;
    bool keypad_ok = false;
    // Where the camera's live preview goes this frame (inside the viewfinder the scan screen
    // draws, screen pixels); none: no preview (other screens, the keypad open).
    std::optional<Rect> viewfinder;
    // Where the merchant's pictures go this frame (the reward tiles' middles, screen pixels): the
    // page shows each as an image there (ImGui draws no pictures).
    struct Picture {
        std::string id;   // the reward's
        std::string src;  // its image URL
        Rect rect;
    };
    std::vector<Picture> pictures;
    // Where the merchant's logo goes this frame (above the attract screen's title, screen
    // pixels; none: no logo or another screen): the page shows it there.
    std::optional<Rect> logo;
    // The body's content was taller than the room it had (it scrolls): no main screen should.
    bool overflow = false;
};

// How much larger than at devicePixelRatio 1 a kiosk screen of this CSS size draws: 1 up to
// 1280×800 (800×1280 upright), then as the screen grows past that in both directions (1920×1080
// and 1080×1920: 1.35), at most 1.5, in steps of 0.05 — so a large kiosk's words and buttons
// take its room instead of a 1280×800 layout in its middle. A theme whose text is already
// large (font_px) grows only up to 45 px text, or not at all.
float kiosk_zoom(float css_width, float css_height, int font_px = theme::Theme{}.font_size_px);

// Where draw_kiosk draws.
enum class Placement {
    window,  // a top-level window of its own (the kiosk: the whole screen)
    child,   // a child region of the current window, on the theme's background (a preview
             // inside another app's window; call between that window's Begin and End)
};

// Draws the screen filling `rect` (screen pixels), with the theme's colours and sizes × scale
// (fonts: loaded at that scale). wheel_turns: the prize wheel's angle in turns
// (KioskFlow::wheel_turns), on the spin screen. The actions stay on screen: the text above
// them scrolls (drag or wheel) when it doesn't fit. drawn: where the buttons went, or null.
UiInput draw_kiosk(const client::KioskState& state, const client::KioskView& view,
                   const theme::Theme& theme, const Fonts& fonts, const Rect& rect, float scale,
                   double wheel_turns, std::vector<DrawnButton>* drawn = nullptr,
                   Placement placement = Placement::window);

}  // namespace kopilka::ui
