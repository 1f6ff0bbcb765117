#include "core/i18n/locale.hpp"

#include <cstdio>

#include "core/program/lifecycle.hpp"

namespace kopilka::i18n {

namespace {
constexpr const char* kNbsp = "\u00A0";

struct LocaleInfo {
    Locale locale;
    std::string_view tag;
    std::string_view native;
    std::string_view group;    // thousands separator
    std::string_view decimal;
    bool symbol_first;         // "€1.00" vs "1,00 €"
};

constexpr LocaleInfo kLocales[] = {
    {Locale::en, "en", "English", ",", ".", true},
    {Locale::ru, "ru", "\u0420\u0443\u0441\u0441\u043a\u0438\u0439", kNbsp, ",", false},
    {Locale::de, "de", "Deutsch", ".", ",", false},
    {Locale::lv, "lv", "Latvie\u0161u", kNbsp, ",", false},
};

const LocaleInfo& info(Locale l) {
    for (const auto& i : kLocales)
        if (i.locale == l) return i;
    return kLocales[0];
}

constexpr std::string_view kPluralNames[] = {"zero", "one", "two", "few", "many", "other"};

std::uint64_t magnitude(std::int64_t n) {
    return n < 0 ? static_cast<std::uint64_t>(-(n + 1)) + 1 : static_cast<std::uint64_t>(n);
}

std::string group_digits(std::uint64_t v, std::string_view sep) {
    const std::string digits = std::to_string(v);
    std::string out;
    const std::size_t lead = digits.size() % 3 == 0 ? 3 : digits.size() % 3;
    out.append(digits, 0, lead);
    for (std::size_t i = lead; i < digits.size(); i += 3) {
        out.append(sep);
        out.append(digits, i, 3);
    }
    return out;
}
}  // namespace

std::string_view locale_tag(Locale l) { return info(l).tag; }
std::string_view locale_native_name(Locale l) { return info(l).native; }

std::optional<Locale> locale_from_tag(std::string_view tag) {
    if (tag.size() < 2) return std::nullopt;
    if (tag.size() > 2 && tag[2] != '-' && tag[2] != '_') return std::nullopt;
    const char a = static_cast<char>(tag[0] | 0x20), b = static_cast<char>(tag[1] | 0x20);
    for (const auto& i : kLocales)
        if (i.tag[0] == a && i.tag[1] == b) return i.locale;
    return std::nullopt;
}

std::string_view plural_name(Plural p) { return kPluralNames[static_cast<int>(p)]; }

std::optional<Plural> plural_from_name(std::string_view name) {
    for (int i = 0; i < 6; ++i)
        if (kPluralNames[i] == name) return static_cast<Plural>(i);
    return std::nullopt;
}

Plural plural_category(Locale l, std::int64_t n) {
    const std::uint64_t v = magnitude(n);
    const std::uint64_t mod10 = v % 10, mod100 = v % 100;
    switch (l) {
        case Locale::ru:
            if (mod10 == 1 && mod100 != 11) return Plural::one;
            if (mod10 >= 2 && mod10 <= 4 && !(mod100 >= 12 && mod100 <= 14)) return Plural::few;
            return Plural::many;
        case Locale::lv:
            if (mod10 == 0 || (mod100 >= 11 && mod100 <= 19)) return Plural::zero;
            if (mod10 == 1 && mod100 != 11) return Plural::one;
            return Plural::other;
        case Locale::en:
        case Locale::de:
            return v == 1 ? Plural::one : Plural::other;
    }
    return Plural::other;
}

std::string format_integer(Locale l, std::int64_t n) {
    std::string out = n < 0 ? "-" : "";
    return out + group_digits(magnitude(n), info(l).group);
}

std::string format_money(Locale l, const money::Money& m) {
    const auto& li = info(l);
    const auto& ci = money::currency_info(m.currency);
    std::uint64_t whole = magnitude(m.minor), fraction = 0;
    std::uint64_t scale = 1;
    for (int i = 0; i < ci.minor_digits; ++i) scale *= 10;
    fraction = whole % scale;
    whole /= scale;
    std::string number = group_digits(whole, li.group);
    if (fraction != 0) {
        std::string f = std::to_string(fraction);
        f.insert(0, static_cast<std::size_t>(ci.minor_digits) - f.size(), '0');
        number.append(li.decimal).append(f);
    }
    const std::string sign = m.minor < 0 ? "-" : "";
    if (ci.symbol.empty()) return sign + number + " " + std::string(ci.code);
    if (li.symbol_first) return sign + std::string(ci.symbol) + number;
    return sign + number + kNbsp + std::string(ci.symbol);
}

std::string format_date(Locale l, std::int64_t ms) {
    static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const program::Date d = program::date_of(ms);
    char buf[32];
    if (l == Locale::en)
        std::snprintf(buf, sizeof buf, "%d %s %d", d.day, kMonths[d.month - 1], d.year);
    else std::snprintf(buf, sizeof buf, "%02d.%02d.%d", d.day, d.month, d.year);
    return buf;
}

}  // namespace kopilka::i18n
