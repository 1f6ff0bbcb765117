// Files the browser apps carry in their preloaded file system (kopilka_browser_app's .data):
// the message catalogues and the font.
#pragma once

#include <string>

#include "core/i18n/catalogue.hpp"

namespace kopilka::wasm {

std::string read_file(const std::string& path);  // "" when missing

// The four catalogues <dir>/<tag>.json (e.g. "/assets/i18n"); empty ones, with a message on
// stderr, when they don't decode.
i18n::Catalogues load_catalogues(const std::string& dir);

}  // namespace kopilka::wasm
