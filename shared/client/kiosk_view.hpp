// The words on the kiosk's current screen, localised: one source for both what Dear ImGui
// draws (shared/ui) and what the DOM text mirror gives screen readers.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/i18n/catalogue.hpp"
#include "client/kiosk_flow.hpp"

namespace kopilka::client {

enum class Action : std::uint8_t { start, keypad, sign_out, stay, back };

struct ViewAction {
    Action action;
    std::string label;
};

struct KioskView {
    std::string title;
    std::vector<std::string> lines;          // body text in reading order
    std::optional<int> progress_permille;    // tier progress bar on the member screen
    std::string progress_label;              // what the bar means, for screen readers
    std::string countdown;                   // "Signing out in 12 seconds", or empty
    std::vector<ViewAction> actions;
};

struct Branding {
    std::string name = "Kopilka";  // the merchant's name on the attract screen
};

KioskView compose_kiosk_view(const KioskState& s, const i18n::Catalogues& c, const Branding& b);

// Every text of the view in reading order, one per line: the DOM mirror's content.
std::string mirror_text(const KioskView& v);

}  // namespace kopilka::client
