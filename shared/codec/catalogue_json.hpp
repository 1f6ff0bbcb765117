// Message catalogues from assets/i18n/<locale>.json:
//   { "locale": "ru", "messages": { "key": "text", "points": {"one": "{n} балл", …} } }
#pragma once

#include <map>
#include <string>

#include "codec/decode.hpp"
#include "core/i18n/catalogue.hpp"

namespace kopilka::codec {

Decoded<i18n::Catalogue> decode_catalogue(const Json& j, i18n::Locale expected);

}  // namespace kopilka::codec

namespace kopilka::codec {

// All four catalogues from their JSON texts (keyed by locale). The error names the locale.
Decoded<i18n::Catalogues> decode_catalogues(const std::map<i18n::Locale, std::string>& texts);

}  // namespace kopilka::codec
