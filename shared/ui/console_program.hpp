// The console's program editor drawn with Dear ImGui (console_program.cpp): a form column for
// the mechanics of shared/codec/PROGRAM_FORMAT.md and a side column with the program in plain
// words, a test receipt quoted live and the what-if against the published program. The state
// and every decision are client::ProgramEditor's (client/console_program.hpp).
//
// Implemented: points (rate, rounding, multipliers, exclusions, minimum receipt, redemption
// cap and minimum, redemption blackouts, pending days, expiry, welcome, birthday and action
// bonuses), flat discount, discount ladder, tiers, rewards, referral, cashback, stamp cards,
// paid VIP plans, segment rules, coalition; the side column's tabs: the test receipt (for a
// member of a tier and a segment) with the what-if and the words, the draft simulated over the
// merchant's receipts, the version history with revert. Publishing at once or from a time.
// Missing: nothing of PROGRAM_FORMAT.md's mechanics.
#pragma once

#include <imgui.h>

#include <cstdint>
#include <map>
#include <string>

#include "client/console_flow.hpp"
#include "core/i18n/catalogue.hpp"
#include "ui/widgets.hpp"

namespace kopilka::ui {

struct ProgramScreenContext {
    client::ConsoleFlow& flow;
    const i18n::Catalogues& texts;        // the console's (assets/console/i18n)
    const i18n::Catalogues& kiosk_texts;  // the quote's explanations (assets/i18n)
    const i18n::Catalogues& rules_texts;  // the program in plain words (assets/i18n/rules)
    ImFont* title = nullptr;
    float scale = 1;
    std::map<std::string, std::string>& text;  // numbers being typed, by field
    std::int64_t now_ms = 0;
    std::string* pick_picture = nullptr;  // set to a reward's id when its picture is to be chosen
    std::string picture_reward;           // the reward whose picture file the page refused, and why
    std::string picture_error;            // ("logo_type", "logo_size"; "" none)
};

// Draws the editor into `content` (screen pixels).
void program_screen(const ProgramScreenContext& c, const Rect& content);

// The editor in words for screen readers: status, the problem and its field, the what-if,
// the simulation and the history when they were asked for.
// labels: ProgramScreenContext::text as the screen left it (the fields' labels by path).
std::string program_mirror_text(const client::ConsoleFlow& flow, const i18n::Catalogues& texts,
                                const i18n::Catalogues& rules_texts,
                                const std::map<std::string, std::string>& labels);

}  // namespace kopilka::ui
