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

namespace kopilka::ui {

struct UiInput {
    std::optional<client::Action> action;
    std::string action_arg;          // the pressed action's ViewAction::arg
    std::optional<i18n::Locale> locale;
    std::optional<char> keypad_key;  // '0'..'9' or '+'
    bool keypad_backspace = false;
    bool keypad_ok = false;
};

// Where a button was drawn (pixels, the visible part), for tests and diagnostics: a tap there presses it.
//   name: an action's name ("start", "reward", …), "lang:<tag>", "key:<digit or +>", "key:back", "key:ok"
struct DrawnButton {
    std::string name;
    std::string arg;  // the action's ViewAction::arg
    float x = 0, y = 0, w = 0, h = 0;
    bool enabled = true;
};

// wheel_turns: the prize wheel's angle in turns (KioskFlow::wheel_turns), on the spin screen.
// The actions stay on screen: the text above them scrolls (drag or wheel) when it doesn't fit.
UiInput draw_kiosk(const client::KioskState& state, const client::KioskView& view, const theme::Theme& theme,
                   const Fonts& fonts, float scale, double wheel_turns, std::vector<DrawnButton>* drawn = nullptr);

}  // namespace kopilka::ui
