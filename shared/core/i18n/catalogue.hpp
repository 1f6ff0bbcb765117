// Message catalogues: one per locale, each message a text or a set of plural forms, with
// named {placeholders}. A key missing in a locale falls back to English, then to the key.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/i18n/locale.hpp"

namespace kopilka::i18n {

struct Message {
    std::map<Plural, std::string> forms;  // a plain text is stored as Plural::other
};

struct Catalogue {
    std::map<std::string, Message, std::less<>> messages;
};

struct Catalogues {
    std::map<Locale, Catalogue> by_locale;
};

struct Args {
    std::optional<std::int64_t> count;                        // picks the plural form; {n}
    std::vector<std::pair<std::string, std::string>> named;   // {name} → text
};

// Translates key for locale: picks the plural form for args.count (falling back to
// "other"), replaces {n} by the count formatted for the locale and {name} by named values.
std::string translate(const Catalogues& c, Locale l, std::string_view key, const Args& args = {});

// Adds from's messages to into's, locale by locale; a key both have takes from's text (an app
// loads the shared catalogues first, then its own).
void merge_catalogues(Catalogues& into, const Catalogues& from);

// Keys that English has and locale l lacks (or lacks a plural form l needs).
std::vector<std::string> missing_keys(const Catalogues& c, Locale l);

}  // namespace kopilka::i18n
