// The console's members section drawn with Dear ImGui (console_members.cpp): a search field
// over a paged table (name, card, phone, balance, tier, last visit) that draws only the rows
// in view (ImGuiListClipper) and tells client::ConsoleMembers which rows show, so pages come
// as the person scrolls, with a loading row at the end; a member's page (profile, balance,
// tier progress, batches with their expiry, history, the adjustment form, export and erase
// with a confirmation); the enrolment form. State and decisions are ConsoleMembers'
// (client/console_members.hpp).
//
// Implemented: all of the above, by keyboard (Tab, Enter in the search field and the forms,
// Escape in the confirmation) and by touch. Missing: editing personal fields.
#pragma once

#include <imgui.h>

#include <cstdint>
#include <string>

#include "client/console_flow.hpp"
#include "core/i18n/catalogue.hpp"
#include "ui/widgets.hpp"

namespace kopilka::ui {

struct MembersScreenContext {
    client::ConsoleFlow& flow;
    const i18n::Catalogues& texts;  // the console's (assets/console/i18n and its members/)
    ImFont* title = nullptr;
    float scale = 1;
    std::int64_t now_ms = 0;
};

// Draws the section into `content` (screen pixels).
void members_screen(const MembersScreenContext& c, const Rect& content);

// The section in words for screen readers: the search and the rows in view, or the member's
// page (balance, tier, batches, history, the form's error, what was just done).
std::string members_mirror_text(const client::ConsoleFlow& flow, const i18n::Catalogues& texts,
                                std::int64_t now_ms);

}  // namespace kopilka::ui
