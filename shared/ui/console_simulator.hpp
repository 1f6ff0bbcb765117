// The console's simulator section: the form on the left (the shop's currency, percentages), on
// the right what a flat discount and a bonus of the same rate give — the share of the margin
// each gives away, profit, what the bonus leaves owed — and two charts by the number of visits:
// profit per sale, and the share of the margin given away. The numbers are
// client::simulate_form's; this file only draws them and types into the form.
#pragma once

#include <string>
#include <vector>

#include "client/console_simulator.hpp"
#include "core/i18n/catalogue.hpp"
#include "ui/widgets.hpp"

namespace kopilka::ui {

struct SimulatorScreen {
    const i18n::Catalogues& texts;
    i18n::Locale locale;
    money::Currency currency;
    ImFont* title_font;
    float scale;
};

// Draws the section into content; true when a field was typed into this frame.
bool draw_simulator(const SimulatorScreen& s, client::SimulatorForm& form, const Rect& content);

// The section in words for the DOM text mirror: the results, then the charts' data.
std::vector<std::string> simulator_lines(const SimulatorScreen& s,
                                         const client::SimulatorForm& form);

}  // namespace kopilka::ui
