// The words the kiosk's and the widget's view models share: a catalogue lookup in one locale,
// dates, percentages of published odds, a member's history line and tier gap, and an error's
// text by its code.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "client/member_session.hpp"
#include "core/i18n/catalogue.hpp"
#include "core/members/member_snapshot.hpp"

namespace kopilka::client {

struct ViewText {
    const i18n::Catalogues& c;
    i18n::Locale locale;

    std::string t(std::string_view key, const i18n::Args& a = {}) const {
        return i18n::translate(c, locale, key, a);
    }
    std::string date(std::int64_t ms) const { return i18n::format_date(locale, ms); }
    // Millionths as a percentage with one decimal: "12,5 %" (ru, de, lv), "12.5%" (en).
    std::string percent(std::int64_t ppm) const;
    // The error's text from the catalogue by its code ("error.<code>"), else by its family
    // (the code up to its first '_': "error.token" for "token_bad_signature"), else the generic
    // text with the server's words.
    std::string error_text(const FlowError& e) const;
    // What a history entry was, "purchase" (the reason code itself when the catalogue lacks it).
    std::string history_reason(const members::HistoryView& h) const;
    // "12.03.2026 +50 points: purchase" as member.history_line spells it.
    std::string history_line(const members::HistoryView& h) const;
    // "120 more points for Gold", "Spend 5 000 ₽ more for Gold" or the top tier's sentence.
    std::string tier_gap(const members::MemberSnapshot& m) const;
};

}  // namespace kopilka::client
