// The console's prize wheels drawn with Dear ImGui (console_wheels.cpp): the list of the
// merchant's wheels with a field for a new one, and the editor of one wheel — a form column
// (budgets, member limits, one block per segment: label, id, kind, points or reward, cost,
// weight, stock) and a side column with the preview wheel (ui::wheel with the draft's
// segments; a click turns it to the segment clicked), the win chance with the under-25 %
// warning, the budget spent today and in the campaign, and the odds table. The state and every
// decision are client::WheelsEditor's (client/console_wheels.hpp).
//
// Implemented: every field of spins::WheelConfig. Missing: a wheel's name, dates and segment
// colours (the config has none), choosing a coupon's reward from the program's list (typed).
#pragma once

#include <imgui.h>

#include <cstdint>
#include <map>
#include <string>

#include "client/console_flow.hpp"
#include "core/i18n/catalogue.hpp"
#include "ui/widgets.hpp"

namespace kopilka::ui {

struct WheelsScreenContext {
    client::ConsoleFlow& flow;
    const i18n::Catalogues& texts;  // the console's (assets/console/i18n, wheels merged in)
    ImFont* title = nullptr;
    float scale = 1;
    std::int64_t now_ms = 0;
    std::map<std::string, std::string>& text;  // numbers being typed, by field
};

// Draws the list or the editor into `content` (screen pixels).
void wheels_screen(const WheelsScreenContext& c, const Rect& content);

// The section in words for screen readers: the wheels, or the open wheel's status, its problem
// and field, the win chance (with the warning) and each segment's chance.
std::string wheels_mirror_text(const client::ConsoleFlow& flow, const i18n::Catalogues& texts);

}  // namespace kopilka::ui
