// A loyalty program in plain words: every mechanic of a program::Program as short sentences
// in the visitor's language ("1 point per 20 ₽", "Gold from 50 000 ₽ a year"), grouped in
// sections with a heading. One result feeds the widget's DOM panel, the console's preview
// and `kopilka rules`.
//
// The texts come from their own catalogues, assets/i18n/rules/<locale>.json (keys "rules.*").
// Money is formatted by i18n::format_money, percentages from basis points with integer
// arithmetic only ("12,5 %", "12.5%" in English, as the kiosk shows them).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/i18n/catalogue.hpp"
#include "core/program/program.hpp"

namespace kopilka::client {

struct RulesSection {
    std::string id;       // "earn", "spend", "tiers", … (stable; for styling and tests)
    std::string heading;  // "Earning points"
    std::vector<std::string> items;  // one short sentence each, in reading order
};

struct RulesText {
    std::vector<RulesSection> sections;  // only sections the program has, never an empty one
};

// The program's rules in locale l. c holds the rules catalogues (decode_catalogues of
// assets/<rules_catalogue_path(l)>); a key missing in l falls back to English.
RulesText program_rules_text(const program::Program& p, const i18n::Catalogues& c, i18n::Locale l);

// "i18n/rules/ru.json": where a locale's rules catalogue lives under assets/.
std::string rules_catalogue_path(i18n::Locale l);

// The whole text, one line each: the heading, then its items indented by "  • ".
std::string rules_plain_text(const RulesText& t);

// Basis points as a percentage, exactly: 500 → "5 %", 1250 → "12,5 %", 125 → "1,25 %"
// (ru, de, lv with a no-break space); en "5%", "12.5%".
std::string percent_from_bp(i18n::Locale l, std::int64_t bp);

// A multiplier in percent as a factor: 200 → "×2", 125 → "×1,25" (en "×1.25").
std::string factor_from_percent(i18n::Locale l, std::int64_t percent);

}  // namespace kopilka::client
