// Locales, CLDR plural rules and number formats for the four languages Kopilka speaks.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/money/money.hpp"

namespace kopilka::i18n {

enum class Locale : std::uint8_t { en, ru, de, lv };
constexpr Locale all_locales[] = {Locale::en, Locale::ru, Locale::de, Locale::lv};

std::string_view locale_tag(Locale l);                       // "ru"
std::optional<Locale> locale_from_tag(std::string_view tag); // "ru", "ru-RU", "RU" → ru
std::string_view locale_native_name(Locale l);               // "Русский"

enum class Plural : std::uint8_t { zero, one, two, few, many, other };
std::string_view plural_name(Plural p);
std::optional<Plural> plural_from_name(std::string_view name);

// The CLDR cardinal plural category of an integer (ru: one/few/many, lv: zero/one/other,
// de and en: one/other). The sign is ignored.
Plural plural_category(Locale l, std::int64_t n);

// "1,250" (en), "1.250" (de), "1 250" with a no-break space (ru, lv).
std::string format_integer(Locale l, std::int64_t n);

// Money in the locale's style; minor units are shown only when not zero:
// ru "2 000 ₽", de "2.000,50 €", en "€2,000.50", lv "2 000 €".
std::string format_money(Locale l, const money::Money& m);

// A calendar date (UTC) in the locale's short style: ru/de/lv "23.11.2026", en "23 Nov 2026".
std::string format_date(Locale l, std::int64_t ms);

}  // namespace kopilka::i18n
