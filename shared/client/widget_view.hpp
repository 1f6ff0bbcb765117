// The words and controls of the widget's panel, localised, as a small tree of blocks that
// web/widget/panel.js turns into DOM (headings, lists, buttons, a progress bar, a code to copy,
// the wheel): the panel's JavaScript decides nothing, so what a visitor reads is tested here.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "client/widget_flow.hpp"
#include "codec/decode.hpp"
#include "core/i18n/catalogue.hpp"

namespace kopilka::client {

// One thing on the panel. kind names what it is; the other fields are used as that kind says:
//   "text"      text (detail: a second, quieter line)
//   "stat"      a big number: text, label ("Your points")
//   "progress"  value of max, label (what it measures), text (the gap in words)
//   "list"      label (its heading, may be ""), items
//   "item"      text, detail, picture (an address the panel resolves against the server);
//               a button when action is set (label, arg, enabled)
//   "button"    label, action, arg, enabled; primary when value is 1
//   "link"      label, href (the merchant's pages)
//   "code"      text (to copy), label (what it is), detail (validity)
//   "share"     text (the link), label; copy and Web Share buttons
//   "wheel"     items (segments' labels, clockwise from the top, each with fill and ink when the
//               merchant gave it a colour), value (the prize's segment, -1 while none), max
//               (turn time in ms, 0 with reduced motion)
//   "notice"    text; value 1 for an error (role="alert"), 0 for a status
struct WidgetBlock {
    std::string kind;
    std::string text;
    std::string detail;
    std::string label;
    std::string action;  // what the button sends back: see widget_action()
    std::string arg;
    std::string href;
    std::string picture;
    std::string fill;  // a wheel segment's colour, "#RRGGBB"; "": the theme's
    std::string ink;   // its label's: black or white, whichever reads better on fill
    std::int64_t value = 0;
    std::int64_t max = 0;
    bool enabled = true;
    std::vector<WidgetBlock> items;
};

struct WidgetTab {
    std::string screen;  // widget_screen_name
    std::string label;
    bool current = false;
};

struct WidgetView {
    std::string lang;            // "ru", … for the panel's lang attribute
    std::string title;           // the dialog's name: "Demo Shop rewards"
    std::string launcher_label;  // the launcher button's name, with the balance when known
    std::string close_label;
    std::string copy_label, copied_label, share_label;  // for the panel's own buttons
    // The theme as CSS custom properties on the widget's host: --kopilka-accent: #d94f2b, …
    std::vector<std::pair<std::string, std::string>> css;
    // Text/background pairs of the merchant's theme below WCAG AA ("accent_text on accent:
    // 4.11:1"); css holds them corrected.
    std::vector<std::string> contrast_failures;
    std::string screen;
    std::vector<WidgetTab> tabs;
    std::string heading;  // the screen's own heading
    std::vector<WidgetBlock> blocks;
    bool busy = false;  // aria-busy while a request is out
};

// The panel for state in its locale. c holds the kiosk's, the rules' (program_text.hpp) and the
// widget's catalogues, merged.
WidgetView compose_widget_view(const WidgetState& s, const i18n::Catalogues& c);

// The program in plain words as blocks: a "list" per section (label: its heading).
std::vector<WidgetBlock> rules_blocks(const program::Program& p, const i18n::Catalogues& c,
                                      i18n::Locale l);

codec::Json encode_widget_view(const WidgetView& v);

}  // namespace kopilka::client
