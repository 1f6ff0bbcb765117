#include "client/view_text.hpp"

namespace kopilka::client {

std::string ViewText::percent(std::int64_t ppm) const {
    const std::int64_t tenths = (ppm + 500) / 1000;
    const bool en = locale == i18n::Locale::en;
    return std::to_string(tenths / 10) + (en ? "." : ",") + std::to_string(tenths % 10) +
           (en ? "%" : "\u00A0%");
}

std::string ViewText::error_text(const FlowError& e) const {
    std::string key = "error." + e.code;
    std::string text = t(key);
    // A family of codes shares a text: "token_bad_signature" → "error.token".
    if (text == key && e.code.find('_') != std::string::npos) {
        const std::string family = "error." + e.code.substr(0, e.code.find('_'));
        const std::string family_text = t(family);
        if (family_text != family) {
            text = family_text;
            key = family;
        }
    }
    if (text == key)
        text = t("error.generic",
                 {std::nullopt, {{"message", e.message.empty() ? e.code : e.message}}});
    return text;
}

std::string ViewText::history_reason(const members::HistoryView& h) const {
    const std::string key = "history." + h.reason;
    std::string reason = t(key);
    return reason == key ? h.reason : reason;
}

std::string ViewText::history_line(const members::HistoryView& h) const {
    const std::string reason = history_reason(h);
    const std::string sign = h.points > 0 ? "+" : (h.points < 0 ? "\u2212" : "");
    const std::int64_t magnitude = h.points < 0 ? -h.points : h.points;
    return t("member.history_line",
             {magnitude, {{"date", date(h.at_ms)}, {"sign", sign}, {"reason", reason}}});
}

std::string ViewText::tier_gap(const members::MemberSnapshot& m) const {
    if (m.tier.next_name.empty()) return t("member.tier_top");
    if (m.tier_basis == "spend") {
        const std::string amount = i18n::format_money(locale, {m.tier.gap, m.currency});
        return t("member.tier_gap_spend",
                 {std::nullopt, {{"amount", amount}, {"tier", m.tier.next_name}}});
    }
    return t("member.tier_gap_points", {m.tier.gap, {{"tier", m.tier.next_name}}});
}

}  // namespace kopilka::client
