// Reading the repository's assets from unit tests: natively from the source tree, in the
// wasm build from the files embedded at /assets.
#pragma once

#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "codec/catalogue_json.hpp"
#include "core/i18n/catalogue.hpp"
#include "core/i18n/locale.hpp"

namespace kopilka::testing {

inline std::string read_asset(const std::string& relative) {
    std::ifstream in(std::string(KOPILKA_ASSETS_DIR) + "/" + relative, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// The four catalogues of one set: "i18n" (the kiosk's), "widget/i18n" (the widget's).
inline std::map<i18n::Locale, std::string> catalogue_texts(const std::string& dir = "i18n") {
    std::map<i18n::Locale, std::string> texts;
    for (i18n::Locale l : i18n::all_locales)
        texts[l] = read_asset(dir + "/" + std::string(i18n::locale_tag(l)) + ".json");
    return texts;
}

// Several sets merged in order (client::console_catalogue_dirs), as an app loads them.
template <typename Dirs>
i18n::Catalogues merged_catalogues(const Dirs& dirs) {
    i18n::Catalogues all;
    for (const char* dir : dirs)
        i18n::merge_catalogues(all, *codec::decode_catalogues(catalogue_texts(dir)).value);
    return all;
}

}  // namespace kopilka::testing
