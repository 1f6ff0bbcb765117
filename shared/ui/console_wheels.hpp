// The console's prize wheels drawn with Dear ImGui (console_wheels.cpp): the list of the
// merchant's wheels (name, id, running now / scheduled / ended) with a field for a new one, and
// the editor of one wheel — a form column (name and campaign window in UTC, budgets, member
// limits, one block per segment: label, id, kind, points or the reward picked from the
// program's catalogue, cost, weight, stock, colour) and a side column with the preview wheel
// (ui::wheel with the draft's segments and colours; a click turns it to the segment clicked),
// the win chance with the under-25 % warning, the budget spent today and in the campaign, and
// the odds table. The state and every decision are client::WheelsEditor's
// (client/console_wheels.hpp).
//
// Implemented: every field of spins::WheelConfig.
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

// The section in words for screen readers: the wheels (name, id, running or not at now_ms), or
// the open wheel's name, campaign phase, status, problem and field, the win chance (with the
// warning) and each segment's chance, colour and reward.
std::string wheels_mirror_text(const client::ConsoleFlow& flow, const i18n::Catalogues& texts,
                               std::int64_t now_ms);

}  // namespace kopilka::ui
