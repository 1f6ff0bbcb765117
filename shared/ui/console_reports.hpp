// The console's Reports section: the date range (presets, typed dates in the merchant's
// locale, the bucket), key figures as big numbers, then a grid of chart cards (2 columns at
// 1280 px, 3 at 1920) that scrolls: share of receipts with a card, members' and others'
// average receipt, points issued / redeemed / expired with the redemption ratio and breakage,
// outstanding points, the liability at face value and as deferred revenue (IFRS 15, its method
// and inputs in words), active and enrolled members, tiers, churn, cohort retention as a heat
// map, spin prize cost against the budget, and the program's cost as a share of revenue. Each
// card has a CSV button (client::ReportsView::download). The state and the requests are
// client::ReportsView's; this file only draws them.
#pragma once

#include <string>
#include <vector>

#include "client/console_reports.hpp"
#include "core/i18n/catalogue.hpp"
#include "core/money/money.hpp"
#include "ui/widgets.hpp"

namespace kopilka::ui {

struct ReportsScreen {
    const i18n::Catalogues& texts;
    i18n::Locale locale;
    money::Currency currency;
    ImFont* title_font;
    float scale;
    std::int64_t now_ms;
};

// The cards' ids, in the order drawn ("card_share", "average", …, "cost").
std::vector<std::string> report_card_ids();

// Draws the section into content; true when something was typed this frame.
bool draw_reports(const ReportsScreen& s, client::ReportsView& view, const Rect& content);

// The section in words for the DOM text mirror: the range, the key figures, then every card's
// figures and its chart's data.
std::vector<std::string> reports_lines(const ReportsScreen& s, const client::ReportsState& st);

}  // namespace kopilka::ui
