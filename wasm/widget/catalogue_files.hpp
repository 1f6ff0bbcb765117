// The message catalogues compiled into the widget's panel (embed_catalogues.cmake), each with
// its path under assets/: "i18n/ru.json" (the words the kiosk shares), "widget/i18n/ru.json".
#pragma once

#include <string_view>
#include <vector>

namespace kopilka::wasm {

struct CatalogueFile {
    std::string_view path;
    std::string_view json;
};

const std::vector<CatalogueFile>& catalogue_files();

}  // namespace kopilka::wasm
