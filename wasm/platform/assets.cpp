#include "platform/assets.hpp"

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "codec/catalogue_json.hpp"

namespace kopilka::wasm {

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

i18n::Catalogues load_catalogues(const std::string& dir) {
    std::map<i18n::Locale, std::string> texts;
    for (i18n::Locale l : i18n::all_locales)
        texts[l] = read_file(dir + "/" + std::string(i18n::locale_tag(l)) + ".json");
    auto decoded = codec::decode_catalogues(texts);
    if (decoded.ok()) return std::move(*decoded.value);
    std::fprintf(stderr, "kopilka: message catalogues in %s: %s\n", dir.c_str(),
                 decoded.error.message.c_str());
    return {};
}

}  // namespace kopilka::wasm
